#pragma once
// libpq plumbing of PostgresStore: parameters, owned results, one connection with its prepared
// statements, and a small pool that lends one connection to one thread at a time. Every query
// is parameterised (PQprepare / PQexecPrepared); values never become part of SQL text.

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "core/time.h"

typedef struct pg_conn PGconn;        // libpq-fe.h
typedef struct pg_result PGresult;    // libpq-fe.h

namespace qualsig::store::pg {

// Parameters of one statement, $1..$n in the order added. Text and integers go in text format,
// bytes in binary format; each carries its type so the server never has to guess.
class Params {
 public:
  Params& add(const std::string& v);
  Params& add(std::int64_t v);
  Params& add(ByteView v);
  Params& add(TimePoint t) { return add(static_cast<std::int64_t>(t.time_since_epoch().count())); }
  Params& add(const std::optional<std::string>& v);
  Params& add(const std::optional<TimePoint>& v);
  Params& add(const std::optional<std::int64_t>& v);
  Params& add_null_text();

  std::size_t size() const { return m_values.size(); }
  // The type OIDs, for PQprepare; stable for a given SQL text.
  const std::vector<unsigned>& types() const { return m_types; }
  // Text values must not hold NUL (libpq sends C strings): the first offending index, if any.
  std::optional<std::size_t> nul_in_text() const { return m_nul_at; }

 private:
  friend class Connection;
  struct Value {
    std::string data;
    bool null = false;
  };
  Params& push(std::string data, unsigned type, int format, bool null);
  std::vector<Value> m_values;
  std::vector<unsigned> m_types;
  std::vector<int> m_formats;
  std::optional<std::size_t> m_nul_at;
};

// A query result owned by RAII. Results are requested in binary format: integers are read by
// their width, bytea as raw bytes, text as UTF-8. Column reads on a NULL give an empty value.
class Rows {
 public:
  explicit Rows(PGresult* res);
  Rows(Rows&& o) noexcept : m_res(o.m_res) { o.m_res = nullptr; }
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  Rows& operator=(Rows&&) = delete;
  ~Rows();

  int size() const;
  bool empty() const { return size() == 0; }
  // Rows changed by an INSERT/UPDATE/DELETE without RETURNING.
  std::int64_t affected() const;
  bool is_null(int row, int col) const;
  std::string text(int row, int col) const;
  Bytes bytes(int row, int col) const;
  std::int64_t int64(int row, int col) const;
  TimePoint time(int row, int col) const { return TimePoint(std::chrono::seconds(int64(row, col))); }
  std::optional<std::string> opt_text(int row, int col) const;
  std::optional<TimePoint> opt_time(int row, int col) const;

 private:
  friend class Connection;
  PGresult* m_res;
};

// Removes a password from a libpq message, both the one parsed from `url` and anything that
// looks like the userinfo of a postgres URL, so that errors and logs never carry it.
std::string scrub(const std::string& message, const std::string& password);

// One server connection, used by one thread at a time (the pool guarantees it).
class Connection {
 public:
  // Connects; a server that cannot be reached is `unavailable`, a refused login `database`.
  static Result<std::unique_ptr<Connection>> connect(const std::string& url, const std::string& password);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs a parameterised statement (prepared once per connection and SQL text). Errors map
  // SQLSTATE to ErrorCode: unique violation -> already_exists, invalid text -> invalid_input,
  // lost connection -> unavailable, serialisation failure / deadlock -> conflict, else database.
  Result<Rows> exec(const std::string& sql, const Params& params = {});
  // Runs SQL without parameters (BEGIN, COMMIT, migration scripts with several statements).
  Result<void> exec_script(const std::string& sql);
  // Checks the connection without a round trip (reads what the server sent, e.g. a shutdown
  // notice) and reconnects once when it is broken; `unavailable` if that fails.
  Result<void> ensure_alive();
  // true once a transaction was begun and not yet ended (ROLLBACK is due when it is returned).
  bool in_transaction() const;
  std::string server_version() const;
  std::string where() const;  // "host:port/dbname"

 private:
  Connection(PGconn* conn, std::string password) : m_conn(conn), m_password(std::move(password)) {}
  Error error_of(PGresult* res, const std::string& what) const;
  PGconn* m_conn;
  std::string m_password;
  std::map<std::string, std::string> m_prepared;  // SQL text -> statement name
};

// Up to `size` connections made on demand; acquire() waits for a free one.
class Pool {
 public:
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> conn) : m_pool(&pool), m_conn(std::move(conn)) {}
    Lease(Lease&& o) noexcept = default;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    // Returns the connection; one left inside a transaction is rolled back first.
    ~Lease();
    Connection* operator->() { return m_conn.get(); }
    Connection& operator*() { return *m_conn; }

   private:
    Pool* m_pool;
    std::unique_ptr<Connection> m_conn;
  };

  Pool(std::string url, std::string password, std::size_t size)
      : m_url(std::move(url)), m_password(std::move(password)), m_size(size) {}
  // Borrows a live connection (reconnecting a broken one once); `unavailable` when the server
  // cannot be reached.
  Result<Lease> acquire();

 private:
  void give_back(std::unique_ptr<Connection> conn);
  std::string m_url;
  std::string m_password;
  std::size_t m_size;
  std::mutex m_mutex;
  std::condition_variable m_free_cv;
  std::vector<std::unique_ptr<Connection>> m_idle;
  std::size_t m_open = 0;
};

// Runs `body` between BEGIN and COMMIT on `conn`; any failure rolls back and is returned.
template <typename F>
auto in_transaction(Connection& conn, F&& body) -> decltype(body()) {
  QS_TRY_VOID(conn.exec_script("BEGIN"));
  auto result = body();
  if (!result) {
    (void)conn.exec_script("ROLLBACK");
    return result;
  }
  QS_TRY_VOID(conn.exec_script("COMMIT"));
  return result;
}

}  // namespace qualsig::store::pg
