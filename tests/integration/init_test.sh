#!/usr/bin/env bash
# qualsig init / status / ca export, checked with openssl and pkcs11-tool (independent tools).
source "$(dirname "$0")/lib.sh"

expect_exit 0 "init" -- "$QUALSIG" --data d init --org "Acme Logistics BV" --org-id VATNL-123456789B01 --country NL --base-url http://127.0.0.1:8080
expect_exit 0 "ca export" -- "$QUALSIG" --data d ca export --out ca
for f in root issuing tsa ocsp tls chain; do [ -s "ca/$f.pem" ] || fail "ca/$f.pem missing"; done

# RFC 5280 path validation by OpenSSL, with the purpose each certificate is for.
for c in issuing tsa ocsp; do
  expect_exit 0 "openssl verify $c" -- openssl verify -x509_strict -CAfile ca/root.pem -untrusted ca/issuing.pem "ca/$c.pem"
done
expect_exit 0 "openssl verify tsa for timestampsign" -- openssl verify -x509_strict -purpose timestampsign -CAfile ca/root.pem -untrusted ca/issuing.pem ca/tsa.pem
expect_exit 0 "openssl verify ocsp for ocsphelper" -- openssl verify -x509_strict -purpose ocsphelper -CAfile ca/root.pem -untrusted ca/issuing.pem ca/ocsp.pem
expect_exit 0 "openssl verify tls for sslserver" -- openssl verify -x509_strict -purpose sslserver -CAfile ca/root.pem ca/tls.pem
expect_exit 2 "issuing CA is not trusted without the root" -- openssl verify -CAfile ca/issuing.pem ca/tsa.pem

root=$(openssl x509 -in ca/root.pem -noout -text)
issuing=$(openssl x509 -in ca/issuing.pem -noout -text)
tsa=$(openssl x509 -in ca/tsa.pem -noout -text)
ocsp=$(openssl x509 -in ca/ocsp.pem -noout -text)
contains "root is self-signed CA" "$root" "CA:TRUE"
contains "root key is P-384" "$root" "NIST CURVE: P-384"
contains "root keyUsage" "$root" "Certificate Sign, CRL Sign"
contains "issuing pathlen 0" "$issuing" "CA:TRUE, pathlen:0"
contains "issuing signed with SHA-384" "$issuing" "ecdsa-with-SHA384"
contains "issuing QCP-n-qscd (EN 319 411-2)" "$issuing" "Policy: 0.4.0.194112.1.2"
contains "issuing QCP-l-qscd (EN 319 411-2)" "$issuing" "Policy: 0.4.0.194112.1.3"
contains "issuing CRL DP" "$issuing" "URI:http://127.0.0.1:8080/crl/root.crl"
contains "issuing AIA OCSP" "$issuing" "OCSP - URI:http://127.0.0.1:8080/ocsp"
contains "issuing AIA caIssuers" "$issuing" "CA Issuers - URI:http://127.0.0.1:8080/ca/root.crt"
contains "issuing has organizationIdentifier" "$(openssl x509 -in ca/issuing.pem -noout -subject -nameopt RFC2253)" "organizationIdentifier=VATNL-123456789B01"
contains "issuing SKI" "$issuing" "Subject Key Identifier"
contains "issuing AKI" "$issuing" "Authority Key Identifier"
grep -A1 "Extended Key Usage: critical" <<<"$tsa" | grep -q "Time Stamping" && pass "TSA EKU timeStamping critical" || fail "TSA EKU not critical timeStamping"
contains "TSA key is P-256" "$tsa" "NIST CURVE: P-256"
contains "OCSP EKU" "$ocsp" "OCSP Signing"
contains "OCSP nocheck" "$ocsp" "OCSP No Check"
issuer_ocsp=$(openssl x509 -in ca/ocsp.pem -noout -issuer -nameopt RFC2253)
contains "OCSP signer issued by the issuing CA (delegated responder)" "$issuer_ocsp" "Qualified Issuing CA"

# Keys never leave the token: pkcs11-tool, OpenSC's independent client, sees every key as
# sensitive and never extractable, and cannot read one out.
export SOFTHSM2_CONF="$WORK/d/softhsm2.conf" QS_PIN_FOR_TOOL
QS_PIN_FOR_TOOL=$(cat d/token-user.pin)
listing=$(pkcs11-tool --module "$SOFTHSM" --token-label qualsig --login --pin env:QS_PIN_FOR_TOOL --list-objects --type privkey 2>&1)
n=$(grep -c "Private Key Object" <<<"$listing" || true)
[ "$n" -eq 6 ] && pass "6 private keys in the token" || fail "expected 6 private keys, found $n"
m=$(grep -c "Access:     sensitive, always sensitive, never extractable, local" <<<"$listing" || true)
[ "$m" -eq 6 ] && pass "every key sensitive, never extractable, generated on the token" || fail "only $m of 6 keys are sensitive/never extractable/local: $listing"
set +e
pkcs11-tool --module "$SOFTHSM" --token-label qualsig --login --pin env:QS_PIN_FOR_TOOL --read-object --type privkey --label qualsig-root-ca -o "$WORK/key.der" >/dev/null 2>"$WORK/err"
set -e
if [ -s "$WORK/key.der" ]; then fail "pkcs11-tool read a private key"; else pass "pkcs11-tool cannot read the root key: $(cat "$WORK/err")"; fi
unset SOFTHSM2_CONF

# PIN files are private; the PIN never shows in output.
[ "$(stat -c %a d/token-user.pin)" = 600 ] && pass "user PIN file 0600" || fail "user PIN file mode $(stat -c %a d/token-user.pin)"
pin=$(cat d/token-user.pin)
expect_exit 0 "status" -- "$QUALSIG" --data d status
contains "status shows hierarchy" "$OUT" "Qualified Issuing CA"
contains "status shows token" "$OUT" "label qualsig"
contains "status shows counts" "$OUT" "identities: 0"
if grep -q "$pin" <<<"$OUT$ERR"; then fail "status printed the PIN"; else pass "status does not print the PIN"; fi
expect_exit 0 "status --json" -- "$QUALSIG" --json --data d status
python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["certificates"])==5; assert all(k["sensitive"] for k in d["token"]["keys"]), d' <<<"$OUT" && pass "status --json parses" || fail "status --json"

# Second init: nothing changes.
before=$(cd d && find . -type f -print0 | sort -z | xargs -0 sha256sum)
expect_exit 0 "second init" -- "$QUALSIG" --data d init
contains "second init says so" "$OUT" "nothing changed"
after=$(cd d && find . -type f -print0 | sort -z | xargs -0 sha256sum)
[ "$before" = "$after" ] && pass "second init changed no file" || fail "second init changed files"

# Wrong PIN from the environment: clear error, exit 3, PIN not echoed.
expect_exit 3 "status with wrong PIN" -- env QUALSIG_TOKEN_PIN=00000000 "$QUALSIG" --data d status
expect_one_error_line "status with wrong PIN" "C_Login: wrong PIN (CKR_PIN_INCORRECT)"
if grep -q 00000000 <<<"$OUT$ERR"; then fail "wrong PIN echoed"; else pass "wrong PIN not echoed"; fi

finish
