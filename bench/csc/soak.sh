#!/usr/bin/env bash
# Does one qualsig server's memory keep growing under signHash load, or settle? (issue 9: "no
# leaked memory (RSS stable)"; BENCHMARKS.md asked it of the PostgreSQL store.) One server, ROUNDS
# rounds of wrk -t2 -cCONNECTIONS for DURATION seconds each, fresh pre-authorised bodies before
# every round; after each round the rate, p99 and the server's RSS. A leak shows as RSS rising by
# a similar amount every round; allocator arenas and caches rise in the first rounds, then stay.
#
# usage: bench/csc/soak.sh [qualsig] [sqlite|postgresql]   (default build/release/qualsig, postgresql)
#   ROUNDS=6, DURATION=20, CONNECTIONS=64, SETTLE=12 (idle seconds before the second RSS reading)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
Q=$(realpath "${1:-$ROOT/build/release/qualsig}")
STORE=${2:-postgresql}
ROUNDS=${ROUNDS:-6}
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-64}
# shellcheck source=bench/csc/lib.sh
. "$ROOT/bench/csc/lib.sh"
W=$(mktemp -d /tmp/qualsig-csc-soak.XXXXXX)
PGDIR=$(mktemp -u /tmp/qualsig-csc-soak-pg.XXXXXX)
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ "$STORE" = postgresql ] && { (cd / && "$ROOT/scripts/pg-cluster" stop "$PGDIR" >/dev/null 2>&1) || true; }
  rm -rf "$W"
}
trap cleanup EXIT
cd "$W"

echo "== $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, $STORE, $ROUNDS rounds of ${DURATION}s, $CONNECTIONS connections"
if [ "$STORE" = postgresql ]; then
  URL=$(cd / && "$ROOT/scripts/pg-cluster" start "$PGDIR")
  printf '{"database": {"url": "%s"}}\n' "$URL" > template.json
  setup d template.json
else
  setup d
fi
serve d
login "$PORT"
# RSS right after each round, and again after SETTLE seconds idle (the server trims its heap
# once a burst is over: server.cpp trim_when_idle).
SETTLE=${SETTLE:-12}
printf '%-8s %12s %10s %10s %14s %12s\n' round signHash/s p99_ms RSS_MiB "RSS_idle_MiB" signed_total
printf '%-8s %12s %10s %10.1f %14s %12s\n' start - - "$(echo "$(rss_kib "$PID") / 1024" | bc -l)" - 0
total=0
for r in $(seq 1 "$ROUNDS"); do
  need=${BODIES:-60000}
  preauthorize "$PORT" "$need" bodies.jsonl
  wrk_run "$PORT" bodies.jsonl "$CONNECTIONS" "$DURATION"
  signed=$(v signhash_signed "$OUT")
  total=$((total + signed))
  [ "$(v signhash_non_2xx "$OUT")" = 0 ] || echo "round $r: non-2xx answers: $(v signhash_non_2xx "$OUT")"
  after=$(rss_kib "$PID")
  sleep "$SETTLE"
  printf '%-8s %12.1f %10s %10.1f %14.1f %12s%s\n' "$r" "$(echo "$signed / $DURATION" | bc -l)" "$(v signhash_p99_ms "$OUT")" \
    "$(echo "$after / 1024" | bc -l)" "$(echo "$(rss_kib "$PID") / 1024" | bc -l)" "$total" \
    "$([ "$(v signhash_bodies_left "$OUT")" = 0 ] && echo '  (all bodies signed: raise BODIES)')"
  rm -f bodies.jsonl
done
"$Q" --data d audit verify >/dev/null && echo "audit log verifies after $total signatures"
