#pragma once
// The store test-suite runs against every backend (DESIGN.md: one interface, two
// implementations, one test-suite). A test parameterised with `Backend` gets a fresh database:
// SQLite in a TempDir, PostgreSQL as a new database `t_<random>` on the test cluster, dropped
// afterwards. The cluster's URL comes from QUALSIG_TEST_PG_URL or from the file named by
// QUALSIG_TEST_PG_URL_FILE (written by `scripts/pg-cluster start`, see tests/store/CMakeLists.txt);
// without either, the PostgreSQL instances skip.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace qualsig::store::testing {

enum class Backend { sqlite, postgres };

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "SQLite" : "PostgreSQL";
}

// URL of the test cluster's `qualsig` database, or "" when none was given.
inline std::string pg_test_url() {
  if (const char* url = std::getenv("QUALSIG_TEST_PG_URL"); url && *url) return url;
  if (const char* file = std::getenv("QUALSIG_TEST_PG_URL_FILE"); file && *file) {
    std::ifstream in(file);
    std::string line;
    if (in && std::getline(in, line)) return line;
  }
  return {};
}

inline constexpr const char* kNoPgMessage =
    "PostgreSQL tests need a cluster: set QUALSIG_TEST_PG_URL (scripts/pg-cluster start DIR prints one) "
    "or run them through ctest, whose pg-cluster fixture provides it";

// `url` with its database name replaced (the path of postgresql://user:pw@host:port/dbname?query).
inline std::string with_database(const std::string& url, const std::string& dbname) {
  auto query = url.find('?');
  std::string base = url.substr(0, query);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  return base.substr(0, base.rfind('/') + 1) + dbname + rest;
}

// Runs SQL through a fresh libpq connection; returns "" or the server's error message.
inline std::string pg_exec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string err;
  if (PQstatus(conn) != CONNECTION_OK) {
    err = PQerrorMessage(conn);
  } else {
    PGresult* res = PQexec(conn, sql.c_str());
    auto st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) err = PQresultErrorMessage(res);
    PQclear(res);
  }
  PQfinish(conn);
  return err;
}

inline std::string random_suffix() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd() % 1000000);
}

// A fresh, empty database of one backend for one test.
class TestDatabase {
 public:
  explicit TestDatabase(Backend backend) : m_backend(backend) {
    if (backend == Backend::postgres) {
      m_admin_url = pg_test_url();
      if (m_admin_url.empty()) throw std::runtime_error(kNoPgMessage);
      m_name = "t_" + random_suffix();
      if (auto err = pg_exec(m_admin_url, "CREATE DATABASE " + m_name); !err.empty())
        throw std::runtime_error("CREATE DATABASE failed: " + err);
      m_url = with_database(m_admin_url, m_name);
    } else {
      m_url = (m_dir.path() / "q.db").string();
    }
  }
  ~TestDatabase() {
    if (m_backend == Backend::postgres) (void)pg_exec(m_admin_url, "DROP DATABASE IF EXISTS " + m_name + " WITH (FORCE)");
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Backend backend() const { return m_backend; }
  // The database: an SQLite file path or a PostgreSQL URL.
  const std::string& url() const { return m_url; }

  // Opens another store on this database: another connection / another "node".
  Result<std::unique_ptr<Store>> open(bool create = true) const {
    if (m_backend == Backend::sqlite) {
      QS_TRY(auto s, SqliteStore::open(m_url, create ? SqliteStore::Mode::create : SqliteStore::Mode::open_existing));
      return std::unique_ptr<Store>(std::move(s));
    }
    QS_TRY(auto s, PostgresStore::open(m_url, create ? PostgresStore::Mode::create : PostgresStore::Mode::open_existing));
    return std::unique_ptr<Store>(std::move(s));
  }

  // Runs raw SQL on the database behind the store's back; "" or the error.
  std::string exec_raw(const std::string& sql) const {
    if (m_backend == Backend::postgres) return pg_exec(m_url, sql);
    sqlite3* db = nullptr;
    std::string err;
    if (sqlite3_open(m_url.c_str(), &db) != SQLITE_OK) err = "cannot open";
    char* msg = nullptr;
    if (err.empty() && sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) err = msg ? msg : "error";
    sqlite3_free(msg);
    sqlite3_close(db);
    return err;
  }

 private:
  Backend m_backend;
  qualsig::testing::TempDir m_dir;
  std::string m_admin_url;
  std::string m_name;
  std::string m_url;
};

// Base of the shared suite: a fresh database per test; skips PostgreSQL without a cluster.
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::postgres && pg_test_url().empty()) GTEST_SKIP() << kNoPgMessage;
    m_db = std::make_unique<TestDatabase>(GetParam());
  }
  TestDatabase& db() { return *m_db; }
  // A store on the test database (create mode); a failure to open throws (the test fails).
  std::unique_ptr<Store> open_store(bool create = true) {
    auto s = m_db->open(create);
    if (!s) throw std::runtime_error("cannot open the store: " + s.error().message);
    return std::move(*s);
  }

 private:
  std::unique_ptr<TestDatabase> m_db;
};

}  // namespace qualsig::store::testing

// Instantiates a suite derived from StoreTest for every backend.
#define QUALSIG_STORE_BACKENDS(suite)                                                                     \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                                                \
                           ::testing::Values(::qualsig::store::testing::Backend::sqlite,                  \
                                             ::qualsig::store::testing::Backend::postgres),               \
                           ::qualsig::store::testing::backend_name)
