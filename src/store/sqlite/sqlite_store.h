#pragma once
// SQLite implementation of the store: WAL journal, foreign keys on, busy timeout, schema
// migrations recorded in `schema_migrations`, every multi-row write in one transaction.

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

#include "store/sqlite/statement.h"
#include "store/store.h"

struct sqlite3;

namespace qualsig::store {

class SqliteStore final : public Store {
 public:
  enum class Mode { open_existing, create };
  // Opens (or creates) the database and applies pending migrations. A file that is not an
  // SQLite database, or one whose schema is newer than this program, is refused.
  static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& path, Mode mode);
  ~SqliteStore() override;

  Result<int> schema_version() override;
  std::string describe() const override;
  Result<void> put_service_material(const std::vector<CaCertificate>& certs,
                                    const std::vector<ServiceKey>& keys) override;
  Result<std::vector<CaCertificate>> ca_certificates() override;
  Result<CaCertificate> ca_certificate(const std::string& role) override;
  Result<std::vector<ServiceKey>> service_keys() override;
  Result<Counts> counts() override;
  Result<void> append_log_rows(const std::vector<LogRow>& rows) override;
  Result<std::vector<LogRow>> append_log_rows_after(std::uint64_t known_size, const LogRowBuilder& build) override;
  Result<std::uint64_t> log_size() override;
  Result<void> for_each_log_row(std::uint64_t from, const std::function<bool(const LogRow&)>& visit) override;
  Result<LogRow> log_row(std::uint64_t seq) override;
  Result<void> put_checkpoint(const StoredCheckpoint& checkpoint) override;
  Result<std::vector<StoredCheckpoint>> checkpoints() override;
  Result<std::optional<StoredCheckpoint>> latest_checkpoint() override;
  Result<std::int64_t> create_identity(const IdentityRecord& identity) override;
  Result<IdentityRecord> identity(const std::string& name) override;
  Result<std::vector<IdentityRecord>> identities() override;
  Result<void> update_identity(const IdentityRecord& identity) override;
  Result<std::int64_t> add_proofing(const ProofingRecord& proofing) override;
  Result<void> update_proofing(const ProofingRecord& proofing) override;
  Result<std::vector<ProofingRecord>> proofings(std::int64_t identity_id) override;
  Result<void> put_certificate(const CertificateRecord& certificate) override;
  Result<CertificateRecord> certificate(const std::string& serial_hex) override;
  Result<std::vector<CertificateRecord>> certificates(std::optional<std::int64_t> identity_id) override;
  Result<void> update_certificate_status(const CertificateRecord& certificate) override;
  Result<std::uint64_t> revocation_generation() override;
  Result<std::vector<CertificateRecord>> revoked_certificates() override;
  Result<void> put_crl(const CrlRecord& crl) override;
  Result<std::optional<CrlRecord>> crl(const std::string& issuer) override;
  Result<std::int64_t> put_policy(const PolicyRecord& policy) override;
  Result<PolicyRecord> policy(std::int64_t id) override;
  Result<std::vector<PolicyRecord>> policies() override;
  Result<void> attach_policy(std::int64_t identity_id, std::int64_t policy_id, TimePoint at) override;
  Result<std::optional<PolicyRecord>> policy_of_identity(std::int64_t identity_id) override;
  Result<std::int64_t> create_person(const PersonRecord& person) override;
  Result<PersonRecord> person(const std::string& name) override;
  Result<std::vector<PersonRecord>> people() override;
  Result<void> put_delegation(const DelegationRecord& delegation) override;
  Result<DelegationRecord> delegation(const std::string& id) override;
  Result<std::vector<DelegationRecord>> delegations(const std::optional<std::string>& delegate) override;
  Result<void> revoke_delegation(const std::string& id, TimePoint at) override;
  Result<void> create_sign_request(const SignRequestRecord& request) override;
  Result<SignRequestRecord> sign_request(const std::string& id) override;
  Result<std::vector<SignRequestRecord>> sign_requests(const std::optional<std::string>& status, std::size_t limit) override;
  Result<void> transition_sign_request(const std::string& id, const std::string& from, const std::string& to,
                                       const std::optional<std::string>& signature_id,
                                       std::optional<TimePoint> completed_at) override;
  Result<void> add_approval(const ApprovalRecord& approval) override;
  Result<std::vector<ApprovalRecord>> approvals(const std::string& request_id) override;
  Result<void> put_sad(const SadRecord& sad) override;
  Result<std::vector<SadRecord>> sads(const std::string& request_id) override;
  Result<SadRecord> sad(const std::string& token_hash) override;
  Result<SadRecord> consume_sad(const std::string& token_hash, TimePoint now) override;
  Result<std::vector<SadRecord>> consume_sads(const std::vector<std::string>& token_hashes, TimePoint now) override;
  Result<void> put_signature(const SignatureRecord& signature, const std::string& request_status) override;
  Result<SignatureRecord> signature(const std::string& id) override;
  Result<std::int64_t> count_signatures(std::int64_t identity_id, TimePoint since, std::int64_t cap) override;
  Result<std::uint64_t> next_counter(const std::string& name) override;
  Result<void> put_api_client(const ApiClientRecord& client) override;
  Result<ApiClientRecord> api_client(const std::string& client_id) override;
  Result<std::vector<ApiClientRecord>> api_clients() override;
  Result<void> disable_api_client(const std::string& client_id, TimePoint at) override;
  Result<void> put_access_token(const AccessTokenRecord& token) override;
  Result<AccessTokenRecord> access_token(const std::string& token_hash) override;
  Result<void> revoke_access_token(const std::string& token_hash, TimePoint at) override;
  Result<std::int64_t> revoke_access_tokens_of(const std::string& principal, TimePoint at) override;
  Result<void> set_setting(const std::string& key, const std::string& value) override;
  Result<std::optional<std::string>> setting(const std::string& key) override;

