// SqliteStore: identities, proofing evidence, identity certificates and CRLs.
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statement.h"

namespace qualsig::store {
namespace {

TimePoint tp(std::int64_t s) { return from_unix_seconds(s); }
std::int64_t unix_s(TimePoint t) { return unix_seconds(t); }

constexpr const char* kIdentityColumns =
    "id, name, kind, state, organization, organization_identifier, country, sponsor, purpose, acts_for, "
    "spiffe_id, assurance_level, created_at, updated_at, last_used_at";

IdentityRecord read_identity(const Statement& st) {
  IdentityRecord r;
  r.id = st.int64(0);
  r.name = st.text(1);
  r.kind = st.text(2);
  r.state = st.text(3);
  r.organization = st.text(4);
  r.organization_identifier = st.text(5);
  r.country = st.text(6);
  r.sponsor = st.text(7);
  r.purpose = st.text(8);
  r.acts_for = opt_text(st, 9);
  r.spiffe_id = opt_text(st, 10);
  r.assurance_level = opt_text(st, 11);
  r.created_at = tp(st.int64(12));
  r.updated_at = tp(st.int64(13));
  r.last_used_at = opt_time(st, 14);
  return r;
}

constexpr const char* kProofingColumns =
    "id, identity_id, method, status, subject, evidence, evidence_hash, assurance_level, attested_by, confirmed_by, "
    "created_at, confirmed_at";

ProofingRecord read_proofing(const Statement& st) {
  ProofingRecord r;
  r.id = st.int64(0);
  r.identity_id = st.int64(1);
  r.method = st.text(2);
  r.status = st.text(3);
  r.subject = st.text(4);
  r.evidence = st.text(5);
  r.evidence_hash = st.text(6);
  r.assurance_level = st.text(7);
  r.attested_by = opt_text(st, 8);
  r.confirmed_by = opt_text(st, 9);
  r.created_at = tp(st.int64(10));
  r.confirmed_at = opt_time(st, 11);
  return r;
}

constexpr const char* kCertColumns =
    "c.serial_hex, c.identity_id, i.name, c.der, c.key_id, c.key_label, c.status, c.issued_at, c.not_before, "
    "c.not_after, c.revoked_at, c.revocation_reason, c.invalidity_date";

CertificateRecord read_cert(const Statement& st) {
  CertificateRecord r;
  r.serial_hex = st.text(0);
  r.identity_id = st.int64(1);
  r.identity_name = st.text(2);
  r.der = st.blob(3);
  r.key_id = st.blob(4);
  r.key_label = st.text(5);
  r.status = st.text(6);
  r.issued_at = tp(st.int64(7));
  r.not_before = tp(st.int64(8));
  r.not_after = tp(st.int64(9));
  r.revoked_at = opt_time(st, 10);
  r.revocation_reason = opt_text(st, 11);
  r.invalidity_date = opt_time(st, 12);
  return r;
}

}  // namespace

Result<std::int64_t> SqliteStore::create_identity(const IdentityRecord& r) {
  return write([&]() -> Result<std::int64_t> {
    QS_TRY(auto st, prepare("INSERT INTO identities(name, kind, state, organization, organization_identifier, country, sponsor, purpose, "
        "acts_for, spiffe_id, assurance_level, created_at, updated_at, last_used_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    st.bind(1, r.name).bind(2, r.kind).bind(3, r.state).bind(4, r.organization).bind(5, r.organization_identifier)
        .bind(6, r.country).bind(7, r.sponsor).bind(8, r.purpose);
    bind_opt(st, 9, r.acts_for);
    bind_opt(st, 10, r.spiffe_id);
    bind_opt(st, 11, r.assurance_level);
    st.bind(12, unix_s(r.created_at)).bind(13, unix_s(r.updated_at));
    bind_opt(st, 14, r.last_used_at);
    auto ran = st.run();
    if (!ran) {
      if (ran.error().code == ErrorCode::already_exists)
        return fail(ErrorCode::already_exists, "an identity named '" + r.name + "' already exists");
      return fail(ran.error());
    }
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(m_db));
  });
}

Result<IdentityRecord> SqliteStore::identity(const std::string& name) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare((std::string("SELECT ") + kIdentityColumns + " FROM identities WHERE name = ?").c_str()));
  st.bind(1, name);
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::not_found, "no identity named '" + name + "'");
  return read_identity(st);
}

