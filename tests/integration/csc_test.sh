#!/usr/bin/env bash
# The remote signing service end to end over HTTPS (issue 9): OAuth 2.0 tokens, the CSC API v2
# flow (credentials/list, info, authorize, signHash, signDoc) with every signature checked by
# openssl / pdfsig against the credential's certificate, approvals through the admin API,
# authorisation boundaries, SPIFFE mTLS, and hostile requests.
source "$(dirname "$0")/lib.sh"

"$QUALSIG" --data d init >/dev/null
"$QUALSIG" --data d ca export --out ca >/dev/null
setup_identity() {  # name
  "$QUALSIG" --data d identity register --name "$1" --kind service-account --sponsor "Finance Lead" >/dev/null
  "$QUALSIG" --data d identity proof "$1" --method sponsor --by admin-a >/dev/null
  "$QUALSIG" --data d identity confirm "$1" --by admin-b >/dev/null
  "$QUALSIG" --data d cert issue --identity "$1" >/dev/null
}
setup_identity invoice-bot
setup_identity other-bot
for p in alice bob; do "$QUALSIG" --data d person add $p@acme.example --group finance-approvers --token-out $p.tok >/dev/null; done
cat >policy.json <<'P'
{"schema": "qualsig-policy/1", "name": "csc-test", "version": 1,
 "document_types": ["csc-hash", "invoice"], "max_amount": {"EUR": "250000.00"},
 "approvals": [{"above": {"EUR": "10000.00"}, "required": 2, "group": "finance-approvers", "valid_for": "72h"}]}
P
"$QUALSIG" --data d policy set --identity invoice-bot --identity other-bot --file policy.json >/dev/null

# API clients: each secret is shown once and stored as argon2id only.
client() {  # principal role... -> "id secret"
  local principal=$1; shift
  local roles=()
  for r in "$@"; do roles+=(--role "$r"); done
  "$QUALSIG" --data d --json api-client add --principal "$principal" "${roles[@]}" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["client_id"], d["client_secret"])'
}
read -r BOT_ID BOT_SECRET < <(client identity:invoice-bot signer)
read -r OTHER_ID OTHER_SECRET < <(client identity:other-bot signer)
read -r ADMIN_ID ADMIN_SECRET < <(client operator:ops admin)
read -r ALICE_ID ALICE_SECRET < <(client person:alice@acme.example approver)
read -r BOB_ID BOB_SECRET < <(client person:bob@acme.example approver)
read -r AUDIT_ID AUDIT_SECRET < <(client operator:audit auditor)
[ -n "$BOT_SECRET" ] && pass "api clients added" || { fail "api-client add"; finish; }
expect_exit 1 "an identity cannot be an admin" -- "$QUALSIG" --data d api-client add --principal identity:invoice-bot --role admin
expect_exit 1 "an operator cannot approve" -- "$QUALSIG" --data d api-client add --principal operator:ops --role approver
grep -q "$BOT_SECRET" d/qualsig.db && fail "client secret stored in clear" || pass "client secret not stored"
HASH=$(sqlite3 d/qualsig.db 'select secret_hash from api_clients limit 1')
[ "${HASH:0:31}" = '$argon2id$v=19$m=19456,t=2,p=1$' ] && pass "argon2id hash stored" || fail "stored hash: $HASH"

# A SPIFFE trust domain for workload mTLS (its SVID key is the workload's, outside our token).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout td.key -out td.pem -subj /CN=example.org -days 2 \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout svid.key -out svid.csr -subj /O=SPIRE 2>/dev/null
printf 'subjectAltName=URI:spiffe://example.org/ns/procurement/sa/po-agent\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\n' > svid.ext
openssl x509 -req -in svid.csr -CA td.pem -CAkey td.key -CAcreateserial -out svid.pem -days 1 -extfile svid.ext 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout evil.key -out evil.pem -subj /O=SPIRE -days 1 \
  -addext subjectAltName=URI:spiffe://example.org/ns/procurement/sa/po-agent 2>/dev/null
cp td.pem d/bundle.pem
python3 - <<'P'
import json
c = json.load(open("d/config.json"))
c["proofing"].update({"spiffe_trust_bundle": "bundle.pem", "spiffe_trust_domain": "example.org"})
json.dump(c, open("d/config.json", "w"))
P
"$QUALSIG" --data d identity register --name po-agent --kind ai-agent --sponsor "Procurement Lead" >/dev/null
"$QUALSIG" --data d identity proof po-agent --method spiffe --svid svid.pem >/dev/null

# OIDC workload tokens (made by npm jose): one proofs ci-agent and is then exchanged for an
# access token (RFC 7523 jwt-bearer); expired and foreign-key tokens are refused.
now=$(date +%s)
cat > jwtreq.json <<J
{"keys": [{"id": "k", "alg": "ES256"}, {"id": "k2", "alg": "ES256"}], "sets": {"main": [{"key": "k", "kid": "ci-key", "alg": true}]},
 "tokens": [
  {"name": "good", "key": "k", "kid": "ci-key", "mode": "sign", "claims": {"iss": "https://token.ci.example", "aud": "qualsig", "sub": "repo:acme/agent", "iat": $now, "exp": $((now + 600))}},
  {"name": "expired", "key": "k", "kid": "ci-key", "mode": "sign", "claims": {"iss": "https://token.ci.example", "aud": "qualsig", "sub": "repo:acme/agent", "iat": $((now - 1200)), "exp": $((now - 600))}},
  {"name": "forged", "key": "k2", "kid": "ci-key", "mode": "sign", "claims": {"iss": "https://token.ci.example", "aud": "qualsig", "sub": "repo:acme/agent", "iat": $now, "exp": $((now + 600))}},
  {"name": "stranger", "key": "k", "kid": "ci-key", "mode": "sign", "claims": {"iss": "https://token.ci.example", "aud": "qualsig", "sub": "repo:acme/unknown", "iat": $now, "exp": $((now + 600))}}
 ]}
J
node "$(dirname "$0")/../interop/make_jwt.mjs" < jwtreq.json > jwt.json
python3 - <<'P'
import json
d = json.load(open("jwt.json"))
json.dump(d["sets"]["main"], open("d/jwks.json", "w"))
for name in ("good", "expired", "forged", "stranger"):
    open(name + ".jwt", "w").write(d["tokens"][name])
