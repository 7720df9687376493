#pragma once
// PostgreSQL implementation of the store (issue 9 "Storage and scale"): several `qualsig serve`
// nodes share one database, so everything that must be unique or ordered is decided by the
// server inside a transaction, never in process memory:
//  - the audit log sequencer (append_log_rows_after) holds a transaction-scoped advisory lock
//    while it reads the other writers' rows and inserts its own: one log, no forks, no gaps;
//  - consume_sad is one UPDATE ... WHERE consumed_at IS NULL AND expires_at > $now RETURNING;
//  - next_counter is one INSERT ... ON CONFLICT DO UPDATE ... RETURNING;
//  - status changes bump the revocation generation in the same transaction.
// Migrations (pg_migrations.cpp) run under an advisory lock, so nodes starting at once do not
// race. Thread-safe: a pool of connections, one per call.

#include <memory>
#include <string>

#include "store/store.h"

namespace qualsig::store {

namespace pg {
class Pool;
class Connection;
}

class PostgresStore final : public Store {
 public:
  enum class Mode { open_existing, create };
  // Connects to `url` (a libpq URI: postgresql://user:password@host:port/dbname?...).
  // Mode::create applies pending migrations; Mode::open_existing refuses a database without the
  // qualsig schema (database: "... has no qualsig schema: run qualsig init") and applies pending
  // migrations of an existing one. A schema newer than this program is refused (database).
  // A server that cannot be reached gives unavailable, a refused login database. No error
  // message ever contains the password of the URL.
  static Result<std::unique_ptr<PostgresStore>> open(const std::string& url, Mode mode);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

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


  // Number of migrations this program knows (equal to SqliteStore's).
  static int latest_schema_version();
  // Connections the pool opens at most.
  static constexpr std::size_t kPoolSize = 4;

 private:
  PostgresStore(std::unique_ptr<pg::Pool> pool, std::string description);
  Result<void> migrate(Mode mode);
  // put_signature's statements, inside the caller's transaction on `conn`.
  static Result<void> write_signature(pg::Connection& conn, const SignatureRecord& signature,
                                      const std::string& request_status);

  std::unique_ptr<pg::Pool> m_pool;
  std::string m_description;
};

}  // namespace qualsig::store
