#!/usr/bin/env bash
# qualsig serve as a process: TLS policy and chain checked with curl and openssl s_client,
# health and CA endpoints, Prometheus /metrics (checked by tests/server/check_prometheus.py),
# problem responses for hostile requests, a slow upload that survives SIGTERM, clean exits,
# and `serve --check-config` with good and broken configurations.
source "$(dirname "$0")/lib.sh"

"$QUALSIG" --data d init >/dev/null
"$QUALSIG" --data d ca export --out ca >/dev/null
# A small body limit to test 413 without megabytes of traffic.
python3 - d/config.json <<'P'
import json, sys
p = sys.argv[1]; d = json.load(open(p)); d["server"]["body_limit"] = 1024
d["audit"]["checkpoint_interval_seconds"] = 1
json.dump(d, open(p, "w"), indent=2)
P

SERVER_PID=
start_server() {
  "$QUALSIG" --data d serve --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    grep -q "^serving" "$WORK/serve.out" 2>/dev/null && break
    sleep 0.1
  done
  HTTPS=$(grep -o 'https://[0-9.:]*' "$WORK/serve.out" | sed 's/127.0.0.1/localhost/')
  HTTP=$(grep -o 'http://[0-9.:]*' "$WORK/serve.out")
  HTTPS_PORT=${HTTPS##*:}; HTTP_PORT=${HTTP##*:}
  [ -n "$HTTPS" ] && [ -n "$HTTP" ] && pass "serve prints $HTTPS and $HTTP" || { fail "serve did not start: $(cat "$WORK/serve.err")"; finish; }
}
stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  set +e; wait "$SERVER_PID"; local rc=$?; set -e
  [ "$rc" -eq 0 ] && pass "SIGTERM: exit 0" || fail "SIGTERM: exit $rc"
}
trap 'kill -9 $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_server
CURL=(curl -s --cacert ca/root.pem --resolve "localhost:$HTTPS_PORT:127.0.0.1")

expect_exit 0 "healthz over HTTPS, chain verified by curl" -- "${CURL[@]}" -f "$HTTPS/healthz"
contains "healthz body" "$OUT" '"status":"ok"'
expect_exit 0 "readyz" -- "${CURL[@]}" -f "$HTTPS/readyz"
contains "readyz body" "$OUT" '"status":"ready"'
expect_exit 0 "healthz over plain HTTP" -- curl -sf "$HTTP/healthz"

# The server certificate chains to the exported root, for the name localhost.
expect_exit 0 "s_client verifies the chain" -- sh -c "openssl s_client -connect 127.0.0.1:$HTTPS_PORT -servername localhost -verify_hostname localhost -CAfile ca/root.pem -verify_return_error </dev/null"
contains "TLS 1.3 negotiated" "$OUT" "TLSv1.3"
expect_exit 0 "TLS 1.2 accepted" -- sh -c "openssl s_client -connect 127.0.0.1:$HTTPS_PORT -tls1_2 -CAfile ca/root.pem -verify_return_error </dev/null"
set +e
openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -tls1_1 </dev/null >"$WORK/out" 2>&1; rc=$?
set -e
[ "$rc" -ne 0 ] && pass "TLS 1.1 refused" || fail "TLS 1.1 accepted"

# CA certificates over plain HTTP (caIssuers, RFC 5280 §4.2.2.1), DER identical to ca export.
curl -sf "$HTTP/ca/root.crt" -o root.der && openssl x509 -in ca/root.pem -outform DER -out root.expected.der
cmp -s root.der root.expected.der && pass "/ca/root.crt is the root certificate" || fail "/ca/root.crt differs"
expect_exit 0 "/ca/issuing.crt over HTTPS" -- "${CURL[@]}" -f "$HTTPS/ca/issuing.crt" -o issuing.der
expect_exit 0 "issuing.crt is DER" -- openssl x509 -inform DER -in issuing.der -noout

# The audit log over HTTPS: the signed checkpoint and proofs (RFC 9162 §2.1.3/2.1.4).
expect_exit 0 "GET /audit/checkpoint" -- "${CURL[@]}" -f "$HTTPS/audit/checkpoint"
contains "checkpoint is a signed note" "$OUT" "— qualsig.local/VATNL-123456789B01/audit"
expect_exit 0 "GET /audit/proof/inclusion?seq=0" -- "${CURL[@]}" -f "$HTTPS/audit/proof/inclusion?seq=0"
contains "inclusion proof JSON" "$OUT" '"inclusion_proof":'

