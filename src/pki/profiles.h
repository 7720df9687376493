#pragma once
// Certificate profiles of the trust service's own hierarchy (RFC 5280, ETSI EN 319 411-2,
// RFC 3161 §2.3, RFC 6960 §4.2.2.2). Identity certificates (EN 319 412-2/-3/-5) come with the
// identity issue.

#include <string>
#include <vector>

#include "pki/certificate_builder.h"

namespace qualsig::pki {

struct ServiceProfile {
  std::string organization;             // legal person operating the service
  std::string organization_identifier;  // EN 319 412-1 §5.1.4, e.g. VATNL-123456789B01
  std::string country;
  std::string base_url;                 // where CRLs, OCSP and CA certificates are published
  std::vector<std::string> tls_dns_names{"localhost"};
  std::vector<std::string> tls_ip_addresses{"127.0.0.1"};
};

// Public URLs derived from base_url.
std::string root_crl_url(const ServiceProfile& p);     // <base>/crl/root.crl
std::string issuing_crl_url(const ServiceProfile& p);  // <base>/crl/issuing.crl
std::string ocsp_url(const ServiceProfile& p);         // <base>/ocsp
std::string root_cert_url(const ServiceProfile& p);    // <base>/ca/root.crt
std::string issuing_cert_url(const ServiceProfile& p); // <base>/ca/issuing.crt

// Root CA: self-signed, CA with keyCertSign+cRLSign, 20 years.
CertificateRequest root_ca_request(const ServiceProfile& p, const EVP_PKEY* key, TimePoint now);
// Qualified issuing CA: pathLen 0, QCP-n-qscd and QCP-l-qscd policies, CRL DP and AIA of the
// root, 10 years.
CertificateRequest issuing_ca_request(const ServiceProfile& p, const EVP_PKEY* key, TimePoint now);
// Time-stamping unit: critical EKU id-kp-timeStamping only (RFC 3161 §2.3), 5 years.
CertificateRequest tsa_request(const ServiceProfile& p, const EVP_PKEY* key, TimePoint now);
// Delegated OCSP responder of the issuing CA: id-kp-OCSPSigning and id-pkix-ocsp-nocheck
// (RFC 6960 §4.2.2.2), 1 year (nocheck: keep it short).
CertificateRequest ocsp_request(const ServiceProfile& p, const EVP_PKEY* key, TimePoint now);
// HTTPS server of `qualsig serve`: serverAuth, SAN from the profile, 1 year, issued by the root
// (infrastructure, not a qualified certificate, so not under the qualified issuing CA).
CertificateRequest tls_server_request(const ServiceProfile& p, const EVP_PKEY* key, TimePoint now);

// Checks the profile's inputs (country code, URL scheme, lengths) before anything is created.
Result<void> validate(const ServiceProfile& p);

}  // namespace qualsig::pki