c = json.load(open("d/config.json"))
c["proofing"].update({"oidc_issuer": "https://token.ci.example", "oidc_audience": "qualsig", "oidc_jwks_file": "jwks.json"})
json.dump(c, open("d/config.json", "w"))
P
"$QUALSIG" --data d identity register --name ci-agent --kind workload --sponsor "Release Manager" >/dev/null
"$QUALSIG" --data d identity proof ci-agent --method oidc --token good.jwt >/dev/null

"$QUALSIG" --data d serve --listen 127.0.0.1:0 --http-listen off >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
trap 'kill -9 $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do grep -q "^serving" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
HTTPS=$(grep -o 'https://[0-9.:]*' "$WORK/serve.out" | sed 's/127.0.0.1/localhost/')
PORT=${HTTPS##*:}
[ -n "$PORT" ] && pass "serve started" || { fail "serve did not start: $(cat "$WORK/serve.err")"; finish; }
CURL=(curl -s --cacert ca/root.pem --resolve "localhost:$PORT:127.0.0.1")

# post PATH TOKEN JSON -> $CODE and body in $BODY
post() {
  local auth=()
  [ -n "$2" ] && auth=(-H "Authorization: Bearer $2")
  BODY=$("${CURL[@]}" -o - -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' "${auth[@]}" --data-binary "$3" "$HTTPS$1")
  CODE=${BODY##*$'\n'}; BODY=${BODY%$'\n'*}
}
get() {
  local auth=()
  [ -n "$2" ] && auth=(-H "Authorization: Bearer $2")
  BODY=$("${CURL[@]}" -o - -w '\n%{http_code}' "${auth[@]}" "$HTTPS$1")
  CODE=${BODY##*$'\n'}; BODY=${BODY%$'\n'*}
}
# credentials/authorize of one SHA-256 hash for invoice-bot's credential, with clientData.
authorize_one() {  # hash client-data
  post /csc/v2/credentials/authorize "$BOT" "{\"credentialID\":\"$CRED\",\"numSignatures\":1,\"hashes\":[\"$1\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\",\"clientData\":\"$2\"}"
}
field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval("d"+sys.argv[2]))' "$BODY" "$1"; }
expect_code() {  # CODE DESCRIPTION
  [ "$CODE" = "$1" ] && pass "$2 ($CODE)" || fail "$2: HTTP $CODE, body $BODY"
}
token() {  # id secret -> access token (client_credentials, secret in the form)
  "${CURL[@]}" -X POST --data-urlencode grant_type=client_credentials --data-urlencode "client_id=$1" \
    --data-urlencode "client_secret=$2" "$HTTPS/oauth2/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# --- info and tokens ---
post /csc/v2/info "" '{}'
expect_code 200 "info without authentication"
contains "info names CSC 2.0.0.2" "$BODY" '"specs":"2.0.0.2"'
BOT=$(token "$BOT_ID" "$BOT_SECRET")
[ "${BOT:0:4}" = "qst_" ] && pass "client_credentials token" || fail "no token: $BOT"
LOGIN=$("${CURL[@]}" -X POST -u "$OTHER_ID:$OTHER_SECRET" -H 'Content-Type: application/json' -d '{}' "$HTTPS/csc/v2/auth/login")
OTHER=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["access_token"])' "$LOGIN")
[ "${OTHER:0:4}" = "qst_" ] && pass "auth/login with HTTP Basic" || fail "auth/login: $LOGIN"
ADMIN=$(token "$ADMIN_ID" "$ADMIN_SECRET"); ALICE=$(token "$ALICE_ID" "$ALICE_SECRET"); BOB=$(token "$BOB_ID" "$BOB_SECRET")
AUDITOR=$(token "$AUDIT_ID" "$AUDIT_SECRET")
R=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -X POST --data-urlencode grant_type=client_credentials \
    --data-urlencode "client_id=$BOT_ID" --data-urlencode "client_secret=wrong" "$HTTPS/oauth2/token")
[ "$R" = 401 ] && pass "wrong client secret: 401" || fail "wrong client secret: $R"
R=$("${CURL[@]}" -X POST -d grant_type=password "$HTTPS/oauth2/token")
contains "unsupported grant" "$R" unsupported_grant_type
# alg "none" (RFC 8725 §2.1) in the jwt-bearer grant
NONE="$(printf '{"alg":"none"}' | base64 -w0 | tr '+/' '-_' | tr -d '=').$(printf '{"iss":"x","sub":"y"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')."
R=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -X POST -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer -d "assertion=$NONE" "$HTTPS/oauth2/token")
[ "$R" = 401 ] && pass "alg none JWT refused: 401" || fail "alg none JWT: $R"

# --- credentials ---
post /csc/v2/credentials/list "" '{}'
expect_code 401 "credentials/list without a token"
contains "WWW-Authenticate-style error" "$BODY" invalid_token
post /csc/v2/credentials/list "qst_forged0000000000000000000000000000000000" '{}'
expect_code 401 "forged token"
post /csc/v2/credentials/list "$BOT" '{"credentialInfo":true,"certificates":"chain","certInfo":true,"authInfo":true}'
expect_code 200 "credentials/list"
CRED=$(field '["credentialIDs"][0]')
contains "credentialInfos with auth mode" "$BODY" '"mode":"explicit"'
post /csc/v2/credentials/list "$BOT" '{"userID":"other-bot"}'
expect_code 403 "userID of someone else"
post /csc/v2/credentials/info "$BOT" "{\"credentialID\":\"$CRED\",\"certificates\":\"chain\",\"certInfo\":true}"
expect_code 200 "credentials/info"
python3 - "$BODY" <<'P'
import json, sys, base64
d = json.loads(sys.argv[1])
certs = d["cert"]["certificates"]
for name, der in zip(["leaf", "issuing", "root"], certs):
    b = base64.b64encode(base64.b64decode(der)).decode()
    open(name + ".pem", "w").write("-----BEGIN CERTIFICATE-----\n" + "\n".join(b[i:i+64] for i in range(0, len(b), 64)) + "\n-----END CERTIFICATE-----\n")
P
expect_exit 0 "the chain of credentials/info verifies with openssl" -- openssl verify -CAfile root.pem -untrusted issuing.pem leaf.pem
contains "the chain's root is the exported root" "$(cmp root.pem ca/root.pem && echo same)" same
openssl x509 -in leaf.pem -pubkey -noout > leaf.pub
post /csc/v2/credentials/info "$OTHER" "{\"credentialID\":\"$CRED\"}"
expect_code 404 "another identity's credential is not disclosed"

# --- authorize + signHash (SCAL2: the SAD is bound to the hashes) ---
# The policy needs a document type and an amount: CSC has no field for them, clientData does.
SMALL='{\"qualsig\":{\"document_type\":\"invoice\",\"attributes\":{\"amount\":\"120.00\",\"currency\":\"EUR\"}}}'
post /csc/v2/credentials/authorize "$BOT" "{\"credentialID\":\"$CRED\",\"numSignatures\":1,\"hashes\":[\"$(printf x | openssl dgst -sha256 -binary | base64 -w0)\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\"}"
expect_code 403 "no document type or amount: the policy denies"
contains "the denial names the rule" "$BODY" "max_amount"
printf 'payment order 4711\n' > doc1.txt; printf 'payment order 4712\n' > doc2.txt
H1=$(openssl dgst -sha256 -binary doc1.txt | base64 -w0); H2=$(openssl dgst -sha256 -binary doc2.txt | base64 -w0)
post /csc/v2/credentials/authorize "$BOT" "{\"credentialID\":\"$CRED\",\"numSignatures\":2,\"hashes\":[\"$H1\",\"$H2\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\",\"clientData\":\"$SMALL\"}"
expect_code 200 "credentials/authorize"
SAD=$(field '["SAD"]')
post /csc/v2/credentials/authorize "$OTHER" "{\"credentialID\":\"$CRED\",\"numSignatures\":1,\"hashes\":[\"$H1\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\"}"
expect_code 404 "authorize another identity's credential"
OTHER_CRED=$("${CURL[@]}" -X POST -H "Authorization: Bearer $OTHER" -H 'Content-Type: application/json' -d '{}' "$HTTPS/csc/v2/credentials/list" | python3 -c 'import json,sys; print(json.load(sys.stdin)["credentialIDs"][0])')
post /csc/v2/signatures/signHash "$OTHER" "{\"credentialID\":\"$OTHER_CRED\",\"SAD\":\"$SAD\",\"hashes\":[\"$H1\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\",\"signAlgo\":\"1.2.840.10045.4.3.2\"}"
[ "$CODE" = 403 ] || [ "$CODE" = 404 ] && pass "another identity cannot use the SAD ($CODE)" || fail "stolen SAD: $CODE $BODY"
H3=$(printf other | openssl dgst -sha256 -binary | base64 -w0)
post /csc/v2/signatures/signHash "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"$SAD\",\"hashes\":[\"$H3\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\",\"signAlgo\":\"1.2.840.10045.4.3.2\"}"
expect_code 403 "a hash the SAD does not cover"
post /csc/v2/signatures/signHash "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"$SAD\",\"hashes\":[\"$H1\",\"$H2\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\",\"signAlgo\":\"1.2.840.10045.4.3.2\"}"
expect_code 200 "signatures/signHash"
python3 -c 'import json,sys,base64; d=json.loads(sys.argv[1]); [open("sig%d.der"%(i+1),"wb").write(base64.b64decode(s)) for i,s in enumerate(d["signatures"])]' "$BODY"
expect_exit 0 "signature 1 verifies with openssl over the document" -- openssl dgst -sha256 -verify leaf.pub -signature sig1.der doc1.txt
expect_exit 0 "signature 2 verifies with openssl over the document" -- openssl dgst -sha256 -verify leaf.pub -signature sig2.der doc2.txt
expect_exit 1 "signature 1 does not verify another document" -- openssl dgst -sha256 -verify leaf.pub -signature sig1.der doc2.txt
post /csc/v2/signatures/signHash "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"$SAD\",\"hashes\":[\"$H1\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\",\"signAlgo\":\"1.2.840.10045.4.3.2\"}"
expect_code 409 "the SAD is used once"

# --- an RSA credential issued through the admin API (key_type), used through CSC ---
post /api/v1/certificates "$ADMIN" '{"identity":"other-bot","key_type":"rsa-1024"}'
expect_code 400 "admin API: an unknown key type"
contains "the problem lists the key types" "$BODY" "rsa-3072"
post /api/v1/certificates "$ADMIN" '{"identity":"other-bot","key_type":3072}'
expect_code 400 "admin API: a key type that is not a string"
post /api/v1/certificates "$BOT" '{"identity":"invoice-bot","key_type":"rsa-3072"}'
expect_code 403 "a workload cannot issue itself a certificate"
post /api/v1/certificates "$ADMIN" '{"identity":"other-bot","key_type":"rsa-3072"}'
expect_code 201 "admin API issues an RSA-3072 certificate"
RSA_CRED=$(field '["serial"]')
[ "$(field '["key"]["type"]')" = rsa-3072 ] && pass "the certificate's key type is reported" || fail "key type: $BODY"
post /csc/v2/credentials/info "$OTHER" "{\"credentialID\":\"$RSA_CRED\",\"certInfo\":true}"
expect_code 200 "credentials/info of the RSA credential"
contains "credentials/info: key length 3072" "$BODY" '"len":3072'
python3 -c 'import json,sys,base64; b=json.loads(sys.argv[1])["cert"]["certificates"][0]; print("-----BEGIN CERTIFICATE-----\n"+b+"\n-----END CERTIFICATE-----")' "$BODY" | openssl x509 -pubkey -noout >rsa.pub
contains "openssl reads a 3072-bit RSA key" "$(openssl pkey -pubin -in rsa.pub -text -noout)" "Public-Key: (3072 bit)"
printf 'payment order 4713\n' > doc3.txt; H4=$(openssl dgst -sha256 -binary doc3.txt | base64 -w0)
post /csc/v2/credentials/authorize "$OTHER" "{\"credentialID\":\"$RSA_CRED\",\"numSignatures\":1,\"hashes\":[\"$H4\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\",\"clientData\":\"$SMALL\"}"
expect_code 200 "authorize the RSA credential"
RSA_SAD=$(field '["SAD"]')
post /csc/v2/signatures/signHash "$OTHER" "{\"credentialID\":\"$RSA_CRED\",\"SAD\":\"$RSA_SAD\",\"hashes\":[\"$H4\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\",\"signAlgo\":\"1.2.840.113549.1.1.11\"}"
expect_code 200 "signHash with sha256WithRSAEncryption"
python3 -c 'import json,sys,base64; open("rsa.sig","wb").write(base64.b64decode(json.loads(sys.argv[1])["signatures"][0]))' "$BODY"
expect_exit 0 "openssl verifies the RSA signature over the document" -- openssl dgst -sha256 -verify rsa.pub -signature rsa.sig doc3.txt
expect_exit 1 "the RSA signature does not verify another document" -- openssl dgst -sha256 -verify rsa.pub -signature rsa.sig doc2.txt

# --- approvals: an invoice above 10 000 EUR waits for two approvers ---
INV=$(printf 'invoice 20000 EUR\n' | tee inv.txt | openssl dgst -sha256 -binary | base64 -w0)
INV_HEX=$(openssl dgst -sha256 -r inv.txt | cut -c1-64)
CD='{\"qualsig\":{\"document_type\":\"invoice\",\"attributes\":{\"amount\":\"20000.00\",\"currency\":\"EUR\"}}}'
authorize_one "$INV" "$CD"
expect_code 202 "authorize waits for approvals"
HANDLE=$(field '["handle"]')
post /csc/v2/credentials/authorizeCheck "$BOT" "{\"handle\":\"$HANDLE\"}"
expect_code 202 "still pending"
get "/api/v1/sign-requests?status=pending" "$ALICE"
expect_code 200 "an approver lists pending requests"
REQ=$(field '["items"][0]["id"]')
post /api/v1/sign-requests/decision "$BOT" "{\"request\":\"$REQ\",\"decision\":\"approve\",\"document_hash\":\"sha256:$INV_HEX\"}"
expect_code 403 "a workload cannot approve"
post /api/v1/sign-requests/decision "$ADMIN" "{\"request\":\"$REQ\",\"decision\":\"approve\",\"document_hash\":\"sha256:$INV_HEX\"}"
expect_code 403 "an admin is not an approver"
for t in "$ALICE" "$BOB"; do
  post /api/v1/sign-requests/decision "$t" "{\"request\":\"$REQ\",\"decision\":\"approve\",\"document_hash\":\"sha256:$INV_HEX\"}"
  expect_code 200 "approval"
done
post /csc/v2/credentials/authorizeCheck "$BOT" "{\"handle\":\"$HANDLE\"}"
expect_code 200 "authorizeCheck returns the SAD once approved"
SAD2=$(field '["SAD"]')
post /csc/v2/signatures/signHash "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"$SAD2\",\"hashes\":[\"$INV\"],\"signAlgo\":\"1.2.840.10045.4.3.2\"}"
expect_code 200 "the approved invoice is signed"
python3 -c 'import json,sys,base64; open("inv.sig","wb").write(base64.b64decode(json.loads(sys.argv[1])["signatures"][0]))' "$BODY"
expect_exit 0 "approved signature verifies with openssl" -- openssl dgst -sha256 -verify leaf.pub -signature inv.sig inv.txt
BIG='{\"qualsig\":{\"document_type\":\"invoice\",\"attributes\":{\"amount\":\"900000.00\",\"currency\":\"EUR\"}}}'
authorize_one "$H3" "$BIG"
expect_code 403 "policy denies above the maximum amount"

# --- signDoc: PAdES through the CSC API, checked by pdfsig ---
gs -q -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -sOutputFile=doc.pdf -c '/Helvetica findfont 20 scalefont setfont 72 700 moveto (CSC signDoc) show showpage' 2>/dev/null
PDF_H=$(openssl dgst -sha256 -binary doc.pdf | base64 -w0)
PCD='{\"qualsig\":{\"document_type\":\"invoice\",\"attributes\":{\"amount\":\"99.00\",\"currency\":\"EUR\"},\"signature_format\":\"P\",\"conformance_level\":\"Ades-B-T\"}}'
authorize_one "$PDF_H" "$PCD"
expect_code 200 "authorize a PAdES signature"
SAD3=$(field '["SAD"]')
post /csc/v2/signatures/signHash "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"$SAD3\",\"hashes\":[\"$PDF_H\"],\"signAlgo\":\"1.2.840.10045.4.3.2\"}"
expect_code 400 "a PAdES SAD is not usable for signHash"
python3 - "$CRED" "$SAD3" > signdoc.json <<'P'
import json, sys, base64
print(json.dumps({"credentialID": sys.argv[1], "SAD": sys.argv[2], "documents": [{
  "document": base64.b64encode(open("doc.pdf", "rb").read()).decode(), "signature_format": "P",
  "conformance_level": "Ades-B-T", "signAlgo": "1.2.840.10045.4.3.2"}], "returnValidationInformation": True}))
P
post /csc/v2/signatures/signDoc "$BOT" "@signdoc.json"
expect_code 200 "signatures/signDoc"
python3 -c 'import json,sys; v=json.loads(sys.argv[1])["validationInfo"]; sys.exit(0 if len(v["ocsp"])==1 and len(v["crl"])==2 else 1)' "$BODY" \
  && pass "returnValidationInformation (the other name) also gives validationInfo" || fail "validationInfo: ${BODY:0:300}"
python3 -c 'import json,sys,base64; open("signed.pdf","wb").write(base64.b64decode(json.loads(sys.argv[1])["DocumentWithSignature"][0]))' "$BODY" \
  && pass "signDoc returns the signed PDF" || fail "signDoc: $BODY"
mkdir -p nss && certutil -N -d sql:nss --empty-password && certutil -A -d sql:nss -n root -t "CT,C,C" -i ca/root.pem
PDFSIG=$(pdfsig -nssdir sql:nss signed.pdf 2>&1 || true)
contains "pdfsig: signature valid" "$PDFSIG" "Signature is Valid"

# --- signDoc: JAdES B-LTA through the CSC API, checked by jose and openssl ts ---
printf '{"invoice":"INV-77","amount":"99.00"}' > inv.json
J_H=$(openssl dgst -sha256 -binary inv.json | base64 -w0)
JCD='{\"qualsig\":{\"document_type\":\"invoice\",\"attributes\":{\"amount\":\"99.00\",\"currency\":\"EUR\"},\"signature_format\":\"J\",\"conformance_level\":\"Ades-B-LTA\"}}'
authorize_one "$J_H" "$JCD"
expect_code 200 "authorize a JAdES B-LTA signature"
SAD_J=$(field '["SAD"]')
python3 - "$CRED" "$SAD_J" > signdoc-j.json <<'P'
import json, sys, base64
print(json.dumps({"credentialID": sys.argv[1], "SAD": sys.argv[2], "documents": [{
  "document": base64.b64encode(open("inv.json", "rb").read()).decode(), "signature_format": "J",
  "conformance_level": "Ades-B-LTA", "signAlgo": "1.2.840.10045.4.3.2"}]}))
P
post /csc/v2/signatures/signDoc "$BOT" "@signdoc-j.json"
expect_code 200 "signatures/signDoc JAdES B-LTA"
python3 -c 'import json,sys,base64; open("inv.jws","wb").write(base64.b64decode(json.loads(sys.argv[1])["DocumentWithSignature"][0]))' "$BODY" \
  && pass "signDoc returns the JWS" || fail "signDoc JAdES: $BODY"
R=$(node "$HERE/../interop/jades_check.mjs" inv.jws leaf.pem ES256 2>&1) && pass "jose verifies the JWS with the credential's certificate" ||
  fail "jose: $R"
python3 - inv.jws >arc.hex <<'P'
import base64, hashlib, json, sys
j = json.load(open(sys.argv[1]))
entries = j["header"]["etsiU"]
dec = lambda e: json.loads(base64.urlsafe_b64decode(e + "=" * (-len(e) % 4)))
last = max(i for i, e in enumerate(entries) if "arcTst" in dec(e))
open("arc.der", "wb").write(base64.b64decode(dec(entries[last])["arcTst"]["tstTokens"][0]["val"]))
print(hashlib.sha256((j["payload"] + "." + j["protected"] + "." + j["signature"] + "." + "".join(entries[:last])).encode()).hexdigest())
P
expect_exit 0 "the arcTst covers the JWS (openssl ts -verify)" -- openssl ts -verify -in arc.der -token_in -digest "$(cat arc.hex)" \
  -CAfile ca/root.pem -untrusted ca/issuing.pem

# --- signDoc with documentDigests: a detached CAdES made from the hash alone, checked by openssl ---
head -c 300000 /dev/urandom > big-doc.bin
BIG_H=$(openssl dgst -sha256 -binary big-doc.bin | base64 -w0)
CCD='{\"qualsig\":{\"document_type\":\"invoice\",\"attributes\":{\"amount\":\"99.00\",\"currency\":\"EUR\"},\"signature_format\":\"C\",\"conformance_level\":\"Ades-B-T\",\"signed_envelope_property\":\"Detached\"}}'
authorize_one "$BIG_H" "$CCD"
expect_code 200 "authorize a detached CAdES signature of a hash"
SAD4=$(field '["SAD"]')
DD="{\"credentialID\":\"$CRED\",\"SAD\":\"$SAD4\",\"documentDigests\":[{\"hashes\":[\"$BIG_H\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\",\"signature_format\":\"C\",\"conformance_level\":\"Ades-B-T\",\"signAlgo\":\"1.2.840.10045.4.3.2\""
post /csc/v2/signatures/signDoc "$BOT" "$DD,\"signed_envelope_property\":\"Attached\"}]}"
expect_code 400 "documentDigests cannot make an attached signature"
post /csc/v2/signatures/signDoc "$BOT" "$DD,\"signAlgo\":\"1.2.840.113549.1.1.11\"}]}"
expect_code 400 "an RSA signAlgo for an EC credential"
post /csc/v2/signatures/signDoc "$BOT" "$DD,\"signed_envelope_property\":\"Detached\"}],\"returnValidationInfo\":\"yes\"}"
expect_code 400 "returnValidationInfo must be a boolean"
post /csc/v2/signatures/signDoc "$BOT" "$DD,\"signed_envelope_property\":\"Detached\"}],\"returnValidationInfo\":true}"
expect_code 200 "signatures/signDoc with documentDigests (and the SAD survived the bad flag)"
python3 -c 'import json,sys,base64; open("big-doc.p7s","wb").write(base64.b64decode(json.loads(sys.argv[1])["SignatureObject"][0]))' "$BODY" \
  && pass "documentDigests give a SignatureObject" || fail "documentDigests: $BODY"
# validationInfo: each item checked by openssl against the exported CA, not by our parser.
python3 - "$BODY" <<'P2'
import json, sys, base64
v = json.loads(sys.argv[1])["validationInfo"]
for kind in ("ocsp", "crl", "certificates"):
    for i, b in enumerate(v[kind]):
        open(f"vi-{kind}-{i}.der", "wb").write(base64.b64decode(b))
print(len(v["ocsp"]), len(v["crl"]), len(v["certificates"]))
P2
OCSP_OUT=$(openssl ocsp -respin vi-ocsp-0.der -issuer issuing.pem -CAfile root.pem -sha256 -cert leaf.pem -resp_text 2>&1 || true)
contains "validationInfo's OCSP response verifies with openssl" "$OCSP_OUT" "Response verify OK"
contains "and says the credential's certificate is good" "$OCSP_OUT" "leaf.pem: good"
expect_exit 0 "validationInfo's issuing-CA CRL verifies with openssl" -- openssl crl -inform DER -in vi-crl-0.der -CAfile issuing.pem -noout
expect_exit 0 "validationInfo's root CRL verifies with openssl" -- openssl crl -inform DER -in vi-crl-1.der -CAfile root.pem -noout
openssl x509 -inform DER -in vi-certificates-0.der -out vi-issuing.pem
contains "validationInfo carries the issuing CA certificate" "$(cmp vi-issuing.pem issuing.pem && echo same)" same
expect_exit 0 "openssl cms verifies the detached CAdES over the document" -- openssl cms -verify -binary -inform DER -in big-doc.p7s \
  -content big-doc.bin -CAfile root.pem -certfile issuing.pem -purpose any -out /dev/null
printf x >> big-doc.bin
expect_exit 4 "and not over another document" -- openssl cms -verify -binary -inform DER -in big-doc.p7s \
  -content big-doc.bin -CAfile root.pem -certfile issuing.pem -purpose any -out /dev/null
post /csc/v2/signatures/signDoc "$BOT" "$DD,\"signed_envelope_property\":\"Detached\"}]}"
expect_code 409 "the hash's SAD is used once"
# A detached XAdES from a hash too (its ds:Reference digest is the document's), checked by xmlsec1.
head -c 200000 /dev/urandom > xml-doc.bin
XML_H=$(openssl dgst -sha256 -binary xml-doc.bin | base64 -w0)
XCD='{\"qualsig\":{\"document_type\":\"invoice\",\"attributes\":{\"amount\":\"99.00\",\"currency\":\"EUR\"},\"signature_format\":\"X\",\"conformance_level\":\"Ades-B-T\",\"signed_envelope_property\":\"Detached\"}}'
authorize_one "$XML_H" "$XCD"
SADX=$(field '["SAD"]')
post /csc/v2/signatures/signDoc "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"$SADX\",\"documentDigests\":[{\"hashes\":[\"$XML_H\"],\"signature_format\":\"X\",\"conformance_level\":\"Ades-B-T\",\"signAlgo\":\"1.2.840.10045.4.3.2\"}]}"
expect_code 200 "signatures/signDoc with documentDigests, detached XAdES"
[[ "$BODY" != *validationInfo* ]] && pass "no validationInfo unless asked for" || fail "validationInfo unasked: $BODY"
python3 -c 'import json,sys,base64; open("xml-doc.xml","wb").write(base64.b64decode(json.loads(sys.argv[1])["SignatureObject"][0]))' "$BODY"
expect_exit 0 "xmlsec1 verifies the detached XAdES over the document" -- xmlsec1 --verify --trusted-pem root.pem --untrusted-pem issuing.pem \
  --id-attr:Id SignedProperties --id-attr:Id Object --url-map:document xml-doc.bin xml-doc.xml
printf x >> xml-doc.bin
expect_exit 1 "and not over another document" -- xmlsec1 --verify --trusted-pem root.pem --untrusted-pem issuing.pem \
  --id-attr:Id SignedProperties --id-attr:Id Object --url-map:document xml-doc.bin xml-doc.xml
# A detached JAdES from a hash: the JWS names the document by reference (TS 119 182-1 sigD
# ObjectIdByURIHash, b64:false). jose verifies the signature over the header, the hashV in it is
# openssl's digest of the document, and qualsig verify validates it against the document (B-LT,
# its own revocation data); another document is refused. B-LTA from a hash is refused before the
# SAD is consumed (its arcTst needs the bytes).
head -c 150000 /dev/urandom > json-doc.bin
JSON_H=$(openssl dgst -sha256 -binary json-doc.bin | base64 -w0)
JCD='{\"qualsig\":{\"document_type\":\"invoice\",\"attributes\":{\"amount\":\"99.00\",\"currency\":\"EUR\"},\"signature_format\":\"J\",\"conformance_level\":\"Ades-B-LT\",\"signed_envelope_property\":\"Detached\"}}'
authorize_one "$JSON_H" "$JCD"
expect_code 200 "authorize a detached JAdES signature of a hash"
SADJ=$(field '["SAD"]')
post /csc/v2/signatures/signDoc "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"$SADJ\",\"documentDigests\":[{\"hashes\":[\"$JSON_H\"],\"signature_format\":\"J\",\"conformance_level\":\"Ades-B-LT\",\"signAlgo\":\"1.2.840.10045.4.3.2\"}]}"
expect_code 200 "signatures/signDoc with documentDigests, detached JAdES"
python3 -c 'import json,sys,base64; open("json-doc.jws","wb").write(base64.b64decode(json.loads(sys.argv[1])["SignatureObject"][0]))' "$BODY"
R=$(node "$HERE/../interop/jades_check.mjs" json-doc.jws leaf.pem ES256 2>&1) && pass "jose verifies the JAdES by reference" || fail "jose: $R"
HASHV=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["protectedHeader"]["sigD"]["hashV"][0])' "$R" 2>/dev/null)
contains "its sigD hashV is openssl's digest of the document" "$HASHV" "$(openssl dgst -sha256 -binary json-doc.bin | basenc --base64url | tr -d '=')"
expect_exit 0 "qualsig verify: TOTAL-PASSED against the document" -- "$QUALSIG" verify json-doc.jws --detached json-doc.bin --trust-anchor root.pem
printf x >> json-doc.bin
expect_exit 1 "and not against another document" -- "$QUALSIG" verify json-doc.jws --detached json-doc.bin --trust-anchor root.pem
JLTA=$(echo "$JCD" | sed 's/Ades-B-LT/Ades-B-LTA/')
head -c 1000 /dev/urandom > json-lta.bin
JLTA_H=$(openssl dgst -sha256 -binary json-lta.bin | base64 -w0)
authorize_one "$JLTA_H" "$JLTA"
SADL=$(field '["SAD"]')
post /csc/v2/signatures/signDoc "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"$SADL\",\"documentDigests\":[{\"hashes\":[\"$JLTA_H\"],\"signature_format\":\"J\",\"conformance_level\":\"Ades-B-LTA\",\"signAlgo\":\"1.2.840.10045.4.3.2\"}]}"
expect_code 400 "a detached JAdES B-LTA from a hash is refused"
contains "the refusal says to send the document" "$BODY" "needs the document itself"
post /csc/v2/signatures/signDoc "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"$SADL\",\"documents\":[{\"document\":\"$(base64 -w0 json-lta.bin)\",\"signature_format\":\"J\",\"conformance_level\":\"Ades-B-LTA\",\"signed_envelope_property\":\"Detached\",\"signAlgo\":\"1.2.840.10045.4.3.2\"}]}"
expect_code 200 "the unburnt SAD then signs the document itself (b64:false, arcTst over its bytes)"
python3 -c 'import json,sys,base64; open("json-lta.jws","wb").write(base64.b64decode(json.loads(sys.argv[1])["SignatureObject"][0]))' "$BODY"
R=$(node "$HERE/../interop/jades_check.mjs" json-lta.jws leaf.pem ES256 --payload json-lta.bin 2>&1) && pass "jose verifies it with the document as detached payload" || fail "jose: $R"
# An attached CAdES needs the bytes: refused for documentDigests before the SAD is consumed, so
# the same SAD still signs the document sent in full.
ATT='{\"qualsig\":{\"document_type\":\"invoice\",\"attributes\":{\"amount\":\"99.00\",\"currency\":\"EUR\"},\"signature_format\":\"C\",\"conformance_level\":\"Ades-B-B\"}}'
printf 'attached content\n' > att.txt
ATT_H=$(openssl dgst -sha256 -binary att.txt | base64 -w0)
authorize_one "$ATT_H" "$ATT"
SAD5=$(field '["SAD"]')
post /csc/v2/signatures/signDoc "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"$SAD5\",\"documentDigests\":[{\"hashes\":[\"$ATT_H\"],\"signature_format\":\"C\",\"signAlgo\":\"1.2.840.10045.4.3.2\"}]}"
expect_code 400 "an attached CAdES is refused for documentDigests"
contains "the refusal says to send the document" "$BODY" "needs the document itself"
post /csc/v2/signatures/signDoc "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"$SAD5\",\"documents\":[{\"document\":\"$(base64 -w0 att.txt)\",\"signature_format\":\"C\",\"signAlgo\":\"1.2.840.10045.4.3.2\"}]}"
expect_code 200 "the unburnt SAD then signs the document itself"

