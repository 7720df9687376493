#pragma once
// A prepared SQLite statement owned by RAII; bind by 1-based index, step, read columns.

#include <sqlite3.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "core/time.h"

namespace qualsig::store {

class Statement {
 public:
  static Result<Statement> prepare(sqlite3* db, const char* sql);
  Statement(Statement&& o) noexcept : m_db(o.m_db), m_stmt(o.m_stmt), m_cached(o.m_cached) { o.m_stmt = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  // A cached statement (StatementCache) is reset for its next use, any other is finalised.
  ~Statement() {
    if (m_cached) {
      if (m_stmt) {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
      }
    } else {
      sqlite3_finalize(m_stmt);
    }
  }

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
  friend class StatementCache;
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool cached = false) : m_db(db), m_stmt(stmt), m_cached(cached) {}
  sqlite3* m_db;
  sqlite3_stmt* m_stmt;
  bool m_cached;
};

// Prepared statements kept for the life of a connection, by SQL text: compiling SQL was a fifth
// of the signing path's CPU (BENCHMARKS.md). A statement handed out is borrowed until the
// Statement is destroyed; the caller serialises use (SqliteStore holds its writer mutex or a
// read lease of this connection), and must not hold two Statements of the same SQL at once.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : m_db(db) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  ~StatementCache();
  Result<Statement> get(const std::string& sql);

 private:
  sqlite3* m_db;
  std::unordered_map<std::string, sqlite3_stmt*> m_statements;
};

// Column and binding helpers shared by the SqliteStore files. Times are stored as Unix seconds.
inline TimePoint from_unix_seconds(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }
inline std::int64_t unix_seconds(TimePoint t) { return t.time_since_epoch().count(); }
inline void bind_opt(Statement& st, int i, const std::optional<std::string>& v) {
  if (v) st.bind(i, *v);
  else st.bind_null(i);
}
inline void bind_opt(Statement& st, int i, const std::optional<TimePoint>& v) {
  if (v) st.bind(i, unix_seconds(*v));
  else st.bind_null(i);
}
inline std::optional<std::string> opt_text(const Statement& st, int col) {
  if (st.is_null(col)) return std::nullopt;
  return st.text(col);
}
inline std::optional<TimePoint> opt_time(const Statement& st, int col) {
  if (st.is_null(col)) return std::nullopt;
  return from_unix_seconds(st.int64(col));
}
// Reads every remaining row with `read`.
template <typename T, typename F>
Result<std::vector<T>> collect(Statement& st, F read) {
  std::vector<T> out;
  for (;;) {
    QS_TRY(bool row, st.step());
    if (!row) break;
    out.push_back(read(st));
  }
  return out;
}

Error sqlite_error(sqlite3* db, const std::string& what);

}  // namespace qualsig::store
