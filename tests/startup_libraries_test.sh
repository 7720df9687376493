#!/usr/bin/env bash
# Libraries qualsig must not load at process start: they are dlopen()ed by the code that needs
# them (docs/decisions.md, "libpq is loaded on demand"). Every command pays for what is loaded at
# start; `qualsig verify` is benchmarked whole-process against openssl and pdfsig (issue 8).
# Usage: startup_libraries_test.sh QUALSIG
set -euo pipefail
bin=$1
needed=$(readelf -d "$bin" | awk '/NEEDED/ {print $NF}')
status=0
for lib in libpq; do
  if grep -q "\[$lib\." <<<"$needed"; then
    echo "FAIL: $bin is linked against $lib at start:"; grep "\[$lib\." <<<"$needed"; status=1
  fi
done
# And nothing else brings it in: the whole load-time closure.
if ldd "$bin" | grep -q 'libpq\.so'; then echo "FAIL: libpq is in ldd's closure of $bin"; status=1; fi
[ $status = 0 ] && echo "ok: libpq is not loaded at start ($(ldd "$bin" | wc -l) shared objects)"
exit $status
