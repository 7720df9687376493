#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include "core/time.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/statement.h"

namespace qualsig::store {
namespace fs = std::filesystem;

namespace {
TimePoint from_unix(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }
std::int64_t to_unix(TimePoint t) { return t.time_since_epoch().count(); }

CaCertificate read_ca(const Statement& st) {
  return CaCertificate{st.text(0), st.text(1), st.text(2), st.blob(3), st.blob(4), st.text(5),
                       from_unix(st.int64(6)), from_unix(st.int64(7))};
}
}  // namespace

int SqliteStore::latest_schema_version() { return static_cast<int>(sqlite_migrations().size()); }

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const fs::path& path, Mode mode) {
  std::error_code ec;
  if (mode == Mode::open_existing && !fs::exists(path, ec))
    return fail(ErrorCode::database, "database not found: " + path.string());
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (mode == Mode::create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    auto err = make_error(ErrorCode::database, "cannot open database " + path.string() + ": " +
                                                   (db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return fail(std::move(err));
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, path));
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 0);
  // The first statement reads the header: a file that is not a database fails here.
  auto wal = store->exec("PRAGMA journal_mode=WAL");
  if (!wal) return fail(ErrorCode::database, "not a valid qualsig database: " + path.string() + " (" + wal.error().message + ")");
  QS_TRY_VOID(store->exec("PRAGMA foreign_keys=ON"));
  // WAL + synchronous=FULL: a committed transaction survives power loss (the audit log needs it).
  QS_TRY_VOID(store->exec("PRAGMA synchronous=FULL"));
  QS_TRY(auto integrity, Statement::prepare(db, "PRAGMA quick_check"));
  QS_TRY(bool row, integrity.step());
  if (!row || integrity.text(0) != "ok")
    return fail(ErrorCode::database, "database is corrupt: " + path.string() + " (quick_check: " + (row ? integrity.text(0) : "no result") + ")");
  QS_TRY_VOID(store->migrate());
  return store;
}

SqliteStore::~SqliteStore() { sqlite3_close(m_db); }

Error SqliteStore::db_error(const std::string& what) const { return sqlite_error(m_db, what); }

Result<void> SqliteStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(m_db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return fail(ErrorCode::database, "database: " + msg);
  }
  return ok();
}

