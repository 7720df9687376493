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
sign "JAdES B-LTA refused" 1 -- --format jades --level B-LTA --in pay.json --out x.json --type payment
expect_one_error_line "JAdES B-LTA error names the levels" "B-B, B-T and B-LT"
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

"$QUALSIG" --data d audit verify >/dev/null && pass "audit log verifies after the formats" || fail "audit verify"
finish
