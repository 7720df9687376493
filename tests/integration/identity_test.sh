#!/usr/bin/env bash
# Identities, proofing, qualified certificates, revocation through the CLI and `qualsig serve`,
# checked with openssl (x509, verify, asn1parse, ocsp, crl).
source "$(dirname "$0")/lib.sh"

"$QUALSIG" --data d init >/dev/null
"$QUALSIG" --data d ca export --out ca >/dev/null

expect_exit 0 "register invoice-bot" -- "$QUALSIG" --data d identity register --name invoice-bot --kind service-account --sponsor "Finance Lead" --purpose "seals outgoing invoices"
expect_exit 1 "duplicate name refused" -- "$QUALSIG" --data d identity register --name invoice-bot --kind workload --sponsor x
expect_one_error_line "duplicate name" "already exists"
expect_exit 1 "bad kind refused" -- "$QUALSIG" --data d identity register --name x --kind robot --sponsor x
expect_exit 1 "hostile name refused" -- "$QUALSIG" --data d identity register --name "a/b;rm -rf" --kind workload --sponsor x
expect_exit 1 "delegated agent needs a person" -- "$QUALSIG" --data d identity register --name cfo-assistant --kind delegated-agent --sponsor CFO
expect_exit 0 "register cfo-assistant" -- "$QUALSIG" --data d identity register --name cfo-assistant --kind delegated-agent --sponsor "Jane Doe" --acts-for "Jane Doe" --acts-for-id PNONL-123456789

# No certificate without proofing; the refusal names the missing evidence.
expect_exit 1 "issue before proofing is refused" -- "$QUALSIG" --data d cert issue --identity invoice-bot
expect_one_error_line "refusal names the evidence" "missing evidence"
expect_exit 0 "sponsor attestation by alice" -- "$QUALSIG" --data d identity proof invoice-bot --method sponsor --by alice
expect_exit 1 "issue while confirmation pends" -- "$QUALSIG" --data d cert issue --identity invoice-bot
expect_one_error_line "pending confirmation named" "awaits confirmation by a second administrator"
expect_exit 1 "alice cannot confirm her own attestation" -- "$QUALSIG" --data d identity confirm invoice-bot --by alice
expect_one_error_line "dual control" "same administrator cannot attest and confirm"
expect_exit 1 "ALICE either (case-insensitive)" -- "$QUALSIG" --data d identity confirm invoice-bot --by " ALICE "
expect_exit 0 "bob confirms" -- "$QUALSIG" --data d identity confirm invoice-bot --by bob
expect_exit 0 "issue e-seal certificate" -- "$QUALSIG" --json --data d cert issue --identity invoice-bot --out bot.pem
SERIAL=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["serial"])' <<<"$OUT")
"$QUALSIG" --data d identity proof cfo-assistant --method sponsor --by alice >/dev/null
"$QUALSIG" --data d identity confirm cfo-assistant --by bob >/dev/null
expect_exit 0 "issue e-signature certificate" -- "$QUALSIG" --json --data d cert issue --identity cfo-assistant --out cfo.pem --validity 30d
expect_exit 1 "validity above the maximum refused" -- "$QUALSIG" --data d cert issue --identity invoice-bot --validity 5000d

# The certificates, read by openssl.
expect_exit 0 "openssl verify e-seal chain" -- openssl verify -x509_strict -CAfile ca/root.pem -untrusted ca/issuing.pem bot.pem
expect_exit 0 "openssl verify e-signature chain" -- openssl verify -x509_strict -CAfile ca/root.pem -untrusted ca/issuing.pem cfo.pem
text=$(openssl x509 -in bot.pem -noout -text)
contains "e-seal: QCP-l-qscd" "$text" "Policy: 0.4.0.194112.1.3"
contains "e-seal: nonRepudiation + digitalSignature" "$text" "Digital Signature, Non Repudiation"
contains "e-seal: organizationIdentifier in subject" "$(openssl x509 -in bot.pem -noout -subject -nameopt RFC2253)" "organizationIdentifier=VATNL-123456789B01"
asn=$(openssl x509 -in bot.pem -outform DER | openssl asn1parse -inform DER -i)
qcs=$(python3 - bot.pem <<'P'
import subprocess, sys
der = subprocess.run(["openssl", "x509", "-in", sys.argv[1], "-outform", "DER"], capture_output=True, check=True).stdout
out = subprocess.run(["openssl", "asn1parse", "-inform", "DER", "-i", "-strparse", "0"], input=der, capture_output=True).stdout
P
)
# The QCStatements extension value parsed on its own (strparse at its OCTET STRING).
off=$(openssl x509 -in bot.pem -outform DER | openssl asn1parse -inform DER | grep -A1 "qcStatements" | tail -1 | sed 's/^ *\([0-9]*\):.*/\1/')
qc=$(openssl x509 -in bot.pem -outform DER | openssl asn1parse -inform DER -strparse "$off")
for oid in 0.4.0.1862.1.1 0.4.0.1862.1.4 0.4.0.1862.1.5 0.4.0.1862.1.6 0.4.0.1862.1.6.2 0.4.0.1862.1.3; do
  contains "e-seal QCStatement $oid" "$qc" "$oid"
