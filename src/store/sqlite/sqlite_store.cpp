#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>

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

namespace {
// Before SQLite's first use in the process: no allocation statistics. With them on (SQLite's
// default), every sqlite3_malloc and sqlite3_free takes one process-wide mutex, which was a
// sixth of the signing server's futex calls under load (BENCHMARKS.md, issue 9).
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });  // MISUSE if already initialised: harmless
}
}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const fs::path& path, Mode mode) {
  configure_sqlite_once();
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
  {
    QS_TRY(auto integrity, Statement::prepare(db, "PRAGMA quick_check"));
    QS_TRY(bool row, integrity.step());
    if (!row || integrity.text(0) != "ok")
      return fail(ErrorCode::database, "database is corrupt: " + path.string() + " (quick_check: " +
                                           (row ? integrity.text(0) : "no result") + ")");
  }
  QS_TRY_VOID(store->migrate());
  store->m_statements = std::make_unique<StatementCache>(db);
  return store;
}

SqliteStore::~SqliteStore() {
  m_idle_readers.clear();  // every lease has been returned: its owner outlives no store
  m_statements.reset();
  sqlite3_close(m_db);
}

SqliteStore::ReadConnection::~ReadConnection() {
  statements.reset();
  sqlite3_close(db);
}

Result<std::unique_ptr<SqliteStore::ReadConnection>> SqliteStore::open_reader() const {
  auto conn = std::make_unique<ReadConnection>();
  // NOMUTEX: a lease is used by one thread at a time. The connection may write nothing
  // (query_only), so a bug cannot bypass the group commit's ordering.
  if (sqlite3_open_v2(m_path.c_str(), &conn->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
    return fail(ErrorCode::database, "cannot open a read connection to " + m_path.string() + ": " +
                                         (conn->db ? sqlite3_errmsg(conn->db) : "out of memory"));
  sqlite3_busy_timeout(conn->db, 5000);
  sqlite3_extended_result_codes(conn->db, 0);
  // A small page cache each: the OS caches the file, and eight readers at SQLite's default
  // (2 MiB) would cost the server 16 MiB of RSS for nothing.
  for (const char* pragma : {"PRAGMA query_only=ON", "PRAGMA cache_size=-256"}) {
    if (sqlite3_exec(conn->db, pragma, nullptr, nullptr, nullptr) != SQLITE_OK)
      return fail(sqlite_error(conn->db, "read connection setup"));
  }
  conn->statements = std::make_unique<StatementCache>(conn->db);
  return conn;
}

Result<SqliteStore::ReadLease> SqliteStore::reader() {
  std::unique_ptr<ReadConnection> conn;
  {
    std::unique_lock lock(m_readers_mutex);
    m_reader_returned.wait(lock, [&] { return !m_idle_readers.empty() || m_open_readers < kMaxReaders; });
    if (!m_idle_readers.empty()) {
      conn = std::move(m_idle_readers.back());
      m_idle_readers.pop_back();
    } else {
      ++m_open_readers;  // reserved; opened below without the lock
    }
  }
  if (!conn) {
    auto opened = open_reader();
    if (!opened) {
      {
        std::lock_guard lock(m_readers_mutex);
        --m_open_readers;
      }
      m_reader_returned.notify_one();
      return fail(std::move(opened).error());
    }
    conn = std::move(*opened);
  }
  return ReadLease(*this, std::move(conn));
}

SqliteStore::ReadLease::ReadLease(SqliteStore& store, std::unique_ptr<ReadConnection> conn)
    : m_store(&store), m_conn(std::move(conn)) {
  // One snapshot for all the statements of the read (it starts at the first SELECT).
  if (auto begin = m_conn->statements->get("BEGIN")) (void)begin->step();
}

SqliteStore::ReadLease::~ReadLease() {
  if (!m_conn) return;  // moved from
  if (!sqlite3_get_autocommit(m_conn->db)) {
    if (auto commit = m_conn->statements->get("COMMIT")) (void)commit->step();
  }
  {
    std::lock_guard lock(m_store->m_readers_mutex);
    m_store->m_idle_readers.push_back(std::move(m_conn));
  }
  m_store->m_reader_returned.notify_one();
}

Result<Statement> SqliteStore::prepare(const std::string& sql) {
  if (m_statements) return m_statements->get(sql);
  return Statement::prepare(m_db, sql.c_str());
}

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

Result<void> SqliteStore::run_write(const std::function<Result<void>()>& body, bool durable) {
  WriteJob job;
  job.body = &body;
  job.durable = durable;
  std::unique_lock queue(m_write_mutex);
  m_write_queue.push_back(&job);
  if (!m_committing) {
    m_committing = true;  // nobody commits: the queue was empty, ours is its first job
    job.lead = true;
  }
  job.wake.wait(queue, [&] { return job.done || job.lead; });
  if (!job.done) {
    // Our turn: commit what is queued, our job first among it.
    constexpr std::size_t kMaxBatch = 256;
    std::vector<WriteJob*> batch;
    while (!m_write_queue.empty() && batch.size() < kMaxBatch) {
      batch.push_back(m_write_queue.front());
      m_write_queue.pop_front();
    }
    queue.unlock();
    commit_batch(batch);
    queue.lock();
    for (auto* j : batch) {
      j->done = true;
      if (j != &job) j->wake.notify_one();
    }
    // What queued meanwhile is the next group: its first job's thread commits it.
    if (m_write_queue.empty()) {
      m_committing = false;
    } else {
      m_write_queue.front()->lead = true;
      m_write_queue.front()->wake.notify_one();
    }
  }
  return std::move(job.result);
}

void SqliteStore::commit_batch(const std::vector<WriteJob*>& batch) {
  std::lock_guard lock(m_mutex);
  auto fail_all = [&](const Error& e) {
    for (auto* j : batch)
      if (j->result) j->result = fail(e);
  };
  // A group of deferred writes alone commits without syncing the WAL (synchronous=NORMAL); the
  // next durable commit syncs its frames with its own.
  const bool deferred = std::none_of(batch.begin(), batch.end(), [](const WriteJob* j) { return j->durable; });
  if (deferred) {
    if (auto relaxed = exec("PRAGMA synchronous=NORMAL"); !relaxed) return fail_all(relaxed.error());
  }
  struct Restore {
    SqliteStore* store;
    bool active;
    ~Restore() {
      if (active) (void)store->exec("PRAGMA synchronous=FULL");
    }
  } restore{this, deferred};
  if (auto begun = exec("BEGIN IMMEDIATE"); !begun) return fail_all(begun.error());
  const bool savepoints = batch.size() > 1;
  for (auto* j : batch) {
    if (savepoints) {
      if (auto sp = exec("SAVEPOINT job"); !sp) {
        j->result = fail(sp.error());
        continue;
      }
    }
    // A job runs on this thread for another one that waits for it: an exception must become
    // that job's error, not unwind through the commit and leave the others waiting forever.
    try {
      j->result = (*j->body)();
    } catch (const std::exception& e) {
      j->result = fail(ErrorCode::internal, std::string("database write failed: ") + e.what());
    }
    if (sqlite3_get_autocommit(m_db) != 0) {
      // SQLite rolled the whole transaction back (disk full, I/O error): every job so far is
      // undone, and the rest are not run.
      Error e = j->result ? make_error(ErrorCode::database, "database: the transaction was rolled back")
                          : j->result.error();
      return fail_all(e);
    }
    if (savepoints) {
      if (!j->result) (void)exec("ROLLBACK TO job");
      (void)exec("RELEASE job");
    }
  }
  if (!savepoints && !batch.front()->result) {
    (void)exec("ROLLBACK");
    return;
  }
  // COMMIT in WAL mode with synchronous=FULL fsyncs the WAL: the rows are durable on return
  // (and so are the frames of any deferred group committed before).
  if (auto committed = exec("COMMIT"); !committed) {
    (void)exec("ROLLBACK");
    fail_all(committed.error());
  }
}

Result<void> SqliteStore::migrate() {
  std::lock_guard lock(m_mutex);
  QS_TRY_VOID(exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT"));
  int current = 0;
  {
    // Finalised before the migrations run: an open statement would lock tables DROP needs.
    QS_TRY(auto st, prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    QS_TRY_VOID(st.step());
    current = static_cast<int>(st.int64(0));
  }
  if (current > latest_schema_version())
    return fail(ErrorCode::database, "database schema version " + std::to_string(current) +
                                         " is newer than this qualsig understands (" +
                                         std::to_string(latest_schema_version()) + "): upgrade qualsig");
  for (const auto& m : sqlite_migrations()) {
    if (m.version <= current) continue;
    QS_TRY_VOID(exec("BEGIN IMMEDIATE"));
    auto applied = [&]() -> Result<void> {
      QS_TRY_VOID(exec(m.sql));
      QS_TRY(auto ins, prepare("INSERT INTO schema_migrations(version, description, applied_at) VALUES (?,?,?)"));
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
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  QS_TRY_VOID(st.step());
  return static_cast<int>(st.int64(0));
}

std::string SqliteStore::describe() const {
  return std::string("SQLite ") + sqlite3_libversion() + " (WAL) at " + m_path.string();
}

Result<void> SqliteStore::put_service_material(const std::vector<CaCertificate>& certs,
                                               const std::vector<ServiceKey>& keys) {
  return write([&]() -> Result<void> {
    for (const auto& c : certs) {
      QS_TRY(auto st, prepare("INSERT INTO ca_certificates(role, serial_hex, subject, der, key_id, key_label, not_before, not_after) VALUES (?,?,?,?,?,?,?,?)"));
      st.bind(1, c.role).bind(2, c.serial_hex).bind(3, c.subject).bind(4, ByteView(c.der)).bind(5, ByteView(c.key_id))
          .bind(6, c.key_label).bind(7, to_unix(c.not_before)).bind(8, to_unix(c.not_after));
      QS_TRY_VOID(st.run());
    }
    for (const auto& k : keys) {
      QS_TRY(auto st, prepare("INSERT INTO service_keys(role, key_id, key_label, public_key_der) VALUES (?,?,?,?)"));
      st.bind(1, k.role).bind(2, ByteView(k.key_id)).bind(3, k.key_label).bind(4, ByteView(k.public_key_der));
      QS_TRY_VOID(st.run());
    }
    return ok();
  });
}

Result<std::vector<CaCertificate>> SqliteStore::ca_certificates() {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT role, serial_hex, subject, der, key_id, key_label, not_before, not_after FROM ca_certificates "
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
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT role, serial_hex, subject, der, key_id, key_label, not_before, not_after FROM ca_certificates WHERE role = ?"));
  st.bind(1, role);
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::not_found, "no '" + role + "' certificate in the database");
  return read_ca(st);
}

Result<std::vector<ServiceKey>> SqliteStore::service_keys() {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT role, key_id, key_label, public_key_der FROM service_keys ORDER BY role"));
  std::vector<ServiceKey> out;
  for (;;) {
    QS_TRY(bool row, st.step());
    if (!row) break;
    out.push_back(ServiceKey{st.text(0), st.blob(1), st.text(2), st.blob(3)});
  }
  return out;
}

Result<Counts> SqliteStore::counts() {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT (SELECT COUNT(*) FROM identities), (SELECT COUNT(*) FROM certificates), "
      "(SELECT COUNT(*) FROM certificates WHERE status = 'revoked')"));
  QS_TRY_VOID(st.step());
  return Counts{st.int64(0), st.int64(1), st.int64(2)};
}

Result<void> SqliteStore::append_log_rows(const std::vector<LogRow>& rows) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("INSERT INTO audit_log(seq, entry, leaf_hash) VALUES (?,?,?)"));
    for (const auto& r : rows) {
      st.bind(1, static_cast<std::int64_t>(r.seq)).bind(2, r.entry).bind(3, ByteView(r.leaf_hash));
      QS_TRY_VOID(st.run());
      st.reset();
    }
    return ok();
  });
}