  // Number of migrations this program knows.
  static int latest_schema_version();

 private:
  SqliteStore(sqlite3* db, std::filesystem::path path) : m_db(db), m_path(std::move(path)) {}
  Result<void> migrate();
  Result<void> exec(const char* sql);
  // A cached prepared statement once the schema is migrated (before that: a fresh one).
  Result<Statement> prepare(const std::string& sql);
  Error db_error(const std::string& what) const;
  // A connection of its own for one read (a snapshot: BEGIN on lease, COMMIT on return). In
  // WAL mode a reader neither waits for nor blocks the writer, so a read no longer queues
  // behind a group commit's fsync, as it did when every read shared the writer's connection
  // and its mutex. At most kMaxReaders are open; a read beyond them waits for one.
  struct ReadConnection {
    sqlite3* db = nullptr;
    std::unique_ptr<StatementCache> statements;
    ~ReadConnection();
  };
  class ReadLease {
   public:
    ReadLease(SqliteStore& store, std::unique_ptr<ReadConnection> conn);
    ReadLease(ReadLease&& o) noexcept : m_store(o.m_store), m_conn(std::move(o.m_conn)) {}
    ReadLease(const ReadLease&) = delete;
    ReadLease& operator=(const ReadLease&) = delete;
    ReadLease& operator=(ReadLease&&) = delete;
    ~ReadLease();
    Result<Statement> prepare(const std::string& sql) { return m_conn->statements->get(sql); }
    sqlite3* db() const { return m_conn->db; }

   private:
    SqliteStore* m_store;
    std::unique_ptr<ReadConnection> m_conn;
  };
  static constexpr std::size_t kMaxReaders = 8;
  Result<ReadLease> reader();
  Result<std::unique_ptr<ReadConnection>> open_reader() const;
  // consume_sad's statements, inside a write job.
  Result<SadRecord> consume_one_sad(const std::string& token_hash, TimePoint now);
  // put_signature's statements, inside a write job.
  Result<void> write_signature(const SignatureRecord& signature, const std::string& request_status);

  // Group commit. Every write runs as a job inside a transaction that it may share with the
  // writes other threads queued meanwhile: one thread (the one whose turn it is) runs BEGIN
  // IMMEDIATE, each queued job in its own SAVEPOINT (a job that fails is rolled back alone),
  // and one COMMIT — one fsync of the WAL for the whole group, as PostgreSQL's commit_delay
  // and the audit log's writer do. A job's result is handed back only after the COMMIT
  // returned, so "returned ok" still means "durable" (synchronous=FULL), and a job that
  // succeeded is failed if the COMMIT fails. Writes of one thread keep their order.
  struct WriteJob {
    const std::function<Result<void>()>* body = nullptr;
    bool durable = true;  // false: the job may return before its commit is synced (see write_deferred)
    Result<void> result;
    bool done = false;  // committed (or failed): `result` is final
    bool lead = false;  // this job's thread is to run the next group commit
    std::condition_variable wake;  // only this job's thread waits on it (no thundering herd)
  };
  Result<void> run_write(const std::function<Result<void>()>& body, bool durable);
  void commit_batch(const std::vector<WriteJob*>& batch);
  // Runs `body` (returning Result<T>) as one job of a group commit; its result, or the
  // commit's error.
  template <class F>
  std::invoke_result_t<F&> write(F&& body, bool durable = true) {
    using R = std::invoke_result_t<F&>;
    std::optional<R> out;
    auto job = run_write(
        [&]() -> Result<void> {
          out.emplace(body());
          if (!*out) return fail(out->error());
          return ok();
        },
        durable);
    if (!job && (!out || *out)) return fail(std::move(job).error());  // BEGIN or COMMIT failed
    return std::move(*out);
  }
  // write() whose commit may return before the WAL is synced, when every job of its group is
  // such a write: committed and visible to every reader at once, made durable by the next
  // durable commit (WAL frames are synced in order). For state nothing outside the process
  // acts on before a durable commit follows (consume_sads: a signature leaves only after its
  // log entries' commit).
  template <class F>
  std::invoke_result_t<F&> write_deferred(F&& body) {
    return write(std::forward<F>(body), false);
  }

  sqlite3* m_db;
  std::filesystem::path m_path;
  std::unique_ptr<StatementCache> m_statements;  // finalised before the connection closes
  std::mutex m_mutex;  // the writer connection, serialised: each group commit as a whole, migrations
  std::mutex m_write_mutex;  // guards the queue and the jobs' flags
  std::deque<WriteJob*> m_write_queue;
  bool m_committing = false;  // a thread runs a group commit or has been chosen to
  std::mutex m_readers_mutex;  // guards the idle readers and the count
  std::condition_variable m_reader_returned;
  std::vector<std::unique_ptr<ReadConnection>> m_idle_readers;
  std::size_t m_open_readers = 0;
};

}  // namespace qualsig::store
