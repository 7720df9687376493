#!/usr/bin/env bash
# Remote signing service benchmark (issue 9): CSC signatures/signHash requests per second over
# HTTPS keep-alive (wrk -t2 + bench/csc/signhash.lua, one pre-authorized hash per request, 64
# per SAD, distinct documents), p50/p99 latency and server RSS, beside the raw HSM digest-signing
# rate measured in the same run (sign_bench --benchmark_filter=RawHsmDigestSign).
#
# Rows: SQLite at peak (16 and 64 connections); SQLite at about half of the peak rate (16
# connections, each request delayed so that the total aims at peak / 2: wrk2 is not available);
# PostgreSQL (a throw-away cluster, scripts/pg-cluster; fsync off there, see BENCHMARKS.md);
# two nodes on that PostgreSQL (wrk against each at once, aggregate rate).
#
# usage: bench/csc/run.sh [qualsig] [bench-dir]   (defaults: build/release/qualsig, build/release/bench)
#   DURATION=20 (seconds per row)
#   KEY_TYPE=ec-p256 (the identity's key; ec-p384 measures the same flow with a key whose
#     signature costs ~15x more in the token, beside hsm_bench's P-384 HsmLayer rows)
#   ROWS=all (or sqlite: the SQLite rows only)
set -euo pipefail
[ -n "${TRACE:-}" ] && set -x
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
Q=$(realpath "${1:-$ROOT/build/release/qualsig}")
BENCH=$(realpath "${2:-$ROOT/build/release/bench}")
DURATION=${DURATION:-20}
KEY_TYPE=${KEY_TYPE:-ec-p256}
ROWS=${ROWS:-all}
case "$KEY_TYPE" in
  ec-p256 | ec-p384) ;;
  *) echo "KEY_TYPE must be ec-p256 or ec-p384 (preauthorize.py asks for ECDSA)" >&2; exit 2 ;;
esac
# shellcheck source=bench/csc/lib.sh
. "$ROOT/bench/csc/lib.sh"
W=$(mktemp -d /tmp/qualsig-csc-bench.XXXXXX)
PGDIR=$(mktemp -u /tmp/qualsig-csc-bench-pg.XXXXXX)
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  (cd / && "$ROOT/scripts/pg-cluster" stop "$PGDIR" >/dev/null 2>&1) || true
  rm -rf "$W"
}
trap cleanup EXIT
cd "$W"

echo "== $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$KEY_TYPE" = ec-p256 ]; then
  echo "== raw HSM digest signing (same identity-key shape: P-256 in SoftHSM2, through the HSM layer)"
  "$BENCH/sign_bench" --benchmark_filter=RawHsmDigestSign --benchmark_min_time=2 2>/dev/null | grep RawHsm
else
  echo "== raw HSM digest signing (same identity-key shape: P-384 in SoftHSM2, through the HSM layer)"
  "$BENCH/hsm_bench" --benchmark_filter='HsmLayer/P384' 2>/dev/null | grep HsmLayer
fi

