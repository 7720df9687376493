#!/usr/bin/env bash
# `qualsig sign --format jades|pades|xades` through the whole sign-request flow, every output
# checked by a verifier we did not write: jose (JAdES), pdfsig + qpdf + openssl (PAdES),
# xmlsec1 (XAdES), and openssl for the chains and time-stamps.
source "$(dirname "$0")/lib.sh"
INTEROP="$HERE/../interop"

"$QUALSIG" --data d init >/dev/null
"$QUALSIG" --data d ca export --out ca >/dev/null
"$QUALSIG" --data d identity register --name payments-agent --kind ai-agent --sponsor "Treasury Lead" >/dev/null
"$QUALSIG" --data d identity proof payments-agent --method sponsor --by admin-a >/dev/null
"$QUALSIG" --data d identity confirm payments-agent --by admin-b >/dev/null
"$QUALSIG" --data d cert issue --identity payments-agent >/dev/null
cat >pol.json <<'P'
{"schema": "qualsig-policy/1", "name": "formats", "version": 1, "document_types": ["payment", "contract", "statement"]}
P
"$QUALSIG" --data d policy set --identity payments-agent --file pol.json >/dev/null
sign() {  # what exit -- sign args...
  local what=$1 want=$2; shift 3
  expect_exit "$want" "$what" -- "$QUALSIG" --json --data d sign --identity payments-agent "$@"
}

# --- JAdES (TS 119 182-1): jose verifies with the certificate in x5c; openssl verifies that
# certificate's chain to our root.
printf '{"payment":{"amount":"1200.00","currency":"EUR","to":"GLOBEX-GMBH"}}' >pay.json
x5c_pem() {  # jws-file -> signer.pem from the protected header's x5c[0]
  python3 - "$1" >signer.pem <<'PY'
import base64, json, sys, textwrap
t = open(sys.argv[1]).read().strip()
prot = json.loads(t)["protected"] if t.startswith("{") else t.split(".")[0]
h = json.loads(base64.urlsafe_b64decode(prot + "=" * (-len(prot) % 4)))
print("-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(h["x5c"][0], 64)) + "\n-----END CERTIFICATE-----")
PY
}
jose_verifies() {  # what jws [payload]
  x5c_pem "$2"
  if openssl verify -CAfile ca/root.pem -untrusted ca/issuing.pem signer.pem >/dev/null 2>&1; then
    pass "$1: x5c chains to our root (openssl verify)"
  else fail "$1: x5c does not chain to our root"; fi
  local r
  if r=$(node "$INTEROP/jades_check.mjs" "$2" signer.pem ES256 ${3:+--payload "$3"} 2>&1); then pass "$1: jose verifies"
  else fail "$1: jose: $r"; fi
}
sign "JAdES B-B compact" 0 -- --format jades --in pay.json --out pay.jws --type payment
jose_verifies "JAdES B-B" pay.jws
[ "$(tr -cd . <pay.jws | wc -c)" = 2 ] && pass "B-B is a compact JWS" || fail "B-B is not compact"
sign "JAdES B-T (JSON, our TSA)" 0 -- --format jades --level B-T --in pay.json --out pay-t.json --type payment
jose_verifies "JAdES B-T" pay-t.json
python3 - pay-t.json >tst.der <<'PY'
import base64, json, sys
j = json.load(open(sys.argv[1]))
u = j["header"]["etsiU"][0]
u = json.loads(base64.urlsafe_b64decode(u + "=" * (-len(u) % 4)))
sys.stdout.buffer.write(base64.b64decode(u["sigTst"]["tstTokens"][0]["val"]))
PY
imprint=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["signature"], end="")' pay-t.json | openssl dgst -sha256 -hex | awk '{print $2}')
if openssl ts -verify -in tst.der -token_in -digest "$imprint" -CAfile ca/root.pem -untrusted ca/issuing.pem >/dev/null 2>&1; then
  pass "JAdES sigTst time-stamps the signature value (openssl ts -verify)"
