#pragma once
// The store interface (DESIGN.md "Storage"): everything qualsig persists goes through it, with
// one SQLite implementation now and PostgreSQL later, sharing one test-suite.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "core/time.h"
#include "store/api_records.h"
#include "store/records.h"
#include "store/signing_records.h"

namespace qualsig::store {

// A certificate of the trust service itself (root, issuing CA, TSA, OCSP, TLS server).
struct CaCertificate {
  std::string role;        // "root", "issuing", "tsa", "ocsp", "tls"
  std::string serial_hex;  // upper-case hex, as in RFC 5280 §4.1.2.2 (positive integer)
  std::string subject;     // RFC 2253 string
  Bytes der;
  Bytes key_id;            // CKA_ID of the key in the token
  std::string key_label;   // CKA_LABEL
  TimePoint not_before;
  TimePoint not_after;
};

// A key of the service that has no certificate (e.g. the audit-log key).
struct ServiceKey {
  std::string role;        // "audit-log"
  Bytes key_id;
  std::string key_label;
  Bytes public_key_der;    // SubjectPublicKeyInfo
};

struct Counts {
  std::int64_t identities = 0;
  std::int64_t certificates = 0;
  std::int64_t revoked_certificates = 0;
};

// One entry of the audit log as stored: its canonical JSON text and leaf hash
// (RFC 9162 §2.1.1: SHA-256(0x00 || entry)).
struct LogRow {
  std::uint64_t seq = 0;
  std::string entry;
  Bytes leaf_hash;
};

// A signed checkpoint of the audit log (C2SP tlog-checkpoint in a signed note).
struct StoredCheckpoint {
  std::uint64_t tree_size = 0;
  Bytes root_hash;
  TimePoint time;
  std::string note;
};

class Store {
 public:
  virtual ~Store() = default;

  // Current schema version (number of applied migrations).
  virtual Result<int> schema_version() = 0;
  // Human-readable backend description, e.g. "SQLite 3.40.1 (WAL) at /path".
  virtual std::string describe() const = 0;

  // Writes the service's certificates and keys in one transaction (used by init).
  virtual Result<void> put_service_material(const std::vector<CaCertificate>& certs,
                                            const std::vector<ServiceKey>& keys) = 0;
  virtual Result<std::vector<CaCertificate>> ca_certificates() = 0;
  virtual Result<CaCertificate> ca_certificate(const std::string& role) = 0;
  virtual Result<std::vector<ServiceKey>> service_keys() = 0;

  virtual Result<Counts> counts() = 0;

  // --- audit log (src/audit) ---
  // Appends rows in one durable transaction. Fails with already_exists if a seq is taken
  // (another writer appended first); nothing is written then.
  virtual Result<void> append_log_rows(const std::vector<LogRow>& rows) = 0;
  // The sequencer (DESIGN.md: coordinated in the database, never in process memory): in one
  // write transaction, reads the rows other writers stored from `known_size` on, hands them
  // to `build`, which returns the rows to append after them, and commits those durably.
  // Returns the other writers' rows so the caller can bring its tree up to date. Those rows
  // carry seq and leaf_hash only (entry empty): a node that has not appended for a while may be
  // tens of thousands of entries behind, and reading their text inside the sequencer's lock cost
  // both time under the lock and a transient tens of MiB (BENCHMARKS.md, two nodes). If `build`
  // fails, nothing is written and its error is returned.
  //
  // `build` may write, inside the same transaction, the state its entries record (`companion`,
  // below): entries and state are then durable together or not at all, in one commit.
  using CompanionWriter = std::function<Result<void>(const LogCompanion&)>;
  using LogRowBuilder =
      std::function<Result<std::vector<LogRow>>(const std::vector<LogRow>& others, const CompanionWriter& companion)>;
  virtual Result<std::vector<LogRow>> append_log_rows_after(std::uint64_t known_size, const LogRowBuilder& build) = 0;
  // Number of rows (one more than the highest seq, if the log is intact).
  virtual Result<std::uint64_t> log_size() = 0;
  // Rows with seq >= from in seq order, streamed to `visit` until it returns false.
  // The rows are read as stored: verification decides what is wrong with them.
  virtual Result<void> for_each_log_row(std::uint64_t from, const std::function<bool(const LogRow&)>& visit) = 0;
  virtual Result<LogRow> log_row(std::uint64_t seq) = 0;
  virtual Result<void> put_checkpoint(const StoredCheckpoint& checkpoint) = 0;
  // All checkpoints, by tree size.
  virtual Result<std::vector<StoredCheckpoint>> checkpoints() = 0;
  virtual Result<std::optional<StoredCheckpoint>> latest_checkpoint() = 0;

