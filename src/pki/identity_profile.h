#pragma once
// Qualified certificates for machine identities (ETSI EN 319 412-2/-3/-5, EN 319 411-2 §5.3):
//   * a legal person's machine (service account, workload, AI agent) seals: an e-seal certificate,
//     EN 319 412-3, QcType eseal, policy QCP-l-qscd;
//   * a delegated agent signs for a natural person: an e-signature certificate of that person,
//     EN 319 412-2, QcType esign, policy QCP-n-qscd (DESIGN.md: the person activates each use).
// A certificate is of one kind only: an e-seal certificate never carries QcType esign.

#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "pki/certificate_builder.h"
#include "pki/profiles.h"

namespace qualsig::pki {

enum class SubjectKind {
  legal_person,    // EN 319 412-3: e-seal
  natural_person,  // EN 319 412-2: e-signature of a delegated agent's principal
};

struct IdentityCertificateProfile {
  SubjectKind kind = SubjectKind::legal_person;
  // The registered identity, e.g. "invoice-bot". commonName of a legal person's certificate
  // (EN 319 412-3 §4.2.1: organizationName + organizationIdentifier + countryName + commonName).
  std::string identity_name;
  // The owning organisation. Required for legal persons; for natural persons O and
  // organizationIdentifier are included when given (the person is associated with it, which
  // proofing has to have established).
  std::string organization;
  std::string organization_identifier;  // EN 319 412-1 §5.1.4, e.g. VATNL-123456789B01
  std::string country;                  // ISO 3166-1 alpha-2; the subject's countryName
  // Natural persons (EN 319 412-2 §4.2.4: countryName + givenName/surname + commonName;
  // serialNumber recommended). commonName is "<given_name> <surname>".
  std::string given_name;
  std::string surname;
  std::string person_identifier;  // serialNumber, EN 319 412-1 §5.1.3, e.g. PNONL-123456789; optional
  // SAN uniformResourceIdentifier values, e.g. the SPIFFE ID the identity was proofed with and
  // "urn:qualsig:identity:<name>". Written as given, in this order.
  std::vector<std::string> uris;
  // QcPDS (EN 319 412-5 §4.3.4) and QcRetentionPeriod (§4.3.3).
  std::string pds_url;
  std::string pds_language = "en";
  int retention_years = 7;
};

// Checks the profile before anything is issued; invalid_input names the broken rule:
//   * identity_name: 1..64 characters (RFC 5280 ub-common-name), no control characters;
//   * country: two upper-case letters (ISO 3166-1 alpha-2, RFC 5280 ub-country-name-alpha-length);
//   * legal persons: organization 1..64 characters (ub-organization-name) and an
//     organization_identifier shaped as EN 319 412-1 §5.1.4 (3-letter type such as VAT/NTR/PSD/LEI,
//     or 2 letters + ':' for a national scheme, then 2-letter country, '-', identifier);
//   * natural persons: given_name and surname non-empty (EN 319 412-2 §4.2.4, NAT-4.2.4-1) and
//     "<given_name> <surname>" within ub-common-name 64; person_identifier, when given, shaped as
//     EN 319 412-1 §5.1.3 (PAS/IDC/PNO/TAX/TIN or 2 letters + ':', country, '-', identifier) in
//     PrintableString and ub-serial-number 64; organization/organization_identifier, when given,
//     as for legal persons;
//   * pds_url starts with https:// (EN 319 412-5 §4.3.4), ASCII without spaces;
//     pds_language two lower-case letters (ISO 639-1);
//   * retention_years 1..100 (EN 319 412-5 §4.3.3 wants a positive number of years; more than a
//     century is a typo);
//   * every URI absolute (RFC 3986 §4.3: scheme ":" ...), ASCII, no spaces or control characters.
Result<void> validate(const IdentityCertificateProfile& profile);

// The request for an identity certificate, to be signed by the qualified issuing CA of `service`
// (issue_certificate). `key` (borrowed; must outlive the request) is the identity's public key.
// Validity is [not_before, not_before + validity]. Fails with invalid_input when validate() does,
// or when validity is not positive. Contents:
//   * subject: legal person C, O, organizationIdentifier, CN=identity_name (EN 319 412-3 §4.2.1);
//     natural person C, [O, organizationIdentifier,] givenName, surname, [serialNumber],
//     CN="<given> <surname>" (EN 319 412-2 §4.2.4);
//   * basicConstraints CA:false; keyUsage digitalSignature + nonRepudiation (contentCommitment),
//     critical (EN 319 412-2 §4.3.2, whose extension rules EN 319 412-3 applies to legal persons);
//   * certificatePolicies QCP-l-qscd (legal) or QCP-n-qscd (natural) (EN 319 411-2 §5.3);
//   * CRL distribution point issuing_crl_url(service) (EN 319 412-2 §4.3.11); AIA OCSP
//     ocsp_url(service) and caIssuers issuing_cert_url(service) (§4.4.1);
//   * SAN URIs from the profile;
//   * qcStatements: QcCompliance, QcRetentionPeriod, QcSSCD, QcType eseal (legal) or esign
//     (natural), QcPDS (EN 319 412-5 §4.2.1-§4.3.4).
Result<CertificateRequest> identity_certificate_request(const IdentityCertificateProfile& profile,
                                                        const ServiceProfile& service, const EVP_PKEY* key,
                                                        TimePoint not_before, std::chrono::seconds validity);

}  // namespace qualsig::pki
