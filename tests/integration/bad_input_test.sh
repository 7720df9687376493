#!/usr/bin/env bash
# Hostile and broken input to init/status/ca export: one clear error line, the CLI.md exit
# code, and nothing created or changed.
source "$(dirname "$0")/lib.sh"

nothing_here() {  # nothing_here WHAT PATH: PATH and any staging directory must not exist
  if [ -e "$2" ] || ls -a "$(dirname "$2")" | grep -q "^\.$(basename "$2")\.init-"; then
    fail "$1: left something behind at $2"
  else
    pass "$1: nothing created"
  fi
}

expect_exit 2 "unknown command" -- "$QUALSIG" frobnicate
expect_one_error_line "unknown command" "frobnicate"
expect_exit 2 "unknown flag" -- "$QUALSIG" init --frobnicate
expect_one_error_line "unknown flag" "frobnicate"
expect_exit 2 "bad country" -- "$QUALSIG" --data bad-country init --country nl
expect_one_error_line "bad country" "ISO 3166"
nothing_here "bad country" "$WORK/bad-country"
expect_exit 2 "bad org id" -- "$QUALSIG" --data bad-orgid init --org-id 12345
expect_one_error_line "bad org id" "EN 319 412-1"
nothing_here "bad org id" "$WORK/bad-orgid"
expect_exit 2 "bad base URL" -- "$QUALSIG" --data bad-url init --base-url "javascript:alert(1)"
expect_one_error_line "bad base URL" "base URL"
expect_exit 2 "CN too long" -- "$QUALSIG" --data long init --org "$(printf 'A%.0s' {1..300})"
expect_one_error_line "CN too long" "longer than"

expect_exit 3 "missing PKCS#11 module" -- "$QUALSIG" --data nomod init --pkcs11-module /nonexistent/libpkcs11.so
expect_one_error_line "missing PKCS#11 module" "PKCS#11 module not found: /nonexistent/libpkcs11.so"
nothing_here "missing module" "$WORK/nomod"
expect_exit 3 "not a PKCS#11 module" -- "$QUALSIG" --data notmod init --pkcs11-module /etc/hostname
expect_one_error_line "not a PKCS#11 module" "cannot load PKCS#11 module"

# An existing token made by SoftHSM2's own tool, used through --pkcs11-module: a wrong PIN is
# refused before anything is created; the right one gives a working service in that token.
mkdir ext-tokens
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$WORK/ext-tokens" > ext.conf
SOFTHSM2_CONF="$WORK/ext.conf" softhsm2-util --init-token --free --label ext --pin 4321 --so-pin 87654321 >/dev/null
expect_exit 3 "external token, wrong PIN" -- env SOFTHSM2_CONF="$WORK/ext.conf" QUALSIG_TOKEN_PIN=1111 "$QUALSIG" --data extd init --pkcs11-module "$SOFTHSM" --token-label ext
expect_one_error_line "external token, wrong PIN" "C_Login: wrong PIN (CKR_PIN_INCORRECT)"
nothing_here "external token, wrong PIN" "$WORK/extd"
if grep -q 1111 <<<"$OUT$ERR"; then fail "wrong PIN echoed"; else pass "wrong PIN not echoed"; fi
expect_exit 3 "external token, no PIN" -- env SOFTHSM2_CONF="$WORK/ext.conf" "$QUALSIG" --data extd init --pkcs11-module "$SOFTHSM" --token-label ext
expect_one_error_line "external token, no PIN" "QUALSIG_TOKEN_PIN"
expect_exit 3 "external token, wrong label" -- env SOFTHSM2_CONF="$WORK/ext.conf" QUALSIG_TOKEN_PIN=4321 "$QUALSIG" --data extd init --pkcs11-module "$SOFTHSM" --token-label nope
expect_one_error_line "external token, wrong label" "no token labelled 'nope'"
expect_exit 0 "external token, right PIN" -- env SOFTHSM2_CONF="$WORK/ext.conf" QUALSIG_TOKEN_PIN=4321 "$QUALSIG" --data extd init --pkcs11-module "$SOFTHSM" --token-label ext
expect_exit 0 "external token status" -- env SOFTHSM2_CONF="$WORK/ext.conf" QUALSIG_TOKEN_PIN=4321 "$QUALSIG" --data extd status
contains "external token holds the keys" "$OUT" "label ext"
[ -e extd/token-user.pin ] && fail "PIN file written for an external token" || pass "no PIN file for an external token"

