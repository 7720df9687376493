// SqliteStore: API clients and access tokens (store/api_records.h).
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "store/json_list.h"

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statement.h"

namespace qualsig::store {
namespace {


constexpr const char* kClientColumns =
    "client_id, principal, roles, secret_hash, description, created_at, created_by, disabled_at";
ApiClientRecord read_client(const Statement& st) {
  ApiClientRecord r;
  r.client_id = st.text(0);
  r.principal = st.text(1);
  r.roles = from_json_list(st.text(2));
  r.secret_hash = st.text(3);
  r.description = st.text(4);
  r.created_at = from_unix_seconds(st.int64(5));
  r.created_by = st.text(6);
  r.disabled_at = opt_time(st, 7);
  return r;
}

constexpr const char* kTokenColumns =
    "token_hash, principal, roles, client_id, grant_type, issued_at, expires_at, revoked_at";
AccessTokenRecord read_token(const Statement& st) {
  AccessTokenRecord r;
  r.token_hash = st.text(0);
  r.principal = st.text(1);
  r.roles = from_json_list(st.text(2));
  r.client_id = st.text(3);
  r.grant = st.text(4);
  r.issued_at = from_unix_seconds(st.int64(5));
  r.expires_at = from_unix_seconds(st.int64(6));
  r.revoked_at = opt_time(st, 7);
  return r;
}

}  // namespace

Result<void> SqliteStore::put_api_client(const ApiClientRecord& c) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare(std::string("INSERT INTO api_clients(") + kClientColumns + ") VALUES (?,?,?,?,?,?,?,?)"));
    st.bind(1, c.client_id).bind(2, c.principal).bind(3, to_json_list(c.roles)).bind(4, c.secret_hash)
        .bind(5, c.description).bind(6, unix_seconds(c.created_at)).bind(7, c.created_by);
    bind_opt(st, 8, c.disabled_at);
    auto ran = st.run();
    if (!ran && ran.error().code == ErrorCode::already_exists)
      return fail(ErrorCode::already_exists, "an API client '" + c.client_id + "' already exists");
    return ran;
  });
}

Result<ApiClientRecord> SqliteStore::api_client(const std::string& client_id) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare(std::string("SELECT ") + kClientColumns + " FROM api_clients WHERE client_id = ?"));
  st.bind(1, client_id);
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::not_found, "no API client '" + client_id + "'");
  return read_client(st);
}

Result<std::vector<ApiClientRecord>> SqliteStore::api_clients() {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare(std::string("SELECT ") + kClientColumns + " FROM api_clients ORDER BY client_id"));
  return collect<ApiClientRecord>(st, read_client);
}

Result<void> SqliteStore::disable_api_client(const std::string& client_id, TimePoint at) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("UPDATE api_clients SET disabled_at = ? WHERE client_id = ? AND disabled_at IS NULL"));
    st.bind(1, unix_seconds(at)).bind(2, client_id);
    QS_TRY_VOID(st.run());
    if (sqlite3_changes(m_db) == 1) return {};
    QS_TRY(auto q, prepare("SELECT 1 FROM api_clients WHERE client_id = ?"));
    q.bind(1, client_id);
    QS_TRY(bool row, q.step());
    if (!row) return fail(ErrorCode::not_found, "no API client '" + client_id + "'");
    return fail(ErrorCode::conflict, "API client '" + client_id + "' is already disabled");
  });
}

Result<void> SqliteStore::put_access_token(const AccessTokenRecord& t) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare(std::string("INSERT INTO access_tokens(") + kTokenColumns + ") VALUES (?,?,?,?,?,?,?,?)"));
    st.bind(1, t.token_hash).bind(2, t.principal).bind(3, to_json_list(t.roles)).bind(4, t.client_id).bind(5, t.grant)
        .bind(6, unix_seconds(t.issued_at)).bind(7, unix_seconds(t.expires_at));
    bind_opt(st, 8, t.revoked_at);
    return st.run();
  });
}

Result<AccessTokenRecord> SqliteStore::access_token(const std::string& token_hash) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare(std::string("SELECT ") + kTokenColumns + " FROM access_tokens WHERE token_hash = ?"));
  st.bind(1, token_hash);
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::not_found, "unknown access token");
  return read_token(st);
}

Result<void> SqliteStore::revoke_access_token(const std::string& token_hash, TimePoint at) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("UPDATE access_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE token_hash = ?"));
    st.bind(1, unix_seconds(at)).bind(2, token_hash);
    QS_TRY_VOID(st.run());
    if (sqlite3_changes(m_db) == 0) return fail(ErrorCode::not_found, "unknown access token");
    return {};
  });
}

Result<std::int64_t> SqliteStore::revoke_access_tokens_of(const std::string& principal, TimePoint at) {
  return write([&]() -> Result<std::int64_t> {
    QS_TRY(auto st, prepare("UPDATE access_tokens SET revoked_at = ? WHERE principal = ? AND revoked_at IS NULL "
                            "AND expires_at > ?"));
    st.bind(1, unix_seconds(at)).bind(2, principal).bind(3, unix_seconds(at));
    QS_TRY_VOID(st.run());
    return static_cast<std::int64_t>(sqlite3_changes(m_db));
  });
}

}  // namespace qualsig::store