done
grep -q "0.4.0.1862.1.6.1" <<<"$qc" && fail "e-seal carries QcType esign" || pass "e-seal never carries QcType esign"
off=$(openssl x509 -in cfo.pem -outform DER | openssl asn1parse -inform DER | grep -A1 "qcStatements" | tail -1 | sed 's/^ *\([0-9]*\):.*/\1/')
qc=$(openssl x509 -in cfo.pem -outform DER | openssl asn1parse -inform DER -strparse "$off")
contains "e-signature QcType esign" "$qc" "0.4.0.1862.1.6.1"
contains "e-signature QCP-n-qscd" "$(openssl x509 -in cfo.pem -noout -text)" "Policy: 0.4.0.194112.1.2"
contains "e-signature subject names the person" "$(openssl x509 -in cfo.pem -noout -subject -nameopt RFC2253)" "GN=Jane"

# Workload proofing through the CLI: an OIDC token made by npm jose, a SPIFFE SVID made by openssl.
if command -v node >/dev/null && [ -d "$HERE/../interop/node_modules/jose" ]; then
  now=$(date +%s)
  cat > jwtreq.json <<J
{"keys": [{"id": "k", "alg": "ES256"}], "sets": {"main": [{"key": "k", "kid": "ci-key", "alg": true}]},
 "tokens": [
  {"name": "good", "key": "k", "kid": "ci-key", "mode": "sign", "claims": {"iss": "https://token.ci.example", "aud": "qualsig", "sub": "repo:acme/release:ref:refs/heads/main", "iat": $now, "exp": $((now + 600))}},
  {"name": "none", "key": "k", "kid": "ci-key", "mode": "none", "claims": {"iss": "https://token.ci.example", "aud": "qualsig", "sub": "repo:acme/release:ref:refs/heads/main", "iat": $now, "exp": $((now + 600))}},
  {"name": "wrong-aud", "key": "k", "kid": "ci-key", "mode": "sign", "claims": {"iss": "https://token.ci.example", "aud": "someone-else", "sub": "x", "iat": $now, "exp": $((now + 600))}}
 ]}
J
  node "$HERE/../interop/make_jwt.mjs" < jwtreq.json > jwt.json
  python3 - <<'P'
import json
d = json.load(open("jwt.json"))
json.dump(d["sets"]["main"], open("d/jwks.json", "w"))
for name in ("good", "none", "wrong-aud"):
    open(name + ".jwt", "w").write(d["tokens"][name])
c = json.load(open("d/config.json"))
c["proofing"].update({"oidc_issuer": "https://token.ci.example", "oidc_audience": "qualsig", "oidc_jwks_file": "jwks.json"})
json.dump(c, open("d/config.json", "w"))
P
  "$QUALSIG" --data d identity register --name ci-release --kind workload --sponsor "Release Manager" >/dev/null
  expect_exit 1 "alg none token refused" -- "$QUALSIG" --data d identity proof ci-release --method oidc --token none.jwt
  expect_one_error_line "alg none" "none"
  expect_exit 1 "wrong audience refused" -- "$QUALSIG" --data d identity proof ci-release --method oidc --token wrong-aud.jwt
  expect_exit 0 "OIDC workload token proofs ci-release" -- "$QUALSIG" --data d identity proof ci-release --method oidc --token good.jwt
  contains "OIDC proofing reaches IAL2" "$OUT" "IAL2"
  grep -q "$(cut -d. -f3 good.jwt)" d/qualsig.db && fail "the bearer token was stored" || pass "the token itself is not stored"