# --- signatures/timestamp: an RFC 3161 token with the client's nonce, checked by openssl ts ---
TS_HEX=$(openssl dgst -sha256 -r doc1.txt | cut -c1-64)
post /csc/v2/signatures/timestamp "$BOT" "{\"hash\":\"$H1\",\"hashAlgo\":\"2.16.840.1.101.3.4.2.1\",\"nonce\":\"9f2c41\"}"
expect_code 200 "signatures/timestamp"
python3 -c 'import json,sys,base64; open("ts.der","wb").write(base64.b64decode(json.loads(sys.argv[1])["timestamp"]))' "$BODY"
expect_exit 0 "openssl ts verifies the token over the hash" -- openssl ts -verify -token_in -in ts.der -digest "$TS_HEX" -CAfile root.pem -untrusted issuing.pem
expect_exit 1 "and not over another hash" -- openssl ts -verify -token_in -in ts.der -digest "$(openssl dgst -sha256 -r doc2.txt | cut -c1-64)" -CAfile root.pem -untrusted issuing.pem
contains "the client's nonce is in the token" "$(openssl ts -reply -token_in -in ts.der -text 2>/dev/null)" "Nonce: 0x9F2C41"
post /csc/v2/signatures/timestamp "$BOT" "{\"hash\":\"$H1\",\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\"}"
expect_code 200 "signatures/timestamp with hashAlgorithmOID and no nonce"
post /csc/v2/signatures/timestamp "" "{\"hash\":\"$H1\",\"hashAlgo\":\"2.16.840.1.101.3.4.2.1\"}"
expect_code 401 "signatures/timestamp needs a token"
post /csc/v2/signatures/timestamp "$BOT" "{\"hash\":\"AAAA\",\"hashAlgo\":\"2.16.840.1.101.3.4.2.1\"}"
expect_code 400 "a hash of the wrong length"
post /csc/v2/signatures/timestamp "$BOT" "{\"hash\":\"$H1\",\"hashAlgo\":\"1.3.14.3.2.26\"}"
expect_code 400 "SHA-1 is not offered"
post /csc/v2/signatures/timestamp "$BOT" "{\"hash\":\"$H1\",\"hashAlgo\":\"2.16.840.1.101.3.4.2.1\",\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.3\"}"
expect_code 400 "hashAlgo and hashAlgorithmOID disagree"
post /csc/v2/signatures/timestamp "$BOT" "{\"hash\":\"$H1\",\"hashAlgo\":\"2.16.840.1.101.3.4.2.1\",\"nonce\":\"xyz\"}"
expect_code 400 "a nonce that is not hex"
post /csc/v2/signatures/timestamp "$BOT" "{\"hash\":\"$H1\",\"hashAlgo\":\"2.16.840.1.101.3.4.2.1\",\"nonce\":\"$(printf 'ab%.0s' $(seq 33))\"}"
expect_code 400 "a nonce of 33 octets"

