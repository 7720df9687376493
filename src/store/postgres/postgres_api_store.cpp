// PostgresStore: API clients and access tokens (store/api_records.h).
#include <nlohmann/json.hpp>

#include "store/json_list.h"

#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"

namespace qualsig::store {
namespace {

using pg::Params;
using pg::Rows;


const std::string kClientColumns =
    "client_id, principal, roles, secret_hash, description, created_at, created_by, disabled_at";
ApiClientRecord read_client(const Rows& st, int i) {
  ApiClientRecord r;
  r.client_id = st.text(i, 0);
  r.principal = st.text(i, 1);
  r.roles = from_json_list(st.text(i, 2));
  r.secret_hash = st.text(i, 3);
  r.description = st.text(i, 4);
  r.created_at = st.time(i, 5);
  r.created_by = st.text(i, 6);
  r.disabled_at = st.opt_time(i, 7);
  return r;
}

const std::string kTokenColumns = "token_hash, principal, roles, client_id, grant_type, issued_at, expires_at, revoked_at";
AccessTokenRecord read_token(const Rows& st, int i) {
  AccessTokenRecord r;
  r.token_hash = st.text(i, 0);
  r.principal = st.text(i, 1);
  r.roles = from_json_list(st.text(i, 2));
  r.client_id = st.text(i, 3);
  r.grant = st.text(i, 4);
  r.issued_at = st.time(i, 5);
  r.expires_at = st.time(i, 6);
  r.revoked_at = st.opt_time(i, 7);
  return r;
}

}  // namespace

Result<void> PostgresStore::put_api_client(const ApiClientRecord& k) {
  QS_TRY(auto c, m_pool->acquire());
  auto r = c->exec("INSERT INTO api_clients(" + kClientColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                   Params().add(k.client_id).add(k.principal).add(to_json_list(k.roles)).add(k.secret_hash)
                       .add(k.description).add(k.created_at).add(k.created_by).add(k.disabled_at));
  if (!r && r.error().code == ErrorCode::already_exists)
    return fail(ErrorCode::already_exists, "an API client '" + k.client_id + "' already exists");
  if (!r) return fail(std::move(r).error());
  return ok();
}

Result<ApiClientRecord> PostgresStore::api_client(const std::string& client_id) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kClientColumns + " FROM api_clients WHERE client_id = $1", Params().add(client_id)));
  if (r.empty()) return fail(ErrorCode::not_found, "no API client '" + client_id + "'");
  return read_client(r, 0);
}

Result<std::vector<ApiClientRecord>> PostgresStore::api_clients() {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kClientColumns + " FROM api_clients ORDER BY client_id"));
  std::vector<ApiClientRecord> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(read_client(r, i));
  return out;
}

Result<void> PostgresStore::disable_api_client(const std::string& client_id, TimePoint at) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("UPDATE api_clients SET disabled_at = $1 WHERE client_id = $2 AND disabled_at IS NULL",
                         Params().add(at).add(client_id)));
  if (r.affected() == 1) return ok();
  QS_TRY(auto q, c->exec("SELECT 1 FROM api_clients WHERE client_id = $1", Params().add(client_id)));
  if (q.empty()) return fail(ErrorCode::not_found, "no API client '" + client_id + "'");
  return fail(ErrorCode::conflict, "API client '" + client_id + "' is already disabled");
}

Result<void> PostgresStore::put_access_token(const AccessTokenRecord& t) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY_VOID(c->exec("INSERT INTO access_tokens(" + kTokenColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                      Params().add(t.token_hash).add(t.principal).add(to_json_list(t.roles)).add(t.client_id).add(t.grant)
                          .add(t.issued_at).add(t.expires_at).add(t.revoked_at)));
  return ok();
}

Result<AccessTokenRecord> PostgresStore::access_token(const std::string& token_hash) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kTokenColumns + " FROM access_tokens WHERE token_hash = $1", Params().add(token_hash)));
  if (r.empty()) return fail(ErrorCode::not_found, "unknown access token");
  return read_token(r, 0);
}

Result<void> PostgresStore::revoke_access_token(const std::string& token_hash, TimePoint at) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("UPDATE access_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE token_hash = $2",
                         Params().add(at).add(token_hash)));
  if (r.affected() == 0) return fail(ErrorCode::not_found, "unknown access token");
  return ok();
}

Result<std::int64_t> PostgresStore::revoke_access_tokens_of(const std::string& principal, TimePoint at) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("UPDATE access_tokens SET revoked_at = $1 WHERE principal = $2 AND revoked_at IS NULL "
                         "AND expires_at > $1", Params().add(at).add(principal)));
  return r.affected();
}

}  // namespace qualsig::store
