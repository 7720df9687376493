#!/usr/bin/env bash
# Back-to-back comparison of two qualsig builds on the SQLite signHash path (issue 9): the two
# binaries take turns, ROUNDS times, each turn on a fresh data dir with the same row as
# bench/csc/run.sh's "SQLite, peak" (wrk -t2 -c64, one pre-authorized hash per request), so
# that the VM's drift falls on both alike. Prints one line per turn: signHash/s, p50, p99 and
# the server's CPU seconds during the row.
#
# usage: bench/csc/ab.sh OLD_QUALSIG NEW_QUALSIG   (each beside its libqualsig-*.so modules)
#   ROUNDS=3, DURATION=15 (seconds per turn), CONNECTIONS=64, BODIES=40000 (per turn; a turn
#   that signs them all says so: its rate is then a lower bound)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 2 ] || { echo "usage: $0 OLD_QUALSIG NEW_QUALSIG" >&2; exit 2; }
A=$(realpath "$1")
B=$(realpath "$2")
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-64}
BODIES=${BODIES:-40000}
CLIENT_DATA='{"qualsig":{"document_type":"invoice","attributes":{"amount":"120.00","currency":"EUR"}}}'
W=$(mktemp -d /tmp/qualsig-csc-ab.XXXXXX)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT

# turn NAME QUALSIG: one fresh service, one row.
turn() {
  local name=$1 q=$2 d
  d=$(mktemp -d "$W/turn.XXXXXX")
  cd "$d"
  "$q" --data sq init >/dev/null
  "$q" --data sq identity register --name invoice-bot --kind service-account --sponsor "Finance Lead" >/dev/null
  "$q" --data sq identity proof invoice-bot --method sponsor --by admin-a >/dev/null
  "$q" --data sq identity confirm invoice-bot --by admin-b >/dev/null
  "$q" --data sq cert issue --identity invoice-bot >/dev/null
  printf '%s' '{"schema": "qualsig-policy/1", "name": "bench", "version": 1, "document_types": ["invoice"],
    "max_amount": {"EUR": "250000.00"}, "activation": {"sad_valid_for": "1h"}}' > policy.json
  "$q" --data sq policy set --identity invoice-bot --file policy.json >/dev/null
  "$q" --data sq ca export --out ca >/dev/null
  local id secret port token cred t0 t1
  read -r id secret < <("$q" --data sq --json api-client add --principal identity:invoice-bot --role signer |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["client_id"], d["client_secret"])')
  "$q" --data sq serve --listen 127.0.0.1:0 --http-listen off >serve.out 2>serve.err &
  PID=$!
  for _ in $(seq 1 100); do grep -q "^serving" serve.out 2>/dev/null && break; sleep 0.1; done
  port=$(grep -o 'https://[0-9.:]*' serve.out | sed 's/.*://')
  [ -n "$port" ] || { echo "serve did not start: $(cat serve.err)"; exit 1; }
  local c=(curl -sf --cacert ca/root.pem --resolve "localhost:$port:127.0.0.1")
  token=$("${c[@]}" -X POST --data-urlencode grant_type=client_credentials --data-urlencode "client_id=$id" \
    --data-urlencode "client_secret=$secret" "https://localhost:$port/oauth2/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  cred=$("${c[@]}" -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{}' \
    "https://localhost:$port/csc/v2/credentials/list" | python3 -c 'import json,sys; print(json.load(sys.stdin)["credentialIDs"][0])')
  python3 "$ROOT/bench/csc/preauthorize.py" "https://localhost:$port" ca/root.pem "$token" "$cred" "$BODIES" bodies.jsonl \
    --parallel 16 --client-data "$CLIENT_DATA" >/dev/null
  t0=$(awk '{print $14 + $15}' "/proc/$PID/stat")
  local out
  out=$(SIGNHASH_BODIES=bodies.jsonl SIGNHASH_TOKEN=$token SIGNHASH_THREADS=2 SIGNHASH_RATE= SIGNHASH_CONNECTIONS=$CONNECTIONS \
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION"s --timeout 30s --latency -s "$ROOT/bench/csc/signhash.lua" "https://localhost:$port" 2>&1)
  t1=$(awk '{print $14 + $15}' "/proc/$PID/stat")
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  v() { awk -v k="$1" '$1 == k {print $2}' <<<"$out"; }
  printf '%-4s %8.1f signHash/s  p50 %7s ms  p99 %7s ms  server CPU %5.1f s%s\n' "$name" \
    "$(echo "$(v signhash_signed) / $DURATION" | bc -l)" "$(v signhash_p50_ms)" "$(v signhash_p99_ms)" \
    "$(echo "($t1 - $t0) / $(getconf CLK_TCK)" | bc -l)" \
    "$([ "$(v signhash_bodies_left)" = 0 ] && echo '  (all bodies signed: a lower bound)')"
  cd "$W"
  rm -rf "$d"
}

echo "== $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== A = $A"
echo "== B = $B"
echo "== SQLite, wrk -t2 -c$CONNECTIONS, ${DURATION}s per turn, $ROUNDS rounds"
for _ in $(seq 1 "$ROUNDS"); do
  turn A "$A"
  turn B "$B"
done
