// PostgresStore: opening and migrations, service material, the audit log, settings.
#include "store/postgres/postgres_store.h"


#include "core/time.h"
#include "store/postgres/libpq.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_migrations.h"

namespace qualsig::store {
namespace {

using pg::Params;
using pg::Rows;

// Keys of the transaction-scoped advisory locks (pg_advisory_xact_lock, PostgreSQL 15 §9.27.10),
// scoped to the database: "qualsig" in ASCII followed by a number per purpose.
constexpr std::int64_t kMigrationLock = 0x7175616c73696701;
constexpr std::int64_t kAuditLogLock = 0x7175616c73696702;

CaCertificate read_ca(const Rows& r, int i) {
  return CaCertificate{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.bytes(i, 3), r.bytes(i, 4), r.text(i, 5),
                       r.time(i, 6), r.time(i, 7)};
}
LogRow read_log_row(const Rows& r, int i) {
  return LogRow{static_cast<std::uint64_t>(r.int64(i, 0)), r.text(i, 1), r.bytes(i, 2)};
}
StoredCheckpoint read_checkpoint(const Rows& r, int i) {
  return StoredCheckpoint{static_cast<std::uint64_t>(r.int64(i, 0)), r.bytes(i, 1), r.time(i, 2), r.text(i, 3)};
}

// Password of a libpq URI, to scrub it from messages ("" when there is none or the URI is bad).
std::string password_of(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* opts = pg::pq().PQconninfoParse(url.c_str(), &err);
  pg::pq().PQfreemem(err);
  std::string password;
  for (auto* o = opts; o && o->keyword; ++o)
    if (std::string(o->keyword) == "password" && o->val) password = o->val;
  pg::pq().PQconninfoFree(opts);
  return password;
}
}  // namespace

int PostgresStore::latest_schema_version() { return static_cast<int>(postgres_migrations().size()); }

PostgresStore::PostgresStore(std::unique_ptr<pg::Pool> pool, std::string description)
    : m_pool(std::move(pool)), m_description(std::move(description)) {}
PostgresStore::~PostgresStore() = default;

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& url, Mode mode) {
  if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0)
    return fail(ErrorCode::usage, "a PostgreSQL database URL starts with postgresql:// or postgres://");
  QS_TRY_VOID(pg::load_libpq());
  std::string password = password_of(url);
  auto pool = std::make_unique<pg::Pool>(url, password, kPoolSize);
  std::string description;
  {
    QS_TRY(auto c, pool->acquire());
    description = "PostgreSQL " + c->server_version() + " at " + c->where();
  }
  std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(pool), std::move(description)));
  QS_TRY_VOID(store->migrate(mode));
  return store;
}