Result<std::vector<LogRow>> SqliteStore::append_log_rows_after(std::uint64_t known_size, const LogRowBuilder& build) {
  // write() runs this inside BEGIN IMMEDIATE, which takes the database's write lock: no other
  // connection or process can append between reading the others' rows and committing ours.
  // Other jobs of the same group commit that append (there is one log writer per process)
  // ran before this one in the same transaction, and their rows are read here like a
  // foreign writer's.
  return write([&]() -> Result<std::vector<LogRow>> {
    std::vector<LogRow> others;
    {
      QS_TRY(auto st, prepare("SELECT seq, leaf_hash FROM audit_log WHERE seq >= ? ORDER BY seq"));
      st.bind(1, static_cast<std::int64_t>(known_size));
      for (;;) {
        QS_TRY(bool row, st.step());
        if (!row) break;
        others.push_back(LogRow{static_cast<std::uint64_t>(st.int64(0)), std::string(), st.blob(1)});
      }
    }
    // A companion runs in its own savepoint inside this job's: its failure undoes its writes only.
    CompanionWriter companion = [&](const LogCompanion& c) -> Result<void> {
      QS_TRY_VOID(exec("SAVEPOINT companion"));
      auto written = write_signature(c.signature, c.request_status);
      if (!written) (void)exec("ROLLBACK TO companion");
      (void)exec("RELEASE companion");
      return written;
    };
    QS_TRY(auto rows, build(others, companion));
    QS_TRY(auto ins, prepare("INSERT INTO audit_log(seq, entry, leaf_hash) VALUES (?,?,?)"));
    for (const auto& r : rows) {
      ins.bind(1, static_cast<std::int64_t>(r.seq)).bind(2, r.entry).bind(3, ByteView(r.leaf_hash));
      QS_TRY_VOID(ins.run());
      ins.reset();
    }
    return others;
  });
}