else
  echo "SKIPPED: OIDC CLI proofing (node or tests/interop/node_modules missing: run scripts/install-deps)"
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout td.key -out td.pem -subj /CN=example.org -days 2 \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout svid.key -out svid.csr -subj /O=SPIRE 2>/dev/null
printf 'subjectAltName=URI:spiffe://example.org/ns/procurement/sa/po-agent\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n' > svid.ext
openssl x509 -req -in svid.csr -CA td.pem -CAkey td.key -CAcreateserial -out svid.pem -days 1 -extfile svid.ext 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout evil.key -out evil.pem -subj /CN=evil -days 2 2>/dev/null
cp td.pem d/bundle.pem
python3 - <<'P'
import json
c = json.load(open("d/config.json"))
c["proofing"].update({"spiffe_trust_bundle": "bundle.pem", "spiffe_trust_domain": "example.org"})
json.dump(c, open("d/config.json", "w"))
P
"$QUALSIG" --data d identity register --name po-svid --kind ai-agent --sponsor "Procurement Lead" >/dev/null
expect_exit 1 "SVID from an untrusted bundle refused" -- "$QUALSIG" --data d identity proof po-svid --method spiffe --svid evil.pem
expect_exit 0 "SPIFFE SVID proofs po-svid" -- "$QUALSIG" --data d identity proof po-svid --method spiffe --svid svid.pem
expect_exit 0 "certificate for the SPIFFE-proofed identity" -- "$QUALSIG" --data d cert issue --identity po-svid --out svid-cert.pem
contains "SPIFFE ID as URI SAN" "$(openssl x509 -in svid-cert.pem -noout -ext subjectAltName)" "URI:spiffe://example.org/ns/procurement/sa/po-agent"

# Serve it; OCSP and CRL with openssl as the client.
python3 - d/config.json <<'P'
import json, sys
p = sys.argv[1]; d = json.load(open(p)); d["server"]["http_listen"] = "127.0.0.1:0"; json.dump(d, open(p, "w"))
P
"$QUALSIG" --data d serve --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 >serve.out 2>serve.err &
SERVER=$!
trap 'kill -9 $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do grep -q "^serving" serve.out 2>/dev/null && break; sleep 0.1; done
HTTP=$(grep -o 'http://[0-9.:]*' serve.out)
ocsp() { openssl ocsp -issuer ca/issuing.pem -cert "$1" -url "$HTTP/ocsp" -CAfile ca/root.pem -VAfile ca/ocsp.pem "${@:2}" 2>&1; }
OUT=$(ocsp bot.pem)
contains "OCSP says good" "$OUT" "bot.pem: good"
contains "OCSP response verifies" "$OUT" "Response verify OK"
OUT=$(ocsp bot.pem -no_nonce)
contains "OCSP good without nonce (cached path)" "$OUT" "bot.pem: good"
# GET form (RFC 6960 A.1): openssl sends GET with -header? use curl with the base64 request.
openssl ocsp -issuer ca/issuing.pem -cert bot.pem -reqout req.der -no_nonce 2>/dev/null
b64=$(base64 -w0 req.der | python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.stdin.read().strip(), safe=""))')
curl -sf "$HTTP/ocsp/$b64" -o get.der && OUT=$(openssl ocsp -respin get.der -issuer ca/issuing.pem -cert bot.pem -CAfile ca/root.pem -VAfile ca/ocsp.pem 2>&1)
contains "OCSP over GET says good" "$OUT" "bot.pem: good"

expect_exit 0 "revoke keyCompromise" -- "$QUALSIG" --data d cert revoke "$SERIAL" --reason keyCompromise
OUT=$(ocsp bot.pem)
contains "OCSP says revoked at once" "$OUT" "bot.pem: revoked"
contains "with the reason" "$OUT" "Reason: keyCompromise"
OUT=$(ocsp bot.pem -no_nonce)
contains "no stale cached good after revocation" "$OUT" "bot.pem: revoked"
curl -sf "$HTTP/crl/issuing.crl" -o issuing.crl
OUT=$(openssl crl -inform DER -in issuing.crl -CAfile ca/issuing.pem -verify -noout -text 2>&1)
contains "openssl verifies the CRL" "$OUT" "verify OK"
contains "CRL lists the serial" "$OUT" "Serial Number: $SERIAL"
contains "CRL has the reason" "$OUT" "Key Compromise"
expect_exit 0 "crl export" -- "$QUALSIG" --data d crl export --out exported.crl
expect_exit 0 "exported CRL verifies" -- openssl crl -inform DER -in exported.crl -CAfile ca/issuing.pem -verify -noout
expect_exit 1 "revoking twice is refused" -- "$QUALSIG" --data d cert revoke "$SERIAL" --reason superseded
expect_exit 2 "unknown reason refused" -- "$QUALSIG" --data d cert revoke "$SERIAL" --reason pleaseRevoke
expect_exit 1 "unknown serial" -- "$QUALSIG" --data d cert revoke DEADBEEF --reason superseded