Result<void> PostgresStore::migrate(Mode mode) {
  QS_TRY(auto c, m_pool->acquire());
  // One transaction under one advisory lock: of several nodes starting at once, one applies the
  // migrations and the others then find them applied. PostgreSQL DDL is transactional, so a
  // failed migration leaves nothing behind.
  return pg::in_transaction(*c, [&]() -> Result<void> {
    QS_TRY_VOID(c->exec("SELECT pg_advisory_xact_lock($1)", Params().add(kMigrationLock)));
    QS_TRY_VOID(c->exec_script("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                               "description TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
    QS_TRY(auto rows, c->exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    int current = static_cast<int>(rows.int64(0, 0));
    if (current > latest_schema_version())
      return fail(ErrorCode::database, "database schema version " + std::to_string(current) +
                                           " is newer than this qualsig understands (" +
                                           std::to_string(latest_schema_version()) + "): upgrade qualsig");
    if (current == 0 && mode == Mode::open_existing)
      return fail(ErrorCode::database, "PostgreSQL database " + m_description +
                                           " has no qualsig schema: run qualsig init (or open it in create mode)");
    for (const auto& m : postgres_migrations()) {
      if (m.version <= current) continue;
      auto applied = c->exec_script(m.sql);
      if (!applied)
        return fail(ErrorCode::database, "migration " + std::to_string(m.version) + " failed: " + applied.error().message);
      QS_TRY_VOID(c->exec("INSERT INTO schema_migrations(version, description, applied_at) VALUES ($1, $2, $3)",
                          Params().add(std::int64_t{m.version}).add(std::string(m.description)).add(now_seconds())));
    }
    return ok();
  });
}

Result<int> PostgresStore::schema_version() {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto rows, c->exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  return static_cast<int>(rows.int64(0, 0));
}

std::string PostgresStore::describe() const { return m_description; }

Result<void> PostgresStore::put_service_material(const std::vector<CaCertificate>& certs,
                                                 const std::vector<ServiceKey>& keys) {
  QS_TRY(auto c, m_pool->acquire());
  return pg::in_transaction(*c, [&]() -> Result<void> {
    for (const auto& k : certs) {
      QS_TRY_VOID(c->exec("INSERT INTO ca_certificates(role, serial_hex, subject, der, key_id, key_label, not_before, "
                          "not_after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                          Params().add(k.role).add(k.serial_hex).add(k.subject).add(ByteView(k.der))
                              .add(ByteView(k.key_id)).add(k.key_label).add(k.not_before).add(k.not_after)));
    }
    for (const auto& k : keys) {
      QS_TRY_VOID(c->exec("INSERT INTO service_keys(role, key_id, key_label, public_key_der) VALUES ($1, $2, $3, $4)",
                          Params().add(k.role).add(ByteView(k.key_id)).add(k.key_label).add(ByteView(k.public_key_der))));
    }
    return ok();
  });
}

Result<std::vector<CaCertificate>> PostgresStore::ca_certificates() {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT role, serial_hex, subject, der, key_id, key_label, not_before, not_after FROM ca_certificates "
      "ORDER BY CASE role WHEN 'root' THEN 0 WHEN 'issuing' THEN 1 WHEN 'tsa' THEN 2 WHEN 'ocsp' THEN 3 ELSE 4 END, role"));
  std::vector<CaCertificate> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(read_ca(r, i));
  return out;
}

Result<CaCertificate> PostgresStore::ca_certificate(const std::string& role) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT role, serial_hex, subject, der, key_id, key_label, not_before, not_after "
                         "FROM ca_certificates WHERE role = $1", Params().add(role)));
  if (r.empty()) return fail(ErrorCode::not_found, "no '" + role + "' certificate in the database");
  return read_ca(r, 0);
}

Result<std::vector<ServiceKey>> PostgresStore::service_keys() {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT role, key_id, key_label, public_key_der FROM service_keys ORDER BY role"));
  std::vector<ServiceKey> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(ServiceKey{r.text(i, 0), r.bytes(i, 1), r.text(i, 2), r.bytes(i, 3)});
  return out;
}

Result<Counts> PostgresStore::counts() {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT (SELECT COUNT(*) FROM identities), (SELECT COUNT(*) FROM certificates), "
                         "(SELECT COUNT(*) FROM certificates WHERE status = 'revoked')"));
  return Counts{r.int64(0, 0), r.int64(0, 1), r.int64(0, 2)};
}

namespace {
Result<void> insert_log_rows(pg::Connection& c, const std::vector<LogRow>& rows) {
  for (const auto& r : rows) {
    QS_TRY_VOID(c.exec("INSERT INTO audit_log(seq, entry, leaf_hash) VALUES ($1, $2, $3)",
                       Params().add(static_cast<std::int64_t>(r.seq)).add(r.entry).add(ByteView(r.leaf_hash))));
  }
  return ok();
}
}  // namespace

Result<void> PostgresStore::append_log_rows(const std::vector<LogRow>& rows) {
  QS_TRY(auto c, m_pool->acquire());
  return pg::in_transaction(*c, [&]() -> Result<void> {
    // The sequencer's lock: a batch never interleaves with append_log_rows_after.
    QS_TRY_VOID(c->exec("SELECT pg_advisory_xact_lock($1)", Params().add(kAuditLogLock)));
    return insert_log_rows(*c, rows);
  });
}