rss_sampler() {  # PID -> prints the largest VmRSS (KiB) seen until killed, on SIGTERM
  local pid=$1 max=0 kb
  trap 'echo $max; exit 0' TERM
  while kill -0 "$pid" 2>/dev/null; do
    kb=$(rss_kib "$pid")
    [ "${kb:-0}" -gt "$max" ] && max=$kb
    sleep 0.5
  done
  echo $max
}
report() {  # NAME CONNECTIONS OUT RSS_KB
  local signed errs ran_out
  signed=$(v signhash_signed "$3"); errs=$(awk '$1 == "signhash_non_2xx" {print $2}' <<<"$3")
  ran_out=$(v signhash_threads_ran_out "$3")
  local rss=n/a
  [ -n "$4" ] && rss=$(printf '%.1f MiB' "$(echo "$4 / 1024" | bc -l)")
  printf '%-44s c=%-3s %7.1f signHash/s  p50 %7s ms  p99 %7s ms  server RSS max %9s  non-2xx %s%s\n' \
    "$1" "$2" "$(echo "$signed / $DURATION" | bc -l)" "$(v signhash_p50_ms "$3")" "$(v signhash_p99_ms "$3")" \
    "$rss" "$errs" "$([ "$ran_out" = 0 ] || echo ' (bodies ran out: rate understated)')"
  LAST_RATE=$(echo "$signed / $DURATION" | bc -l)
}
# bench_node NAME DIR PORT PID: calibration, peak at 16 and 64 connections, half of the peak
bench_node() {
  local name=$1 port=$3 pid=$4 rate need peak=0 c
  login "$port"
  # Enough bodies that the 5 s calibration does not run out at a few thousand per second (when
  # it does, signed / 5 s understates the rate: the estimate is tripled). Each peak row gets
  # twice what the calibrated rate needs: a row that still runs out says so in its line.
  preauthorize "$port" 12800 cal.jsonl
  wrk_run "$port" cal.jsonl 64 5
  rate=$(( $(v signhash_signed "$OUT") / 5 + 1 ))
  [ "$(v signhash_threads_ran_out "$OUT")" = 0 ] || rate=$((rate * 3))
  need=$(( rate * DURATION * 2 + 1280 ))
  for c in 16 64; do
    preauthorize "$port" "$need" "peak$c.jsonl"
    rss_sampler "$pid" > rss.out & local sp=$!
    wrk_run "$port" "peak$c.jsonl" "$c" "$DURATION"
    kill -TERM "$sp"; wait "$sp" || true
    report "$name, peak" "$c" "$OUT" "$(cat rss.out)"
    [ "$(echo "$LAST_RATE > $peak" | bc)" = 1 ] && peak=$LAST_RATE
    rm -f "peak$c.jsonl"
  done
  PEAK=$peak
  # One connection: the latency of a request with nothing queued, i.e. what one signHash costs.
  local one
  one=$(printf '%.0f' "$(echo "$peak * $DURATION + 640" | bc -l)")
  preauthorize "$port" "$one" one.jsonl
  wrk_run "$port" one.jsonl 1 "$DURATION"
  report "$name, one client" 1 "$OUT" ""
  local half
  half=$(printf '%.0f' "$(echo "$peak / 2" | bc -l)")
  preauthorize "$port" "$(( half * DURATION * 13 / 10 + 640 ))" half.jsonl
  rss_sampler "$pid" > rss.out & local sp=$!
  wrk_run "$port" half.jsonl 16 "$DURATION" "$half"
  kill -TERM "$sp"; wait "$sp" || true
  report "$name, aiming at half of peak ($half/s)" 16 "$OUT" "$(cat rss.out)"
  rm -f half.jsonl cal.jsonl
  # Durability per request: fsync/fdatasync calls of the server (all threads) under strace,
  # one client, divided by the signatures made meanwhile (strace slows the server: count only).
  if [ -n "${STRACE:-1}" ] && command -v strace >/dev/null; then
    preauthorize "$port" "$one" one.jsonl
    strace -f -c -e trace=fsync,fdatasync -o strace.out -p "$pid" 2>/dev/null & local st=$!
    sleep 1
    wrk_run "$port" one.jsonl 1 "$(( DURATION / 2 ))"
    kill -INT "$st"; wait "$st" || true
    printf '%-44s %s fsync + %s fdatasync calls for %s signatures (%s per signHash)\n' "$name, durability" \
      "$(awk '$NF == "fsync" {n = $4} END {print n + 0}' strace.out)" "$(awk '$NF == "fdatasync" {n = $4} END {print n + 0}' strace.out)" \
      "$(v signhash_signed "$OUT")" \
      "$(awk -v n="$(v signhash_signed "$OUT")" '$NF == "fsync" || $NF == "fdatasync" {s += $4} END {printf "%.1f", n ? s / n : 0}' strace.out)"
  fi
  rm -f one.jsonl
}

echo "== signHash over HTTPS keep-alive, wrk -t2, ${DURATION}s per row (the server has $(nproc) I/O threads)"
setup sq
serve sq
bench_node "SQLite" sq "$PORT" "$PID"
kill -TERM "$PID"; wait "$PID" || true
[ "$ROWS" = sqlite ] && exit 0

URL=$(cd / && "$ROOT/scripts/pg-cluster" start "$PGDIR")
printf '{"database": {"url": "%s"}}\n' "$URL" > template.json
rm -rf ca
setup pg template.json
serve pg
P1=$PORT; PID1=$PID
bench_node "PostgreSQL" pg "$P1" "$PID1"

# Two nodes: a copy of the data dir (same database, same token), wrk on both at once.
cp -a pg pg2
rm -rf pg2/tokens  # one token: pg2/softhsm2.conf keeps naming pg/tokens (see tests/integration/two_nodes_test.sh)
serve pg2
P2=$PORT; PID2=$PID
login "$P1"
need=$(printf '%.0f' "$(echo "$PEAK * $DURATION * 1.5 / 2 + 640" | bc -l)")
preauthorize "$P1" "$need" two1.jsonl
preauthorize "$P2" "$need" two2.jsonl
for n in 1 2; do
  port_var=P$n; pid_var=PID$n
  rss_sampler "${!pid_var}" > "rss$n.out" &
  eval "SP$n=$!"
  SIGNHASH_BODIES=two$n.jsonl SIGNHASH_TOKEN=$TOKEN SIGNHASH_THREADS=2 \
    wrk -t2 -c32 -d"$DURATION"s --timeout 30s --latency -s "$ROOT/bench/csc/signhash.lua" "https://localhost:${!port_var}" >"wrk$n.out" 2>&1 &
  eval "WRK$n=$!"
done
wait "$WRK1" "$WRK2"
kill -TERM "$SP1" "$SP2"; wait "$SP1" "$SP2" || true
report "two nodes on PostgreSQL, node 1" 32 "$(cat wrk1.out)" "$(cat rss1.out)"; r1=$LAST_RATE
report "two nodes on PostgreSQL, node 2" 32 "$(cat wrk2.out)" "$(cat rss2.out)"; r2=$LAST_RATE
printf '%-44s       %7.1f signHash/s\n' "two nodes on PostgreSQL, aggregate" "$(echo "$r1 + $r2" | bc -l)"
