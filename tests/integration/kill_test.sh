#!/usr/bin/env bash
# init killed with SIGKILL at many points: afterwards the data directory is either absent or
# complete (status works), and the next init finishes the job.
source "$(dirname "$0")/lib.sh"

"$QUALSIG" --data warmup init >/dev/null  # the first run pays for cold caches
start=$(date +%s%N)
"$QUALSIG" --data timing init >/dev/null
total_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "one init takes ${total_ms} ms"

complete=0; absent=0
for i in $(seq 1 12); do
  d="k$i"
  delay_ms=$(( total_ms * i / 8 ))  # up to 1.5x the run time
  "$QUALSIG" --data "$d" init >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%03d' "$delay_ms")" 2>/dev/null || sleep "$((delay_ms / 1000))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -e "$d" ]; then
    if "$QUALSIG" --data "$d" status >/dev/null 2>"$WORK/err"; then
      complete=$((complete + 1))
    else
      fail "killed after ${delay_ms} ms: $d exists but is not a working service: $(cat "$WORK/err")"
    fi
  else
    absent=$((absent + 1))
  fi
  # The next init completes (and removes the dead process's staging directory).
  if "$QUALSIG" --data "$d" init >/dev/null 2>"$WORK/err" && "$QUALSIG" --data "$d" status >/dev/null 2>&1; then
    :
  else
    fail "init after a kill at ${delay_ms} ms failed: $(cat "$WORK/err")"
  fi
  if ls -a | grep -q "^\.$d\.init-"; then fail "staging directory of $d left behind"; fi
done
echo "after SIGKILL: $absent absent, $complete complete, $((12 - absent - complete)) broken"
[ "$absent" -gt 0 ] && pass "some kills landed before the rename" || echo "note: every kill landed after the rename"
finish
