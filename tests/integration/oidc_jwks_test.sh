#!/usr/bin/env bash
# OIDC workload tokens verified against keys fetched from the issuer's jwks_uri over HTTPS
# (proofing.oidc_jwks_url, service/oidc_keys.h). The issuer is a Python HTTPS server on loopback
# with a certificate from a test CA made by openssl; tokens and key sets are made by npm jose.
# Checked: proofing with fetched keys; the server certificate verified (wrong CA, wrong name);
# http:// and a file+URL mix refused by the config; in `serve`, a token signed with a key the
# issuer rotated in is accepted after one refetch, forged tokens are refused, and kept keys
# outlive an issuer outage while a service that never had keys answers 503.
source "$(dirname "$0")/lib.sh"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
"$QUALSIG" --data d init >/dev/null
"$QUALSIG" --data d ca export --out ca >/dev/null

# The issuer's TLS: a test CA, a certificate for 127.0.0.1 and one for another name.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout issuer-ca.key -out issuer-ca.pem \
  -subj "/CN=Test OIDC Issuer CA" -days 2 2>/dev/null
for name in right wrong; do
  san=$([ $name = right ] && echo "IP:127.0.0.1" || echo "DNS:elsewhere.example")
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $name.key -out $name.csr -subj "/CN=issuer" 2>/dev/null
  openssl x509 -req -in $name.csr -CA issuer-ca.pem -CAkey issuer-ca.key -CAcreateserial -out $name.pem -days 2 \
    -extfile <(printf 'subjectAltName=%s\n' "$san") 2>/dev/null
done

now=$(date +%s)
claims() { printf '{"iss": "https://token.ci.example", "aud": "qualsig", "sub": "repo:acme/agent", "iat": %s, "exp": %s}' "$now" "$((now + 600))"; }
cat > jwtreq.json <<J
{"keys": [{"id": "k", "alg": "ES256"}, {"id": "k2", "alg": "ES256"}],
 "sets": {"main": [{"key": "k", "kid": "ci-key", "alg": true}],
          "rotated": [{"key": "k", "kid": "ci-key", "alg": true}, {"key": "k2", "kid": "ci-key-2", "alg": true}]},
 "tokens": [
  {"name": "good", "key": "k", "kid": "ci-key", "mode": "sign", "claims": $(claims)},
  {"name": "rotated", "key": "k2", "kid": "ci-key-2", "mode": "sign", "claims": $(claims)},
  {"name": "forged", "key": "k2", "kid": "ci-key", "mode": "sign", "claims": $(claims)}
 ]}
J
node "$HERE/../interop/make_jwt.mjs" <jwtreq.json >jwt.json
mkdir -p www
python3 - <<'P'
import json
d = json.load(open("jwt.json"))
json.dump(d["sets"]["main"], open("www/jwks.json", "w"))
json.dump(d["sets"]["rotated"], open("rotated.json", "w"))
for name in ("good", "rotated", "forged"):
    open(name + ".jwt", "w").write(d["tokens"][name])
P

ISSUER_PORT=$(free_port)
JWKS_URL="https://127.0.0.1:$ISSUER_PORT/jwks.json"
start_issuer() {  # CERT-NAME
  python3 "$HERE/https_file_server.py" "$ISSUER_PORT" "$1.pem" "$1.key" www >issuer.out 2>issuer.log &
  ISSUER=$!
  for _ in $(seq 50); do grep -q ready issuer.out 2>/dev/null && break; sleep 0.1; done
}
stop_issuer() { [ -n "$ISSUER" ] && { kill "$ISSUER" 2>/dev/null || true; wait "$ISSUER" 2>/dev/null || true; }; ISSUER=""; }
set_proofing() {  # JSON object merged into config.json's proofing
  python3 - "$1" <<'P'
import json, sys
c = json.load(open("d/config.json"))
c["proofing"].update({"oidc_issuer": "https://token.ci.example", "oidc_audience": "qualsig"})
for k in ("oidc_jwks_file", "oidc_jwks_url", "oidc_jwks_ca_file"):
    c["proofing"].pop(k, None)
c["proofing"].update(json.loads(sys.argv[1]))
json.dump(c, open("d/config.json", "w"))
P
}
SERVE=""
ISSUER=""
trap 'stop_issuer; [ -n "$SERVE" ] && kill -9 $SERVE 2>/dev/null; rm -rf "$WORK"' EXIT

"$QUALSIG" --data d identity register --name ci-agent --kind workload --sponsor "Release Manager" >/dev/null

# --- the config ---
set_proofing "{\"oidc_jwks_url\": \"http://127.0.0.1:$ISSUER_PORT/jwks.json\"}"
expect_exit 3 "http:// jwks_uri refused" -- "$QUALSIG" --data d serve --check-config
contains "http:// refused: why" "$ERR$OUT" "must be an https:// URL"
set_proofing "{\"oidc_jwks_url\": \"$JWKS_URL\", \"oidc_jwks_file\": \"jwks.json\"}"
expect_exit 3 "file and URL together refused" -- "$QUALSIG" --data d serve --check-config
contains "file and URL: why" "$ERR$OUT" "exclude each other"