Result<std::uint64_t> SqliteStore::log_size() {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT COALESCE(MAX(seq) + 1, 0) FROM audit_log"));
  QS_TRY_VOID(st.step());
  return static_cast<std::uint64_t>(st.int64(0));
}

Result<void> SqliteStore::for_each_log_row(std::uint64_t from, const std::function<bool(const LogRow&)>& visit) {
  // Read in pages so that the store's lock is not held across the caller's work.
  constexpr std::int64_t kPage = 4096;
  auto next = static_cast<std::int64_t>(from);
  for (;;) {
    std::vector<LogRow> page;
    {
      QS_TRY(auto read, reader());
      QS_TRY(auto st, read.prepare("SELECT seq, entry, leaf_hash FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?"));
      st.bind(1, next).bind(2, kPage);
      for (;;) {
        QS_TRY(bool row, st.step());
        if (!row) break;
        page.push_back(LogRow{static_cast<std::uint64_t>(st.int64(0)), st.text(1), st.blob(2)});
      }
    }
    for (const auto& r : page)
      if (!visit(r)) return ok();
    if (static_cast<std::int64_t>(page.size()) < kPage) return ok();
    next = static_cast<std::int64_t>(page.back().seq) + 1;
  }
}

Result<LogRow> SqliteStore::log_row(std::uint64_t seq) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT seq, entry, leaf_hash FROM audit_log WHERE seq = ?"));
  st.bind(1, static_cast<std::int64_t>(seq));
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::not_found, "no audit log entry " + std::to_string(seq));
  return LogRow{static_cast<std::uint64_t>(st.int64(0)), st.text(1), st.blob(2)};
}