expect_exit 3 "unwritable data dir" -- "$QUALSIG" --data /proc/qualsig-data init
expect_one_error_line "unwritable data dir" "/proc"
echo "not a directory" > afile
expect_exit 3 "data dir below a file" -- "$QUALSIG" --data afile/data init
expect_one_error_line "data dir below a file" "afile"
mkdir foreign && echo keep > foreign/precious
expect_exit 3 "foreign non-empty directory" -- "$QUALSIG" --data foreign init
expect_one_error_line "foreign non-empty directory" "not a qualsig data directory"
[ "$(cat foreign/precious)" = keep ] && pass "foreign file untouched" || fail "foreign file changed"

cat > bad.json <<'J'
{"version": 1, "token": {"module": "softhsm2", "pool_sise": 4}}
J
expect_exit 3 "config template with unknown key" -- "$QUALSIG" --data badcfg init --config bad.json
expect_one_error_line "config template with unknown key" "unknown key 'token.pool_sise'"
nothing_here "config template" "$WORK/badcfg"
printf '{"version": 1, ' > trunc.json
expect_exit 3 "truncated config template" -- "$QUALSIG" --data badcfg init --config trunc.json
expect_one_error_line "truncated config template" "not valid JSON"
head -c 100000 /dev/urandom > random.json
expect_exit 3 "random bytes as config" -- "$QUALSIG" --data badcfg init --config random.json
expect_one_error_line "random bytes as config" "not valid JSON"

expect_exit 3 "status without init" -- "$QUALSIG" --data nothing status
expect_one_error_line "status without init" "run 'qualsig init' first"

# A working service, then break its pieces one at a time (on copies).
expect_exit 0 "init" -- "$QUALSIG" --data good init
cp -a good cfg && python3 - cfg/config.json <<'P'
import json, sys
p = sys.argv[1]; d = json.load(open(p)); d["server"]["listen_backlog"] = 5; json.dump(d, open(p, "w"))
P
expect_exit 3 "config with unknown key" -- "$QUALSIG" --data cfg status
expect_one_error_line "config with unknown key" "unknown key 'server.listen_backlog'"

cp -a good corrupt && head -c 4096 /dev/urandom > corrupt/qualsig.db
expect_exit 3 "corrupted database" -- "$QUALSIG" --data corrupt status
expect_one_error_line "corrupted database" "database"
expect_exit 3 "corrupted database, ca export" -- "$QUALSIG" --data corrupt ca export --out x
[ -e x ] && fail "ca export wrote output from a corrupt database" || pass "ca export wrote nothing"
cp -a good truncated && truncate -s 5000 truncated/qualsig.db
expect_exit 3 "truncated database" -- "$QUALSIG" --data truncated status

cp -a good nopin && rm nopin/token-user.pin
expect_exit 3 "missing PIN file" -- "$QUALSIG" --data nopin status
expect_one_error_line "missing PIN file" "QUALSIG_TOKEN_PIN"
cp -a good openpin && chmod 644 openpin/token-user.pin
expect_exit 3 "PIN file readable by others" -- "$QUALSIG" --data openpin status
expect_one_error_line "PIN file readable by others" "chmod 600"


# A copy of the data directory uses its own copy of the token (softhsm2.conf follows it).
cp -a good moved && expect_exit 0 "copied data directory works" -- "$QUALSIG" --data moved status
grep -q "$WORK/moved/tokens" moved/softhsm2.conf && pass "copy points at its own token" || fail "copy still points at the original token"
cp -a good notoken && rm -rf notoken/tokens/*
expect_exit 3 "token directory emptied" -- "$QUALSIG" --data notoken status
expect_one_error_line "token directory emptied" "no token labelled 'qualsig'"

# --json errors are one JSON object on stdout with error and code.
expect_exit 3 "json error" -- "$QUALSIG" --json --data nothing status
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["code"]=="environment" and "init" in d["error"]' <<<"$OUT" \
  && pass "json error object" || fail "json error object: $OUT"

finish
