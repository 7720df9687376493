#!/usr/bin/env bash
# The floor of the HTTPS stack (issue 9's benchmark, for context): requests per second that
# `qualsig serve` answers when a request does nothing — GET /healthz and POST /csc/v2/info over
# TLS keep-alive, wrk -t2 on the same cores as the server, as bench/csc/run.sh measures signHash.
# What a signature may cost beyond it is bounded by this rate.
# usage: bench/csc/floor.sh [qualsig]   (DURATION=8 seconds per row)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
Q=$(realpath "${1:-$ROOT/build/release/qualsig}")
DURATION=${DURATION:-8}
# shellcheck source=bench/csc/lib.sh
. "$ROOT/bench/csc/lib.sh"
W=$(mktemp -d /tmp/qualsig-csc-floor.XXXXXX)
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"' EXIT
cd "$W"
echo "== $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
setup sq
serve sq
printf 'wrk.method = "POST"; wrk.body = "{}"; wrk.headers["Content-Type"] = "application/json"\n' >info.lua
for c in 16 64; do
  printf '%-36s c=%-3s ' "GET /healthz" "$c"
  wrk -t2 -c"$c" -d"${DURATION}"s --latency "https://localhost:$PORT/healthz" | awk '/Requests\/sec/ {r=$2} / 99%/ {p=$2} END {print r " requests/s, p99 " p}'
done
printf '%-36s c=%-3s ' "POST /csc/v2/info" 16
wrk -t2 -c16 -d"${DURATION}"s --latency -s info.lua "https://localhost:$PORT/csc/v2/info" | awk '/Requests\/sec/ {r=$2} / 99%/ {p=$2} END {print r " requests/s, p99 " p}'
