#pragma once
// Object identifiers used by the certificate profiles, each with the clause that defines it.

namespace qualsig::pki::oid {

// ETSI EN 319 411-2 §5.3: policy identifiers for EU qualified certificates.
inline constexpr const char* kQcpNaturalQscd = "0.4.0.194112.1.2";  // QCP-n-qscd
inline constexpr const char* kQcpLegalQscd = "0.4.0.194112.1.3";    // QCP-l-qscd
inline constexpr const char* kQcpNatural = "0.4.0.194112.1.0";      // QCP-n
inline constexpr const char* kQcpLegal = "0.4.0.194112.1.1";        // QCP-l

// RFC 5280 §4.2.1.12 / RFC 3161 §2.3: id-kp-timeStamping.
inline constexpr const char* kKpTimeStamping = "1.3.6.1.5.5.7.3.8";
// RFC 6960 §4.2.2.2: id-kp-OCSPSigning; §4.2.2.2.1: id-pkix-ocsp-nocheck.
inline constexpr const char* kKpOcspSigning = "1.3.6.1.5.5.7.3.9";
inline constexpr const char* kPkixOcspNocheck = "1.3.6.1.5.5.7.48.1.5";
// RFC 5280 §4.2.1.12: id-kp-serverAuth.
inline constexpr const char* kKpServerAuth = "1.3.6.1.5.5.7.3.1";
// X.520 / ETSI EN 319 412-1 §5.1.4: organizationIdentifier attribute (2.5.4.97).
inline constexpr const char* kOrganizationIdentifier = "2.5.4.97";

}  // namespace qualsig::pki::oid
