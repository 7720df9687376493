#!/usr/bin/env bash
# Two `qualsig serve` nodes on one PostgreSQL database and one token (issue 9, "Storage and
# scale"): under concurrent load on both, SAD consumption, certificate serials and the audit
# log stay correct.
#
#   - a throw-away cluster (scripts/pg-cluster), `qualsig init --config` with its URL; node 2's
#     data directory is a copy of node 1's without the token files: same config, same PIN, and
#     its softhsm2.conf names node 1's token directory (one SoftHSM2 token, two processes);
#   - hashes pre-authorized through BOTH nodes at once (bench/csc/preauthorize.py, 64 per SAD);
#   - race: wrk with the SAME bodies in the same order against both nodes at once (16 keep-alive
#     connections each, 20 s of signHash, then a few seconds of draining so that no response is
#     lost, see bench/csc/signhash.lua), so both nodes try to consume each hash at nearly the same time;
#     meanwhile certificates are issued through the admin API of both nodes;
#   - sweep: every body sent once more, alternating nodes (bench/csc/send_bodies.py): bodies the
#     race did not reach are signed now, the others are refused with 409 on either node;
#   - checks: each pre-authorized hash answered 200 exactly once over all requests; only 200 and
#     409 answers; signatures rows = 200 answers = signature.produced entries, no hash signed
#     twice (psql); replaying a signed hash on the other node → 409; audit_log seq without
#     duplicates or gaps; certificate serials unique (the DER serials, read by openssl);
#     a key generated through node 2 signs through node 1 (openssl verifies); `qualsig audit
#     verify` against PostgreSQL; both nodes exit cleanly.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
command -v wrk >/dev/null || { fail "wrk is not installed"; finish; }

# The cluster lives outside $WORK: as root its server runs as `postgres`, which must reach it.
PGDIR=$(mktemp -u /tmp/qualsig-pg-two-nodes.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  (cd / && "$ROOT/scripts/pg-cluster" stop "$PGDIR" >/dev/null 2>&1) || true
  rm -rf "$WORK"
}
trap cleanup EXIT
URL=$(cd / && "$ROOT/scripts/pg-cluster" start "$PGDIR") && [ -n "$URL" ] && pass "throw-away PostgreSQL cluster started" ||
  { fail "pg-cluster start"; finish; }
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1 "$URL")
sql() { "${PSQL[@]}" -c "$1"; }

printf '{"database": {"url": "%s"}}\n' "$URL" > template.json
"$QUALSIG" --data n1 init --config template.json >/dev/null
grep -q '"url": "postgresql://' n1/config.json && pass "node 1 initialised on PostgreSQL" || fail "config: $(cat n1/config.json)"
"$QUALSIG" --data n1 ca export --out ca >/dev/null
setup_identity() {  # name
  "$QUALSIG" --data n1 identity register --name "$1" --kind service-account --sponsor "Finance Lead" >/dev/null
  "$QUALSIG" --data n1 identity proof "$1" --method sponsor --by admin-a >/dev/null
  "$QUALSIG" --data n1 identity confirm "$1" --by admin-b >/dev/null
  "$QUALSIG" --data n1 cert issue --identity "$1" >/dev/null
}
setup_identity invoice-bot
setup_identity other-bot
setup_identity cert-target
cat >policy.json <<'P'
{"schema": "qualsig-policy/1", "name": "two-nodes", "version": 1,
 "document_types": ["invoice"], "max_amount": {"EUR": "250000.00"}, "activation": {"sad_valid_for": "30m"}}
P
"$QUALSIG" --data n1 policy set --identity invoice-bot --identity other-bot --file policy.json >/dev/null
client() {  # principal role -> "id secret"
  "$QUALSIG" --data n1 --json api-client add --principal "$1" --role "$2" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["client_id"], d["client_secret"])'
}
read -r BOT_ID BOT_SECRET < <(client identity:invoice-bot signer)
read -r OTHER_ID OTHER_SECRET < <(client identity:other-bot signer)
read -r ADMIN_ID ADMIN_SECRET < <(client operator:ops admin)
# Node 2: a copy of node 1's data dir WITHOUT the token files. A copy with them would be a second
# token with the same keys only until one node generates a key (certificate issuance): qualsig
# points a copied data dir's softhsm2.conf at the copy's own tokens/ (trust_service.cpp,
# follow_moved_data_dir), so a key made through node 2 would be missing from node 1's token.
# Without tokens/ the configuration keeps naming node 1's token directory: one token.
cp -a n1 n2
rm -rf n2/tokens

