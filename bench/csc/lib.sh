# Shared by the signHash benchmarks (run.sh, ab.sh, soak.sh): sourced, not run. The caller sets
# ROOT (the repository), Q (the qualsig binary, beside its libqualsig-*.so modules) and works in
# a scratch directory; every server started is appended to the array `pids`.

CLIENT_DATA='{"qualsig":{"document_type":"invoice","attributes":{"amount":"120.00","currency":"EUR"}}}'
pids=()

# setup DIR [TEMPLATE]: an initialised data dir with one signer identity, its certificate, a
# policy that allows the benchmark's invoices and an API client -> $CLIENT_ID $CLIENT_SECRET;
# the CA is exported to ./ca once.
setup() {
  local d=$1
  "$Q" --data "$d" init ${2:+--config "$2"} >/dev/null
  "$Q" --data "$d" identity register --name invoice-bot --kind service-account --sponsor "Finance Lead" >/dev/null
  "$Q" --data "$d" identity proof invoice-bot --method sponsor --by admin-a >/dev/null
  "$Q" --data "$d" identity confirm invoice-bot --by admin-b >/dev/null
  "$Q" --data "$d" cert issue --identity invoice-bot ${KEY_TYPE:+--key-type "$KEY_TYPE"} >/dev/null
  printf '%s' '{"schema": "qualsig-policy/1", "name": "bench", "version": 1, "document_types": ["invoice"],
    "max_amount": {"EUR": "250000.00"}, "activation": {"sad_valid_for": "1h"}}' > policy.json
  "$Q" --data "$d" policy set --identity invoice-bot --file policy.json >/dev/null
  [ -d ca ] || "$Q" --data "$d" ca export --out ca >/dev/null
  read -r CLIENT_ID CLIENT_SECRET < <("$Q" --data "$d" --json api-client add --principal identity:invoice-bot --role signer |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["client_id"], d["client_secret"])')
}

# serve DIR -> $PORT $PID
serve() {
  "$Q" --data "$1" serve --listen 127.0.0.1:0 --http-listen off >"$1.out" 2>"$1.err" &
  PID=$!
  pids+=("$PID")
  for _ in $(seq 1 100); do grep -q "^serving" "$1.out" 2>/dev/null && break; sleep 0.1; done
  PORT=$(grep -o 'https://[0-9.:]*' "$1.out" | sed 's/.*://')
  [ -n "$PORT" ] || { echo "serve $1 did not start: $(cat "$1.err")"; exit 1; }
}

# login PORT -> $TOKEN (client_credentials) $CRED (the identity's credential)
login() {
  local c=(curl -sf --cacert ca/root.pem --resolve "localhost:$1:127.0.0.1")
  TOKEN=$("${c[@]}" -X POST --data-urlencode grant_type=client_credentials --data-urlencode "client_id=$CLIENT_ID" \
    --data-urlencode "client_secret=$CLIENT_SECRET" "https://localhost:$1/oauth2/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  CRED=$("${c[@]}" -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{}' \
    "https://localhost:$1/csc/v2/credentials/list" | python3 -c 'import json,sys; print(json.load(sys.stdin)["credentialIDs"][0])')
}

# preauthorize PORT COUNT OUT: COUNT signHash bodies, one authorised hash each, into OUT
preauthorize() {
  python3 "$ROOT/bench/csc/preauthorize.py" "https://localhost:$1" ca/root.pem "$TOKEN" "$CRED" "$2" "$3" \
    --parallel 16 --client-data "$CLIENT_DATA" >/dev/null
}

# wrk_run PORT BODIES CONNECTIONS SECONDS [RATE] -> wrk's output in $OUT; signHash only (no
# draining: responses in flight at the end are not counted, which a benchmark can afford)
wrk_run() {
  local t=2
  [ "$3" -ge 2 ] || t=1
  OUT=$(SIGNHASH_BODIES=$2 SIGNHASH_TOKEN=$TOKEN SIGNHASH_THREADS=$t SIGNHASH_RATE=${5:-} SIGNHASH_CONNECTIONS=$3 \
    wrk -t"$t" -c"$3" -d"$4"s --timeout 30s --latency -s "$ROOT/bench/csc/signhash.lua" "https://localhost:$1" 2>&1)
  grep -q '^signhash_signed' <<<"$OUT" || { echo "wrk failed: $OUT"; exit 1; }
}

# v KEY TEXT: the value of a "key value" line of signhash.lua's summary
v() { awk -v k="$1" '$1 == k {print $2}' <<<"$2"; }

# rss_kib PID: the process's VmRSS now
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
