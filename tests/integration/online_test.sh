#!/usr/bin/env bash
# `qualsig verify --online` (EN 319 102-1 §5.2.5 with fetched revocation data): a signature
# without revocation data inside validates once its OCSP response / CRL is fetched from the
# URLs in the certificates, which point at a `qualsig serve` on loopback. openssl ocsp asks the
# same responder independently and must agree (good, then revoked). Responders that are down,
# answer garbage, too much, an error status, or nothing at all leave the data missing
# (INDETERMINATE / TRY_LATER, each reason reported) within the timeout: no crash, no hang.
source "$(dirname "$0")/lib.sh"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
"$QUALSIG" --data d init --base-url "$BASE" >/dev/null
"$QUALSIG" --data d ca export --out ca >/dev/null
"$QUALSIG" --data d identity register --name po-agent --kind ai-agent --sponsor "Procurement Lead" >/dev/null
"$QUALSIG" --data d identity proof po-agent --method sponsor --by admin-a >/dev/null
"$QUALSIG" --data d identity confirm po-agent --by admin-b >/dev/null
"$QUALSIG" --data d cert issue --identity po-agent >/dev/null
SERIAL=$("$QUALSIG" --data d --json cert list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["serial"])')
"$QUALSIG" --data d cert export "$SERIAL" --out signer.pem >/dev/null
printf '{"schema": "qualsig-policy/1", "name": "po", "version": 1, "document_types": ["purchase-order"]}' >p.json
"$QUALSIG" --data d policy set --identity po-agent --file p.json >/dev/null
printf 'PURCHASE ORDER 8: 12,500.00 EUR\n' >po.txt
"$QUALSIG" --data d sign --identity po-agent --in po.txt --out po-b.p7s --detached --level B-B --type purchase-order >/dev/null
"$QUALSIG" --data d sign --identity po-agent --in po.txt --out po-t.p7s --detached --level B-T --type purchase-order >/dev/null
"$QUALSIG" --data d sign --identity po-agent --in po.txt --out po-lt.p7s --detached --level B-LT --type purchase-order >/dev/null
printf '{"order": 8, "amount": "12500.00"}' >po.json
"$QUALSIG" --data d sign --identity po-agent --format jades --in po.json --out po.jws --type purchase-order >/dev/null
V=(--trust-anchor ca/root.pem)
sub_of() { python3 -c 'import json,sys; s=json.loads(sys.argv[1])["signatures"][0]; print(s["indication"], s.get("subIndication",""))' "$1"; }

# Offline, nothing is fetched: the revocation data is missing.
expect_exit 1 "B-B offline: not TOTAL-PASSED" -- "$QUALSIG" --json verify po-b.p7s --detached po.txt "${V[@]}"
contains "B-B offline: TRY_LATER" "$(sub_of "$OUT")" "INDETERMINATE TRY_LATER"
contains "offline: nothing fetched" "$(python3 -c 'import json,sys; print("fetched" in json.loads(sys.argv[1]))' "$OUT")" "False"

# B-LT carries its revocation data: --online fetches nothing (the responder is not even up).
expect_exit 0 "B-LT online: TOTAL-PASSED without fetching" -- "$QUALSIG" --json verify po-lt.p7s --detached po.txt "${V[@]}" --online
contains "B-LT: nothing fetched" "$(python3 -c 'import json,sys; print("fetched" in json.loads(sys.argv[1]))' "$OUT")" "False"

# Online, the responder is down: a refused connection is reported at once, not after a timeout.
expect_exit 1 "B-B online, responder down" -- "$QUALSIG" verify po-b.p7s --detached po.txt "${V[@]}" --online
contains "responder down: reason reported" "$OUT" "fetched: OCSP $BASE/ocsp for CN=po-agent.*Connection refused"
contains "responder down: TRY_LATER" "$OUT" "TRY_LATER"

