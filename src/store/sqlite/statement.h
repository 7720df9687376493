#pragma once
// A prepared SQLite statement owned by RAII; bind by 1-based index, step, read columns.

#include <sqlite3.h>

#include <string>

#include "core/bytes.h"
#include "core/result.h"

namespace qualsig::store {

class Statement {
 public:
  static Result<Statement> prepare(sqlite3* db, const char* sql);
  Statement(Statement&& o) noexcept : m_db(o.m_db), m_stmt(o.m_stmt) { o.m_stmt = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement() { sqlite3_finalize(m_stmt); }

  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, ByteView v) {
    sqlite3_bind_blob(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind_null(int i) {
    sqlite3_bind_null(m_stmt, i);
    return *this;
  }
  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(m_stmt, i, v);
    return *this;
  }

  // Makes the statement ready to run again with new bindings.
  void reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
  }

  // true: a row is available; false: done.
  Result<bool> step();
  Result<void> run();  // step to completion, expecting no rows

  std::string text(int col) const;
  Bytes blob(int col) const;
  std::int64_t int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
  bool is_null(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }

 private:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt) {}
  sqlite3* m_db;
  sqlite3_stmt* m_stmt;
};

Error sqlite_error(sqlite3* db, const std::string& what);

}  // namespace qualsig::store
