#include "pki/crl.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <memory>
#include <set>
#include <utility>

#include "pki/certificate_builder.h"
#include "pki/oids.h"

namespace qualsig::pki {
namespace {

using core::UniquePtr;
using core::wrap;

// Types core/openssl.h has no deleter for; owned here only until a set0/add0 takes them.
using RevokedPtr = std::unique_ptr<X509_REVOKED, decltype(&X509_REVOKED_free)>;
using AuthorityKeyIdPtr = std::unique_ptr<AUTHORITY_KEYID, decltype(&AUTHORITY_KEYID_free)>;

constexpr std::array<std::pair<RevocationReason, const char*>, 10> kReasonNames{{
    {RevocationReason::unspecified, "unspecified"},
    {RevocationReason::key_compromise, "keyCompromise"},
    {RevocationReason::ca_compromise, "cACompromise"},
    {RevocationReason::affiliation_changed, "affiliationChanged"},
    {RevocationReason::superseded, "superseded"},
    {RevocationReason::cessation_of_operation, "cessationOfOperation"},
    {RevocationReason::certificate_hold, "certificateHold"},
    {RevocationReason::remove_from_crl, "removeFromCRL"},
    {RevocationReason::privilege_withdrawn, "privilegeWithdrawn"},
    {RevocationReason::aa_compromise, "aACompromise"},
}};

// RFC 5280 §4.1.2.2: "Certificate users MUST be able to handle serialNumber values up to 20
// octets"; conforming CAs use positive integers no longer than that.
Result<UniquePtr<ASN1_INTEGER>> serial_from_hex(const std::string& hex) {
  if (hex.empty() || hex.size() > 40 ||
      !std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return std::isxdigit(c) != 0; }))
    return fail(ErrorCode::invalid_input, "not a certificate serial in hex: '" + hex.substr(0, 48) + "'");
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, hex.c_str()) != static_cast<int>(hex.size()))
    return fail(core::openssl_error(ErrorCode::internal, "cannot parse serial"));
  auto bn = wrap(raw);
  if (BN_is_zero(bn.get())) return fail(ErrorCode::invalid_input, "certificate serial must be positive");
  auto serial = wrap(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) return fail(core::openssl_error(ErrorCode::internal, "cannot encode serial"));
  return serial;
}

Result<UniquePtr<ASN1_TIME>> make_time(TimePoint t) {
  auto out = wrap(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(t)));
  if (!out) return fail(core::openssl_error(ErrorCode::invalid_input, "time out of range"));
  return out;
}

Result<RevokedPtr> make_entry(const RevokedCertificate& r) {
  if (r.reason == RevocationReason::remove_from_crl)
    return fail(ErrorCode::invalid_input, "removeFromCRL is only used in delta CRLs (RFC 5280 §5.3.1)");
  if (std::string_view(reason_name(r.reason)) == "?")
    return fail(ErrorCode::invalid_input, "unknown revocation reason " + std::to_string(static_cast<int>(r.reason)));
  QS_TRY(auto serial, serial_from_hex(r.serial_hex));
  QS_TRY(auto date, make_time(r.revoked_at));
  RevokedPtr entry(X509_REVOKED_new(), X509_REVOKED_free);
  if (!entry || X509_REVOKED_set_serialNumber(entry.get(), serial.get()) != 1 ||
      X509_REVOKED_set_revocationDate(entry.get(), date.get()) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "cannot build CRL entry"));
  // RFC 5280 §5.3.1: "the reason code CRL entry extension SHOULD be absent instead of using
  // the unspecified (0) reasonCode value." Non-critical.
  if (r.reason != RevocationReason::unspecified) {
    auto code = wrap(ASN1_ENUMERATED_new());
    if (!code || ASN1_ENUMERATED_set(code.get(), static_cast<long>(r.reason)) != 1 ||
        X509_REVOKED_add1_ext_i2d(entry.get(), NID_crl_reason, code.get(), 0, X509V3_ADD_DEFAULT) != 1)
      return fail(core::openssl_error(ErrorCode::internal, "cannot add reasonCode"));
  }
  // RFC 5280 §5.3.2: "InvalidityDate ::= GeneralizedTime", non-critical.
  if (r.invalidity_date) {
    auto when = wrap(ASN1_GENERALIZEDTIME_set(nullptr, std::chrono::system_clock::to_time_t(*r.invalidity_date)));
    if (!when || X509_REVOKED_add1_ext_i2d(entry.get(), NID_invalidity_date, when.get(), 0, X509V3_ADD_DEFAULT) != 1)
      return fail(core::openssl_error(ErrorCode::invalid_input, "cannot add invalidityDate"));
  }
  return entry;
}

// RFC 5280 §5.2.1: "Conforming CRL issuers MUST use the key identifier method, and MUST
// include this extension in all CRLs issued." The key identifier is the issuer's SKI.
Result<void> add_authority_key_id(X509_CRL* crl, const X509* issuer) {
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(const_cast<X509*>(issuer));
  if (ski == nullptr)
    return fail(ErrorCode::invalid_input, "the CRL issuer's certificate has no subjectKeyIdentifier");
  AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new(), AUTHORITY_KEYID_free);
  if (!aki || (aki->keyid = ASN1_OCTET_STRING_dup(ski)) == nullptr ||
      X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, aki.get(), 0, X509V3_ADD_DEFAULT) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "cannot add authorityKeyIdentifier"));
  return ok();
}

}  // namespace

const char* reason_name(RevocationReason reason) {
  for (const auto& [value, name] : kReasonNames)
    if (value == reason) return name;
  return "?";
}