# Online, with the service up: OCSP for the signer and the TSA, the root's CRL for the CA.
"$QUALSIG" --data d serve --listen 127.0.0.1:0 --http-listen "127.0.0.1:$PORT" >serve.out 2>serve.err &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do grep -q "^serving" serve.out 2>/dev/null && break; sleep 0.1; done
grep -q "^serving" serve.out || { fail "serve did not start: $(cat serve.err)"; finish; }
expect_exit 0 "openssl ocsp: the signer is good" -- openssl ocsp -issuer ca/issuing.pem -cert signer.pem -url "$BASE/ocsp" -CAfile ca/root.pem
contains "openssl ocsp says good" "$OUT" "signer.pem: good"
expect_exit 0 "B-B online: TOTAL-PASSED" -- "$QUALSIG" --json verify po-b.p7s --detached po.txt "${V[@]}" --online
printf '%s' "$OUT" >online.json
python3 - online.json <<'PY' && pass "JSON lists what was fetched" || fail "JSON fetched: $(cat online.json)"
import json, sys
j = json.load(open(sys.argv[1]))
f = j["fetched"]
assert any(l.startswith("OCSP ") and "CN=po-agent" in l and l.endswith("response received") for l in f), f
assert any(l.startswith("CRL ") and "/crl/root.crl" in l and l.endswith("CRL received") for l in f), f
assert j["signatures"][0]["indication"] == "TOTAL-PASSED"
PY
expect_exit 0 "B-T online: TOTAL-PASSED" -- "$QUALSIG" verify po-t.p7s --detached po.txt "${V[@]}" --online
expect_exit 0 "JAdES B-B online: TOTAL-PASSED" -- "$QUALSIG" verify po.jws "${V[@]}" --online
# --at before the fetched data was produced: it did not exist then, so it is not used.
expect_exit 1 "online with --at in the past" -- "$QUALSIG" --json verify po-b.p7s --detached po.txt "${V[@]}" --online --at 2020-01-01T00:00:00Z
contains "data produced after --at is not used" "$(sub_of "$OUT")" "INDETERMINATE"

# Revoked: openssl and qualsig read the same answer. B-B has no proof of existence before the
# revocation; B-T's signature time-stamp is one, so it still validates (EN 319 102-1 §5.5.4).
"$QUALSIG" --data d cert revoke "$SERIAL" --reason keyCompromise >/dev/null
expect_exit 0 "openssl ocsp after revocation" -- openssl ocsp -issuer ca/issuing.pem -cert signer.pem -url "$BASE/ocsp" -CAfile ca/root.pem
contains "openssl ocsp says revoked" "$OUT" "signer.pem: revoked"
expect_exit 1 "B-B online after revocation" -- "$QUALSIG" --json verify po-b.p7s --detached po.txt "${V[@]}" --online
contains "B-B revoked: REVOKED_NO_POE" "$(sub_of "$OUT")" "INDETERMINATE REVOKED_NO_POE"
expect_exit 0 "B-T online after revocation: the time-stamp predates it" -- "$QUALSIG" verify po-t.p7s --detached po.txt "${V[@]}" --online
kill $SERVE; wait $SERVE 2>/dev/null || true

# Hostile responders on the certificates' port: every one leaves the data missing, with a reason.
for mode in garbage huge status hang slow; do
  python3 "$HERE/hostile_http.py" "$PORT" "$mode" >hostile.out 2>&1 &
  HOSTILE=$!
  for _ in $(seq 50); do grep -q ready hostile.out 2>/dev/null && break; sleep 0.1; done
  expect_exit 1 "responder $mode: not TOTAL-PASSED" -- timeout 60 "$QUALSIG" verify po-b.p7s --detached po.txt "${V[@]}" --online --online-timeout 2
  contains "responder $mode: TRY_LATER" "$OUT" "TRY_LATER"
  contains "responder $mode: the OCSP attempt is reported" "$OUT" "fetched: OCSP $BASE/ocsp for CN=po-agent"
  kill $HOSTILE; wait $HOSTILE 2>/dev/null || true
done

# Options.
expect_exit 2 "--online-timeout 0" -- "$QUALSIG" verify po-b.p7s --detached po.txt "${V[@]}" --online --online-timeout 0
expect_exit 2 "--online-timeout not a number" -- "$QUALSIG" verify po-b.p7s --detached po.txt "${V[@]}" --online --online-timeout soon
finish