# The CLI appends beside the running server; the server's periodic checkpoint covers it.
for i in 1 2 3; do "$QUALSIG" --data d audit note --text "beside serve $i" >/dev/null; done
sleep 3.5  # the publisher wakes every second; margin for a loaded CI machine
expect_exit 0 "periodic checkpoint covers the CLI's entries" -- "${CURL[@]}" -f "$HTTPS/audit/checkpoint"
[ "$(sed -n 2p <<<"$OUT")" = 4 ] && pass "checkpoint size 4 (init + 3 notes)" || fail "checkpoint size is $(sed -n 2p <<<"$OUT"), want 4"
expect_exit 0 "proof of the CLI's entry from the server" -- "${CURL[@]}" -f "$HTTPS/audit/proof/inclusion?seq=3"

# Prometheus /metrics on HTTPS, valid exposition text (independent checker), with the gauges
# of make_server; raw paths never become labels.
expect_exit 0 "GET /metrics" -- "${CURL[@]}" -f "$HTTPS/metrics"
printf '%s\n' "$OUT" >metrics.txt
expect_exit 0 "/metrics passes the exposition-format checker" -- python3 "$HERE/../server/check_prometheus.py" metrics.txt
contains "audit log size gauge" "$(cat metrics.txt)" '^qualsig_audit_log_entries [1-9]'
contains "token ready gauge" "$(cat metrics.txt)" '^qualsig_token_ready 1$'
contains "requests counted by route" "$(cat metrics.txt)" 'qualsig_http_requests_total{route="/audit/proof/inclusion",method="GET",code="200"}'
grep -q 'seq=' metrics.txt && fail "query strings in metric labels" || pass "no query strings in metric labels"
expect_exit 0 "/metrics is HTTPS only" -- curl -s "$HTTP/metrics"
python3 -c 'import json,sys; assert json.loads(sys.argv[1])["status"] == 404' "$OUT" && pass "/metrics on HTTP: 404" || fail "/metrics on HTTP: $OUT"

problem_status() {  # problem_status WHAT WANT: the last response is problem+json with status WANT
  python3 -c 'import json,sys; d=json.loads(sys.stdin.read().split("\r\n\r\n",1)[-1]); assert d["status"]==int(sys.argv[1]) and d["title"], d' "$2" <<<"$OUT" \
    && pass "$1: problem+json $2" || fail "$1: not a $2 problem document: $OUT"
}
expect_exit 0 "unknown path" -- "${CURL[@]}" "$HTTPS/nope"
problem_status "unknown path" 404
expect_exit 0 "wrong method" -- "${CURL[@]}" -X DELETE "$HTTPS/healthz"
problem_status "wrong method" 405
expect_exit 0 "inclusion proof with a bad seq" -- "${CURL[@]}" "$HTTPS/audit/proof/inclusion?seq=abc"
problem_status "inclusion proof with a bad seq" 400
expect_exit 0 "inclusion proof beyond the tree" -- "${CURL[@]}" "$HTTPS/audit/proof/inclusion?seq=5&size=3"
problem_status "inclusion proof beyond the tree" 400
expect_exit 0 "consistency proof without from" -- "${CURL[@]}" "$HTTPS/audit/proof/consistency"
problem_status "consistency proof without from" 400
expect_exit 0 "audit routes are HTTPS only" -- curl -s "$HTTP/audit/checkpoint"
problem_status "audit routes are HTTPS only" 404
# RFC 3161 over HTTP (§3.4): requests made and answers verified by `openssl ts`.
printf 'document to time-stamp\n' >ts-data.txt
openssl ts -query -data ts-data.txt -sha256 -cert -out ts.tsq 2>/dev/null
expect_exit 0 "POST /tsa over HTTP" -- curl -sf -H "Content-Type: application/timestamp-query" --data-binary @ts.tsq -o ts.tsr -D ts.headers "$HTTP/tsa"
contains "timestamp-reply content type" "$(cat ts.headers)" "application/timestamp-reply"
expect_exit 0 "openssl ts -verify accepts our token" -- openssl ts -verify -data ts-data.txt -in ts.tsr -CAfile ca/root.pem -untrusted ca/chain.pem
contains "policy is ETSI best practices" "$(openssl ts -reply -in ts.tsr -text 2>/dev/null)" "0.4.0.2023.1.1"
for i in 1 2; do
  openssl ts -query -data ts-data.txt -sha512 -no_nonce -out q$i.tsq 2>/dev/null
  "${CURL[@]}" -sf -H "Content-Type: application/timestamp-query" --data-binary @q$i.tsq -o r$i.tsr "$HTTPS/tsa"