Result<void> SqliteStore::put_checkpoint(const StoredCheckpoint& c) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("INSERT INTO audit_checkpoints(tree_size, root_hash, time, note) VALUES (?,?,?,?)"));
    st.bind(1, static_cast<std::int64_t>(c.tree_size)).bind(2, ByteView(c.root_hash)).bind(3, to_unix(c.time)).bind(4, c.note);
    return st.run();
  });
}

Result<std::vector<StoredCheckpoint>> SqliteStore::checkpoints() {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT tree_size, root_hash, time, note FROM audit_checkpoints ORDER BY tree_size"));
  std::vector<StoredCheckpoint> out;
  for (;;) {
    QS_TRY(bool row, st.step());
    if (!row) break;
    out.push_back(StoredCheckpoint{static_cast<std::uint64_t>(st.int64(0)), st.blob(1), from_unix(st.int64(2)), st.text(3)});
  }
  return out;
}

Result<std::optional<StoredCheckpoint>> SqliteStore::latest_checkpoint() {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT tree_size, root_hash, time, note FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1"));
  QS_TRY(bool row, st.step());
  if (!row) return std::optional<StoredCheckpoint>();
  return std::optional<StoredCheckpoint>(
      StoredCheckpoint{static_cast<std::uint64_t>(st.int64(0)), st.blob(1), from_unix(st.int64(2)), st.text(3)});
}

Result<void> SqliteStore::set_setting(const std::string& key, const std::string& value) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("INSERT INTO settings(key, value) VALUES (?,?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    st.bind(1, key).bind(2, value);
    return st.run();
  });
}

Result<std::optional<std::string>> SqliteStore::setting(const std::string& key) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT value FROM settings WHERE key = ?"));
  st.bind(1, key);
  QS_TRY(bool row, st.step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.text(0));
}

}  // namespace qualsig::store
