#!/usr/bin/env bash
# Load on `qualsig serve` (issue 9, "Tests that must exist": 64 concurrent keep-alive clients for
# 60 s, no errors, RSS stable, the log verifies afterwards). SQLite store.
#
#   1. an identity with a certificate, a policy (invoices up to 250 000 EUR, SADs valid 30 min),
#      a signer API client and its OAuth 2.0 token, as in csc_test.sh;
#   2. calibration: 768 hashes pre-authorized (bench/csc/preauthorize.py, 64 per SAD) and a
#      5 s wrk run on them at full speed — it measures this build's signHash rate and warms the
#      server up;
#   3. the load aims at 3/4 of that rate (bench/csc/signhash.lua's SIGNHASH_RATE: each of the 64
#      connections waits a random delay around 64 / rate before each request), so it can never
#      consume more than the hashes pre-authorized for it, 60 s at that rate + 15 %: wrk -t2
#      -c64, 60 s of signHash (every body names one pre-authorized hash, sent once), then 4 s of
#      GET /healthz so that no signHash response is in flight when wrk stops. (Run at full
#      speed, the load once outran its bodies: the server signed 98/s in the load after 62/s in
#      the calibration. Capped, a calibration that under- or overestimates the rate only makes
#      the load lighter than aimed at, never short.)
#   4. checks: every response 2xx (wrk's and the script's own status counts), no socket errors,
#      the bodies did not run out (the load lasted the 60 s), the server's RSS stable (below),
#      the server up, signatures rows = signature.produced log entries = 200 responses, a sample
#      of the stored signatures verified by openssl against the credential's certificate,
#      `qualsig audit verify`, and a clean exit on SIGTERM (under ASan that includes LeakSanitizer).
#
# RSS bound: RSS is sampled from /proc/PID/status every 2 s during the 60 s run; the largest
# sample of the last third may exceed the largest of the first third by at most 4 MiB + 1 %.
# The warm-up (step 2) has already grown the allocator arenas, the TLS state of 64 connections
# and the statement caches, and ASan's quarantine of freed memory is capped at 16 MiB for the
# server here so that it is full before the measurement (its default, 256 MiB, would look like
# growth). About 40 s of load lie between the two thirds, so a leak of L bytes per request at R
# requests/s shows as L * R * 40 s: under ASan (RSS ~470 MiB, ~40 requests/s on the 2-core CI
# VM) the bound is ~8.7 MiB, i.e. leaks from ~5.5 KiB per request fail; in a release build
# (~43 MiB, 100-300 requests/s) it is ~4.4 MiB, i.e. from ~0.4-1 KiB per request. Observed noise:
# ~2 MiB under ASan once the draining phase is left out (a one-off step of ~4.7 MiB came at its
# start), 0.3 MiB in release (plus one 2 MiB step). Leaks of unreachable memory of
# any size are caught by LeakSanitizer when the server exits (the last check).
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
command -v wrk >/dev/null || { fail "wrk is not installed"; finish; }

"$QUALSIG" --data d init >/dev/null
"$QUALSIG" --data d ca export --out ca >/dev/null
"$QUALSIG" --data d identity register --name invoice-bot --kind service-account --sponsor "Finance Lead" >/dev/null
"$QUALSIG" --data d identity proof invoice-bot --method sponsor --by admin-a >/dev/null
"$QUALSIG" --data d identity confirm invoice-bot --by admin-b >/dev/null
"$QUALSIG" --data d cert issue --identity invoice-bot --out leaf.pem >/dev/null
openssl x509 -in leaf.pem -pubkey -noout > leaf.pub
cat >policy.json <<'P'
{"schema": "qualsig-policy/1", "name": "load-test", "version": 1,
 "document_types": ["invoice"], "max_amount": {"EUR": "250000.00"},
 "approvals": [{"above": {"EUR": "10000.00"}, "required": 2, "group": "finance-approvers", "valid_for": "72h"}],
 "activation": {"sad_valid_for": "30m"}}
P
"$QUALSIG" --data d policy set --identity invoice-bot --file policy.json >/dev/null
read -r BOT_ID BOT_SECRET < <("$QUALSIG" --data d --json api-client add --principal identity:invoice-bot --role signer |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["client_id"], d["client_secret"])')
[ -n "$BOT_SECRET" ] && pass "identity, policy and API client set up" || { fail "setup"; finish; }