done
s1=$(openssl ts -reply -in r1.tsr -text 2>/dev/null | sed -n 's/^Serial number: //p'); s2=$(openssl ts -reply -in r2.tsr -text 2>/dev/null | sed -n 's/^Serial number: //p')
[ -n "$s1" ] && [ $((s2)) -gt $((s1)) ] && pass "serials increase ($s1 < $s2)" || fail "serials not increasing: '$s1' '$s2'"
openssl ts -query -data ts-data.txt -sha1 -out sha1.tsq 2>/dev/null
curl -s -H "Content-Type: application/timestamp-query" --data-binary @sha1.tsq -o sha1.tsr "$HTTP/tsa"
contains "SHA-1 imprint: badAlg" "$(openssl ts -reply -in sha1.tsr -text 2>/dev/null)" "unrecognized or unsupported algorithm"
head -c 300 /dev/urandom >junk.tsq
curl -s -H "Content-Type: application/timestamp-query" --data-binary @junk.tsq -o junk.tsr "$HTTP/tsa"
contains "garbage: badDataFormat" "$(openssl ts -reply -in junk.tsr -text 2>/dev/null)" "wrong format"
expect_exit 0 "wrong content type" -- curl -s -H "Content-Type: text/plain" --data-binary @ts.tsq "$HTTP/tsa"
problem_status "wrong content type" 415
head -c 4096 /dev/urandom > big.bin
expect_exit 0 "oversize body" -- "${CURL[@]}" -X POST --data-binary @big.bin "$HTTPS/healthz"
problem_status "oversize body" 413
expect_exit 0 "oversize body, plain HTTP" -- curl -s -X POST --data-binary @big.bin "$HTTP/healthz"
problem_status "oversize body, plain HTTP" 413

raw() {  # raw BYTES: send to the HTTP port, print the response
  python3 - "$HTTP_PORT" "$1" <<'P'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode("latin-1").decode("unicode_escape").encode("latin-1"))
data = b""
try:
    while True:
        b = s.recv(65536)
        if not b: break
        data += b
except socket.timeout:
    pass
print(data.decode("latin-1"))
P
}
OUT=$(raw 'GARBAGE\r\n\r\n'); problem_status "garbage request line" 400
OUT=$(raw 'GET /healthz HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n'); problem_status "header without colon" 400
OUT=$(raw 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'); problem_status "bad Content-Length" 400
OUT=$(raw 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n'); problem_status "overflowing Content-Length" 400
OUT=$(raw 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n'); problem_status "announced oversize body" 413
OUT=$(raw '\x00\x01\x02\xff\xfe\r\n\r\n'); problem_status "binary junk" 400
# Random bytes at the TLS port: no crash.
head -c 2000 /dev/urandom | timeout 5 python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); s.sendall(sys.stdin.buffer.read()); s.settimeout(3)
try: s.recv(100)
except Exception: pass' "$HTTPS_PORT" || true
expect_exit 0 "still healthy after hostile input" -- "${CURL[@]}" -f "$HTTPS/healthz"

# A slow upload in flight when SIGTERM arrives still gets its complete answer.
python3 - "$HTTP_PORT" "$SERVER_PID" >"$WORK/slow.out" 2>&1 <<'P' &
import os, signal, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234")
time.sleep(0.5)
os.kill(pid, signal.SIGTERM)          # shutdown begins while the body is half sent
time.sleep(0.5)
s.sendall(b"56789")
data = b""
while True:
    b = s.recv(65536)
    if not b: break
    data += b
print(data.decode("latin-1"))
P
slow=$!
wait "$slow" || true
OUT=$(cat "$WORK/slow.out")
contains "slow request answered after SIGTERM" "$OUT" "HTTP/1.1 405"
contains "its connection is closed" "$OUT" "Connection: close"
set +e; wait "$SERVER_PID"; rc=$?; set -e
[ "$rc" -eq 0 ] && pass "exit 0 after graceful shutdown" || fail "exit $rc after graceful shutdown"
grep -q '"event":"access"' "$WORK/serve.err" && pass "JSON access log" || fail "no access log"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1]) if l.strip()]' "$WORK/serve.err" && pass "every log line is JSON" || fail "log lines not JSON"
pin=$(cat d/token-user.pin)
grep -q "$pin" "$WORK/serve.err" "$WORK/serve.out" && fail "PIN in the log" || pass "PIN not in the log"

# Start-up failures: one error line, exit 3.
start_server
expect_exit 3 "port in use" -- "$QUALSIG" --data d serve --listen "127.0.0.1:$HTTPS_PORT" --http-listen off
expect_one_error_line "port in use" "$HTTPS_PORT"
stop_server
expect_exit 3 "serve with a wrong PIN" -- env QUALSIG_TOKEN_PIN=99999999 "$QUALSIG" --data d serve --listen 127.0.0.1:0
expect_one_error_line "serve with a wrong PIN" "wrong PIN"
expect_exit 2 "bad listen address" -- "$QUALSIG" --data d serve --listen "localhost:abc"