Result<std::vector<LogRow>> PostgresStore::append_log_rows_after(std::uint64_t known_size, const LogRowBuilder& build) {
  QS_TRY(auto c, m_pool->acquire());
  return pg::in_transaction(*c, [&]() -> Result<std::vector<LogRow>> {
    // Every writer of every node takes this lock before reading: under READ COMMITTED the next
    // statement's snapshot then holds every row the previous holder committed, so `build` sees
    // the whole log and no two writers can fork it. The lock ends with the transaction.
    QS_TRY_VOID(c->exec("SELECT pg_advisory_xact_lock($1)", Params().add(kAuditLogLock)));
    QS_TRY(auto r, c->exec("SELECT seq, leaf_hash FROM audit_log WHERE seq >= $1 ORDER BY seq",
                           Params().add(static_cast<std::int64_t>(known_size))));
    std::vector<LogRow> others;
    for (int i = 0; i < r.size(); ++i)
      others.push_back(LogRow{static_cast<std::uint64_t>(r.int64(i, 0)), std::string(), r.bytes(i, 1)});
    // A companion runs in its own savepoint: its failure undoes its writes only.
    CompanionWriter companion = [&](const LogCompanion& w) -> Result<void> {
      QS_TRY_VOID(c->exec("SAVEPOINT companion"));
      auto written = write_signature(*c, w.signature, w.request_status);
      QS_TRY_VOID(c->exec(written ? "RELEASE SAVEPOINT companion" : "ROLLBACK TO SAVEPOINT companion"));
      return written;
    };
    QS_TRY(auto rows, build(others, companion));
    QS_TRY_VOID(insert_log_rows(*c, rows));
    return others;  // COMMIT (synchronous_commit: durable on return) follows in in_transaction
  });
}

Result<std::uint64_t> PostgresStore::log_size() {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT COALESCE(MAX(seq) + 1, 0) FROM audit_log"));
  return static_cast<std::uint64_t>(r.int64(0, 0));
}

Result<void> PostgresStore::for_each_log_row(std::uint64_t from, const std::function<bool(const LogRow&)>& visit) {
  // Pages, so that no connection is held across the caller's work.
  constexpr std::int64_t kPage = 4096;
  auto next = static_cast<std::int64_t>(from);
  for (;;) {
    std::vector<LogRow> page;
    {
      QS_TRY(auto c, m_pool->acquire());
      QS_TRY(auto r, c->exec("SELECT seq, entry, leaf_hash FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2",
                             Params().add(next).add(kPage)));
      for (int i = 0; i < r.size(); ++i) page.push_back(read_log_row(r, i));
    }
    for (const auto& row : page)
      if (!visit(row)) return ok();
    if (static_cast<std::int64_t>(page.size()) < kPage) return ok();
    next = static_cast<std::int64_t>(page.back().seq) + 1;
  }
}

Result<LogRow> PostgresStore::log_row(std::uint64_t seq) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT seq, entry, leaf_hash FROM audit_log WHERE seq = $1",
                         Params().add(static_cast<std::int64_t>(seq))));
  if (r.empty()) return fail(ErrorCode::not_found, "no audit log entry " + std::to_string(seq));
  return read_log_row(r, 0);
}

Result<void> PostgresStore::put_checkpoint(const StoredCheckpoint& k) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY_VOID(c->exec("INSERT INTO audit_checkpoints(tree_size, root_hash, time, note) VALUES ($1, $2, $3, $4)",
                      Params().add(static_cast<std::int64_t>(k.tree_size)).add(ByteView(k.root_hash)).add(k.time).add(k.note)));
  return ok();
}

Result<std::vector<StoredCheckpoint>> PostgresStore::checkpoints() {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT tree_size, root_hash, time, note FROM audit_checkpoints ORDER BY tree_size"));
  std::vector<StoredCheckpoint> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(read_checkpoint(r, i));
  return out;
}

Result<std::optional<StoredCheckpoint>> PostgresStore::latest_checkpoint() {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT tree_size, root_hash, time, note FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1"));
  if (r.empty()) return std::optional<StoredCheckpoint>();
  return std::optional<StoredCheckpoint>(read_checkpoint(r, 0));
}

Result<void> PostgresStore::set_setting(const std::string& key, const std::string& value) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY_VOID(c->exec("INSERT INTO settings(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                      Params().add(key).add(value)));
  return ok();
}

Result<std::optional<std::string>> PostgresStore::setting(const std::string& key) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT value FROM settings WHERE key = $1", Params().add(key)));
  if (r.empty()) return std::optional<std::string>();
  return std::optional<std::string>(r.text(0, 0));
}

}  // namespace qualsig::store
