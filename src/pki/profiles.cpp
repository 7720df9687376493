#include "pki/profiles.h"

#include "pki/oids.h"

namespace qualsig::pki {
namespace {

constexpr auto kYear = std::chrono::days(365);

std::string base(const ServiceProfile& p) {
  std::string b = p.base_url;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b;
}

DistinguishedName service_name(const ServiceProfile& p, std::string cn) {
  return DistinguishedName{std::move(cn), p.organization, p.organization_identifier, "", p.country};
}

CertificateRequest leaf(const ServiceProfile& p, const EVP_PKEY* key, TimePoint now, std::string cn,
                        std::chrono::days validity) {
  CertificateRequest r;
  r.subject = service_name(p, std::move(cn));
  r.public_key = key;
  r.not_before = now;
  r.not_after = now + validity;
  r.extensions.basic_constraints = Extensions::BasicConstraints{false, std::nullopt};
  r.extensions.key_usage = kDigitalSignature;
  return r;
}

}  // namespace

std::string root_crl_url(const ServiceProfile& p) { return base(p) + "/crl/root.crl"; }
std::string issuing_crl_url(const ServiceProfile& p) { return base(p) + "/crl/issuing.crl"; }
std::string ocsp_url(const ServiceProfile& p) { return base(p) + "/ocsp"; }
std::string root_cert_url(const ServiceProfile& p) { return base(p) + "/ca/root.crt"; }
std::string issuing_cert_url(const ServiceProfile& p) { return base(p) + "/ca/issuing.crt"; }

CertificateRequest root_ca_request(const ServiceProfile& p, const EVP_PKEY* key, TimePoint now) {
  CertificateRequest r;
  r.subject = service_name(p, p.organization + " Root CA");
  r.public_key = key;
  r.not_before = now;
  r.not_after = now + 20 * kYear;
  r.extensions.basic_constraints = Extensions::BasicConstraints{true, std::nullopt};
  r.extensions.key_usage = kKeyCertSign | kCrlSign;
  return r;
}

CertificateRequest issuing_ca_request(const ServiceProfile& p, const EVP_PKEY* key, TimePoint now) {
  CertificateRequest r;
  r.subject = service_name(p, p.organization + " Qualified Issuing CA");
  r.public_key = key;
  r.not_before = now;
  r.not_after = now + 10 * kYear;
  r.extensions.basic_constraints = Extensions::BasicConstraints{true, 0};
  r.extensions.key_usage = kKeyCertSign | kCrlSign;
  // ETSI EN 319 411-2 §5.3: the CA issues under QCP-n-qscd (natural persons) and QCP-l-qscd
  // (legal persons).
  r.extensions.policies = {oid::kQcpNaturalQscd, oid::kQcpLegalQscd};
  r.extensions.crl_distribution_points = {root_crl_url(p)};
  r.extensions.ocsp_urls = {ocsp_url(p)};
  r.extensions.ca_issuers_urls = {root_cert_url(p)};
  return r;
}

CertificateRequest tsa_request(const ServiceProfile& p, const EVP_PKEY* key, TimePoint now) {
  auto r = leaf(p, key, now, p.organization + " Time-Stamping Unit", 5 * kYear);
  r.extensions.key_usage = kDigitalSignature | kNonRepudiation;
  // RFC 3161 §2.3: "The corresponding certificate MUST contain only one instance of the
  // extended key usage field extension ... with KeyPurposeID having value id-kp-timeStamping.
  // This extension MUST be critical."
  r.extensions.extended_key_usage = {oid::kKpTimeStamping};
  r.extensions.extended_key_usage_critical = true;
  r.extensions.crl_distribution_points = {issuing_crl_url(p)};
  r.extensions.ocsp_urls = {ocsp_url(p)};
  r.extensions.ca_issuers_urls = {issuing_cert_url(p)};
  return r;
}

CertificateRequest ocsp_request(const ServiceProfile& p, const EVP_PKEY* key, TimePoint now) {
  auto r = leaf(p, key, now, p.organization + " OCSP Responder", kYear);
  r.extensions.extended_key_usage = {oid::kKpOcspSigning};
  r.extensions.ocsp_nocheck = true;
  r.extensions.ca_issuers_urls = {issuing_cert_url(p)};
  return r;
}

CertificateRequest tls_server_request(const ServiceProfile& p, const EVP_PKEY* key, TimePoint now) {
  auto r = leaf(p, key, now, p.tls_dns_names.empty() ? "qualsig" : p.tls_dns_names.front(), kYear);
  r.subject.organization_identifier.clear();
  r.extensions.extended_key_usage = {oid::kKpServerAuth};
  r.extensions.dns_names = p.tls_dns_names;
  r.extensions.ip_addresses = p.tls_ip_addresses;
  r.extensions.crl_distribution_points = {root_crl_url(p)};
  return r;
}

Result<void> validate(const ServiceProfile& p) {
  if (p.organization.empty()) return fail(ErrorCode::invalid_input, "organisation name must not be empty");
  if (p.organization.size() > 40)  // leaves room for " Qualified Issuing CA" within ub-common-name 64
    return fail(ErrorCode::invalid_input, "organisation name is longer than 40 characters");
  // ETSI EN 319 412-1 §5.1.4: 3-letter type (VAT, NTR, PSD, LEI, ...) + 2-letter country + '-' + id.
  const auto& id = p.organization_identifier;
  if (id.size() < 7 || id[5] != '-' || !std::isupper(static_cast<unsigned char>(id[0])) ||
      !std::isupper(static_cast<unsigned char>(id[3])) || !std::isupper(static_cast<unsigned char>(id[4])))
    return fail(ErrorCode::invalid_input,
                "organisation identifier must look like VATNL-123456789B01 (ETSI EN 319 412-1 §5.1.4)");
  QS_TRY(auto name, make_name(service_name(p, "check")));
  (void)name;
  if (p.base_url.rfind("http://", 0) != 0 && p.base_url.rfind("https://", 0) != 0)
    return fail(ErrorCode::invalid_input, "base URL must start with http:// or https://");
  for (char c : p.base_url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return fail(ErrorCode::invalid_input, "base URL must not contain spaces or control characters");
  return ok();
}

}  // namespace qualsig::pki