# ASan's quarantine capped (see the RSS bound above); the rest of ASAN_OPTIONS as CTest sets it.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16" \
  "$QUALSIG" --data d serve --listen 127.0.0.1:0 --http-listen off >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
SAMPLER_PID=
trap 'kill -9 $SERVER_PID $SAMPLER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 300); do grep -q "^serving" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
HTTPS=$(grep -o 'https://[0-9.:]*' "$WORK/serve.out" | sed 's/127.0.0.1/localhost/')
PORT=${HTTPS##*:}
[ -n "$PORT" ] && pass "serve started" || { fail "serve did not start: $(cat "$WORK/serve.err")"; finish; }
CURL=(curl -s --cacert ca/root.pem --resolve "localhost:$PORT:127.0.0.1")
TOKEN=$("${CURL[@]}" -X POST --data-urlencode grant_type=client_credentials --data-urlencode "client_id=$BOT_ID" \
  --data-urlencode "client_secret=$BOT_SECRET" "$HTTPS/oauth2/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
CRED=$("${CURL[@]}" -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{}' \
  "$HTTPS/csc/v2/credentials/list" | python3 -c 'import json,sys; print(json.load(sys.stdin)["credentialIDs"][0])')
[ -n "$CRED" ] && pass "token and credential" || { fail "no credential"; finish; }
CLIENT_DATA='{"qualsig":{"document_type":"invoice","attributes":{"amount":"120.00","currency":"EUR"}}}'

preauthorize() {  # COUNT OUT
  python3 "$ROOT/bench/csc/preauthorize.py" "https://localhost:$PORT" ca/root.pem "$TOKEN" "$CRED" "$1" "$2" \
    --parallel 16 --client-data "$CLIENT_DATA"
}
# SECONDS of signHash, then 4 s of draining (bench/csc/signhash.lua: no response is lost)
signhash_load() {  # BODIES SECONDS [RATE] -> wrk output in $WRK_OUT
  WRK_OUT=$(SIGNHASH_BODIES=$1 SIGNHASH_TOKEN=$TOKEN SIGNHASH_THREADS=2 SIGNHASH_SECONDS=$2 \
    SIGNHASH_RATE=${3:-} SIGNHASH_CONNECTIONS=64 \
    wrk -t2 -c64 -d"$(($2 + 4))"s --timeout 30s --latency -s "$ROOT/bench/csc/signhash.lua" "https://localhost:$PORT" 2>&1)
}
wrk_value() { awk -v k="$1" '$1 == k {print $2}' <<<"$WRK_OUT"; }

# --- calibration and warm-up ---
OUT=$(preauthorize 768 warmup.jsonl) && pass "pre-authorized for the warm-up: $OUT" || { fail "preauthorize: $OUT"; finish; }
signhash_load warmup.jsonl 5
WARM_SIGNED=$(wrk_value signhash_signed)
[ "$(wrk_value signhash_non_2xx)" = 0 ] && pass "warm-up: $WARM_SIGNED signatures, no errors" || fail "warm-up errors: $WRK_OUT"
RATE=$(( (WARM_SIGNED + 4) / 5 ))
# Ran out of bodies: the rate is at least this, and the estimate is doubled.
[ "$(wrk_value signhash_threads_ran_out)" != 0 ] && RATE=$((RATE * 2))
SECS=${LOAD_SECONDS:-60}
TARGET=$(( RATE * 3 / 4 > 8 ? RATE * 3 / 4 : 8 ))
NEED=$(( TARGET * SECS * 115 / 100 + 640 ))
echo "calibration: ~$RATE signHash/s at 64 connections; the load aims at $TARGET/s; pre-authorizing $NEED hashes for $SECS s"
OUT=$(preauthorize "$NEED" load.jsonl) && pass "pre-authorized: $OUT" || { fail "preauthorize: $OUT"; finish; }

# --- 60 s of load, RSS sampled every 2 s ---
# Sampled while signHash requests run only (SECS), not during wrk's draining.
(for _ in $(seq 1 $((SECS / 2 - 1))); do
   kill -0 "$SERVER_PID" 2>/dev/null || break
   awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null; sleep 2
 done) >rss.kb &
SAMPLER_PID=$!
BEFORE=$(sqlite3 d/qualsig.db 'select count(*) from signatures')
signhash_load load.jsonl "$SECS" "$TARGET"
wait "$SAMPLER_PID" 2>/dev/null || true
echo "$WRK_OUT" | grep -vE '^signhash_' | sed 's/^/  wrk: /'
SIGNED=$(wrk_value signhash_signed)
NON2XX=$(awk '$1 == "signhash_non_2xx"' <<<"$WRK_OUT")
[ "$(wrk_value signhash_non_2xx)" = 0 ] && pass "no non-2xx responses among $SIGNED" || fail "non-2xx responses (status:count): $NON2XX"
grep -q "Non-2xx or 3xx responses" <<<"$WRK_OUT" && fail "wrk counted non-2xx responses" || pass "wrk counted no non-2xx response"
grep -q "Socket errors" <<<"$WRK_OUT" && fail "socket errors: $(grep 'Socket errors' <<<"$WRK_OUT")" || pass "no socket errors"
[ "$(wrk_value signhash_threads_ran_out)" = 0 ] && pass "the load lasted $SECS s ($(wrk_value signhash_bodies_left) bodies left)" ||
  fail "the pre-authorized bodies ran out before $SECS s: the rate cap did not hold"
[ "${SIGNED:-0}" -ge 64 ] && pass "$SIGNED signHash responses in $SECS s ($((SIGNED / SECS))/s)" ||
  fail "only ${SIGNED:-0} signatures in $SECS s"

# --- RSS stable ---
python3 - rss.kb "$SIGNED" <<'P' && pass "RSS stable" || fail "RSS grew during the load: $(tr '\n' ' ' < rss.kb)"
import sys
kb = [int(x) for x in open(sys.argv[1]).read().split()]
signed = int(sys.argv[2])
if len(kb) < 9:
    print("too few RSS samples: %d" % len(kb)); sys.exit(1)
third = len(kb) // 3
first, last = max(kb[:third]), max(kb[-third:])
bound = first * 1.01 + 4 * 1024
between = signed * (len(kb) - third) / len(kb)  # requests between the two thirds, about
print("RSS (KiB): first third max %d, last third max %d, bound %d (a leak of %.1f KiB per request would reach it)"
      % (first, last, bound, (bound - first) / max(between, 1)))
print("RSS samples (KiB): %s" % kb)
sys.exit(0 if last <= bound else 1)
P

# --- the server is up, the counts agree, signatures verify, the log verifies ---
kill -0 "$SERVER_PID" 2>/dev/null && "${CURL[@]}" -sf "$HTTPS/healthz" >/dev/null && pass "server still up" || fail "server down"
AFTER=$(sqlite3 d/qualsig.db 'select count(*) from signatures')
WARM_AND_LOAD=$((WARM_SIGNED + SIGNED))
[ "$AFTER" = "$WARM_AND_LOAD" ] && pass "signatures rows = 200 responses ($AFTER)" ||
  fail "signatures rows $AFTER (before the load $BEFORE), 200 responses $WARM_AND_LOAD"
PRODUCED=$(sqlite3 d/qualsig.db "select count(*) from audit_log where json_extract(entry, '\$.event') = 'signature.produced'")
[ "$PRODUCED" = "$AFTER" ] && pass "signature.produced log entries = signatures ($PRODUCED)" ||
  fail "signature.produced entries $PRODUCED, signatures $AFTER"
CONSUMED=$(sqlite3 d/qualsig.db 'select count(*) from sads where consumed_at is not null')
[ "$CONSUMED" = "$AFTER" ] && pass "consumed SADs = signatures ($CONSUMED)" || fail "consumed SADs $CONSUMED, signatures $AFTER"
# A sample of the stored signatures, checked by openssl over the hash each signed.
i=0
while IFS='|' read -r hash sighex; do
  printf '%s' "${hash#sha256:}" | xxd -r -p > h.bin
  printf '%s' "$sighex" | xxd -r -p > s.der
  expect_exit 0 "stored signature $i verifies with openssl" -- openssl pkeyutl -verify -pubin -inkey leaf.pub -in h.bin -sigfile s.der
  i=$((i + 1))
done < <(sqlite3 d/qualsig.db "select document_hash, hex(signature) from signatures order by random() limit 5")
expect_exit 0 "audit log verifies after the load" -- "$QUALSIG" --data d audit verify
kill -TERM "$SERVER_PID"
set +e; wait "$SERVER_PID"; rc=$?; set -e
[ "$rc" = 0 ] && pass "graceful shutdown, exit 0 (no leak reported)" || fail "serve exit $rc: $(tail -n 30 "$WORK/serve.err")"
finish