  // --- identities (src/identity, service/identity_service) ---
  // Fails with already_exists if the name is taken. Returns the new id.
  virtual Result<std::int64_t> create_identity(const IdentityRecord& identity) = 0;
  virtual Result<IdentityRecord> identity(const std::string& name) = 0;
  virtual Result<std::vector<IdentityRecord>> identities() = 0;
  // Writes state, spiffe_id, assurance_level, updated_at and last_used_at of `identity.id`.
  virtual Result<void> update_identity(const IdentityRecord& identity) = 0;
  virtual Result<std::int64_t> add_proofing(const ProofingRecord& proofing) = 0;
  virtual Result<void> update_proofing(const ProofingRecord& proofing) = 0;
  virtual Result<std::vector<ProofingRecord>> proofings(std::int64_t identity_id) = 0;

  // --- identity certificates and revocation (service/cert_service) ---
  // Fails with already_exists if the serial is taken.
  virtual Result<void> put_certificate(const CertificateRecord& certificate) = 0;
  virtual Result<CertificateRecord> certificate(const std::string& serial_hex) = 0;
  // All certificates, or those of one identity (by id) when identity_id is set.
  virtual Result<std::vector<CertificateRecord>> certificates(std::optional<std::int64_t> identity_id) = 0;
  // Writes status, revoked_at, revocation_reason, invalidity_date of `certificate.serial_hex`
  // and, in the same transaction, increments the revocation generation.
  virtual Result<void> update_certificate_status(const CertificateRecord& certificate) = 0;
  // Changes with every status change, in any process: caches of revocation answers compare it.
  virtual Result<std::uint64_t> revocation_generation() = 0;
  // Revoked and suspended certificates (for the CRL).
  virtual Result<std::vector<CertificateRecord>> revoked_certificates() = 0;
  // Stores a newly signed CRL if its number is higher than the stored one's.
  virtual Result<void> put_crl(const CrlRecord& crl) = 0;
  virtual Result<std::optional<CrlRecord>> crl(const std::string& issuer) = 0;

  // --- signing authorisation (policy/, service/sign_service) ---
  // Stores a policy version. The same (name, version) with the same hash returns the stored
  // id; with another hash it fails with already_exists (versions are immutable).
  virtual Result<std::int64_t> put_policy(const PolicyRecord& policy) = 0;
  virtual Result<PolicyRecord> policy(std::int64_t id) = 0;
  // Every stored version, newest first per name.
  virtual Result<std::vector<PolicyRecord>> policies() = 0;
  // Attaches the policy to the identity, replacing the previous attachment.
  virtual Result<void> attach_policy(std::int64_t identity_id, std::int64_t policy_id, TimePoint at) = 0;
  virtual Result<std::optional<PolicyRecord>> policy_of_identity(std::int64_t identity_id) = 0;

  // Fails with already_exists if the name is taken.
  virtual Result<std::int64_t> create_person(const PersonRecord& person) = 0;
  virtual Result<PersonRecord> person(const std::string& name) = 0;
  virtual Result<std::vector<PersonRecord>> people() = 0;

  virtual Result<void> put_delegation(const DelegationRecord& delegation) = 0;
  virtual Result<DelegationRecord> delegation(const std::string& id) = 0;
  // All delegations, or those whose delegate is `delegate`.
  virtual Result<std::vector<DelegationRecord>> delegations(const std::optional<std::string>& delegate) = 0;
  // Sets revoked_at once; a second revocation fails with conflict.
  virtual Result<void> revoke_delegation(const std::string& id, TimePoint at) = 0;