start_node() {  # n -> PORT_n
  "$QUALSIG" --data "n$1" serve --listen 127.0.0.1:0 --http-listen off >"$WORK/serve$1.out" 2>"$WORK/serve$1.err" &
  PIDS+=($!)
  eval "PID$1=$!"
  for _ in $(seq 1 300); do grep -q "^serving" "$WORK/serve$1.out" 2>/dev/null && break; sleep 0.1; done
  local https
  https=$(grep -o 'https://[0-9.:]*' "$WORK/serve$1.out" || true)
  eval "PORT$1=${https##*:}"
  [ -n "$https" ] && pass "node $1 serving on ${https##*:}" || { fail "node $1 did not start: $(cat "$WORK/serve$1.err")"; finish; }
}
start_node 1
start_node 2
grep -q "tokendir = $WORK/n1/tokens" n2/softhsm2.conf && pass "node 2 uses node 1's token (one token)" ||
  fail "node 2's token: $(cat n2/softhsm2.conf)"
curl_node() {  # n args...
  local port_var="PORT$1"; local port=${!port_var}; shift
  curl -s --cacert ca/root.pem --resolve "localhost:$port:127.0.0.1" "$@"
}
url() { local port_var="PORT$1"; echo "https://localhost:${!port_var}$2"; }
token() {  # node id secret
  curl_node "$1" -X POST --data-urlencode grant_type=client_credentials --data-urlencode "client_id=$2" \
    --data-urlencode "client_secret=$3" "$(url "$1" /oauth2/token)" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
BOT=$(token 1 "$BOT_ID" "$BOT_SECRET")
ADMIN=$(token 2 "$ADMIN_ID" "$ADMIN_SECRET")
first_credential() {  # node token
  curl_node "$1" -X POST -H "Authorization: Bearer $2" -H 'Content-Type: application/json' -d '{}' \
    "$(url "$1" /csc/v2/credentials/list)" | python3 -c 'import json,sys; print(json.load(sys.stdin)["credentialIDs"][0])'
}
CRED=$(first_credential 2 "$BOT")
[ -n "$CRED" ] && pass "a token issued by node 1 is accepted by node 2" || { fail "no credential"; finish; }
CLIENT_DATA='{"qualsig":{"document_type":"invoice","attributes":{"amount":"120.00","currency":"EUR"}}}'

# --- pre-authorize through both nodes at once ---
COUNT=${TWO_NODES_HASHES_PER_NODE:-1280}
for n in 1 2; do
  port_var="PORT$n"
  python3 "$ROOT/bench/csc/preauthorize.py" "https://localhost:${!port_var}" ca/root.pem "$BOT" "$CRED" "$COUNT" "auth$n.jsonl" \
    --parallel 4 --client-data "$CLIENT_DATA" >"preauth$n.out" 2>&1 &
  eval "PRE$n=$!"
done
wait "$PRE1" && wait "$PRE2" && pass "pre-authorized on both nodes concurrently: $(tr '\n' ' ' < preauth1.out) / $(cat preauth2.out)" ||
  { fail "preauthorize: $(cat preauth1.out preauth2.out)"; finish; }
cat auth1.jsonl auth2.jsonl > all.jsonl
TOTAL=$(wc -l < all.jsonl)

# --- race: the same bodies against both nodes, with certificate issuance on both ---
CERTS_BEFORE=$(sql "select count(*) from certificates")
issue_loop() {  # node
  for _ in $(seq 1 8); do
    curl_node "$1" -o - -w '\n%{http_code}\n' -X POST -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
      -d '{"identity":"cert-target","validity_days":30}' "$(url "$1" /api/v1/certificates)"
  done >"issue$1.out"
}
issue_loop 1 & ISSUE1=$!
issue_loop 2 & ISSUE2=$!
for n in 1 2; do
  port_var="PORT$n"
  SIGNHASH_BODIES=all.jsonl SIGNHASH_TOKEN=$BOT SIGNHASH_THREADS=2 SIGNHASH_SECONDS=20 \
    wrk -t2 -c16 -d24s --timeout 30s --latency -s "$ROOT/bench/csc/signhash.lua" "https://localhost:${!port_var}" >"wrk$n.out" 2>&1 &
  eval "WRK$n=$!"
done
wait "$WRK1"; wait "$WRK2"; wait "$ISSUE1"; wait "$ISSUE2"
value() { awk -v k="$2" '$1 == k {print $2}' "$1"; }
S1=$(value wrk1.out signhash_signed); S2=$(value wrk2.out signhash_signed)
for n in 1 2; do
  line=$(awk '$1 == "signhash_non_2xx"' "wrk$n.out")
  # Only refusals of an already consumed hash (409) are expected besides 200.
  others=$(tr ' ' '\n' <<<"${line#signhash_non_2xx * }" | grep -v '^409:' | grep -v '^$' || true)
  [ -z "$others" ] && pass "node $n race: $(value "wrk$n.out" signhash_signed) signed, refusals only 409 (${line#signhash_non_2xx })" ||
    fail "node $n answered other than 200/409: $line"
  grep -q "Socket errors" "wrk$n.out" && fail "node $n socket errors: $(grep 'Socket errors' "wrk$n.out")" || pass "node $n: no socket errors"
done
echo "race: node 1 signed $S1, node 2 signed $S2 of $TOTAL hashes"
[ "$((S1 + S2))" -le "$TOTAL" ] && pass "no more 200s than hashes in the race" || fail "more signatures than hashes: $S1 + $S2 > $TOTAL"

# --- sweep: every body once more, alternating nodes ---
SWEEP=$(python3 "$ROOT/bench/csc/send_bodies.py" ca/root.pem "$BOT" all.jsonl "$PORT2" "$PORT1" --parallel 4) &&
  pass "sweep: $(tr '\n' ' ' <<<"$SWEEP")" || fail "sweep transport error: $SWEEP"
SW200=$(awk '$1 == 200 {print $2}' <<<"$SWEEP"); SW200=${SW200:-0}
SW409=$(awk '$1 == 409 {print $2}' <<<"$SWEEP"); SW409=${SW409:-0}
SIGNED=$((S1 + S2 + SW200))
[ "$SIGNED" = "$TOTAL" ] && pass "each of the $TOTAL pre-authorized hashes answered 200 exactly once" ||
  fail "200 answers $SIGNED (race $S1 + $S2, sweep $SW200) for $TOTAL hashes"
[ "$((SW200 + SW409))" = "$TOTAL" ] && pass "the sweep's other answers are all 409 ($SW409)" || fail "sweep answers: $SWEEP"

# --- the database agrees ---
ROWS=$(sql "select count(*) from signatures")
[ "$ROWS" = "$SIGNED" ] && pass "signatures rows = 200 answers ($ROWS)" || fail "signatures rows $ROWS, 200 answers $SIGNED"
TWICE=$(sql "select count(*) from (select document_hash from signatures group by document_hash having count(*) > 1) t")
[ "$TWICE" = 0 ] && pass "no hash signed twice" || fail "$TWICE hashes signed more than once"
PRODUCED=$(sql "select count(*) from audit_log where entry::json->>'event' = 'signature.produced'")
[ "$PRODUCED" = "$ROWS" ] && pass "signature.produced entries = signatures ($PRODUCED)" || fail "signature.produced $PRODUCED, signatures $ROWS"
CONSUMED=$(sql "select count(*) from sads where consumed_at is not null")
[ "$CONSUMED" = "$ROWS" ] && pass "consumed SADs = signatures ($CONSUMED)" || fail "consumed SADs $CONSUMED, signatures $ROWS"

# A hash signed in the race, replayed on both nodes: refused.
for i in 1 2 3; do
  BODY=$(sed -n "$((i * 97))p" all.jsonl)
  for n in 1 2; do
    code=$(curl_node "$n" -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $BOT" -H 'Content-Type: application/json' \
      --data-binary "$BODY" "$(url "$n" /csc/v2/signatures/signHash)")
    [ "$code" = 409 ] && pass "replay of signed hash $((i * 97)) on node $n: 409" || fail "replay on node $n: HTTP $code"
  done
done

# --- certificates issued concurrently on both nodes ---
ISSUED=$(cat issue1.out issue2.out | grep -c '^201$' || true)
[ "$ISSUED" = 16 ] && pass "16 certificates issued concurrently on both nodes" || fail "issuance answers: $(grep -E '^[0-9]{3}$' issue1.out issue2.out | sort | uniq -c | tr '\n' ' ')"
CERTS_AFTER=$(sql "select count(*) from certificates")
[ "$CERTS_AFTER" = "$((CERTS_BEFORE + ISSUED))" ] && pass "certificates rows grew by the issued count" ||
  fail "certificates $CERTS_BEFORE -> $CERTS_AFTER, issued $ISSUED"
sql "select encode(der, 'hex') from certificates" | python3 -c '
import subprocess, sys
serials = []
for line in sys.stdin:
    der = bytes.fromhex(line.strip())
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-serial"], input=der, capture_output=True, check=True)
    serials.append(out.stdout.decode().strip())
print(len(serials), len(set(serials)))' > serials.out
read -r NSER NDISTINCT < serials.out
[ "$NSER" = "$CERTS_AFTER" ] && [ "$NSER" = "$NDISTINCT" ] && pass "all $NSER certificate serials distinct (openssl)" ||
  fail "serials: $NSER certificates, $NDISTINCT distinct"
COLSER=$(sql "select count(distinct serial_hex) from certificates")
[ "$COLSER" = "$CERTS_AFTER" ] && pass "serial_hex distinct" || fail "serial_hex: $COLSER distinct of $CERTS_AFTER"

# --- a key generated through node 2 signs through node 1 (one token) ---
R=$(curl_node 2 -w '\n%{http_code}' -X POST -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d '{"identity":"other-bot"}' "$(url 2 /api/v1/certificates)")
[ "${R##*$'\n'}" = 201 ] && pass "certificate issued for other-bot on node 2" || fail "issue on node 2: $R"
OTHER=$(token 1 "$OTHER_ID" "$OTHER_SECRET")
NEW_SERIAL=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1].rsplit("\n",1)[0])["serial"])' "$R")
printf 'cross-node document\n' > doc.txt
H=$(openssl dgst -sha256 -binary doc.txt | base64 -w0)
SAD=$(curl_node 1 -X POST -H "Authorization: Bearer $OTHER" -H 'Content-Type: application/json' \
  -d "{\"credentialID\":\"$NEW_SERIAL\",\"numSignatures\":1,\"hashes\":[\"$H\"],\"hashAlgorithmOID\":\"2.16.840.1.101.3.4.2.1\",\"clientData\":\"$(sed 's/"/\\"/g' <<<"$CLIENT_DATA")\"}" \
  "$(url 1 /csc/v2/credentials/authorize)" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("SAD",""))')
