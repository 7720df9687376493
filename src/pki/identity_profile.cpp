#include "pki/identity_profile.h"

#include <algorithm>

#include "pki/oids.h"
#include "pki/qc_statements.h"

namespace qualsig::pki {
namespace {

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 5280 Appendix A upper bounds count characters; UTF-8 continuation bytes are not characters.
std::size_t characters(const std::string& value) {
  return static_cast<std::size_t>(
      std::count_if(value.begin(), value.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

Result<void> check_name(const std::string& what, const std::string& value, std::size_t upper_bound) {
  if (value.empty()) return fail(ErrorCode::invalid_input, what + " must not be empty");
  if (characters(value) > upper_bound)
    return fail(ErrorCode::invalid_input,
                what + " is longer than " + std::to_string(upper_bound) + " characters (RFC 5280 Appendix A)");
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f) return fail(ErrorCode::invalid_input, what + " contains control characters");
  return ok();
}

// ETSI EN 319 412-1 §5.1.3 (natural persons) and §5.1.4 (legal persons) share one shape:
//   3 character identity type reference ("VAT", "NTR", "PSD", "LEI" / "PAS", "IDC", "PNO", "TAX",
//   "TIN"), or 2 characters + ":" for a nationally defined scheme;
//   2 character ISO 3166 country code; hyphen-minus "-"; the identifier.
bool etsi_identifier_shape(const std::string& id) {
  if (id.size() < 7) return false;
  const bool type_ok = is_upper(id[0]) && is_upper(id[1]) && (is_upper(id[2]) || id[2] == ':');
  return type_ok && is_upper(id[3]) && is_upper(id[4]) && id[5] == '-';
}

// X.680 PrintableString: A-Z a-z 0-9 space ' ( ) + , - . / : = ?
bool printable_string(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return is_upper(c) || is_lower(c) || is_digit(c) ||
           std::string_view(" '()+,-./:=?").find(c) != std::string_view::npos;
  });
}

bool ascii_without_spaces(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
}

// RFC 3986 §4.3: absolute-URI = scheme ":" hier-part [ "?" query ];
// §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
bool absolute_uri(const std::string& uri) {
  const auto colon = uri.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == uri.size()) return false;
  if (!is_upper(uri[0]) && !is_lower(uri[0])) return false;
  for (std::size_t i = 1; i < colon; ++i)
    if (!is_upper(uri[i]) && !is_lower(uri[i]) && !is_digit(uri[i]) && uri[i] != '+' && uri[i] != '-' && uri[i] != '.')
      return false;
  return ascii_without_spaces(uri);
}

Result<void> check_organisation(const IdentityCertificateProfile& p) {
  QS_TRY_VOID(check_name("organisation name", p.organization, 64));  // ub-organization-name
  if (!etsi_identifier_shape(p.organization_identifier))
    return fail(ErrorCode::invalid_input,
                "organisation identifier must look like VATNL-123456789B01 (ETSI EN 319 412-1 §5.1.4)");
  return check_name("organisation identifier", p.organization_identifier, 64);
}

std::string natural_common_name(const IdentityCertificateProfile& p) { return p.given_name + " " + p.surname; }

DistinguishedName subject_of(const IdentityCertificateProfile& p) {
  DistinguishedName dn;
  dn.country = p.country;
  dn.organization = p.organization;
  dn.organization_identifier = p.organization_identifier;
  if (p.kind == SubjectKind::legal_person) {
    dn.common_name = p.identity_name;
  } else {
    dn.given_name = p.given_name;
    dn.surname = p.surname;
    dn.serial_number = p.person_identifier;
    dn.common_name = natural_common_name(p);
  }
  return dn;
}

}  // namespace

