#pragma once
// Builds and signs X.509 v3 certificates (RFC 5280) with OpenSSL's own encoders. The closed
// set of extensions below is all qualsig issues; anything else is refused by construction.

#include <optional>
#include <string>
#include <vector>

#include "core/openssl.h"
#include "core/result.h"
#include "core/time.h"

namespace qualsig::pki {

// Distinguished name attributes used by the ETSI EN 319 412 profiles.
struct DistinguishedName {
  std::string common_name;
  std::string organization;              // O
  std::string organization_identifier;   // 2.5.4.97, e.g. "VATNL-123456789B01" (EN 319 412-1 §5.1.4)
  std::string organizational_unit;       // OU
  std::string country;                   // C, ISO 3166 alpha-2
  // Natural persons (ETSI EN 319 412-2 §4.2.4); each is left out of the name when empty. The
  // `= {}` lets the five-member aggregate initialisations written before these fields stay valid.
  std::string given_name = {};           // givenName (2.5.4.42), ub-name 32768
  std::string surname = {};              // surname (2.5.4.4), ub-name 32768
  std::string serial_number = {};        // X.520 serialNumber (2.5.4.5), PrintableString, ub 64;
                                         // EN 319 412-1 §5.1.3 semantics, e.g. "PNONL-123456789"
  std::string pseudonym = {};            // pseudonym (2.5.4.65), ub-pseudonym 128
};

enum KeyUsageBit : unsigned {
  kDigitalSignature = 1u << 0,
  kNonRepudiation = 1u << 1,  // contentCommitment
  kKeyCertSign = 1u << 5,
  kCrlSign = 1u << 6,
};

struct Extensions {
  struct BasicConstraints {
    bool ca = false;
    std::optional<int> path_len;
  };
  std::optional<BasicConstraints> basic_constraints;  // always critical when present
  unsigned key_usage = 0;                             // critical when non-zero
  std::vector<std::string> extended_key_usage;        // OIDs
  bool extended_key_usage_critical = false;
  std::vector<std::string> policies;                  // certificatePolicies OIDs
  std::vector<std::string> crl_distribution_points;   // URIs
  std::vector<std::string> ocsp_urls;                 // AIA id-ad-ocsp
  std::vector<std::string> ca_issuers_urls;           // AIA id-ad-caIssuers
  std::vector<std::string> dns_names;                 // SAN dNSName
  std::vector<std::string> ip_addresses;              // SAN iPAddress
  std::vector<std::string> uris;                      // SAN uniformResourceIdentifier
  bool ocsp_nocheck = false;
  // DER of a QCStatements value (see pki/qc_statements.h), added as the non-critical
  // id-pe-qcStatements extension (RFC 3739 §3.2.6; EN 319 412-5 QCS-4.1-02: not critical). It must
  // decode strictly, or issue_certificate fails with invalid_input.
  std::optional<Bytes> qc_statements_der;
};

struct CertificateRequest {
  DistinguishedName subject;
  const EVP_PKEY* public_key = nullptr;  // borrowed
  TimePoint not_before;
  TimePoint not_after;
  Extensions extensions;
};

// A positive random serial of 16 octets (RFC 5280 §4.1.2.2: at most 20 octets; CA/B BR
// recommend >= 64 bits of entropy).
Result<core::UniquePtr<ASN1_INTEGER>> random_serial();

// The subject name, in the order C, O, organizationIdentifier, OU, givenName, surname, pseudonym,
// serialNumber, CN; empty attributes are left out. Lengths are checked in characters against the
// RFC 5280 Appendix A upper bounds. Fails with invalid_input on an empty CN, a country that is not
// two upper-case letters, control characters, or a serialNumber outside PrintableString.
Result<core::UniquePtr<X509_NAME>> make_name(const DistinguishedName& dn);

// Issues a certificate. `issuer` null means self-signed (subject = issuer). The signature
// is made by `issuer_key` (an EVP_PKEY that signs through the token, see hsm/openssl_bridge.h)
// with SHA-256 for P-256/RSA and SHA-384 for P-384 keys. SKI is always added (RFC 5280
// §4.2.1.2, method 1), AKI whenever there is an issuer.
Result<core::UniquePtr<X509>> issue_certificate(const CertificateRequest& req, const X509* issuer,
                                                EVP_PKEY* issuer_key);

// The digest that goes with a signing key (SHA-384 for P-384, SHA-256 otherwise).
const EVP_MD* digest_for_key(const EVP_PKEY* key);

}  // namespace qualsig::pki
