#!/usr/bin/env bash
# `qualsig cert issue --key-type`: identities with RSA-3072 and EC P-384 keys (made in the token)
# sign in every format, and each signature is checked by a verifier we did not write — openssl
# (CAdES), pdfsig (PAdES), xmlsec1 (XAdES), jose (JAdES) — and validates TOTAL-PASSED, QESeal
# under our own trusted list.
source "$(dirname "$0")/lib.sh"
INTEROP="$HERE/../interop"

"$QUALSIG" --data d init >/dev/null
"$QUALSIG" --data d ca export --out ca >/dev/null
"$QUALSIG" --data d trust export-tl --out tl.xml >/dev/null
printf '{"schema": "qualsig-policy/1", "name": "kt", "version": 1, "document_types": ["contract"]}' >p.json
mkdir nss && certutil -N -d sql:nss --empty-password >/dev/null
certutil -A -d sql:nss -n qualsig-root -t "CT,C,C" -i ca/root.pem
printf '%%!PS\n/Helvetica findfont 14 scalefont setfont\n72 720 moveto (Contract) show\nshowpage\n' >c.ps
gs -q -dSAFER -dNOPAUSE -dBATCH -sDEVICE=pdfwrite -o c.pdf c.ps
printf 'Framework contract 2026-17\n' >c.txt
printf '<Contract xmlns="urn:example:c"><Total currency="EUR">48000.00</Total></Contract>\n' >c.xml
printf '{"contract": "2026-17", "total": "48000.00"}' >c.json

setup() {  # name
  "$QUALSIG" --data d identity register --name "$1" --kind service-account --sponsor "Legal Lead" >/dev/null
  "$QUALSIG" --data d identity proof "$1" --method sponsor --by admin-a >/dev/null
  "$QUALSIG" --data d identity confirm "$1" --by admin-b >/dev/null
  "$QUALSIG" --data d policy set --identity "$1" --file p.json >/dev/null
}
validates() {  # what file [verify args...]: TOTAL-PASSED and QESeal under our list
  local what=$1 f=$2; shift 2
  # The current CRLs: one published before a certificate was issued says nothing about it.
  "$QUALSIG" --data d crl export --issuer issuing --out issuing.crl >/dev/null
  "$QUALSIG" --data d crl export --issuer root --out root.crl >/dev/null
  expect_exit 0 "$what: qualsig verify TOTAL-PASSED" -- "$QUALSIG" --json verify "$f" "$@" --crl issuing.crl --crl root.crl \
    --tl tl.xml --tl-signer ca/root.pem
  local level
  level=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["signatures"][0].get("qualification",{}).get("level",""))' "$OUT" 2>/dev/null || true)
  [ "$level" = QESeal ] && pass "$what: QESeal under our list" || fail "$what: qualification '$level'"
}

# --- bad input: nothing is issued ---
setup bad-agent
expect_exit 2 "an unknown key type is a usage error" -- "$QUALSIG" --data d cert issue --identity bad-agent --key-type rsa-1024
expect_one_error_line "the error lists the key types" "ec-p256, ec-p384, rsa-3072 or rsa-4096"
expect_exit 2 "an empty key type is a usage error" -- "$QUALSIG" --data d cert issue --identity bad-agent --key-type ""
"$QUALSIG" --data d --json cert list --identity bad-agent >list.json
[ "$(python3 -c 'import json; print(len(json.load(open("list.json"))))')" = 0 ] && pass "no certificate issued on refusal" ||
  fail "a certificate was issued: $(cat list.json)"
expect_exit 0 "the default is P-256" -- "$QUALSIG" --data d --json cert issue --identity bad-agent
key_type() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["key"]["type"])' "$OUT" 2>/dev/null || true; }
[ "$(key_type)" = ec-p256 ] && pass "key.type says ec-p256" || fail "key.type: $OUT"

# P-384 with SHA-384 (the digest matching the curve's strength; --digest, as a user would ask).
for spec in "rsa-3072 PS256 rsa-sha256 3072 sha256" "ec-p384 ES384 ecdsa-sha384 384 sha384"; do
  read -r kt jws_alg xml_alg bits digest <<<"$spec"
  id=agent-$kt
  setup "$id"
  expect_exit 0 "$kt: cert issue --key-type" -- "$QUALSIG" --data d --json cert issue --identity "$id" --key-type "$kt" --out "$id.pem"
  [ "$(key_type)" = "$kt" ] && pass "$kt: key.type in the answer" || fail "$kt: key.type: $OUT"
  contains "$kt: openssl reads a $bits-bit key" "$(openssl x509 -in "$id.pem" -noout -text)" "Public-Key: ($bits bit)"
  expect_exit 0 "$kt: the certificate chains to our root (openssl verify)" -- \
    openssl verify -CAfile ca/root.pem -untrusted ca/issuing.pem "$id.pem"
  sign() { "$QUALSIG" --data d sign --identity "$id" --type contract --digest "$digest" "$@" >/dev/null; }

  # CAdES B-LT, detached: openssl cms -verify with our root
  sign --in c.txt --out "$id.p7s" --detached --level B-LT
  expect_exit 0 "$kt CAdES B-LT: openssl cms -verify" -- openssl cms -verify -binary -inform DER -in "$id.p7s" -content c.txt \
    -CAfile ca/root.pem -purpose any -out /dev/null
  printf 'Framework contract 2026-18\n' >other.txt
  expect_exit 4 "$kt CAdES: openssl refuses another document" -- openssl cms -verify -binary -inform DER -in "$id.p7s" \
    -content other.txt -CAfile ca/root.pem -purpose any -out /dev/null
  validates "$kt CAdES B-LT" "$id.p7s" --detached c.txt

  # PAdES B-T: pdfsig with our root in an NSS database
  sign --format pades --level B-T --in c.pdf --out "$id.pdf"
  r=$(pdfsig -nssdir sql:nss -no-ocsp "$id.pdf" 2>&1 || true)
  grep -q 'Signature Validation: Signature is Valid' <<<"$r" && pass "$kt PAdES B-T: pdfsig valid" || fail "$kt PAdES: pdfsig: $r"
  validates "$kt PAdES B-T" "$id.pdf"

  # XAdES B-B enveloped: xmlsec1 with our root trusted, and the algorithm it signed with
  sign --format xades --in c.xml --out "$id.xml"
  if r=$(xmlsec1 --verify --trusted-pem ca/root.pem --untrusted-pem ca/issuing.pem --id-attr:Id SignedProperties "$id.xml" 2>&1); then
    pass "$kt XAdES B-B: xmlsec1 --verify"
  else fail "$kt XAdES: xmlsec1: $r"; fi
  contains "$kt XAdES: SignatureMethod $xml_alg" "$(cat "$id.xml")" "#$xml_alg\""
  validates "$kt XAdES B-B" "$id.xml"

  # JAdES B-B compact: jose with the algorithm the key implies
  sign --format jades --in c.json --out "$id.jws"
  if r=$(node "$INTEROP/jades_check.mjs" "$id.jws" "$id.pem" "$jws_alg" 2>&1); then pass "$kt JAdES B-B: jose verifies $jws_alg"
  else fail "$kt JAdES: jose: $r"; fi
  validates "$kt JAdES B-B" "$id.jws"
done

"$QUALSIG" --data d audit verify >/dev/null && pass "audit log verifies" || fail "audit verify"
finish