Result<void> validate(const IdentityCertificateProfile& p) {
  if (p.kind != SubjectKind::legal_person && p.kind != SubjectKind::natural_person)
    return fail(ErrorCode::invalid_input, "unknown subject kind");
  QS_TRY_VOID(check_name("identity name", p.identity_name, 64));  // ub-common-name
  if (p.country.size() != 2 || !is_upper(p.country[0]) || !is_upper(p.country[1]))
    return fail(ErrorCode::invalid_input, "country must be an ISO 3166-1 alpha-2 code such as NL");

  if (p.kind == SubjectKind::legal_person) {
    // EN 319 412-3 §4.2.1: countryName, organizationName, organizationIdentifier, commonName.
    QS_TRY_VOID(check_organisation(p));
  } else {
    // EN 319 412-2 §4.2.4 (NAT-4.2.4-1): countryName, givenName and/or surname or pseudonym,
    // commonName. qualsig issues to named persons only, so both names are required.
    QS_TRY_VOID(check_name("given name", p.given_name, 64));
    QS_TRY_VOID(check_name("surname", p.surname, 64));
    QS_TRY_VOID(check_name("common name (given name and surname)", natural_common_name(p), 64));
    if (!p.person_identifier.empty()) {
      // EN 319 412-1 §5.1.3; X.520 serialNumber is a PrintableString of at most 64 characters.
      if (!etsi_identifier_shape(p.person_identifier) || !printable_string(p.person_identifier) ||
          p.person_identifier.size() > 64)
        return fail(ErrorCode::invalid_input,
                    "person identifier must look like PNONL-123456789 (ETSI EN 319 412-1 §5.1.3)");
    }
    if (!p.organization.empty() || !p.organization_identifier.empty()) QS_TRY_VOID(check_organisation(p));
  }

  // EN 319 412-5 §4.3.4: the PKI disclosure statement is reached over https.
  if (p.pds_url.rfind("https://", 0) != 0 || p.pds_url.size() <= 8 || !ascii_without_spaces(p.pds_url))
    return fail(ErrorCode::invalid_input, "PDS URL must be an https:// URL without spaces (EN 319 412-5 §4.3.4)");
  if (p.pds_language.size() != 2 || !is_lower(p.pds_language[0]) || !is_lower(p.pds_language[1]))
    return fail(ErrorCode::invalid_input, "PDS language must be an ISO 639-1 code of two lower-case letters");
  if (p.retention_years < 1 || p.retention_years > 100)
    return fail(ErrorCode::invalid_input, "retention period must be 1 to 100 years (EN 319 412-5 §4.3.3)");
  for (const auto& uri : p.uris)
    if (!absolute_uri(uri))
      return fail(ErrorCode::invalid_input, "subject URI must be absolute, ASCII and without spaces: " + uri);
  return ok();
}

Result<CertificateRequest> identity_certificate_request(const IdentityCertificateProfile& p,
                                                        const ServiceProfile& service, const EVP_PKEY* key,
                                                        TimePoint not_before, std::chrono::seconds validity) {
  QS_TRY_VOID(validate(p));
  if (key == nullptr) return fail(ErrorCode::internal, "missing key");
  if (validity <= std::chrono::seconds::zero()) return fail(ErrorCode::invalid_input, "validity must be positive");
  const bool legal = p.kind == SubjectKind::legal_person;

  CertificateRequest r;
  r.subject = subject_of(p);
  r.public_key = key;
  r.not_before = not_before;
  r.not_after = not_before + validity;
  r.extensions.basic_constraints = Extensions::BasicConstraints{false, std::nullopt};
  r.extensions.key_usage = kDigitalSignature | kNonRepudiation;
  // EN 319 411-2 §5.3: QCP-l-qscd for a legal person's seal, QCP-n-qscd for a natural person's
  // signature; both with the key in a QSCD.
  r.extensions.policies = {legal ? oid::kQcpLegalQscd : oid::kQcpNaturalQscd};
  r.extensions.crl_distribution_points = {issuing_crl_url(service)};
  r.extensions.ocsp_urls = {ocsp_url(service)};
  r.extensions.ca_issuers_urls = {issuing_cert_url(service)};
  r.extensions.uris = p.uris;

  QcStatements qc;
  qc.compliance = true;  // EN 319 412-5 §4.2.1: an EU qualified certificate
  qc.sscd = true;        // §4.2.2: the key is in a QSCD (the HSM)
  // §4.2.3: one purpose only; a seal certificate never says esign.
  qc.types = {legal ? oid::kQctEseal : oid::kQctEsign};
  qc.pds = {QcStatements::Pds{p.pds_url, p.pds_language}};
  qc.retention_years = p.retention_years;
  QS_TRY(r.extensions.qc_statements_der, encode_qc_statements(qc));
  return r;
}

}  // namespace qualsig::pki