Result<void> SqliteStore::migrate() {
  std::lock_guard lock(m_mutex);
  QS_TRY_VOID(exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT"));
  QS_TRY(auto st, Statement::prepare(m_db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  QS_TRY_VOID(st.step());
  int current = static_cast<int>(st.int64(0));
  if (current > latest_schema_version())
    return fail(ErrorCode::database, "database schema version " + std::to_string(current) +
                                         " is newer than this qualsig understands (" +
                                         std::to_string(latest_schema_version()) + "): upgrade qualsig");
  for (const auto& m : sqlite_migrations()) {
    if (m.version <= current) continue;
    QS_TRY_VOID(exec("BEGIN IMMEDIATE"));
    auto applied = [&]() -> Result<void> {
      QS_TRY_VOID(exec(m.sql));
      QS_TRY(auto ins, Statement::prepare(m_db, "INSERT INTO schema_migrations(version, description, applied_at) VALUES (?,?,?)"));
      ins.bind(1, std::int64_t{m.version}).bind(2, std::string(m.description)).bind(3, to_unix(now_seconds()));
      return ins.run();
    }();
    if (!applied) {
      (void)exec("ROLLBACK");
      return fail(ErrorCode::database, "migration " + std::to_string(m.version) + " failed: " + applied.error().message);
    }
    QS_TRY_VOID(exec("COMMIT"));
  }
  return ok();
}

Result<int> SqliteStore::schema_version() {
  std::lock_guard lock(m_mutex);
  QS_TRY(auto st, Statement::prepare(m_db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  QS_TRY_VOID(st.step());
  return static_cast<int>(st.int64(0));
}

std::string SqliteStore::describe() const {
  return std::string("SQLite ") + sqlite3_libversion() + " (WAL) at " + m_path.string();
}

Result<void> SqliteStore::put_service_material(const std::vector<CaCertificate>& certs,
                                               const std::vector<ServiceKey>& keys) {
  std::lock_guard lock(m_mutex);
  QS_TRY_VOID(exec("BEGIN IMMEDIATE"));
  auto body = [&]() -> Result<void> {
    for (const auto& c : certs) {
      QS_TRY(auto st, Statement::prepare(m_db,
          "INSERT INTO ca_certificates(role, serial_hex, subject, der, key_id, key_label, not_before, not_after) VALUES (?,?,?,?,?,?,?,?)"));
      st.bind(1, c.role).bind(2, c.serial_hex).bind(3, c.subject).bind(4, ByteView(c.der)).bind(5, ByteView(c.key_id))
          .bind(6, c.key_label).bind(7, to_unix(c.not_before)).bind(8, to_unix(c.not_after));
      QS_TRY_VOID(st.run());
    }
    for (const auto& k : keys) {
      QS_TRY(auto st, Statement::prepare(m_db, "INSERT INTO service_keys(role, key_id, key_label, public_key_der) VALUES (?,?,?,?)"));
      st.bind(1, k.role).bind(2, ByteView(k.key_id)).bind(3, k.key_label).bind(4, ByteView(k.public_key_der));
      QS_TRY_VOID(st.run());
    }
    return ok();
  }();
  if (!body) {
    (void)exec("ROLLBACK");
    return body;
  }
  return exec("COMMIT");
}

Result<std::vector<CaCertificate>> SqliteStore::ca_certificates() {
  std::lock_guard lock(m_mutex);
  QS_TRY(auto st, Statement::prepare(m_db,
      "SELECT role, serial_hex, subject, der, key_id, key_label, not_before, not_after FROM ca_certificates "
      "ORDER BY CASE role WHEN 'root' THEN 0 WHEN 'issuing' THEN 1 WHEN 'tsa' THEN 2 WHEN 'ocsp' THEN 3 ELSE 4 END"));
  std::vector<CaCertificate> out;
  for (;;) {
    QS_TRY(bool row, st.step());
    if (!row) break;
    out.push_back(read_ca(st));
  }
  return out;
}

Result<CaCertificate> SqliteStore::ca_certificate(const std::string& role) {
  std::lock_guard lock(m_mutex);
  QS_TRY(auto st, Statement::prepare(m_db,
      "SELECT role, serial_hex, subject, der, key_id, key_label, not_before, not_after FROM ca_certificates WHERE role = ?"));
  st.bind(1, role);
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::not_found, "no '" + role + "' certificate in the database");
  return read_ca(st);
}

Result<std::vector<ServiceKey>> SqliteStore::service_keys() {
  std::lock_guard lock(m_mutex);
  QS_TRY(auto st, Statement::prepare(m_db, "SELECT role, key_id, key_label, public_key_der FROM service_keys ORDER BY role"));
  std::vector<ServiceKey> out;
  for (;;) {
    QS_TRY(bool row, st.step());
    if (!row) break;
    out.push_back(ServiceKey{st.text(0), st.blob(1), st.text(2), st.blob(3)});
  }
  return out;
}

Result<Counts> SqliteStore::counts() {
  std::lock_guard lock(m_mutex);
  QS_TRY(auto st, Statement::prepare(m_db,
      "SELECT (SELECT COUNT(*) FROM identities), (SELECT COUNT(*) FROM certificates), "
      "(SELECT COUNT(*) FROM certificates WHERE status = 'revoked')"));
  QS_TRY_VOID(st.step());
  return Counts{st.int64(0), st.int64(1), st.int64(2)};
}

Result<void> SqliteStore::set_setting(const std::string& key, const std::string& value) {
  std::lock_guard lock(m_mutex);
  QS_TRY(auto st, Statement::prepare(m_db, "INSERT INTO settings(key, value) VALUES (?,?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  st.bind(1, key).bind(2, value);
  return st.run();
}

Result<std::optional<std::string>> SqliteStore::setting(const std::string& key) {
  std::lock_guard lock(m_mutex);
  QS_TRY(auto st, Statement::prepare(m_db, "SELECT value FROM settings WHERE key = ?"));
  st.bind(1, key);
  QS_TRY(bool row, st.step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.text(0));
}

}  // namespace qualsig::store