Result<std::vector<IdentityRecord>> SqliteStore::identities() {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare((std::string("SELECT ") + kIdentityColumns + " FROM identities ORDER BY name").c_str()));
  return collect<IdentityRecord>(st, read_identity);
}

Result<void> SqliteStore::update_identity(const IdentityRecord& r) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("UPDATE identities SET state = ?, spiffe_id = ?, assurance_level = ?, updated_at = ?, last_used_at = ? WHERE id = ?"));
    st.bind(1, r.state);
    bind_opt(st, 2, r.spiffe_id);
    bind_opt(st, 3, r.assurance_level);
    st.bind(4, unix_s(r.updated_at));
    bind_opt(st, 5, r.last_used_at);
    st.bind(6, r.id);
    QS_TRY_VOID(st.run());
    if (sqlite3_changes(m_db) != 1) return fail(ErrorCode::not_found, "no identity with id " + std::to_string(r.id));
    return ok();
  });
}

Result<std::int64_t> SqliteStore::add_proofing(const ProofingRecord& r) {
  return write([&]() -> Result<std::int64_t> {
    QS_TRY(auto st, prepare("INSERT INTO proofing_evidence(identity_id, method, status, subject, evidence, evidence_hash, assurance_level, "
        "attested_by, confirmed_by, created_at, confirmed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    st.bind(1, r.identity_id).bind(2, r.method).bind(3, r.status).bind(4, r.subject).bind(5, r.evidence)
        .bind(6, r.evidence_hash).bind(7, r.assurance_level);
    bind_opt(st, 8, r.attested_by);
    bind_opt(st, 9, r.confirmed_by);
    st.bind(10, unix_s(r.created_at));
    bind_opt(st, 11, r.confirmed_at);
    QS_TRY_VOID(st.run());
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(m_db));
  });
}

Result<void> SqliteStore::update_proofing(const ProofingRecord& r) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("UPDATE proofing_evidence SET status = ?, confirmed_by = ?, confirmed_at = ? WHERE id = ?"));
    st.bind(1, r.status);
    bind_opt(st, 2, r.confirmed_by);
    bind_opt(st, 3, r.confirmed_at);
    st.bind(4, r.id);
    return st.run();
  });
}

Result<std::vector<ProofingRecord>> SqliteStore::proofings(std::int64_t identity_id) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare((std::string("SELECT ") + kProofingColumns +
                                            " FROM proofing_evidence WHERE identity_id = ? ORDER BY id").c_str()));
  st.bind(1, identity_id);
  return collect<ProofingRecord>(st, read_proofing);
}

Result<void> SqliteStore::put_certificate(const CertificateRecord& r) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("INSERT INTO certificates(serial_hex, identity_id, der, key_id, key_label, status, issued_at, not_before, not_after, "
        "revoked_at, revocation_reason, invalidity_date) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"));
    st.bind(1, r.serial_hex).bind(2, r.identity_id).bind(3, ByteView(r.der)).bind(4, ByteView(r.key_id))
        .bind(5, r.key_label).bind(6, r.status).bind(7, unix_s(r.issued_at)).bind(8, unix_s(r.not_before))
        .bind(9, unix_s(r.not_after));
    bind_opt(st, 10, r.revoked_at);
    bind_opt(st, 11, r.revocation_reason);
    bind_opt(st, 12, r.invalidity_date);
    return st.run();
  });
}

