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
// ETSI EN 319 421 §5.2: the best practices policy for time-stamps (BTSP), itu-t(0)
// identified-organization(4) etsi(0) time-stamp-policy(2023) policy-identifiers(1) best-practices(1).
inline constexpr const char* kTsPolicyBestPractices = "0.4.0.2023.1.1";
// RFC 6960 §4.2.2.2: id-kp-OCSPSigning; §4.2.2.2.1: id-pkix-ocsp-nocheck.
inline constexpr const char* kKpOcspSigning = "1.3.6.1.5.5.7.3.9";
inline constexpr const char* kPkixOcspNocheck = "1.3.6.1.5.5.7.48.1.5";
// X.509 (10/2016) §9.6.2.6: expiredCertsOnCRL, a CRL extension (GeneralizedTime); OpenSSL has
// no NID for it.
inline constexpr const char* kExpiredCertsOnCrl = "2.5.29.60";
// RFC 5280 §4.2.1.12: id-kp-serverAuth.
inline constexpr const char* kKpServerAuth = "1.3.6.1.5.5.7.3.1";
// X.520 / ETSI EN 319 412-1 §5.1.4: organizationIdentifier attribute (2.5.4.97).
inline constexpr const char* kOrganizationIdentifier = "2.5.4.97";

// RFC 3739 §3.2.6: id-pe-qcStatements, the QCStatements certificate extension.
inline constexpr const char* kPeQcStatements = "1.3.6.1.5.5.7.1.3";

// ETSI EN 319 412-5 V2.3.1 §4 / Annex B: id-etsi-qcs statements (arc 0.4.0.1862.1).
// §4.2.1: the certificate is an EU qualified certificate (no statementInfo).
inline constexpr const char* kQcsQcCompliance = "0.4.0.1862.1.1";
// §4.3.2: QcEuLimitValue (MonetaryValue); recognised, not issued by qualsig.
inline constexpr const char* kQcsQcLimitValue = "0.4.0.1862.1.2";
// §4.3.3: QcEuRetentionPeriod ::= INTEGER (years after the certificate expires).
inline constexpr const char* kQcsQcRetentionPeriod = "0.4.0.1862.1.3";
// §4.2.2: the private key resides in a QSCD (no statementInfo).
inline constexpr const char* kQcsQcSscd = "0.4.0.1862.1.4";
// §4.3.4: QcEuPDS ::= PdsLocations (PKI disclosure statements: https URL + ISO 639-1 language).
inline constexpr const char* kQcsQcPds = "0.4.0.1862.1.5";
// §4.2.3: QcType ::= SEQUENCE OF OBJECT IDENTIFIER, the purpose the certificate is issued for.
inline constexpr const char* kQcsQcType = "0.4.0.1862.1.6";
inline constexpr const char* kQctEsign = "0.4.0.1862.1.6.1";  // §4.2.3: electronic signatures
inline constexpr const char* kQctEseal = "0.4.0.1862.1.6.2";  // §4.2.3: electronic seals
inline constexpr const char* kQctWeb = "0.4.0.1862.1.6.3";    // §4.2.3: website authentication
// §4.2.4: QcCClegislation ::= SEQUENCE OF CountryName, non-EU legislation of a qualified certificate.
inline constexpr const char* kQcsQcCcLegislation = "0.4.0.1862.1.7";

// X.520 §6.2 / RFC 5280 Appendix A: name attributes of natural persons (ETSI EN 319 412-2 §4.2.4).
inline constexpr const char* kAtSurname = "2.5.4.4";
inline constexpr const char* kAtSerialNumber = "2.5.4.5";  // EN 319 412-1 §5.1.3 semantics, e.g. PNONL-...
inline constexpr const char* kAtGivenName = "2.5.4.42";
inline constexpr const char* kAtPseudonym = "2.5.4.65";

}  // namespace qualsig::pki::oid
