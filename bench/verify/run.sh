#!/usr/bin/env bash
# Validation benchmark (issue 8): whole-process validations per second of a CAdES B-LT file —
# `qualsig verify` (EN 319 102-1: format, signing certificate, chain, revocation, crypto
# constraints, signature, time-stamp) beside `openssl cms -verify` (signature and chain only) on the
# same file in the same run, each process started once per validation. When qualsig validates
# PAdES, the same for a PAdES B-LT file beside `pdfsig` (which checks signature and chain only).
# Usage: bench/verify/run.sh [qualsig] [N]   (default build/release/qualsig, 200 runs)
set -euo pipefail
QUALSIG=$(realpath "${1:-build/release/qualsig}")
HERE=$(cd "$(dirname "$0")" && pwd)
N=${2:-200}
WORK=$(mktemp -d /tmp/qualsig-verifybench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
q() { "$QUALSIG" --data d "$@" >/dev/null; }
q init
q ca export --out ca
q identity register --name po-agent --kind ai-agent --sponsor "Procurement Lead"
q identity proof po-agent --method sponsor --by admin-a
q identity confirm po-agent --by admin-b
q cert issue --identity po-agent
printf '{"schema": "qualsig-policy/1", "name": "b", "version": 1, "document_types": ["po", "contract"]}' >p.json
q policy set --identity po-agent --file p.json
head -c 100000 /dev/urandom >po.bin
q sign --identity po-agent --in po.bin --out po.p7s --detached --level B-LT --type po
"$QUALSIG" verify po.p7s --detached po.bin --trust-anchor ca/root.pem >/dev/null  # must pass before it is timed
openssl cms -verify -binary -inform DER -in po.p7s -content po.bin -CAfile ca/root.pem -purpose any -out /dev/null 2>/dev/null
rate() {  # label command...
  local label=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  for _ in $(seq "$N"); do "$@" >/dev/null 2>&1; done
  t1=$(date +%s%N)
  python3 -c "import sys; n,dt=int(sys.argv[1]),(int(sys.argv[3])-int(sys.argv[2]))/1e9; print(f'{sys.argv[4]:<48} {n/dt:8.1f} runs/s  ({dt/n*1000:6.2f} ms each)')" "$N" "$t0" "$t1" "$label"
}
# The floor each tool starts from: process start (dynamic linking, static initialisers) alone.
rate "process start: qualsig --version" "$QUALSIG" --version
rate "process start: openssl version" openssl version
rate "qualsig verify, CAdES B-LT detached" "$QUALSIG" verify po.p7s --detached po.bin --trust-anchor ca/root.pem
rate "openssl cms -verify, same file" openssl cms -verify -binary -inform DER -in po.p7s -content po.bin -CAfile ca/root.pem -purpose any -out /dev/null
printf '%%!PS\n/Helvetica findfont 14 scalefont setfont\n72 720 moveto (Contract) show\nshowpage\n' >c.ps
gs -q -dSAFER -dNOPAUSE -dBATCH -sDEVICE=pdfwrite -o c.pdf c.ps
q sign --identity po-agent --format pades --level B-LT --in c.pdf --out c-lt.pdf --type contract
# The revocation data comes from the PDF's /DSS.
if "$QUALSIG" verify c-lt.pdf --trust-anchor ca/root.pem >/dev/null 2>&1; then
  mkdir nss && certutil -N -d sql:nss --empty-password && certutil -A -d sql:nss -n root -t "CT,C,C" -i ca/root.pem
  rate "qualsig verify, PAdES B-LT" "$QUALSIG" verify c-lt.pdf --trust-anchor ca/root.pem
  rate "pdfsig, same file" pdfsig -nssdir sql:nss -no-ocsp c-lt.pdf
else
  echo "qualsig verify does not validate this PAdES file: $("$QUALSIG" verify c-lt.pdf --trust-anchor ca/root.pem 2>&1 | tail -3)"
fi

# The same files through `qualsig serve` (POST /api/v1/validate over HTTPS keep-alive, wrk): the
# process is started and its trust loaded once, so what remains per file is the validation.
# Not the issue's process-per-file comparison: a row of its own, beside the per-process peers above.
if [ -z "${NO_SERVICE:-}" ]; then
  SECONDS_PER_ROW=${SECONDS_PER_ROW:-8}
  read -r AID ASECRET < <("$QUALSIG" --data d --json api-client add --principal operator:bench --role auditor |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["client_id"], d["client_secret"])')
  "$QUALSIG" --data d serve --listen 127.0.0.1:0 --http-listen off >serve.out 2>serve.err &
  SPID=$!
  trap 'kill $SPID 2>/dev/null || true; rm -rf "$WORK"' EXIT
  for _ in $(seq 1 100); do grep -q "^serving" serve.out 2>/dev/null && break; sleep 0.1; done
  PORT=$(grep -o 'https://[0-9.:]*' serve.out | sed 's/.*://')
  C=(curl -sf --cacert ca/root.pem --resolve "localhost:$PORT:127.0.0.1")
  TOKEN=$("${C[@]}" -X POST --data-urlencode grant_type=client_credentials --data-urlencode "client_id=$AID" \
    --data-urlencode "client_secret=$ASECRET" "https://localhost:$PORT/oauth2/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  python3 -c 'import base64,json,sys; json.dump({"document": base64.b64encode(open("po.p7s","rb").read()).decode(), "detached_content": base64.b64encode(open("po.bin","rb").read()).decode()}, open("cades.json","w"))'
  python3 -c 'import base64,json,sys; json.dump({"document": base64.b64encode(open("c-lt.pdf","rb").read()).decode()}, open("pades.json","w"))'
  for spec in "CAdES B-LT detached:cades.json" "PAdES B-LT:pades.json"; do
    for c in 1 2; do
      out=$(VALIDATE_BODY="${spec#*:}" VALIDATE_TOKEN=$TOKEN wrk -t1 -c$c -d"${SECONDS_PER_ROW}"s --latency \
        -s "$HERE/validate.lua" "https://localhost:$PORT/api/v1/validate" 2>&1)
      python3 - "$spec" "$c" "$SECONDS_PER_ROW" "$out" <<'P'
import sys
label, c, secs, out = sys.argv[1].split(":")[0], sys.argv[2], float(sys.argv[3]), sys.argv[4]
v = {l.split()[0]: l.split()[1] for l in out.splitlines() if l.startswith("validate_")}
n = int(v.get("validate_passed", 0))
print(f"qualsig serve /api/v1/validate, {label}, c={c}".ljust(48) + f" {n/secs:8.1f} runs/s  (p50 {v.get('validate_p50_ms')} ms, p99 {v.get('validate_p99_ms')} ms; not TOTAL-PASSED: {v.get('validate_other')})")
P
    done
  done
  kill -TERM $SPID; wait $SPID || true
fi