# --- OIDC JWT exchanged for an access token (RFC 7523) ---
jwt_grant() { "${CURL[@]}" -o - -w '\n%{http_code}' -X POST -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer --data-urlencode "assertion@$1" "$HTTPS/oauth2/token"; }
BODY=$(jwt_grant good.jwt); CODE=${BODY##*$'\n'}; BODY=${BODY%$'\n'*}
expect_code 200 "the proofed workload's OIDC token is exchanged"
CI=$(field '["access_token"]')
post /csc/v2/credentials/list "$CI" '{}'
expect_code 200 "the exchanged token authenticates ci-agent"
for t in expired forged stranger; do
  BODY=$(jwt_grant $t.jwt); CODE=${BODY##*$'\n'}; BODY=${BODY%$'\n'*}
  expect_code 401 "$t OIDC token refused"
done

# --- SPIFFE X.509-SVID mTLS (curl presents the workload's SVID) ---
BODY=$("${CURL[@]}" -o - -w '\n%{http_code}' --cert svid.pem --key svid.key -X POST -H 'Content-Type: application/json' -d '{}' "$HTTPS/csc/v2/credentials/list")
CODE=${BODY##*$'\n'}; BODY=${BODY%$'\n'*}
expect_code 200 "an SVID authenticates the workload it was proofed for"
BODY=$("${CURL[@]}" -o - -w '\n%{http_code}' --cert evil.pem --key evil.key -X POST -H 'Content-Type: application/json' -d '{}' "$HTTPS/csc/v2/credentials/list")
CODE=${BODY##*$'\n'}; BODY=${BODY%$'\n'*}
expect_code 401 "a self-made certificate with the same SPIFFE ID is refused"
R=$("${CURL[@]}" --cert svid.pem --key svid.key -X POST -d grant_type=client_credentials "$HTTPS/oauth2/token")
contains "mTLS client_credentials grant issues a token" "$R" '"token_type":"Bearer"'
BODY=$("${CURL[@]}" -o - -w '\n%{http_code}' --cert svid.pem --key svid.key "$HTTPS/api/v1/identities")
CODE=${BODY##*$'\n'}; BODY=${BODY%$'\n'*}
expect_code 403 "an SVID workload cannot reach the admin API"

# --- the admin and auditor APIs ---
get /api/v1/identities "$BOT"
expect_code 403 "a workload cannot reach the admin API"
get "/api/v1/identities?limit=1" "$ADMIN"
expect_code 200 "admin lists identities, paginated"
contains "next page offered" "$BODY" '"next_offset":1'
get "/api/v1/identities?limit=abc" "$ADMIN"
expect_code 400 "bad limit"
UNTIL=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
post /api/v1/delegations "$BOB" "{\"delegator\":\"person:alice@acme.example\",\"delegate\":\"invoice-bot\",\"scopes\":[\"invoice\"],\"expires_at\":\"$UNTIL\"}"
expect_code 403 "bob cannot delegate alice's authority"
post /api/v1/delegations "$ALICE" "{\"delegator\":\"person:alice@acme.example\",\"delegate\":\"invoice-bot\",\"scopes\":[\"invoice\"],\"expires_at\":\"$UNTIL\"}"
expect_code 201 "alice delegates her own authority through the API"
post /api/v1/delegations "$ALICE" "{\"delegator\":\"person:alice@acme.example\",\"delegate\":\"invoice-bot\",\"scopes\":[\"invoice\"],\"expires_at\":\"next week\"}"
expect_code 400 "a delegation with a bad expiry"
get "/api/v1/delegations?delegate=invoice-bot" "$AUDITOR"
contains "the auditor sees the delegation" "$BODY" '"delegator":"person:alice@acme.example"'
get /api/v1/governance "$AUDITOR"
expect_code 200 "auditor reads the governance report"
post /api/v1/certificates "$AUDITOR" '{"identity":"invoice-bot"}'
expect_code 403 "an auditor cannot issue certificates"

# --- hostile requests ---
post /csc/v2/credentials/authorize "$BOT" '{"credentialID":'
expect_code 400 "malformed JSON"
post /csc/v2/credentials/authorize "$BOT" '{"credentialID":5,"numSignatures":"x"}'
expect_code 400 "wrong types"
post /csc/v2/credentials/authorize "$BOT" "{\"credentialID\":\"$CRED\",\"numSignatures\":1,\"hashes\":[\"!!!\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\"}"
expect_code 400 "hash that is not base64"
post /csc/v2/credentials/authorize "$BOT" "{\"credentialID\":\"$CRED\",\"numSignatures\":1,\"hashes\":[\"AAAA\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\"}"
expect_code 400 "hash of the wrong length"
post /csc/v2/signatures/signHash "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"qsad.garbage\",\"hashes\":[\"$H1\"],\"signAlgo\":\"1.2.840.10045.4.3.2\"}"
expect_code 403 "garbage SAD"
# signAlgoParams is checked (before the SAD), never ignored: DER NULL is what ECDSA takes, RSASSA-PSS
# parameters (SHA-256, MGF1-SHA-256, salt 32, as OpenSSL writes them) are not.
PSS_PARAMS=$(openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:1024 -pkeyopt rsa_pss_keygen_md:sha256 \
  -pkeyopt rsa_pss_keygen_mgf1_md:sha256 -pkeyopt rsa_pss_keygen_saltlen:32 2>/dev/null | openssl pkey -pubout -outform DER \
  | python3 -c '
import base64, sys
der = sys.stdin.buffer.read()
def tlv(b, i):  # (start of content, end) of the TLV at i; definite lengths only
    n = b[i + 1]
    if n < 0x80: return i + 2, i + 2 + n
    k = n & 0x7F; n = int.from_bytes(b[i + 2:i + 2 + k], "big"); return i + 2 + k, i + 2 + k + n
alg, _ = tlv(der, tlv(der, 0)[0])      # SubjectPublicKeyInfo.algorithm
oid_end = tlv(der, alg)[1]              # past the OID: the RSASSA-PSS-params TLV
print(base64.b64encode(der[oid_end:tlv(der, oid_end)[1]]).decode())')
post /csc/v2/signatures/signHash "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"qsad.garbage\",\"hashes\":[\"$H1\"],\"signAlgo\":\"1.2.840.10045.4.3.2\",\"signAlgoParams\":\"$PSS_PARAMS\"}"
expect_code 400 "RSASSA-PSS parameters for ECDSA"
contains "the refusal names signAlgoParams" "$BODY" signAlgoParams
post /csc/v2/signatures/signHash "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"qsad.garbage\",\"hashes\":[\"$H1\"],\"signAlgo\":\"1.2.840.10045.4.3.2\",\"signAlgoParams\":\"%%%\"}"
expect_code 400 "signAlgoParams that is not base64"
post /csc/v2/signatures/signHash "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"qsad.garbage\",\"hashes\":[\"$H1\"],\"signAlgo\":\"1.2.840.10045.4.3.2\",\"signAlgoParams\":\"BQA=\"}"
expect_code 403 "DER NULL signAlgoParams pass, then the garbage SAD is refused"
post /csc/v2/signatures/signDoc "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"qsad.garbage\"}"
expect_code 400 "signDoc without documents or documentDigests"
post /csc/v2/signatures/signDoc "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"qsad.garbage\",\"documentDigests\":{}}"
expect_code 400 "documentDigests that is not an array"
post /csc/v2/signatures/signDoc "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"qsad.garbage\",\"documentDigests\":[{\"hashes\":[\"!!\"],\"signature_format\":\"C\",\"signAlgo\":\"1.2.840.10045.4.3.2\"}]}"
expect_code 400 "documentDigests hash that is not base64"
post /csc/v2/signatures/signDoc "$BOT" "{\"credentialID\":\"$CRED\",\"SAD\":\"qsad.garbage\",\"documentDigests\":[{\"hashes\":[\"$H1\"],\"signature_format\":\"C\"}]}"
expect_code 400 "documentDigests without signAlgo"
head -c $((9 * 1024 * 1024)) /dev/zero > big.bin
R=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $BOT" -H 'Content-Type: application/json' --data-binary @big.bin "$HTTPS/csc/v2/credentials/list")
[ "$R" = 413 ] && pass "huge body: 413" || fail "huge body: $R"
post /csc/v2/auth/revoke "$OTHER" "{\"token\":\"$OTHER\"}"
expect_code 204 "auth/revoke"
post /csc/v2/credentials/list "$OTHER" '{}'
expect_code 401 "a revoked token is refused"
"$QUALSIG" --data d identity suspend invoice-bot >/dev/null 2>&1 || true
post /csc/v2/credentials/list "$BOT" '{}'
expect_code 401 "a suspended identity's token stops working"
"${CURL[@]}" -sf "$HTTPS/healthz" >/dev/null && pass "server still up after hostile requests" || fail "server down"

# --- secrets never in the log ---
for s in "$BOT_SECRET" "$BOT" "$SAD" "$ADMIN_SECRET"; do
  grep -qF "$s" "$WORK/serve.err" "$WORK/serve.out" && fail "a secret is in the server log" || pass "secret not in the log"
done
contains "authentication failures are logged" "$(cat "$WORK/serve.err")" authentication_failed
expect_exit 0 "audit log verifies after the flow" -- "$QUALSIG" --data d audit verify
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
finish