# --- proofing from the CLI, each run a fresh fetch ---
start_issuer wrong
set_proofing "{\"oidc_jwks_url\": \"$JWKS_URL\", \"oidc_jwks_ca_file\": \"$WORK/issuer-ca.pem\"}"
expect_exit 3 "issuer certificate for another name" -- "$QUALSIG" --data d identity proof ci-agent --method oidc --token good.jwt
expect_one_error_line "wrong name" "certificate verification failed"
stop_issuer
start_issuer right
set_proofing "{\"oidc_jwks_url\": \"$JWKS_URL\"}"
expect_exit 3 "issuer CA not trusted (system store only)" -- "$QUALSIG" --data d identity proof ci-agent --method oidc --token good.jwt
expect_one_error_line "untrusted issuer CA" "certificate verification failed"
set_proofing "{\"oidc_jwks_url\": \"$JWKS_URL\", \"oidc_jwks_ca_file\": \"$WORK/issuer-ca.pem\", \"oidc_jwks_min_refetch_seconds\": 1}"
expect_exit 1 "forged token refused in proofing" -- "$QUALSIG" --data d identity proof ci-agent --method oidc --token forged.jwt
expect_exit 0 "proof with keys fetched over HTTPS" -- "$QUALSIG" --data d identity proof ci-agent --method oidc --token good.jwt
grep -q "GET /jwks.json" issuer.log && pass "the issuer served the JWKS" || fail "no JWKS request in the issuer's log"

# --- serve: the jwt-bearer grant with kept keys ---
"$QUALSIG" --data d serve --listen 127.0.0.1:0 --http-listen off >serve.out 2>serve.err &
SERVE=$!
for _ in $(seq 100); do grep -q "^serving" serve.out 2>/dev/null && break; sleep 0.1; done
HTTPS=$(grep -o 'https://[0-9.:]*' serve.out | sed 's/127.0.0.1/localhost/')
PORT=${HTTPS##*:}
[ -n "$PORT" ] && pass "serve started" || { fail "serve did not start: $(cat serve.err)"; finish; }
grant() {  # TOKEN-FILE -> HTTP status
  curl -s --cacert ca/root.pem --resolve "localhost:$PORT:127.0.0.1" -o grant.out -w '%{http_code}' -X POST \
    -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer --data-urlencode "assertion@$1" "$HTTPS/oauth2/token"
}
R=$(grant good.jwt); [ "$R" = 200 ] && pass "good token exchanged (200)" || fail "good token: $R $(cat grant.out)"
R=$(grant rotated.jwt); [ "$R" = 401 ] && pass "token of a key not yet published: 401" || fail "rotated before publication: $R"
R=$(grant forged.jwt); [ "$R" = 401 ] && pass "forged token: 401" || fail "forged: $R"
fetches=$(grep -c "GET /jwks.json" issuer.log)
# The issuer rotates a key in; after the minimum interval one refused token refetches.
cp rotated.json www/jwks.json
sleep 1.2
R=$(grant rotated.jwt); [ "$R" = 200 ] && pass "token of the rotated-in key accepted after a refetch (200)" || fail "rotated: $R $(cat grant.out)"
R=$(grant forged.jwt); [ "$R" = 401 ] && pass "forged token still 401" || fail "forged after rotation: $R"
R=$(grant forged.jwt); [ "$R" = 401 ] && pass "forged token again 401" || fail "forged again: $R"
after=$(grep -c "GET /jwks.json" issuer.log)
[ $((after - fetches)) -le 2 ] && pass "refetches are rate-limited ($((after - fetches)) for 4 requests)" || fail "$((after - fetches)) refetches"
# Issuer down: a refused token's refetch fails, is logged, and the kept keys still serve.
stop_issuer
sleep 1.2
R=$(grant forged.jwt); [ "$R" = 401 ] && pass "issuer down: forged token 401" || fail "issuer down, forged: $R"
R=$(grant good.jwt); [ "$R" = 200 ] && pass "issuer down: kept keys still accept (200)" || fail "issuer down, kept keys: $R $(cat grant.out)"
grep -q "cannot get the OIDC issuer's keys.*still serve" serve.err && pass "the failed refetch is logged" || fail "no log of the failed refetch: $(tail -3 serve.err)"
kill $SERVE; wait $SERVE 2>/dev/null || true

# A service that never had the keys: 503 while the issuer is down, not 401.
"$QUALSIG" --data d serve --listen 127.0.0.1:0 --http-listen off >serve.out 2>serve.err &
SERVE=$!
for _ in $(seq 100); do grep -q "^serving" serve.out 2>/dev/null && break; sleep 0.1; done
HTTPS=$(grep -o 'https://[0-9.:]*' serve.out | sed 's/127.0.0.1/localhost/')
PORT=${HTTPS##*:}
R=$(grant good.jwt); [ "$R" = 503 ] && pass "issuer down, no keys: 503" || fail "issuer down, no keys: $R $(cat grant.out)"
contains "503 names the issuer's keys" "$(cat grant.out)" "OIDC issuer's keys"
kill $SERVE; wait $SERVE 2>/dev/null || true
SERVE=""
finish