SIG=$(curl_node 1 -X POST -H "Authorization: Bearer $OTHER" -H 'Content-Type: application/json' \
  -d "{\"credentialID\":\"$NEW_SERIAL\",\"SAD\":\"$SAD\",\"hashes\":[\"$H\"],\"signAlgo\":\"1.2.840.10045.4.3.2\"}" \
  "$(url 1 /csc/v2/signatures/signHash)")
python3 -c 'import json,sys,base64; open("doc.sig","wb").write(base64.b64decode(json.loads(sys.argv[1])["signatures"][0]))' "$SIG" 2>/dev/null ||
  fail "signHash on node 1 with the key made on node 2: $SIG"
sql "select encode(der, 'hex') from certificates where serial_hex = '$NEW_SERIAL'" | xxd -r -p | openssl x509 -inform DER -pubkey -noout > new.pub
expect_exit 0 "node 1 signs with the key node 2 generated; openssl verifies" -- openssl dgst -sha256 -verify new.pub -signature doc.sig doc.txt

# --- one log: no duplicated or missing sequence numbers, and it verifies ---
read -r N MIN MAX DISTINCT < <(sql "select count(*), min(seq), max(seq), count(distinct seq) from audit_log" | tr '|' ' ')
[ "$MIN" = 0 ] && [ "$N" = "$DISTINCT" ] && [ "$MAX" = "$((N - 1))" ] && pass "audit_log: $N entries, seq 0..$MAX, no gap or duplicate" ||
  fail "audit_log: count $N, min $MIN, max $MAX, distinct $DISTINCT"
expect_exit 0 "audit log verifies against PostgreSQL" -- "$QUALSIG" --data n1 audit verify
for n in 1 2; do
  pid_var="PID$n"
  kill -0 "${!pid_var}" 2>/dev/null && pass "node $n still up" || fail "node $n died: $(tail -n 20 "$WORK/serve$n.err")"
  kill -TERM "${!pid_var}"
  set +e; wait "${!pid_var}"; rc=$?; set -e
  [ "$rc" = 0 ] && pass "node $n: graceful shutdown, exit 0" || fail "node $n exit $rc: $(tail -n 30 "$WORK/serve$n.err")"
done
finish
