// PostgresStore: identities, proofing evidence, identity certificates and CRLs.
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"

namespace qualsig::store {
namespace {

using pg::Params;
using pg::Rows;

const std::string kIdentityColumns =
    "id, name, kind, state, organization, organization_identifier, country, sponsor, purpose, acts_for, "
    "spiffe_id, assurance_level, created_at, updated_at, last_used_at";

IdentityRecord read_identity(const Rows& st, int i) {
  IdentityRecord r;
  r.id = st.int64(i, 0);
  r.name = st.text(i, 1);
  r.kind = st.text(i, 2);
  r.state = st.text(i, 3);
  r.organization = st.text(i, 4);
  r.organization_identifier = st.text(i, 5);
  r.country = st.text(i, 6);
  r.sponsor = st.text(i, 7);
  r.purpose = st.text(i, 8);
  r.acts_for = st.opt_text(i, 9);
  r.spiffe_id = st.opt_text(i, 10);
  r.assurance_level = st.opt_text(i, 11);
  r.created_at = st.time(i, 12);
  r.updated_at = st.time(i, 13);
  r.last_used_at = st.opt_time(i, 14);
  return r;
}

const std::string kProofingColumns =
    "id, identity_id, method, status, subject, evidence, evidence_hash, assurance_level, attested_by, confirmed_by, "
    "created_at, confirmed_at";

ProofingRecord read_proofing(const Rows& st, int i) {
  ProofingRecord r;
  r.id = st.int64(i, 0);
  r.identity_id = st.int64(i, 1);
  r.method = st.text(i, 2);
  r.status = st.text(i, 3);
  r.subject = st.text(i, 4);
  r.evidence = st.text(i, 5);
  r.evidence_hash = st.text(i, 6);
  r.assurance_level = st.text(i, 7);
  r.attested_by = st.opt_text(i, 8);
  r.confirmed_by = st.opt_text(i, 9);
  r.created_at = st.time(i, 10);
  r.confirmed_at = st.opt_time(i, 11);
  return r;
}

const std::string kCertColumns =
    "c.serial_hex, c.identity_id, i.name, c.der, c.key_id, c.key_label, c.status, c.issued_at, c.not_before, "
    "c.not_after, c.revoked_at, c.revocation_reason, c.invalidity_date";

CertificateRecord read_cert(const Rows& st, int i) {
  CertificateRecord r;
  r.serial_hex = st.text(i, 0);
  r.identity_id = st.int64(i, 1);
  r.identity_name = st.text(i, 2);
  r.der = st.bytes(i, 3);
  r.key_id = st.bytes(i, 4);
  r.key_label = st.text(i, 5);
  r.status = st.text(i, 6);
  r.issued_at = st.time(i, 7);
  r.not_before = st.time(i, 8);
  r.not_after = st.time(i, 9);
  r.revoked_at = st.opt_time(i, 10);
  r.revocation_reason = st.opt_text(i, 11);
  r.invalidity_date = st.opt_time(i, 12);
  return r;
}

template <typename T, typename F>
std::vector<T> collect(const Rows& rows, F read) {
  std::vector<T> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(read(rows, i));
  return out;
}

}  // namespace

Result<std::int64_t> PostgresStore::create_identity(const IdentityRecord& r) {
  QS_TRY(auto c, m_pool->acquire());
  auto rows = c->exec("INSERT INTO identities(name, kind, state, organization, organization_identifier, country, sponsor, "
      "purpose, acts_for, spiffe_id, assurance_level, created_at, updated_at, last_used_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
      Params().add(r.name).add(r.kind).add(r.state).add(r.organization).add(r.organization_identifier).add(r.country)
          .add(r.sponsor).add(r.purpose).add(r.acts_for).add(r.spiffe_id).add(r.assurance_level).add(r.created_at)
          .add(r.updated_at).add(r.last_used_at));
  if (!rows) {
    if (rows.error().code == ErrorCode::already_exists)
      return fail(ErrorCode::already_exists, "an identity named '" + r.name + "' already exists");
    return fail(std::move(rows).error());
  }
  return rows->int64(0, 0);
}

Result<IdentityRecord> PostgresStore::identity(const std::string& name) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kIdentityColumns + " FROM identities WHERE name = $1", Params().add(name)));
  if (r.empty()) return fail(ErrorCode::not_found, "no identity named '" + name + "'");
  return read_identity(r, 0);
}

Result<std::vector<IdentityRecord>> PostgresStore::identities() {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kIdentityColumns + " FROM identities ORDER BY name"));
  return collect<IdentityRecord>(r, read_identity);
}

Result<void> PostgresStore::update_identity(const IdentityRecord& r) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto rows, c->exec("UPDATE identities SET state = $1, spiffe_id = $2, assurance_level = $3, updated_at = $4, "
                            "last_used_at = $5 WHERE id = $6",
                            Params().add(r.state).add(r.spiffe_id).add(r.assurance_level).add(r.updated_at)
                                .add(r.last_used_at).add(r.id)));
  if (rows.affected() != 1) return fail(ErrorCode::not_found, "no identity with id " + std::to_string(r.id));
  return ok();
}

Result<std::int64_t> PostgresStore::add_proofing(const ProofingRecord& r) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto rows, c->exec("INSERT INTO proofing_evidence(identity_id, method, status, subject, evidence, evidence_hash, "
      "assurance_level, attested_by, confirmed_by, created_at, confirmed_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
      Params().add(r.identity_id).add(r.method).add(r.status).add(r.subject).add(r.evidence).add(r.evidence_hash)
          .add(r.assurance_level).add(r.attested_by).add(r.confirmed_by).add(r.created_at).add(r.confirmed_at)));
  return rows.int64(0, 0);
}