# serve --check-config: a report per check; exit 0, or 3 with one error line naming the check.
expect_exit 0 "check-config: good" -- "$QUALSIG" --data d serve --check-config
for check in config listen database token tls validation; do
  contains "check-config reports $check" "$OUT" "^ok  *$check"
done
expect_exit 0 "check-config --json" -- "$QUALSIG" --json --data d serve --check-config
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["ok"] is True and [c["check"] for c in d["checks"]]==["config","listen","database","token","tls","validation"] and all(c["status"]=="ok" for c in d["checks"]), d' "$OUT" \
  && pass "check-config JSON report" || fail "check-config JSON report: $OUT"
expect_exit 0 "check-config: overrides apply" -- env QUALSIG_SERVER_HTTPS_LISTEN=127.0.0.1:18443 QUALSIG_SERVER_HTTP_LISTEN= "$QUALSIG" --data d serve --check-config
contains "override shown in the report" "$OUT" "https 127.0.0.1:18443, http off"

expect_exit 3 "check-config: bad database URL" -- env QUALSIG_DATABASE_URL=mysql://app:s3cret-pw@db.example/q "$QUALSIG" --data d serve --check-config
expect_one_error_line "check-config: bad database URL" "check-config: database:"
contains "database URL password redacted" "$ERR" "mysql://app:\*\*\*@db.example/q"
grep -q "s3cret-pw" <<<"$OUT$ERR" && fail "database password printed" || pass "database password not printed"
# Nothing listens on port 1: libpq's multi-line error still gives one error line.
expect_exit 3 "check-config: unreachable PostgreSQL" -- env QUALSIG_DATABASE_URL=postgresql://app:s3cret-pw@127.0.0.1:1/q "$QUALSIG" --data d serve --check-config
expect_one_error_line "check-config: unreachable PostgreSQL" "check-config: database: postgresql://app:\*\*\*@127.0.0.1:1/q"
grep -q "s3cret-pw" <<<"$OUT$ERR" && fail "PostgreSQL password printed" || pass "PostgreSQL password not printed"
contains "later checks skipped" "$OUT" "^skip  *token"
expect_exit 3 "check-config: missing database file" -- env QUALSIG_DATABASE_URL=sqlite:nowhere/missing.db "$QUALSIG" --data d serve --check-config
expect_one_error_line "check-config: missing database file" "check-config: database:"

expect_exit 3 "check-config: bad listen address in the config" -- env QUALSIG_SERVER_HTTPS_LISTEN=localhost:abc "$QUALSIG" --data d serve --check-config
expect_one_error_line "check-config: bad listen address" "check-config: listen:.*server.https_listen"
contains "the other checks still run" "$OUT" "^ok  *tls"
expect_exit 2 "check-config: bad --listen flag is a usage error" -- "$QUALSIG" --data d serve --check-config --listen "1.2.3:4"

mv d/token-user.pin pin.saved
expect_exit 3 "check-config: missing PIN" -- "$QUALSIG" --data d serve --check-config
expect_one_error_line "check-config: missing PIN" "check-config: token: no token PIN"
contains "tls skipped without a token" "$OUT" "^skip  *tls"
mv pin.saved d/token-user.pin
expect_exit 3 "check-config: wrong PIN" -- env QUALSIG_TOKEN_PIN=99999999 "$QUALSIG" --data d serve --check-config
expect_one_error_line "check-config: wrong PIN" "check-config: token:"
grep -q "99999999" <<<"$OUT$ERR" && fail "PIN printed" || pass "PIN not printed"
grep -q "$pin" <<<"$OUT$ERR" && fail "stored PIN printed" || pass "stored PIN not printed"

expect_exit 3 "check-config: bad override value" -- env QUALSIG_SERVER_BODY_LIMIT=lots "$QUALSIG" --data d serve --check-config
expect_one_error_line "check-config: bad override value" "check-config: config: environment variable QUALSIG_SERVER_BODY_LIMIT"
expect_exit 3 "check-config: unknown variable" -- env QUALSIG_SERVER_LISTEN=1.2.3.4:5 "$QUALSIG" --data d serve --check-config
expect_one_error_line "check-config: unknown variable" "unknown configuration variable QUALSIG_SERVER_LISTEN"
expect_exit 3 "serve refuses a bad override too" -- env QUALSIG_SERVER_BODY_LIMIT=-5 "$QUALSIG" --data d serve --listen 127.0.0.1:0
expect_one_error_line "serve refuses a bad override" "QUALSIG_SERVER_BODY_LIMIT"
finish