Result<RevocationReason> parse_reason_name(std::string_view name) {
  for (const auto& [value, text] : kReasonNames)
    if (name == text) return value;
  return fail(ErrorCode::invalid_input, "unknown revocation reason '" + std::string(name.substr(0, 64)) +
                                            "' (expected an RFC 5280 CRLReason name such as keyCompromise)");
}

std::optional<TimePoint> expired_certs_on_crl(const X509_CRL* crl) {
  // Created once, then only read: X509_CRL_get_ext_by_OBJ compares against it.
  static const UniquePtr<ASN1_OBJECT> kOid = wrap(OBJ_txt2obj(oid::kExpiredCertsOnCrl, 1));
  const int index = kOid ? X509_CRL_get_ext_by_OBJ(crl, kOid.get(), -1) : -1;
  if (index < 0) return std::nullopt;
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_CRL_get_ext(crl, index));
  const unsigned char* p = ASN1_STRING_get0_data(value);
  auto when = wrap(d2i_ASN1_GENERALIZEDTIME(nullptr, &p, ASN1_STRING_length(value)));
  std::tm tm{};
  const bool read = when && p == ASN1_STRING_get0_data(value) + ASN1_STRING_length(value) && ASN1_TIME_to_tm(when.get(), &tm) == 1;
  ERR_clear_error();
  if (!read) return std::nullopt;
  return TimePoint{std::chrono::seconds{timegm(&tm)}};
}

Result<core::UniquePtr<X509_CRL>> build_crl(const X509* issuer, EVP_PKEY* issuer_key, std::uint64_t crl_number,
                                            TimePoint this_update, TimePoint next_update,
                                            const std::vector<RevokedCertificate>& revoked,
                                            std::optional<TimePoint> expired_certs_on_crl) {
  if (issuer == nullptr || issuer_key == nullptr) return fail(ErrorCode::internal, "missing CRL issuer or key");
  if (next_update <= this_update) return fail(ErrorCode::invalid_input, "nextUpdate must be after thisUpdate");
  // RFC 5280 §4.2.1.3: the cRLSign bit "is asserted when the subject public key is used for
  // verifying signatures on certificate revocation lists".
  auto* issuer_mut = const_cast<X509*>(issuer);
  if ((X509_get_extension_flags(issuer_mut) & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(issuer_mut) & KU_CRL_SIGN) == 0)
    return fail(ErrorCode::invalid_input, "the CRL issuer's keyUsage does not allow cRLSign");
  const EVP_PKEY* issuer_public = X509_get0_pubkey(issuer);
  if (issuer_public == nullptr || EVP_PKEY_eq(issuer_public, issuer_key) != 1)
    return fail(ErrorCode::usage, "the CRL signing key is not the key of the issuer certificate");

  auto crl = wrap(X509_CRL_new());
  QS_TRY(auto last, make_time(this_update));
  QS_TRY(auto next, make_time(next_update));
  if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer)) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 || X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "cannot build CRL"));

  std::set<std::string> seen;
  for (const auto& r : revoked) {
    QS_TRY(auto entry, make_entry(r));
    std::string key = core::serial_to_hex(X509_REVOKED_get0_serialNumber(entry.get()));
    if (!seen.insert(key).second) return fail(ErrorCode::invalid_input, "serial " + key + " is listed twice");
    if (X509_CRL_add0_revoked(crl.get(), entry.get()) != 1)
      return fail(core::openssl_error(ErrorCode::internal, "cannot add CRL entry"));
    entry.release();  // owned by the CRL now
  }
  if (X509_CRL_sort(crl.get()) != 1) return fail(core::openssl_error(ErrorCode::internal, "cannot sort CRL"));

  // RFC 5280 §5.2.3: "CRL issuers conforming to this profile MUST include this extension in
  // all CRLs and MUST mark this extension as non-critical."
  auto number = wrap(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_uint64(number.get(), crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "cannot add cRLNumber"));
  QS_TRY_VOID(add_authority_key_id(crl.get(), issuer));
  if (expired_certs_on_crl) {
    // X.509 §9.6.2.6: ExpiredCertsOnCRL ::= GeneralizedTime.
    auto when = wrap(ASN1_GENERALIZEDTIME_set(nullptr, std::chrono::system_clock::to_time_t(*expired_certs_on_crl)));
    auto oid = wrap(OBJ_txt2obj(oid::kExpiredCertsOnCrl, 1));
    unsigned char* der = nullptr;
    const int len = when ? i2d_ASN1_GENERALIZEDTIME(when.get(), &der) : -1;
    auto value = wrap(ASN1_OCTET_STRING_new());
    const bool encoded = len > 0 && value && oid && ASN1_OCTET_STRING_set(value.get(), der, len) == 1;
    OPENSSL_free(der);
    auto ext = encoded ? wrap(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, value.get())) : nullptr;
    if (!ext || X509_CRL_add_ext(crl.get(), ext.get(), -1) != 1)
      return fail(core::openssl_error(ErrorCode::internal, "cannot add expiredCertsOnCRL"));
  }

  if (X509_CRL_sign(crl.get(), issuer_key, digest_for_key(issuer_key)) <= 0)
    return fail(core::openssl_error(ErrorCode::token, "the token could not sign the CRL"));
  return crl;
}

Result<Bytes> crl_to_der(const X509_CRL* crl) {
  unsigned char* buf = nullptr;
  int len = i2d_X509_CRL(const_cast<X509_CRL*>(crl), &buf);
  if (len <= 0) return fail(core::openssl_error(ErrorCode::crypto, "cannot encode CRL"));
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

Result<std::string> crl_to_pem(const X509_CRL* crl) {
  auto bio = wrap(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), const_cast<X509_CRL*>(crl)) != 1)
    return fail(core::openssl_error(ErrorCode::crypto, "cannot encode CRL as PEM"));
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace qualsig::pki