else fail "JAdES sigTst does not verify over the signature value"; fi
sign "JAdES B-LT detached (b64:false)" 0 -- --format jades --level B-LT --detached --in pay.json --out pay-lt.json --type payment
jose_verifies "JAdES B-LT detached" pay-lt.json pay.json
printf '{"payment":{"amount":"9200.00"}}' >forged.json
r=$(node "$INTEROP/jades_check.mjs" pay-lt.json signer.pem ES256 --payload forged.json 2>&1) && fail "jose accepted another payload" ||
  pass "jose refuses the detached JWS over another payload"
# B-LTA: the last arcTst's imprint recomputed here from TS 119 182-1 §5.3.6.3.1 (payload as signed
# '.' protected '.' signature '.' every etsiU entry before it), its token checked by openssl.
arc_ok() {  # what jws [detached-payload]
  python3 - "$2" ${3:-} >arc.hex <<'PY'
import base64, hashlib, json, sys
j = json.load(open(sys.argv[1]))
t = j["signatures"][0] if "signatures" in j else j
payload = j.get("payload")
if payload is None:  # detached, b64 false: the payload bytes themselves
    payload = open(sys.argv[2], "rb").read().decode()
entries = t["header"]["etsiU"]
dec = lambda e: json.loads(base64.urlsafe_b64decode(e + "=" * (-len(e) % 4)))
last = max(i for i, e in enumerate(entries) if "arcTst" in dec(e))
data = payload + "." + t["protected"] + "." + t["signature"] + "." + "".join(entries[:last])
open("arc.der", "wb").write(base64.b64decode(dec(entries[last])["arcTst"]["tstTokens"][0]["val"]))
print(hashlib.sha256(data.encode()).hexdigest())
PY
  if openssl ts -verify -in arc.der -token_in -digest "$(cat arc.hex)" -CAfile ca/root.pem -untrusted ca/issuing.pem >/dev/null 2>&1; then
    pass "$1: arcTst covers payload, header, signature and the etsiU entries before it (openssl ts -verify)"
  else fail "$1: arcTst imprint does not verify"; fi
}
verify_lta() {  # what jws [verify args...]
  local what=$1 f=$2; shift 2
  expect_exit 0 "$what: qualsig verify TOTAL-PASSED" -- "$QUALSIG" --json verify "$f" "$@" --trust-anchor ca/root.pem
  contains "$what: level JAdES-BASELINE-LTA" "$OUT" "JAdES-BASELINE-LTA"
}
sign "JAdES B-LTA" 0 -- --format jades --level B-LTA --in pay.json --out pay-lta.json --type payment
jose_verifies "JAdES B-LTA" pay-lta.json
arc_ok "JAdES B-LTA" pay-lta.json
verify_lta "JAdES B-LTA" pay-lta.json
sign "JAdES B-LTA detached" 0 -- --format jades --level B-LTA --detached --in pay.json --out pay-lta-d.json --type payment
jose_verifies "JAdES B-LTA detached" pay-lta-d.json pay.json
arc_ok "JAdES B-LTA detached" pay-lta-d.json pay.json
verify_lta "JAdES B-LTA detached" pay-lta-d.json --detached pay.json
# extend: compact B-B -> B-LTA (flattened JSON, same signature), then a further arcTst.
expect_exit 0 "extend a compact JAdES B-B to B-LTA" -- "$QUALSIG" --data d extend pay.jws --to B-LTA --out pay-ext.json
jose_verifies "JAdES extended to B-LTA" pay-ext.json
arc_ok "JAdES extended to B-LTA" pay-ext.json
verify_lta "JAdES extended to B-LTA" pay-ext.json
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["signature"])' pay-ext.json)" = "$(cut -d. -f3 pay.jws)" ] &&
  pass "the extended JWS keeps the signature value" || fail "signature value changed"
expect_exit 0 "renew the archive time-stamp (B-LTA again)" -- "$QUALSIG" --data d extend pay-ext.json --to B-LTA --out pay-ext2.json
arc_ok "JAdES second arcTst (over the first)" pay-ext2.json
[ "$(python3 -c 'import json,sys,base64; print(sum("arcTst" in base64.urlsafe_b64decode(e+"="*(-len(e)%4)).decode() for e in json.load(open(sys.argv[1]))["header"]["etsiU"]))' pay-ext2.json)" = 2 ] &&
  pass "two arcTst entries" || fail "arcTst count"
