#!/usr/bin/env bash
# OCSP responses per second over loopback HTTP with keep-alive (wrk), qualsig beside the
# `openssl ocsp` responder serving a CA of the same shape in the same run (issue 4 benchmark).
# usage: bench/ocsp/run.sh [path/to/qualsig]   (default build/release/qualsig)
set -euo pipefail
Q=$(realpath "${1:-build/release/qualsig}")
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d /tmp/qualsig-ocsp-bench.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"' EXIT
cd "$W"
DURATION=${DURATION:-10s}

# qualsig: one identity with a certificate; a nonce-less request for it (the common case for
# relying parties, served from the pre-produced response cache) and one with a nonce (signed
# in the token for every request).
"$Q" --data d init >/dev/null
"$Q" --data d ca export --out ca >/dev/null
"$Q" --data d identity register --name bench --kind service-account --sponsor ops >/dev/null
"$Q" --data d identity proof bench --method sponsor --by alice >/dev/null
"$Q" --data d identity confirm bench --by bob >/dev/null
"$Q" --data d cert issue --identity bench --out leaf.pem >/dev/null
openssl ocsp -issuer ca/issuing.pem -cert leaf.pem -no_nonce -reqout q-nonce-less.der >/dev/null 2>&1
openssl ocsp -issuer ca/issuing.pem -cert leaf.pem -reqout q-nonce.der >/dev/null 2>&1
"$Q" --data d serve --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 >serve.out 2>/dev/null &
pids+=($!)
for _ in $(seq 1 100); do grep -q "^serving" serve.out 2>/dev/null && break; sleep 0.1; done
QURL=$(grep -o 'http://[0-9.:]*' serve.out)/ocsp

# openssl ocsp: a CA with the same key types (P-384 CA, P-256 delegated responder and leaf).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout oca.key -out oca.pem -subj /CN=peer-ca -days 30 \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
for n in rsp leaf; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $n.key -out $n.csr -subj /CN=$n 2>/dev/null
done
printf 'extendedKeyUsage=OCSPSigning\n' > rsp.ext
openssl x509 -req -in rsp.csr -CA oca.pem -CAkey oca.key -CAcreateserial -out rsp.pem -days 30 -extfile rsp.ext 2>/dev/null
openssl x509 -req -in leaf.csr -CA oca.pem -CAkey oca.key -CAcreateserial -out oleaf.pem -days 30 2>/dev/null
serial=$(openssl x509 -in oleaf.pem -noout -serial | cut -d= -f2)
printf 'V\t%s\t\t%s\tunknown\t/CN=leaf\n' "$(date -u -d '+30 days' +%y%m%d%H%M%SZ)" "$serial" > index.txt
openssl ocsp -issuer oca.pem -cert oleaf.pem -no_nonce -reqout o-nonce-less.der >/dev/null 2>&1
port=$((20000 + RANDOM % 20000))
openssl ocsp -index index.txt -port "$port" -rsigner rsp.pem -rkey rsp.key -CA oca.pem -nmin 60 >/dev/null 2>&1 &
pids+=($!)
sleep 1
OURL=http://127.0.0.1:$port/

check() {  # check URL REQUEST ISSUER CERT: one answer, verified by openssl, before measuring
  curl -s -X POST -H 'Content-Type: application/ocsp-request' --data-binary @"$2" "$1" -o check.der
  openssl ocsp -respin check.der -issuer "$3" -cert "$4" -noverify 2>/dev/null | grep -q ": good" || { echo "no good answer from $1"; exit 1; }
}
check "$QURL" q-nonce-less.der ca/issuing.pem leaf.pem
check "$OURL" o-nonce-less.der oca.pem oleaf.pem

run() {  # run NAME URL REQUEST CONNECTIONS
  local out
  out=$(OCSP_REQUEST="$W/$3" wrk -t2 -c"$4" -d"$DURATION" --latency -s "$HERE/post.lua" "$2" 2>&1)
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
  [ -n "${VERBOSE:-}" ] && echo "$out"
  printf '%-44s c=%-3s %10s req/s  p99 %-9s %s\n' "$1" "$4" "$rps" "$p99" "$errors"
}
secs=${DURATION%s}
echo "== same load script (bench/ocsp/load.py, 8 threads, ${secs}s) against both responders, $(nproc) cores"
printf '%-44s ' "openssl ocsp -port (peer), no nonce"; python3 "$HERE/load.py" "$OURL" o-nonce-less.der --threads 8 --seconds "$secs"
printf '%-44s ' "qualsig, no nonce"; python3 "$HERE/load.py" "$QURL" q-nonce-less.der --threads 8 --seconds "$secs"
printf '%-44s ' "qualsig, nonce"; python3 "$HERE/load.py" "$QURL" q-nonce.der --threads 8 --seconds "$secs"
echo "== qualsig at peak with keep-alive: wrk -t2, $DURATION per row (wrk cannot drive openssl ocsp)"
run "qualsig, no nonce (pre-produced, cached)" "$QURL" q-nonce-less.der 32
run "qualsig, nonce (signed in the token)" "$QURL" q-nonce.der 32
echo "== p99 at about half of the peak rate (fewer connections)"
run "qualsig, no nonce" "$QURL" q-nonce-less.der 2
run "qualsig, nonce" "$QURL" q-nonce.der 2
