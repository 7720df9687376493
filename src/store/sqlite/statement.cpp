#include "store/sqlite/statement.h"

namespace qualsig::store {

Error sqlite_error(sqlite3* db, const std::string& what) {
  int code = db ? sqlite3_errcode(db) : SQLITE_ERROR;
  std::string msg = db ? sqlite3_errmsg(db) : "no database";
  ErrorCode ec = ErrorCode::database;
  if (code == SQLITE_CONSTRAINT) ec = ErrorCode::already_exists;
  return make_error(ec, "database: " + what + ": " + msg);
}

Result<Statement> Statement::prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) return fail(sqlite_error(db, "prepare"));
  return Statement(db, stmt);
}

StatementCache::~StatementCache() {
  for (auto& [sql, stmt] : m_statements) sqlite3_finalize(stmt);
}

Result<Statement> StatementCache::get(const std::string& sql) {
  if (auto it = m_statements.find(sql); it != m_statements.end()) return Statement(m_db, it->second, true);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(m_db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
    return fail(sqlite_error(m_db, "prepare"));
  m_statements.emplace(sql, stmt);
  return Statement(m_db, stmt, true);
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail(sqlite_error(m_db, "step"));
}

Result<void> Statement::run() {
  QS_TRY(bool row, step());
  if (row) return fail(ErrorCode::internal, "database: statement returned rows unexpectedly");
  return ok();
}

std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(m_stmt, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col)))
           : std::string();
}

Bytes Statement::blob(int col) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_stmt, col));
  return p ? Bytes(p, p + sqlite3_column_bytes(m_stmt, col)) : Bytes();
}

}  // namespace qualsig::store
