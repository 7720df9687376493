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
W=$(mktemp -d /tmp/qualsig-csc-ab.XXXXXX)
# shellcheck source=bench/csc/lib.sh
. "$ROOT/bench/csc/lib.sh"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$W"
}
trap cleanup EXIT

# turn NAME QUALSIG: one fresh service, one row.
turn() {
  local name=$1 d t0 t1
  Q=$2
  d=$(mktemp -d "$W/turn.XXXXXX")
  cd "$d"
  setup sq
  serve sq
  login "$PORT"
  preauthorize "$PORT" "$BODIES" bodies.jsonl
  t0=$(awk '{print $14 + $15}' "/proc/$PID/stat")
  wrk_run "$PORT" bodies.jsonl "$CONNECTIONS" "$DURATION"
  t1=$(awk '{print $14 + $15}' "/proc/$PID/stat")
  kill "$PID"; wait "$PID" 2>/dev/null || true
  printf '%-4s %8.1f signHash/s  p50 %7s ms  p99 %7s ms  server CPU %5.1f s%s\n' "$name" \
    "$(echo "$(v signhash_signed "$OUT") / $DURATION" | bc -l)" "$(v signhash_p50_ms "$OUT")" "$(v signhash_p99_ms "$OUT")" \
    "$(echo "($t1 - $t0) / $(getconf CLK_TCK)" | bc -l)" \
    "$([ "$(v signhash_bodies_left "$OUT")" = 0 ] && echo '  (all bodies signed: a lower bound)')"
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