  virtual Result<void> create_sign_request(const SignRequestRecord& request) = 0;
  virtual Result<SignRequestRecord> sign_request(const std::string& id) = 0;
  // Newest first; only those with `status` when set; at most `limit`.
  virtual Result<std::vector<SignRequestRecord>> sign_requests(const std::optional<std::string>& status,
                                                               std::size_t limit) = 0;
  // Moves a request from `from` to `to` status (compare-and-set: conflict if it is no longer
  // in `from`), setting signature_id / completed_at when given.
  virtual Result<void> transition_sign_request(const std::string& id, const std::string& from, const std::string& to,
                                               const std::optional<std::string>& signature_id,
                                               std::optional<TimePoint> completed_at) = 0;
  // Fails with already_exists when this approver already decided on the request.
  virtual Result<void> add_approval(const ApprovalRecord& approval) = 0;
  virtual Result<std::vector<ApprovalRecord>> approvals(const std::string& request_id) = 0;

  virtual Result<void> put_sad(const SadRecord& sad) = 0;
  // The SADs issued for a request, oldest first.
  virtual Result<std::vector<SadRecord>> sads(const std::string& request_id) = 0;
  // The SAD with this token hash, used or not (not_found when there is none). Reads only.
  virtual Result<SadRecord> sad(const std::string& token_hash) = 0;
  // Consumes the SAD exactly once, atomically across threads and processes: returns the record
  // when it existed, was unused and unexpired at `now`; otherwise not_found / conflict
  // ("already used") / denied ("expired"), and nothing changes.
  // The consumption is committed and visible to every reader at once, but may return before it
  // is synced to disk: it is made durable by the store's next durable commit, which syncs every
  // earlier commit with its own (a WAL is written in order). Its caller releases nothing before
  // one: a signature leaves the service only after its log entries' commit (DESIGN.md step 6).
  // A crash in between loses only a consumption whose signature never left, so the SAD may be
  // used once more — still at most one signature per SAD reaches anyone.
  virtual Result<SadRecord> consume_sad(const std::string& token_hash, TimePoint now) = 0;
  // Consumes every SAD of `token_hashes` in one transaction, each as consume_sad does: all or
  // none. The first that cannot be consumed fails the call with consume_sad's error, naming its
  // position ("SAD 3 of 5: ..."), and nothing changes. Records in the order given.
  virtual Result<std::vector<SadRecord>> consume_sads(const std::vector<std::string>& token_hashes, TimePoint now) = 0;

  // Stores a produced signature and, in the same transaction, moves its request from
  // `request_status` to "signed" (conflict if it is no longer there: nothing is written) and
  // sets the identity's last_used_at to the signature's time.
  virtual Result<void> put_signature(const SignatureRecord& signature, const std::string& request_status) = 0;
  virtual Result<SignatureRecord> signature(const std::string& id) = 0;
  // Signatures of the identity made at or after `since` (rate limits), counting at most `cap`.
  virtual Result<std::int64_t> count_signatures(std::int64_t identity_id, TimePoint since, std::int64_t cap) = 0;

  // A named counter incremented atomically across processes; returns the new value (1 first).
  // TSA serial numbers (RFC 3161 §2.4.2: unique per TSA) come from here.
  virtual Result<std::uint64_t> next_counter(const std::string& name) = 0;

  // --- API clients and access tokens (service/api_auth, issue 9) ---
  // Fails with already_exists if the client id is taken.
  virtual Result<void> put_api_client(const ApiClientRecord& client) = 0;
  virtual Result<ApiClientRecord> api_client(const std::string& client_id) = 0;  // not_found
  virtual Result<std::vector<ApiClientRecord>> api_clients() = 0;  // by client id
  // Sets disabled_at once; not_found for an unknown client, conflict if already disabled.
  virtual Result<void> disable_api_client(const std::string& client_id, TimePoint at) = 0;
  virtual Result<void> put_access_token(const AccessTokenRecord& token) = 0;
  virtual Result<AccessTokenRecord> access_token(const std::string& token_hash) = 0;  // not_found
  // Sets revoked_at if not yet set; not_found for an unknown token (idempotent otherwise).
  virtual Result<void> revoke_access_token(const std::string& token_hash, TimePoint at) = 0;
  // Revokes every unexpired token of the principal (a disabled client, a revoked certificate).
  virtual Result<std::int64_t> revoke_access_tokens_of(const std::string& principal, TimePoint at) = 0;

  // Small key/value settings (e.g. "organisation.name").
  virtual Result<void> set_setting(const std::string& key, const std::string& value) = 0;
  virtual Result<std::optional<std::string>> setting(const std::string& key) = 0;
};

}  // namespace qualsig::store
