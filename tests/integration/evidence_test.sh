#!/usr/bin/env bash
# Evidence bundles through the CLI: export after an approved signature, verify offline with the
# data directory moved away, and one changed element at a time makes verification fail naming it.
source "$(dirname "$0")/lib.sh"

"$QUALSIG" --data d init >/dev/null
"$QUALSIG" --data d identity register --name po-agent --kind ai-agent --sponsor "Procurement Lead" >/dev/null
"$QUALSIG" --data d identity proof po-agent --method sponsor --by admin-a >/dev/null
"$QUALSIG" --data d identity confirm po-agent --by admin-b >/dev/null
"$QUALSIG" --data d cert issue --identity po-agent >/dev/null
for p in alice bob; do "$QUALSIG" --data d person add $p@acme.example --group finance-approvers --token-out $p.tok >/dev/null; done
cat >po.json <<'P'
{"schema": "qualsig-policy/1", "name": "po", "version": 1, "document_types": ["purchase-order"],
 "approvals": [{"above": {"EUR": "25000.00"}, "required": 2, "group": "finance-approvers", "valid_for": "72h"}]}
P
"$QUALSIG" --data d policy set --identity po-agent --file po.json >/dev/null
printf 'PURCHASE ORDER 7: 48,000.00 EUR to ACME-SUPPLIES-BV\n' >po.txt
set +e
"$QUALSIG" --json --data d sign --identity po-agent --in po.txt --out po.p7s --detached --level B-LTA --type purchase-order \
  --attr amount=48000.00 --attr currency=EUR >req.json
set -e
REQ=$(python3 -c 'import json; print(json.load(open("req.json"))["request_id"])')
"$QUALSIG" --data d approve "$REQ" --as alice@acme.example --token-file alice.tok >/dev/null
"$QUALSIG" --data d approve "$REQ" --as bob@acme.example --token-file bob.tok >/dev/null
expect_exit 0 "approved purchase order signed (B-LTA)" -- "$QUALSIG" --json --data d sign --request "$REQ" --in po.txt --out po.p7s
SIG=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["signature_id"])' <<<"$OUT")
"$QUALSIG" --data d ca export --out ca >/dev/null

expect_exit 0 "export with the document" -- "$QUALSIG" --data d evidence export "$SIG" --out bundle.json --document po.txt
expect_exit 0 "export hash only" -- "$QUALSIG" --data d evidence export "$SIG" --out hash-only.json --without-document
expect_exit 1 "export with another document" -- "$QUALSIG" --data d evidence export "$SIG" --out x.json --document ca/root.pem
expect_one_error_line "not the signed document" "not the signed document"
expect_exit 1 "export of an unknown signature" -- "$QUALSIG" --data d evidence export sig-nope --out x.json
[ -e x.json ] && fail "a failed export wrote a file" || pass "nothing written by a failed export"

# Offline: the data directory is gone.
mv d d.away
expect_exit 0 "verify offline with the data directory moved away" -- "$QUALSIG" evidence verify bundle.json --html report.html
contains "verdict" "$OUT" "VERIFIED"
contains "identity named" "$OUT" "po-agent"
contains "both approvers named" "$OUT" "alice@acme.example"
contains "both approvers named" "$OUT" "bob@acme.example"
contains "sponsor named" "$OUT" "Procurement Lead"
contains "not presented as EU-qualified" "$OUT" "trusted list"
[ -s report.html ] && pass "HTML report written" || fail "no HTML report"
grep -qiE '(src|href)="https?:' report.html && fail "HTML report loads external resources" || pass "HTML report is standalone"
expect_exit 0 "hash-only bundle verifies" -- "$QUALSIG" evidence verify hash-only.json
expect_exit 0 "pinned root and log key" -- "$QUALSIG" evidence verify bundle.json --root ca/root.pem
expect_exit 0 "--json report" -- "$QUALSIG" --json evidence verify bundle.json
contains "verified true" "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["verified"])' <<<"$OUT")" "True"

# One changed element at a time: verification fails and names it.
tamper() {  # tamper WHAT ELEMENT PYTHON-EXPR-ON-j
  python3 - "$3" <<'P' >t.json
import json, sys, base64
j = json.load(open("bundle.json"))
def flip(b64s, at=-40):
    b = bytearray(base64.b64decode(b64s)); b[at] ^= 0x01; return base64.b64encode(bytes(b)).decode()
exec(sys.argv[1])
print(json.dumps(j))
P
  expect_exit 1 "$1" -- "$QUALSIG" evidence verify t.json
  contains "$1: names $2" "$OUT$ERR" "$2"
}
tamper "a byte of the document" "document" 'j["document"]["content"] = flip(j["document"]["content"], 3)'
tamper "a byte of the signature" "signature" 'j["signature"]["der"] = flip(j["signature"]["der"], -10)'
tamper "a proof hash" "log.entries" 'j["log"]["entries"][2]["proof"][0] = flip(j["log"]["entries"][2]["proof"][0], 0)'
tamper "an approval's time" "approvals" 'j["approvals"][0]["time"] = "2026-01-01T00:00:00Z"'
tamper "the policy text" "policy" 'j["policy"]["document"]["approvals"][0]["required"] = 1'
tamper "the checkpoint signature" "log.checkpoint" 'c = j["log"]["checkpoint"]; i = c.rindex(" ") + 5; j["log"]["checkpoint"] = c[:i] + ("A" if c[i] != "A" else "B") + c[i+1:]'
tamper "the sponsor" "identity" 'j["identity"]["sponsor"] = "Someone Else"'
tamper "the chain" "chain" 'j["certificates"]["chain"][1] = j["certificates"]["service"][0]'
expect_exit 1 "pinned to another root" -- "$QUALSIG" evidence verify bundle.json --root ca/tsa.pem
: >empty.json
expect_exit 1 "empty bundle" -- "$QUALSIG" evidence verify empty.json
expect_one_error_line "empty bundle named" "bundle:"
head -c 5000 /dev/urandom >junk.json
expect_exit 1 "random bytes" -- "$QUALSIG" evidence verify junk.json
expect_exit 1 "missing file" -- "$QUALSIG" evidence verify nope.json
mv d.away d
finish