# Suspend and reinstate the e-signature certificate.
CFO=$("$QUALSIG" --json --data d cert list --identity cfo-assistant | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["serial"])')
expect_exit 0 "suspend" -- "$QUALSIG" --data d cert suspend "$CFO"
contains "OCSP: on hold" "$(ocsp cfo.pem)" "Reason: certificateHold"
expect_exit 0 "reinstate" -- "$QUALSIG" --data d cert reinstate "$CFO"
contains "OCSP: good again" "$(ocsp cfo.pem)" "cfo.pem: good"

# A certificate of another CA: unauthorized; garbage: malformedRequest; both answered.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout o.key -out other.pem -subj /CN=other -days 2 2>/dev/null
OUT=$(openssl ocsp -issuer other.pem -cert other.pem -url "$HTTP/ocsp" -noverify 2>&1 || true)
contains "foreign CertID: unauthorized" "$OUT" "unauthorized"
curl -s -X POST -H 'Content-Type: application/ocsp-request' --data-binary @/etc/hostname "$HTTP/ocsp" -o bad.der
OUT=$(openssl ocsp -respin bad.der -resp_text -noverify 2>&1 || true)
contains "garbage: malformedRequest" "$OUT" "malformedrequest"

# Offboarding revokes everything and disables the identity for good.
expect_exit 0 "offboard cfo-assistant" -- "$QUALSIG" --data d identity offboard cfo-assistant
contains "offboarding revoked its certificate" "$(ocsp cfo.pem)" "Reason: cessationOfOperation"
expect_exit 1 "no certificate after offboarding" -- "$QUALSIG" --data d cert issue --identity cfo-assistant
expect_exit 1 "offboarding cannot be undone" -- "$QUALSIG" --data d identity resume cfo-assistant

# Governance: a sponsor who left, and the unused signing capability, at a later date.
expect_exit 0 "register po-agent" -- "$QUALSIG" --data d identity register --name po-agent --kind ai-agent --sponsor "Procurement Lead"
"$QUALSIG" --data d identity proof po-agent --method sponsor --by alice >/dev/null
"$QUALSIG" --data d identity confirm po-agent --by bob >/dev/null
"$QUALSIG" --data d cert issue --identity po-agent >/dev/null
expect_exit 0 "mark sponsor departed" -- "$QUALSIG" --data d governance departed --add "Procurement Lead"
later=$(date -u -d '+45 days' +%Y-%m-%dT%H:%M:%SZ)
expect_exit 0 "governance report" -- "$QUALSIG" --json --data d governance report --at "$later"
python3 - <<P && pass "report flags sponsor left (NHI1) and unused signing (NHI5)" || fail "governance findings: $OUT"
import json
r = json.loads('''$OUT''')
f = [(x["identity"], x["owasp_nhi"][:4]) for x in r["findings"]]
assert ("po-agent", "NHI1") in f, f
assert ("po-agent", "NHI5") in f, f
assert all(x["nist_csf"].startswith("PR.AA") for x in r["findings"])
P
expect_exit 0 "human governance table" -- "$QUALSIG" --data d governance report
contains "table has a header" "$OUT" "OWASP NHI"

# Everything above is in the audit log, and the log verifies.
expect_exit 0 "audit verify" -- "$QUALSIG" --data d audit verify
for ev in identity.registered identity.proofed identity.confirmed certificate.issued certificate.revoked certificate.suspended certificate.reinstated identity.offboarded; do
  n=$(sqlite3 d/qualsig.db "SELECT COUNT(*) FROM audit_log WHERE entry LIKE '%\"event\":\"$ev\"%'")
  [ "$n" -gt 0 ] && pass "logged: $ev" || fail "not logged: $ev"
done
kill -TERM $SERVER; wait $SERVER || true
finish
