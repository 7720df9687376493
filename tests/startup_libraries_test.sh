#!/usr/bin/env bash
# Libraries qualsig must not load at process start: they are dlopen()ed by the code that needs
# them (docs/decisions.md, "Libraries loaded on demand"). Every command pays for what is loaded at
# start; `qualsig verify` is benchmarked whole-process against openssl and pdfsig (issue 8).
# Also checks that each qualsig module loaded on demand can be bound: every symbol it leaves
# undefined is defined by the executable (which exports its own) or by a library either of them
# loads. A missing one would only show as "undefined symbol" the first time a user reads a PDF.
# Usage: startup_libraries_test.sh QUALSIG
set -euo pipefail
bin=$1
dir=$(dirname "$bin")
status=0
closure=$(ldd "$bin")
for lib in libpq libqpdf libgnutls libp11-kit libhogweed libjpeg libxml2 libxmlsec1 libxslt libicuuc; do
  if grep -q "$lib\.so" <<<"$closure"; then
    echo "FAIL: $lib is in ldd's closure of $bin:"; grep "$lib\.so" <<<"$closure"; status=1
  fi
done
[ $status = 0 ] && echo "ok: libpq and the libraries of qpdf and xmlsec are not loaded at start ($(wc -l <<<"$closure") shared objects)"

defined() {  # FILE...: the dynamic symbols they define, one per line, without versions
  nm -D --defined-only "$@" 2>/dev/null | awk 'NF == 3 {sub(/@.*/, "", $3); print $3}'
}
for module in "$dir"/libqualsig-*.so; do
  [ -e "$module" ] || { echo "FAIL: no module libqualsig-*.so next to $bin"; status=1; break; }
  libs=$( (ldd "$bin"; ldd "$module") | awk '/=> \// {print $3} $1 ~ /^\// {print $1}' | sort -u)
  # shellcheck disable=SC2086
  missing=$(comm -23 <(nm -D --undefined-only "$module" | awk '{sub(/@.*/, "", $2); print $2}' | sort -u) \
                     <( (defined "$bin"; defined $libs) | sort -u) | grep -v -E '^(_ITM_|__gmon_start__)' || true)
  if [ -n "$missing" ]; then
    echo "FAIL: $(basename "$module") needs symbols neither $bin nor its libraries define:"
    c++filt <<<"$missing" | head -20; status=1
  else
    echo "ok: every undefined symbol of $(basename "$module") is defined at load time"
  fi
done
# A module that is missing or broken: a clear error, exit 3 (environment), no crash.
tmp=$(mktemp -d "$dir/.module-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ln "$bin" "$tmp/qualsig" 2>/dev/null || cp "$bin" "$tmp/qualsig"
printf '%%PDF-1.7\n%%%%EOF\n' >"$tmp/a.pdf"
printf '<?xml version="1.0"?>\n<a/>\n' >"$tmp/a.xml"
for kind in pdf:PDF xml:XML; do
  ext=${kind%:*} name=${kind#*:}
  for case in missing empty; do
    rm -f "$tmp"/libqualsig-*.so
    [ $case = empty ] && : >"$tmp/libqualsig-$ext.so"
    set +e; err=$("$tmp/qualsig" verify "$tmp/a.$ext" 2>&1 >/dev/null); code=$?; set -e
    if [ $code != 3 ] || ! grep -q "^error: $name support cannot be loaded: .*libqualsig-$ext.so" <<<"$err"; then
      echo "FAIL: $ext module $case: exit $code, stderr: $err"; status=1
    else
      echo "ok: $ext module $case: exit 3, $err"
    fi
  done
done
exit $status
