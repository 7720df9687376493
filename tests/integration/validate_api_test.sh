#!/usr/bin/env bash
# POST /api/v1/validate: `qualsig verify` as a service. Every outcome is cross-checked with an
# independent tool on the same bytes (openssl cms -verify, pdfsig); the service's trust is its
# own root plus config.json's "validation" section, loaded and verified at start; hostile
# requests and bad configuration give clear answers and leave the server up.
source "$(dirname "$0")/lib.sh"

init_with_signer po-agent purchase-order
printf 'PURCHASE ORDER 7: 48,000.00 EUR\n' >po.txt
printf 'PURCHASE ORDER 7: 84,000.00 EUR\n' >po-changed.txt
"$QUALSIG" --data d sign --identity po-agent --in po.txt --out po.p7s --detached --level B-LT --type purchase-order >/dev/null
printf '%%!PS\n/Helvetica findfont 14 scalefont setfont\n72 720 moveto (Contract) show\nshowpage\n' >c.ps
gs -q -dSAFER -dNOPAUSE -dBATCH -sDEVICE=pdfwrite -o c.pdf c.ps
"$QUALSIG" --data d sign --identity po-agent --format pades --level B-LT --in c.pdf --out c-lt.pdf --type purchase-order >/dev/null
"$QUALSIG" --data d trust export-tl --out d/own-tl.xml >/dev/null
read -r AUDIT_ID AUDIT_SECRET < <("$QUALSIG" --data d --json api-client add --principal operator:audit --role auditor |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["client_id"], d["client_secret"])')
read -r BOT_ID BOT_SECRET < <("$QUALSIG" --data d --json api-client add --principal identity:po-agent --role signer |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["client_id"], d["client_secret"])')

# A signature made by nobody we know: openssl's own CAdES (-cades adds signing-certificate-v2)
# under a throw-away CA, with that CA's CRL.
cat >ca.cnf <<'C'
[ca]
default_ca = x
[x]
database = idx.txt
crlnumber = crlnum
default_md = sha256
default_crl_days = 30
[ee]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
crlDistributionPoints = URI:http://127.0.0.1:1/other.crl
C
: >idx.txt; echo 01 >crlnum
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-ca.key -out other-ca.pem -subj "/O=Other CA/CN=Other Root" -days 30 \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key -out other.csr -subj "/O=Other/CN=Other Signer" 2>/dev/null
openssl x509 -req -in other.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -out other.pem -days 10 -extfile ca.cnf -extensions ee 2>/dev/null
openssl ca -config ca.cnf -gencrl -keyfile other-ca.key -cert other-ca.pem -out other.crl.pem 2>/dev/null
openssl crl -in other.crl.pem -outform DER -out other.crl
openssl cms -sign -cades -binary -in po.txt -signer other.pem -inkey other.key -outform DER -out other.p7s -nodetach
openssl cms -verify -binary -inform DER -in other.p7s -CAfile other-ca.pem -purpose any -out /dev/null 2>/dev/null &&
  pass "openssl verifies its own signature under its CA" || fail "openssl cms -verify other.p7s"

