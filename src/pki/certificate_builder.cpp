#include "pki/certificate_builder.h"

#include <openssl/objects.h>

#include "core/fs.h"
#include "pki/oids.h"
#include "pki/qc_statements.h"

namespace qualsig::pki {
namespace {

using core::UniquePtr;
using core::wrap;

// RFC 5280 Appendix A upper bounds count characters, so UTF-8 continuation bytes are not counted.
std::size_t characters(const std::string& value) {
  std::size_t n = 0;
  for (unsigned char c : value)
    if ((c & 0xc0) != 0x80) ++n;
  return n;
}

Result<void> check_text(const std::string& what, const std::string& value, std::size_t max) {
  if (characters(value) > max)
    return fail(ErrorCode::invalid_input, what + " is longer than " + std::to_string(max) + " characters");
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f) return fail(ErrorCode::invalid_input, what + " contains control characters");
  return ok();
}

Result<void> check_uri(const std::string& uri) {
  QS_TRY_VOID(check_text("URI", uri, 2048));
  if (uri.find(' ') != std::string::npos) return fail(ErrorCode::invalid_input, "URI contains spaces: " + uri);
  if (uri.find(':') == std::string::npos || uri.find(':') == 0)
    return fail(ErrorCode::invalid_input, "not an absolute URI: " + uri);
  return ok();
}

Result<GENERAL_NAME*> make_general_name(int type, const std::string& value) {
  if (type == GEN_IPADD) {
    ASN1_OCTET_STRING* ip = a2i_IPADDRESS(value.c_str());
    if (ip == nullptr) return fail(ErrorCode::invalid_input, "not an IP address: " + value);
    GENERAL_NAME* gn = GENERAL_NAME_new();
    GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);
    return gn;
  }
  if (type == GEN_URI) QS_TRY_VOID(check_uri(value));
  else QS_TRY_VOID(check_text("DNS name", value, 253));
  ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
  if (ia5 == nullptr || ASN1_STRING_set(ia5, value.data(), static_cast<int>(value.size())) != 1) {
    ASN1_IA5STRING_free(ia5);
    return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  }
  GENERAL_NAME* gn = GENERAL_NAME_new();
  GENERAL_NAME_set0_value(gn, type, ia5);
  return gn;
}

