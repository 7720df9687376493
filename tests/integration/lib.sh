# Shared helpers for the CLI integration tests. Each test script gets the qualsig binary as
# $1, works in its own temporary directory and removes it on exit.
set -euo pipefail

QUALSIG=${1:?usage: $0 path/to/qualsig}
HERE=$(cd "$(dirname "$0")" && pwd)  # tests/integration, absolute (the tests cd away)
WORK=$(mktemp -d /tmp/qualsig-it.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
unset QUALSIG_TOKEN_PIN QUALSIG_TOKEN_SO_PIN QUALSIG_DATA SOFTHSM2_CONF
SOFTHSM=/usr/lib/softhsm/libsofthsm2.so
FAILS=0

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }

# expect_exit CODE DESCRIPTION -- command...: runs the command, captures stdout/stderr in
# $OUT/$ERR and checks the exit code.
expect_exit() {
  local want=$1 what=$2; shift 3
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  set -e
  OUT=$(cat "$WORK/out"); ERR=$(cat "$WORK/err")
  if [ "$got" -ne "$want" ]; then
    fail "$what: exit $got, want $want; stderr: $ERR"
    return 0
  fi
  pass "$what (exit $got)"
}

# The error contract (CLI.md): exactly one stderr line, starting with "error: ".
expect_one_error_line() {
  local what=$1 pattern=$2
  local lines
  lines=$(printf '%s' "$ERR" | grep -c '' || true)
  if [ "$lines" -ne 1 ] || [[ "$ERR" != "error: "* ]]; then
    fail "$what: stderr is not one 'error:' line: $ERR"
  elif ! grep -q -- "$pattern" <<<"$ERR"; then
    fail "$what: error line lacks '$pattern': $ERR"
  else
    pass "$what: $ERR"
  fi
}

contains() {  # contains WHAT HAYSTACK NEEDLE
  if grep -q -- "$3" <<<"$2"; then pass "$1"; else fail "$1: missing '$3'"; fi
}

# init_with_signer NAME DOCUMENT_TYPE: a data directory `d` (its CA exported to ./ca) with one
# sponsor-proofed, confirmed ai-agent identity NAME, its certificate, and a policy that allows
# DOCUMENT_TYPE.
init_with_signer() {
  "$QUALSIG" --data d init >/dev/null
  "$QUALSIG" --data d ca export --out ca >/dev/null
  "$QUALSIG" --data d identity register --name "$1" --kind ai-agent --sponsor "Procurement Lead" >/dev/null
  "$QUALSIG" --data d identity proof "$1" --method sponsor --by admin-a >/dev/null
  "$QUALSIG" --data d identity confirm "$1" --by admin-b >/dev/null
  "$QUALSIG" --data d cert issue --identity "$1" >/dev/null
  printf '{"schema": "qualsig-policy/1", "name": "po", "version": 1, "document_types": ["%s"]}' "$2" >p.json
  "$QUALSIG" --data d policy set --identity "$1" --file p.json >/dev/null
}

finish() {
  if [ "$FAILS" -ne 0 ]; then echo "$FAILS failure(s)" >&2; exit 1; fi
  echo "all passed"
}