Result<void> PostgresStore::update_proofing(const ProofingRecord& r) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY_VOID(c->exec("UPDATE proofing_evidence SET status = $1, confirmed_by = $2, confirmed_at = $3 WHERE id = $4",
                      Params().add(r.status).add(r.confirmed_by).add(r.confirmed_at).add(r.id)));
  return ok();
}

Result<std::vector<ProofingRecord>> PostgresStore::proofings(std::int64_t identity_id) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kProofingColumns + " FROM proofing_evidence WHERE identity_id = $1 ORDER BY id",
                         Params().add(identity_id)));
  return collect<ProofingRecord>(r, read_proofing);
}

Result<void> PostgresStore::put_certificate(const CertificateRecord& r) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY_VOID(c->exec("INSERT INTO certificates(serial_hex, identity_id, der, key_id, key_label, status, issued_at, "
      "not_before, not_after, revoked_at, revocation_reason, invalidity_date) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      Params().add(r.serial_hex).add(r.identity_id).add(ByteView(r.der)).add(ByteView(r.key_id)).add(r.key_label)
          .add(r.status).add(r.issued_at).add(r.not_before).add(r.not_after).add(r.revoked_at).add(r.revocation_reason)
          .add(r.invalidity_date)));
  return ok();
}

Result<CertificateRecord> PostgresStore::certificate(const std::string& serial_hex) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT " + kCertColumns +
                         " FROM certificates c JOIN identities i ON i.id = c.identity_id WHERE c.serial_hex = $1",
                         Params().add(serial_hex)));
  if (r.empty()) return fail(ErrorCode::not_found, "no certificate with serial " + serial_hex);
  return read_cert(r, 0);
}

Result<std::vector<CertificateRecord>> PostgresStore::certificates(std::optional<std::int64_t> identity_id) {
  QS_TRY(auto c, m_pool->acquire());
  // One statement for both cases: a NULL filter matches every certificate.
  QS_TRY(auto r, c->exec("SELECT " + kCertColumns + " FROM certificates c JOIN identities i ON i.id = c.identity_id "
                         "WHERE $1::BIGINT IS NULL OR c.identity_id = $1 ORDER BY c.issued_at, c.serial_hex",
                         Params().add(identity_id)));
  return collect<CertificateRecord>(r, read_cert);
}

Result<void> PostgresStore::update_certificate_status(const CertificateRecord& r) {
  QS_TRY(auto c, m_pool->acquire());
  return pg::in_transaction(*c, [&]() -> Result<void> {
    QS_TRY(auto rows, c->exec("UPDATE certificates SET status = $1, revoked_at = $2, revocation_reason = $3, "
                              "invalidity_date = $4 WHERE serial_hex = $5",
                              Params().add(r.status).add(r.revoked_at).add(r.revocation_reason).add(r.invalidity_date)
                                  .add(r.serial_hex)));
    if (rows.affected() != 1) return fail(ErrorCode::not_found, "no certificate with serial " + r.serial_hex);
    QS_TRY_VOID(c->exec("UPDATE revocation_state SET generation = generation + 1 WHERE id = 1"));
    return ok();
  });
}

Result<std::uint64_t> PostgresStore::revocation_generation() {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT generation FROM revocation_state WHERE id = 1"));
  if (r.empty()) return fail(ErrorCode::database, "revocation_state is empty");
  return static_cast<std::uint64_t>(r.int64(0, 0));
}

Result<std::vector<CertificateRecord>> PostgresStore::revoked_certificates() {
  QS_TRY(auto c, m_pool->acquire());
  // NULLS FIRST: SQLite orders NULL before any value; keep the same order on both backends.
  QS_TRY(auto r, c->exec("SELECT " + kCertColumns + " FROM certificates c JOIN identities i ON i.id = c.identity_id "
                         "WHERE c.status IN ('revoked', 'suspended') ORDER BY c.revoked_at NULLS FIRST, c.serial_hex"));
  return collect<CertificateRecord>(r, read_cert);
}

Result<void> PostgresStore::put_crl(const CrlRecord& r) {
  QS_TRY(auto c, m_pool->acquire());
  // Atomic: of two nodes storing CRLs at once, the higher number wins whatever the order.
  QS_TRY_VOID(c->exec("INSERT INTO crls(issuer, crl_number, this_update, next_update, der) VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT (issuer) DO UPDATE SET crl_number = excluded.crl_number, this_update = excluded.this_update, "
      "next_update = excluded.next_update, der = excluded.der WHERE excluded.crl_number > crls.crl_number",
      Params().add(r.issuer).add(static_cast<std::int64_t>(r.crl_number)).add(r.this_update).add(r.next_update)
          .add(ByteView(r.der))));
  return ok();
}

Result<std::optional<CrlRecord>> PostgresStore::crl(const std::string& issuer) {
  QS_TRY(auto c, m_pool->acquire());
  QS_TRY(auto r, c->exec("SELECT issuer, crl_number, this_update, next_update, der FROM crls WHERE issuer = $1",
                         Params().add(issuer)));
  if (r.empty()) return std::optional<CrlRecord>();
  return std::optional<CrlRecord>(
      CrlRecord{r.text(0, 0), static_cast<std::uint64_t>(r.int64(0, 1)), r.time(0, 2), r.time(0, 3), r.bytes(0, 4)});
}

}  // namespace qualsig::store