verify_lta "JAdES with two arcTst" pay-ext2.json
expect_exit 1 "extend B-LT to B-LT: already there" -- "$QUALSIG" --data d extend pay-lt.json --to B-LT --out x.json --detached pay.json
expect_exit 2 "extend a detached JWS without its document" -- "$QUALSIG" --data d extend pay-lt.json --to B-LTA --out x.json
expect_one_error_line "the error asks for the document" "detached"
expect_exit 1 "extend a detached JWS with another document" -- "$QUALSIG" --data d extend pay-lt.json --to B-LTA --out x.json --detached forged.json
python3 - pay-t.json clear.json <<'PY'
import base64, json, sys
j = json.load(open(sys.argv[1]))
e = j["header"]["etsiU"][0]
j["header"]["etsiU"][0] = json.loads(base64.urlsafe_b64decode(e + "=" * (-len(e) % 4)))  # the sigTst as clear JSON
json.dump(j, open(sys.argv[2], "w"))
PY
expect_exit 1 "an arcTst over a clear-JSON etsiU entry is refused" -- "$QUALSIG" --data d extend clear.json --to B-LTA --out x.json
expect_one_error_line "the error says why" "clear JSON"
[ ! -e x.json ] && pass "nothing written on refusal" || fail "x.json written"

# Evidence bundles of JAdES signatures verify offline (the JWS, its chain, its sigTst).
evidence_verifies() {  # what signature-json-output [export args...]
  local what=$1 sig; sig=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["signature_id"])' "$2"); shift 2
  "$QUALSIG" --data d evidence export "$sig" --out ev.json "$@" >/dev/null
  if "$QUALSIG" --data d evidence verify ev.json --root ca/root.pem >ev.txt 2>&1; then pass "$what: evidence verifies"
  else fail "$what: evidence does not verify: $(grep -i fail ev.txt | head -3)"; fi
}
sign "JAdES B-T for evidence" 0 -- --format jades --level B-T --in pay.json --out ev-t.json --type payment
evidence_verifies "JAdES B-T (payload inside the JWS)" "$OUT" --without-document
sign "JAdES B-LT detached for evidence" 0 -- --format jades --level B-LT --detached --in pay.json --out ev-lt.json --type payment
out_lt=$OUT
evidence_verifies "JAdES B-LT detached, with the document" "$out_lt" --document pay.json
"$QUALSIG" --data d evidence export "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["signature_id"])' "$out_lt")" \
  --out ev-nodoc.json --without-document >/dev/null
expect_exit 1 "a detached JWS without its document cannot be verified" -- "$QUALSIG" --data d evidence verify ev-nodoc.json --root ca/root.pem
contains "the report says why" "$OUT$ERR" "detached"

