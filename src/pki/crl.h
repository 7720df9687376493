#pragma once
// Certificate revocation lists (RFC 5280 §5): full v2 CRLs of one issuing CA, signed with
// OpenSSL's own encoder through the CA's key (an EVP_PKEY that may sign in the token, see
// hsm/openssl_bridge.h). Delta CRLs and indirect CRLs are not issued.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/openssl.h"
#include "core/result.h"
#include "core/time.h"

namespace qualsig::pki {

// RFC 5280 §5.3.1 CRLReason; the same values are used by OCSP (RFC 6960 §4.2.1). Value 7 is
// not used.
enum class RevocationReason {
  unspecified = 0,
  key_compromise = 1,
  ca_compromise = 2,
  affiliation_changed = 3,
  superseded = 4,
  cessation_of_operation = 5,
  certificate_hold = 6,
  remove_from_crl = 8,
  privilege_withdrawn = 9,
  aa_compromise = 10,
};

// The ASN.1 name of the reason as RFC 5280 spells it and `openssl ocsp` prints it
// ("keyCompromise", "cACompromise", "certificateHold", ...); "?" for a value outside the enum.
const char* reason_name(RevocationReason reason);
// The inverse of reason_name (exact, case-sensitive); invalid_input for anything else.
Result<RevocationReason> parse_reason_name(std::string_view name);

struct RevokedCertificate {
  std::string serial_hex;                   // hex as core::serial_to_hex prints it (either case)
  TimePoint revoked_at;                     // revocationDate
  RevocationReason reason = RevocationReason::unspecified;
  std::optional<TimePoint> invalidity_date; // RFC 5280 §5.3.2
};

// Builds and signs a v2 CRL (RFC 5280 §5.1) of `issuer`:
//  * signature algorithm from the key (ECDSA with SHA-384 for P-384, SHA-256 otherwise);
//  * thisUpdate / nextUpdate as given (UTCTime through 2049, GeneralizedTime after, §5.1.2.4);
//  * CRL extensions cRLNumber (§5.2.3) and authorityKeyIdentifier from the issuer's
//    subjectKeyIdentifier (§5.2.1), both non-critical;
//  * one entry per revoked certificate, sorted by serial, with reasonCode (§5.3.1, absent for
//    `unspecified`: "the reason code CRL entry extension SHOULD be absent instead of using the
//    unspecified (0) reasonCode value") and invalidityDate (§5.3.2, GeneralizedTime).
// Fails with invalid_input for a malformed or duplicate serial, nextUpdate not after
// thisUpdate, a removeFromCRL entry (delta CRLs only, §5.3.1), an issuer without SKI or whose
// keyUsage lacks cRLSign; usage if `issuer_key` is not the issuer's key; token if signing
// fails. `issuer` and `issuer_key` are borrowed for the call only.
// With `expired_certs_on_crl`, the CRL also carries X.509 (10/2016) §9.6.2.6 expiredCertsOnCRL
// (2.5.29.60, non-critical, GeneralizedTime): revoked certificates that expired at or after that
// time stay listed, so relying parties may take a certificate's absence as "not revoked" after
// it expired too (RFC 5280 §3.3 lets CAs drop them otherwise).
Result<core::UniquePtr<X509_CRL>> build_crl(const X509* issuer, EVP_PKEY* issuer_key, std::uint64_t crl_number,
                                            TimePoint this_update, TimePoint next_update,
                                            const std::vector<RevokedCertificate>& revoked,
                                            std::optional<TimePoint> expired_certs_on_crl = std::nullopt);

// The time of a CRL's expiredCertsOnCRL extension (see build_crl); nullopt when it has none or
// the value is not a GeneralizedTime.
std::optional<TimePoint> expired_certs_on_crl(const X509_CRL* crl);

// DER / PEM ("X509 CRL") encodings of a CRL.
Result<Bytes> crl_to_der(const X509_CRL* crl);
Result<std::string> crl_to_pem(const X509_CRL* crl);

}  // namespace qualsig::pki