Result<CertificateRecord> SqliteStore::certificate(const std::string& serial_hex) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare((std::string("SELECT ") + kCertColumns +
                                            " FROM certificates c JOIN identities i ON i.id = c.identity_id WHERE c.serial_hex = ?").c_str()));
  st.bind(1, serial_hex);
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::not_found, "no certificate with serial " + serial_hex);
  return read_cert(st);
}

Result<std::vector<CertificateRecord>> SqliteStore::certificates(std::optional<std::int64_t> identity_id) {
  QS_TRY(auto read, reader());
  std::string sql = std::string("SELECT ") + kCertColumns + " FROM certificates c JOIN identities i ON i.id = c.identity_id";
  if (identity_id) sql += " WHERE c.identity_id = ?";
  sql += " ORDER BY c.issued_at, c.serial_hex";
  QS_TRY(auto st, read.prepare(sql.c_str()));
  if (identity_id) st.bind(1, *identity_id);
  return collect<CertificateRecord>(st, read_cert);
}

Result<void> SqliteStore::update_certificate_status(const CertificateRecord& r) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("UPDATE certificates SET status = ?, revoked_at = ?, revocation_reason = ?, invalidity_date = ? WHERE serial_hex = ?"));
    st.bind(1, r.status);
    bind_opt(st, 2, r.revoked_at);
    bind_opt(st, 3, r.revocation_reason);
    bind_opt(st, 4, r.invalidity_date);
    st.bind(5, r.serial_hex);
    QS_TRY_VOID(st.run());
    if (sqlite3_changes(m_db) != 1) return fail(ErrorCode::not_found, "no certificate with serial " + r.serial_hex);
    return exec("UPDATE revocation_state SET generation = generation + 1 WHERE id = 1");
  });
}

Result<std::uint64_t> SqliteStore::revocation_generation() {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT generation FROM revocation_state WHERE id = 1"));
  QS_TRY(bool row, st.step());
  if (!row) return fail(ErrorCode::database, "revocation_state is empty");
  return static_cast<std::uint64_t>(st.int64(0));
}

Result<std::vector<CertificateRecord>> SqliteStore::revoked_certificates() {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare((std::string("SELECT ") + kCertColumns +
                                            " FROM certificates c JOIN identities i ON i.id = c.identity_id "
                                            "WHERE c.status IN ('revoked', 'suspended') ORDER BY c.revoked_at, c.serial_hex").c_str()));
  return collect<CertificateRecord>(st, read_cert);
}

Result<void> SqliteStore::put_crl(const CrlRecord& r) {
  return write([&]() -> Result<void> {
    QS_TRY(auto st, prepare("INSERT INTO crls(issuer, crl_number, this_update, next_update, der) VALUES (?,?,?,?,?) "
        "ON CONFLICT(issuer) DO UPDATE SET crl_number = excluded.crl_number, this_update = excluded.this_update, "
        "next_update = excluded.next_update, der = excluded.der WHERE excluded.crl_number > crls.crl_number"));
    st.bind(1, r.issuer).bind(2, static_cast<std::int64_t>(r.crl_number)).bind(3, unix_s(r.this_update))
        .bind(4, unix_s(r.next_update)).bind(5, ByteView(r.der));
    return st.run();
  });
}

Result<std::optional<CrlRecord>> SqliteStore::crl(const std::string& issuer) {
  QS_TRY(auto read, reader());
  QS_TRY(auto st, read.prepare("SELECT issuer, crl_number, this_update, next_update, der FROM crls WHERE issuer = ?"));
  st.bind(1, issuer);
  QS_TRY(bool row, st.step());
  if (!row) return std::optional<CrlRecord>();
  return std::optional<CrlRecord>(CrlRecord{st.text(0), static_cast<std::uint64_t>(st.int64(1)), tp(st.int64(2)),
                                            tp(st.int64(3)), st.blob(4)});
}

}  // namespace qualsig::store