# --- PAdES (EN 319 142-1): pdfsig (poppler) with our root in an NSS database, qpdf --check, and
# the original bytes unchanged in front of the incremental update.
mkdir nss && certutil -N -d sql:nss --empty-password >/dev/null
certutil -A -d sql:nss -n qualsig-root -t "CT,C,C" -i ca/root.pem
printf '%%!PS\n/Helvetica findfont 14 scalefont setfont\n72 720 moveto (Framework contract 2026-17) show\nshowpage\n72 720 moveto (Page 2) show\nshowpage\n' >contract.ps
gs -q -dSAFER -dNOPAUSE -dBATCH -sDEVICE=pdfwrite -o contract.pdf contract.ps
pdfsig_ok() {  # what file expected-CAdES-signatures [document-time-stamps]
  local r n valid
  r=$(pdfsig -nssdir sql:nss -no-ocsp "$2" 2>&1 || true)
  n=$(grep -c 'Signature Type: ETSI.CAdES.detached' <<<"$r" || true)
  valid=$(grep -c 'Signature Validation: Signature is Valid' <<<"$r" || true)
  # poppler 22.12 lists a document time-stamp (ETSI.RFC3161) as type "unknown" and does not
  # verify it: doc_ts_ok checks those with openssl.
  if [ "$n" = "$3" ] && [ "$valid" = "$3" ] && { [ "${4:-0}" != 0 ] || grep -q 'Total document signed' <<<"$r"; }; then
    pass "$1: pdfsig: $n valid signature(s)"
  else fail "$1: pdfsig: $r"; fi
  if qpdf --check "$2" >/dev/null 2>&1; then pass "$1: qpdf --check"; else fail "$1: qpdf --check: $(qpdf --check "$2" 2>&1 | tail -2)"; fi
  if cmp -s -n "$(stat -c %s contract.pdf)" contract.pdf "$2"; then pass "$1: the original bytes are kept"; else fail "$1: original bytes changed"; fi
}
doc_ts_ok() {  # what file: the last signature is a document time-stamp over its byte range (openssl ts)
  python3 - "$2" <<'PY'
import re, sys
b = open(sys.argv[1], "rb").read()
m = [x for x in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", b)][-1]
a, l1, c, l2 = map(int, m.groups())
open("range.bin", "wb").write(b[a:a + l1] + b[c:c + l2])
hexs = b[a + l1:c].strip(b"<> \r\n").decode()
open("doc-ts.der", "wb").write(bytes.fromhex(hexs))  # zero padding after the DER is ignored by openssl
assert c + l2 == len(b), "the document time-stamp does not end the file"
PY
  if openssl ts -verify -data range.bin -in doc-ts.der -token_in -CAfile ca/root.pem -untrusted ca/issuing.pem >/dev/null 2>&1; then
    pass "$1: the document time-stamp covers the whole file (openssl ts -verify)"
  else fail "$1: document time-stamp does not verify"; fi
}
sign "PAdES B-B" 0 -- --format pades --in contract.pdf --out contract-b.pdf --type contract
pdfsig_ok "PAdES B-B" contract-b.pdf 1
sign "PAdES B-T" 0 -- --format pades --level B-T --in contract.pdf --out contract-t.pdf --type contract
pdfsig_ok "PAdES B-T" contract-t.pdf 1
sign "PAdES B-LTA (DSS + document time-stamp)" 0 -- --format pades --level B-LTA --in contract.pdf --out contract-lta.pdf --type contract
out_lta=$OUT
pdfsig_ok "PAdES B-LTA" contract-lta.pdf 1 1
doc_ts_ok "PAdES B-LTA" contract-lta.pdf
contains "B-LTA has a DSS with OCSP responses and CRLs" "$(qpdf --show-object=trailer contract-lta.pdf; qpdf --json contract-lta.pdf)" "/OCSPs"
sign "PAdES certification (P=2) with a visible signature" 0 -- --format pades --certify 2 --visible 1:36,36,300,96 \
  --reason "Contract approval" --in contract.pdf --out contract-cert.pdf --type contract
pdfsig_ok "PAdES certified" contract-cert.pdf 1
contains "the appearance is drawn on page 1" "$(pdftotext -f 1 -l 1 contract-cert.pdf - 2>/dev/null)" "payments-agent"
cp contract-cert.pdf contract2.pdf
sign "a second signature after the certification" 0 -- --format pades --in contract2.pdf --out contract-2sig.pdf --type contract
r=$(pdfsig -nssdir sql:nss -no-ocsp contract-2sig.pdf 2>&1 || true)
[ "$(grep -c 'Signature is Valid' <<<"$r")" = 2 ] && pass "both signatures valid (pdfsig)" || fail "two signatures: $r"
expect_exit 0 "extend a PAdES B-B signature to B-LTA" -- "$QUALSIG" --data d extend contract-b.pdf --to B-LTA --out contract-b-lta.pdf
pdfsig_ok "PAdES extended to B-LTA" contract-b-lta.pdf 1 2
doc_ts_ok "PAdES extended to B-LTA" contract-b-lta.pdf
python3 - contract-t.pdf tampered.pdf "$(stat -c %s contract.pdf)" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[int(sys.argv[3]) // 2] ^= 0x01   # a byte of the original document: inside the first signed range
open(sys.argv[2], "wb").write(b)
PY
r=$(pdfsig -nssdir sql:nss -no-ocsp tampered.pdf 2>&1 || true)
grep -q 'Signature is Valid' <<<"$r" && fail "pdfsig accepts a changed byte: $r" || pass "pdfsig refuses a changed byte in the signed range"
qpdf --encrypt u o 256 -- contract.pdf encrypted.pdf
sign "an encrypted PDF is refused" 1 -- --format pades --in encrypted.pdf --out x.pdf --type contract
expect_one_error_line "the error says encrypted" "encrypted"
sign "a detached PAdES is refused" 1 -- --format pades --detached --in contract.pdf --out x.pdf --type contract
expect_one_error_line "the error says why" "cannot be detached"
sign "a non-PDF is refused" 1 -- --format pades --in pay.json --out x.pdf --type contract
[ ! -e x.pdf ] && pass "nothing written on refusal" || fail "x.pdf written"
evidence_verifies "PAdES B-LTA" "$out_lta" --document contract.pdf

# --- XAdES (EN 319 132-1): xmlsec1 verifies the XMLDSig core with our root trusted.
xmlsec_ok() {  # what file [url-map args...]
  local what=$1 f=$2; shift 2
  if r=$(xmlsec1 --verify --trusted-pem ca/root.pem --untrusted-pem ca/issuing.pem --id-attr:Id SignedProperties "$@" "$f" 2>&1); then
    pass "$what: xmlsec1 --verify"
  else fail "$what: xmlsec1: $r"; fi
}
printf '<?xml version="1.0" encoding="UTF-8"?>\n<Statement xmlns="urn:example:treasury"><Account>NL91ABNA0417164300</Account><Balance currency="EUR">1200.00</Balance></Statement>\n' >statement.xml
sign "XAdES B-B enveloped" 0 -- --format xades --in statement.xml --out statement-b.xml --type statement
xmlsec_ok "XAdES B-B enveloped" statement-b.xml
sign "XAdES B-LTA enveloped" 0 -- --format xades --level B-LTA --in statement.xml --out statement-lta.xml --type statement
out_x=$OUT
xmlsec_ok "XAdES B-LTA enveloped" statement-lta.xml
contains "B-LTA holds an archive time-stamp" "$(cat statement-lta.xml)" "ArchiveTimeStamp"
sign "XAdES B-T enveloping (not XML)" 0 -- --format xades --level B-T --in pay.json --out pay-x.xml --type payment
xmlsec_ok "XAdES enveloping" pay-x.xml
sign "XAdES B-LT detached" 0 -- --format xades --level B-LT --detached --in pay.json --out pay-detached.xml --type payment
xmlsec_ok "XAdES detached" pay-detached.xml --url-map:pay.json pay.json
sed 's/1200.00/9200.00/' statement-b.xml >statement-forged.xml
xmlsec1 --verify --trusted-pem ca/root.pem --untrusted-pem ca/issuing.pem --id-attr:Id SignedProperties statement-forged.xml >/dev/null 2>&1 &&
  fail "xmlsec1 accepts a changed value" || pass "xmlsec1 refuses a changed value"
expect_exit 0 "extend XAdES B-B to B-LTA" -- "$QUALSIG" --data d extend statement-b.xml --to B-LTA --out statement-ext.xml
xmlsec_ok "XAdES extended" statement-ext.xml
evidence_verifies "XAdES B-LTA" "$out_x" --document statement.xml
printf '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><r>&c;</r>' >laughs.xml
sign "an XML document with entities is refused" 1 -- --format xades --in laughs.xml --out x.xml --type statement
[ ! -e x.xml ] && pass "nothing written on refusal" || fail "x.xml written"

"$QUALSIG" --data d audit verify >/dev/null && pass "audit log verifies after the formats" || fail "audit verify"
finish