start_server() {
  "$QUALSIG" --data d serve --listen 127.0.0.1:0 --http-listen off >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do grep -q "^serving" "$WORK/serve.out" 2>/dev/null && break; kill -0 $SERVER_PID 2>/dev/null || break; sleep 0.1; done
  HTTPS=$(grep -o 'https://[0-9.:]*' "$WORK/serve.out" | sed 's/127.0.0.1/localhost/' || true)
  PORT=${HTTPS##*:}
  CURL=(curl -s --cacert ca/root.pem --resolve "localhost:$PORT:127.0.0.1")
}
stop_server() { kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
trap 'kill -9 $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
post() {  # PATH TOKEN JSON-FILE -> $CODE, $BODY
  local auth=()
  [ -n "$2" ] && auth=(-H "Authorization: Bearer $2")
  BODY=$("${CURL[@]}" -o - -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' "${auth[@]}" --data-binary "@$3" "$HTTPS$1")
  CODE=${BODY##*$'\n'}; BODY=${BODY%$'\n'*}
}
expect_code() {  # CODE DESCRIPTION
  [ "$CODE" = "$1" ] && pass "$2 ($CODE)" || fail "$2: HTTP $CODE, body ${BODY:0:400}"
}
field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval("d"+sys.argv[2]))' "$BODY" "$1" 2>/dev/null || echo "<no $1>"; }
token() {
  "${CURL[@]}" -X POST --data-urlencode grant_type=client_credentials --data-urlencode "client_id=$1" \
    --data-urlencode "client_secret=$2" "$HTTPS/oauth2/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
body() {  # OUT key=file|key=@text ... -> a JSON request: file values base64, @ values as strings, [a,b] lists of files
  python3 - "$@" <<'P'
import base64, json, sys
out, req = sys.argv[1], {}
for arg in sys.argv[2:]:
    k, v = arg.split("=", 1)
    if v.startswith("@"): req[k] = v[1:]
    elif v.startswith("["): req[k] = [base64.b64encode(open(f, "rb").read()).decode() for f in v[1:-1].split(",")]
    else: req[k] = base64.b64encode(open(v, "rb").read()).decode()
json.dump(req, open(out, "w"))
P
}

# --- the service's own signatures, trusted through its root ---
start_server
[ -n "$PORT" ] && pass "serve started" || { fail "serve did not start: $(cat "$WORK/serve.err")"; finish; }
AUDIT=$(token "$AUDIT_ID" "$AUDIT_SECRET")
BOT=$(token "$BOT_ID" "$BOT_SECRET")

body req.json document=po.p7s detached_content=po.txt
post /api/v1/validate "$AUDIT" req.json
expect_code 200 "validate a CAdES B-LT detached signature"
[ "$(field '["signatures"][0]["indication"]')" = TOTAL-PASSED ] && pass "CAdES B-LT: TOTAL-PASSED" || fail "CAdES indication: ${BODY:0:600}"
[ "$(field '["signatures"][0]["level"]')" = CAdES-BASELINE-LT ] && pass "level CAdES-BASELINE-LT" || fail "level: $(field '["signatures"][0]["level"]')"
[ "$(field '["allPassed"]')" = True ] && pass "allPassed" || fail "allPassed: $(field '["allPassed"]')"
# The same verdict from a tool we did not write, on the same bytes.
openssl cms -verify -binary -inform DER -in po.p7s -content po.txt -CAfile ca/root.pem -purpose any -out /dev/null 2>/dev/null &&
  pass "openssl cms -verify agrees (signature and chain)" || fail "openssl cms -verify po.p7s"
contains "without a configured list: the certificate's claims only" "$(field '["signatures"][0]["certificateClaims"]')" "^AdESeal-QC"
post /api/v1/validate "$BOT" req.json
expect_code 200 "a signer may validate too"

body req.json document=po.p7s detached_content=po-changed.txt
post /api/v1/validate "$AUDIT" req.json
expect_code 200 "a changed document is a report, not an error"
[ "$(field '["signatures"][0]["indication"]')/$(field '["signatures"][0]["subIndication"]')" = TOTAL-FAILED/HASH_FAILURE ] &&
  pass "changed document: TOTAL-FAILED / HASH_FAILURE" || fail "changed document: ${BODY:0:600}"
openssl cms -verify -binary -inform DER -in po.p7s -content po-changed.txt -CAfile ca/root.pem -purpose any -out /dev/null 2>/dev/null &&
  fail "openssl accepts the changed document" || pass "openssl cms -verify refuses the changed document too"

body req.json document=c-lt.pdf report=@etsi
post /api/v1/validate "$AUDIT" req.json
expect_code 200 "validate a PAdES B-LT file, ETSI report asked for"
[ "$(field '["signatures"][0]["indication"]')" = TOTAL-PASSED ] && pass "PAdES B-LT: TOTAL-PASSED" || fail "PAdES: ${BODY:0:600}"
mkdir nss && certutil -N -d sql:nss --empty-password && certutil -A -d sql:nss -n root -t "CT,C,C" -i ca/root.pem
pdfsig -nssdir sql:nss -no-ocsp c-lt.pdf 2>&1 | grep -q "Signature is Valid" && pass "pdfsig agrees" || fail "pdfsig: $(pdfsig -nssdir sql:nss -no-ocsp c-lt.pdf 2>&1)"
python3 -c 'import json,sys; r=json.loads(sys.argv[1])["etsi_report"]; assert "ValidationReport" in r and "urn:etsi:019102:mainindication:total-passed" in r' "$BODY" &&
  pass "etsi_report is a TS 119 102-2 report saying total-passed" || fail "etsi_report: ${BODY:0:300}"
printf '%s' "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["etsi_report"])' "$BODY")" >report.xml
xmllint --noout report.xml 2>/dev/null && pass "etsi_report is well-formed XML (xmllint)" || fail "xmllint report.xml"

# Somebody else's signature: not trusted by this service, and the caller cannot make it so.
body req.json document=other.p7s crls=[other.crl]
post /api/v1/validate "$AUDIT" req.json
expect_code 200 "validate openssl's signature"
[ "$(field '["signatures"][0]["subIndication"]')" = NO_CERTIFICATE_CHAIN_FOUND ] &&
  pass "an unknown CA: INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND" || fail "unknown CA: ${BODY:0:600}"
python3 - other-ca.pem <<'P' >req.json
import base64, json, ssl, sys
der = ssl.PEM_cert_to_DER_cert(open(sys.argv[1]).read())
json.dump({"document": base64.b64encode(open("other.p7s", "rb").read()).decode(), "trust_anchors": [base64.b64encode(der).decode()]}, sys.stdout)
P
post /api/v1/validate "$AUDIT" req.json
expect_code 400 "trust anchors in a request are refused (unknown key)"

# --- hostile and malformed requests ---
post /api/v1/validate "" req.json
expect_code 401 "no credentials"
printf '{"document": "%s"}' "$(head -c 3000 /dev/urandom | base64 -w0)" >req.json
post /api/v1/validate "$AUDIT" req.json
expect_code 400 "random bytes are not a signed file"
contains "the problem says why" "$BODY" "error_description"
head -c 700 po.p7s >trunc.p7s
body req.json document=trunc.p7s
post /api/v1/validate "$AUDIT" req.json
expect_code 400 "a truncated CMS"
for bad in '{"document": "%%%"}' '{"document": ""}' '{"document": 5}' '{}' '[1]' '{"document": "QUJD", "validation_time": "yesterday"}' \
           '{"document": "QUJD", "report": "pdf"}' '{"document": "QUJD", "crls": ["%%%"]}' '{"document": "QUJD", "crls": "QUJD"}' \
           '{"document": "QUJD", "detached_content": 7}' '{"document": "QUJD", "online": true}' '{"document": "QUJD"'; do
  printf '%s' "$bad" >req.json
  post /api/v1/validate "$AUDIT" req.json
  expect_code 400 "malformed: $bad"
done
head -c $((9 << 20)) /dev/zero | base64 -w0 | { printf '{"document": "'; cat; printf '"}'; } >big.json
post /api/v1/validate "$AUDIT" big.json
expect_code 413 "a body over server.body_limit"
"${CURL[@]}" -sf "$HTTPS/healthz" >/dev/null && pass "the server is still up" || fail "server down after hostile requests"
stop_server

# --- configured trust: our own list and another CA, loaded and verified at start ---
cp other-ca.pem d/other-ca.pem
python3 - <<'P'
import json
c = json.load(open("d/config.json"))
c["validation"] = {"trust_anchors": ["other-ca.pem"], "trusted_lists": ["own-tl.xml"], "trusted_list_signers": ["ca/root.pem"]}
json.dump(c, open("d/config.json", "w"))
P
cp -r ca d/ca
expect_exit 0 "serve --check-config with a validation section" -- "$QUALSIG" --data d serve --check-config
contains "check-config reports the lists it verified" "$OUT" "1 trusted list(s) verified"
start_server
[ -n "$PORT" ] && pass "serve started with configured validation trust" || { fail "serve did not start: $(cat "$WORK/serve.err")"; finish; }
body req.json document=po.p7s detached_content=po.txt
post /api/v1/validate "$AUDIT" req.json
[ "$(field '["signatures"][0]["qualification"]["level"]')" = QESeal ] && pass "under our own list: QESeal" || fail "qualification: ${BODY:0:800}"
contains "the report names the list it rests on, as private" "$(field '["trustedLists"]')" "private trusted list"
[ "$(field '["signatures"][0]["qualification"]["eu"]')" = False ] && pass "a private list is never EU qualification" || fail "eu: $(field '["signatures"][0]["qualification"]["eu"]')"
body req.json document=other.p7s crls=[other.crl]
post /api/v1/validate "$AUDIT" req.json
[ "$(field '["signatures"][0]["indication"]')" = TOTAL-PASSED ] && pass "openssl's signature under the configured anchor: TOTAL-PASSED" || fail "other.p7s: ${BODY:0:800}"
body req.json document=other.p7s
post /api/v1/validate "$AUDIT" req.json
[ "$(field '["signatures"][0]["subIndication"]')" = TRY_LATER ] && pass "without its CRL: INDETERMINATE / TRY_LATER" || fail "other.p7s without CRL: ${BODY:0:800}"
stop_server

# --- bad validation configuration stops the start, naming the key ---
config_case() {  # description pattern python-statement
  cp d/config.json config.good
  python3 -c "import json; c = json.load(open('d/config.json')); $3; json.dump(c, open('d/config.json', 'w'))"
  expect_exit 3 "check-config: $1" -- "$QUALSIG" --data d serve --check-config
  contains "check-config names it: $1" "$ERR" "$2"
  expect_exit 3 "serve refuses to start: $1" -- timeout 20 "$QUALSIG" --data d serve --listen 127.0.0.1:0 --http-listen off
  contains "serve names it: $1" "$ERR" "$2"
  cp config.good d/config.json
}
sed 's/Svcstatus\/granted/Svcstatus\/withdrawn/' d/own-tl.xml >d/forged-tl.xml
config_case "a list whose signature does not verify" "validation" "c['validation']['trusted_lists'] = ['forged-tl.xml']"
config_case "a list without its signer" "trusted_list_signers" "del c['validation']['trusted_list_signers']"
config_case "a missing anchor file" "validation.trust_anchors" "c['validation']['trust_anchors'] = ['nowhere.pem']"
printf 'not a certificate' >d/junk.pem
config_case "an anchor that is not a certificate" "validation.trust_anchors" "c['validation']['trust_anchors'] = ['junk.pem']"
config_case "member lists without a LOTL" "member_state_lists" "c['validation']['member_state_lists'] = ['own-tl.xml']"
config_case "an unknown key" "validation.anchors" "c['validation']['anchors'] = []"
finish