template <typename T>
Result<void> add_ext(X509* cert, int nid, T* value, bool critical) {
  if (X509_add1_ext_i2d(cert, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1)
    return fail(core::openssl_error(ErrorCode::internal, std::string("cannot add extension ") + OBJ_nid2sn(nid)));
  return ok();
}

Result<void> add_conf_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  auto ext = wrap(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return fail(core::openssl_error(ErrorCode::internal, std::string("cannot add extension ") + OBJ_nid2sn(nid)));
  return ok();
}

Result<void> add_extensions(X509* cert, const X509* issuer, const Extensions& e) {
  if (e.basic_constraints) {
    auto bc = wrap(BASIC_CONSTRAINTS_new());
    bc->ca = e.basic_constraints->ca ? 0xff : 0;
    if (e.basic_constraints->path_len) {
      bc->pathlen = ASN1_INTEGER_new();
      ASN1_INTEGER_set(bc->pathlen, *e.basic_constraints->path_len);
    }
    QS_TRY_VOID(add_ext(cert, NID_basic_constraints, bc.get(), true));  // RFC 5280 §4.2.1.9: critical in CA certs
  }
  if (e.key_usage != 0) {
    auto ku = wrap(ASN1_BIT_STRING_new());
    for (int bit = 0; bit < 9; ++bit)
      if (e.key_usage & (1u << bit)) ASN1_BIT_STRING_set_bit(ku.get(), bit, 1);
    QS_TRY_VOID(add_ext(cert, NID_key_usage, ku.get(), true));  // RFC 5280 §4.2.1.3: SHOULD be critical
  }
  if (!e.extended_key_usage.empty()) {
    auto eku = std::unique_ptr<EXTENDED_KEY_USAGE, void (*)(EXTENDED_KEY_USAGE*)>(
        sk_ASN1_OBJECT_new_null(), [](EXTENDED_KEY_USAGE* s) { sk_ASN1_OBJECT_pop_free(s, ASN1_OBJECT_free); });
    for (const auto& oid : e.extended_key_usage) {
      ASN1_OBJECT* obj = OBJ_txt2obj(oid.c_str(), 1);
      if (obj == nullptr) return fail(ErrorCode::invalid_input, "bad OID " + oid);
      sk_ASN1_OBJECT_push(eku.get(), obj);
    }
    QS_TRY_VOID(add_ext(cert, NID_ext_key_usage, eku.get(), e.extended_key_usage_critical));
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, const_cast<X509*>(issuer ? issuer : cert), cert, nullptr, nullptr, 0);
  QS_TRY_VOID(add_conf_ext(cert, &ctx, NID_subject_key_identifier, "hash"));
  if (issuer != nullptr) QS_TRY_VOID(add_conf_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always"));

  if (!e.policies.empty()) {
    auto policies = std::unique_ptr<CERTIFICATEPOLICIES, void (*)(CERTIFICATEPOLICIES*)>(
        sk_POLICYINFO_new_null(), [](CERTIFICATEPOLICIES* s) { sk_POLICYINFO_pop_free(s, POLICYINFO_free); });
    for (const auto& oid : e.policies) {
      POLICYINFO* pi = POLICYINFO_new();
      ASN1_OBJECT_free(pi->policyid);
      pi->policyid = OBJ_txt2obj(oid.c_str(), 1);
      if (pi->policyid == nullptr) {
        POLICYINFO_free(pi);
        return fail(ErrorCode::invalid_input, "bad policy OID " + oid);
      }
      sk_POLICYINFO_push(policies.get(), pi);
    }
    QS_TRY_VOID(add_ext(cert, NID_certificate_policies, policies.get(), false));
  }
  if (!e.crl_distribution_points.empty()) {
    auto dps = std::unique_ptr<CRL_DIST_POINTS, void (*)(CRL_DIST_POINTS*)>(
        sk_DIST_POINT_new_null(), [](CRL_DIST_POINTS* s) { sk_DIST_POINT_pop_free(s, DIST_POINT_free); });
    for (const auto& uri : e.crl_distribution_points) {
      QS_TRY(GENERAL_NAME * gn, make_general_name(GEN_URI, uri));
      DIST_POINT* dp = DIST_POINT_new();
      dp->distpoint = DIST_POINT_NAME_new();
      dp->distpoint->type = 0;  // fullName
      dp->distpoint->name.fullname = GENERAL_NAMES_new();
      sk_GENERAL_NAME_push(dp->distpoint->name.fullname, gn);
      sk_DIST_POINT_push(dps.get(), dp);
    }
    QS_TRY_VOID(add_ext(cert, NID_crl_distribution_points, dps.get(), false));
  }
  if (!e.ocsp_urls.empty() || !e.ca_issuers_urls.empty()) {
    auto aia = std::unique_ptr<AUTHORITY_INFO_ACCESS, void (*)(AUTHORITY_INFO_ACCESS*)>(
        sk_ACCESS_DESCRIPTION_new_null(),
        [](AUTHORITY_INFO_ACCESS* s) { sk_ACCESS_DESCRIPTION_pop_free(s, ACCESS_DESCRIPTION_free); });
    auto add = [&](int method, const std::string& uri) -> Result<void> {
      QS_TRY(GENERAL_NAME * gn, make_general_name(GEN_URI, uri));
      ACCESS_DESCRIPTION* ad = ACCESS_DESCRIPTION_new();
      ASN1_OBJECT_free(ad->method);
      ad->method = OBJ_nid2obj(method);
      GENERAL_NAME_free(ad->location);
      ad->location = gn;
      sk_ACCESS_DESCRIPTION_push(aia.get(), ad);
      return ok();
    };
    for (const auto& u : e.ocsp_urls) QS_TRY_VOID(add(NID_ad_OCSP, u));
    for (const auto& u : e.ca_issuers_urls) QS_TRY_VOID(add(NID_ad_ca_issuers, u));
    QS_TRY_VOID(add_ext(cert, NID_info_access, aia.get(), false));
  }
  if (!e.dns_names.empty() || !e.ip_addresses.empty() || !e.uris.empty()) {
    auto san = wrap(GENERAL_NAMES_new());
    for (const auto& d : e.dns_names) {
      QS_TRY(GENERAL_NAME * gn, make_general_name(GEN_DNS, d));
      sk_GENERAL_NAME_push(san.get(), gn);
    }
    for (const auto& ip : e.ip_addresses) {
      QS_TRY(GENERAL_NAME * gn, make_general_name(GEN_IPADD, ip));
      sk_GENERAL_NAME_push(san.get(), gn);
    }
    for (const auto& u : e.uris) {
      QS_TRY(GENERAL_NAME * gn, make_general_name(GEN_URI, u));
      sk_GENERAL_NAME_push(san.get(), gn);
    }
    QS_TRY_VOID(add_ext(cert, NID_subject_alt_name, san.get(), false));
  }
  if (e.ocsp_nocheck) {
    // RFC 6960 §4.2.2.2.1: the extension value is NULL.
    auto null = std::unique_ptr<ASN1_NULL, void (*)(ASN1_NULL*)>(ASN1_NULL_new(), ASN1_NULL_free);
    QS_TRY_VOID(add_ext(cert, NID_id_pkix_OCSP_noCheck, null.get(), false));
  }
  if (e.qc_statements_der) {
    // The value is DER made elsewhere: only strictly decodable QCStatements go into a certificate.
    QS_TRY_VOID(decode_qc_statements(*e.qc_statements_der));
    auto value = wrap(ASN1_OCTET_STRING_new());
    if (!value || ASN1_OCTET_STRING_set(value.get(), e.qc_statements_der->data(),
                                        static_cast<int>(e.qc_statements_der->size())) != 1)
      return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
    // RFC 3739 §3.2.6 / EN 319 412-5 QCS-4.1-02: the extension is not critical.
    auto ext = wrap(X509_EXTENSION_create_by_NID(nullptr, NID_qcStatements, 0, value.get()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
      return fail(core::openssl_error(ErrorCode::internal, "cannot add extension qcStatements"));
  }
  return ok();
}

}  // namespace

const EVP_MD* digest_for_key(const EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC && EVP_PKEY_get_bits(key) >= 384) return EVP_sha384();
  return EVP_sha256();
}

Result<core::UniquePtr<ASN1_INTEGER>> random_serial() {
  Bytes b = core::random_bytes(16);
  b[0] &= 0x7f;  // positive
  b[0] |= 0x40;  // and exactly 16 octets, never a leading zero
  auto bn = wrap(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr));
  auto serial = wrap(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) return fail(core::openssl_error(ErrorCode::internal, "cannot make serial"));
  return serial;
}

Result<core::UniquePtr<X509_NAME>> make_name(const DistinguishedName& dn) {
  auto name = wrap(X509_NAME_new());
  auto add = [&](int nid, const std::string& value, int type, std::size_t max) -> Result<void> {
    if (value.empty()) return ok();
    QS_TRY_VOID(check_text(OBJ_nid2ln(nid), value, max));
    if (X509_NAME_add_entry_by_NID(name.get(), nid, type, reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1)
      return fail(core::openssl_error(ErrorCode::invalid_input, std::string("bad ") + OBJ_nid2ln(nid) + " value"));
    return ok();
  };
  if (!dn.country.empty() && (dn.country.size() != 2 || !std::isupper(static_cast<unsigned char>(dn.country[0])) ||
                              !std::isupper(static_cast<unsigned char>(dn.country[1]))))
    return fail(ErrorCode::invalid_input, "country must be an ISO 3166 alpha-2 code such as NL");
  if (dn.common_name.empty()) return fail(ErrorCode::invalid_input, "common name must not be empty");
  // RFC 5280 Appendix A upper bounds (ub-common-name 64, ub-organization-name 64).
  QS_TRY_VOID(add(NID_countryName, dn.country, MBSTRING_ASC, 2));
  QS_TRY_VOID(add(NID_organizationName, dn.organization, MBSTRING_UTF8, 64));
  QS_TRY_VOID(add(NID_organizationIdentifier, dn.organization_identifier, MBSTRING_UTF8, 64));
  QS_TRY_VOID(add(NID_organizationalUnitName, dn.organizational_unit, MBSTRING_UTF8, 64));
  // ub-name 32768, ub-pseudonym 128, ub-serial-number 64; X520SerialNumber is a PrintableString,
  // which OpenSSL enforces for MBSTRING_ASC input.
  QS_TRY_VOID(add(NID_givenName, dn.given_name, MBSTRING_UTF8, 32768));
  QS_TRY_VOID(add(NID_surname, dn.surname, MBSTRING_UTF8, 32768));
  QS_TRY_VOID(add(NID_pseudonym, dn.pseudonym, MBSTRING_UTF8, 128));
  QS_TRY_VOID(add(NID_serialNumber, dn.serial_number, MBSTRING_ASC, 64));
  QS_TRY_VOID(add(NID_commonName, dn.common_name, MBSTRING_UTF8, 64));
  return name;
}

Result<core::UniquePtr<X509>> issue_certificate(const CertificateRequest& req, const X509* issuer,
                                                EVP_PKEY* issuer_key) {
  if (req.public_key == nullptr || issuer_key == nullptr) return fail(ErrorCode::internal, "missing key");
  if (req.not_after <= req.not_before) return fail(ErrorCode::invalid_input, "validity ends before it starts");
  auto cert = wrap(X509_new());
  QS_TRY(auto name, make_name(req.subject));
  QS_TRY(auto serial, random_serial());
  auto nb = wrap(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(req.not_before)));
  auto na = wrap(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(req.not_after)));
  if (!cert || !nb || !na || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_set_serialNumber(cert.get(), serial.get()) != 1 || X509_set_subject_name(cert.get(), name.get()) != 1 ||
      X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name.get()) != 1 ||
      X509_set1_notBefore(cert.get(), nb.get()) != 1 || X509_set1_notAfter(cert.get(), na.get()) != 1 ||
      X509_set_pubkey(cert.get(), const_cast<EVP_PKEY*>(req.public_key)) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "cannot build certificate"));
  QS_TRY_VOID(add_extensions(cert.get(), issuer, req.extensions));
  if (X509_sign(cert.get(), issuer_key, digest_for_key(issuer_key)) <= 0)
    return fail(core::openssl_error(ErrorCode::token, "the token could not sign the certificate"));
  return cert;
}

}  // namespace qualsig::pki
