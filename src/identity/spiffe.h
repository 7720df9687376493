#pragma once
// Verification of SPIFFE X.509-SVIDs (SPIFFE X509-SVID spec §2–§5) as proofing evidence for a
// workload identity: the workload presents the SVID its SPIFFE implementation (SPIRE, Istio)
// issued, and qualsig checks it against the trust domain's bundle.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"

namespace qualsig::identity {

// Largest PEM input read, and most certificates in an SVID chain or a bundle.
inline constexpr std::size_t kMaxPemSize = 1u << 20;
inline constexpr std::size_t kMaxSvidChainLength = 16;
inline constexpr std::size_t kMaxBundleCertificates = 256;

struct SvidVerification {
  std::string spiffe_id;                // "spiffe://example.org/ns/ci/sa/release"
  std::string trust_domain;             // "example.org"
  std::string leaf_fingerprint_sha256;  // lowercase hex of SHA-256 over the leaf's DER
  TimePoint not_after;                  // the leaf's notAfter
};

// Verifies an X.509-SVID at time `now`.
//
// `svid_pem` holds the leaf first, then any intermediates, as PEM "CERTIFICATE" blocks (text
// between blocks is ignored; any other block type is refused). `trust_bundle_pem` holds the
// trust domain's X.509 authorities, the same way. Every bundle certificate is a trust anchor
// (as in go-spiffe and SPIRE: a bundle may hold an intermediate of an upstream PKI).
//
// Leaf checks (§5.2 "Leaf Validation"):
//  - exactly one URI SAN (§2: "Validators encountering an SVID containing more than one URI SAN
//    MUST reject the SVID"), which is a SPIFFE ID by parse_spiffe_id() with a non-root path
//    (§3.1: "Leaf certificate SPIFFE IDs MUST have a non-root path component");
//  - basicConstraints, when present, has cA false (§4.1);
//  - keyUsage is present and critical, includes digitalSignature, and includes neither
//    keyCertSign nor cRLSign (§4.3);
//  - the trust domain equals `expected_trust_domain` when that is given.
// Path validation (§5.1): RFC 5280 by OpenSSL's X509_verify_cert against the bundle, at `now`
// (X509_VERIFY_PARAM_set_time), with X509_V_FLAG_X509_STRICT. Revocation is not checked:
// SPIFFE relies on short-lived SVIDs and defines no revocation mechanism.
//
// Errors: usage when `expected_trust_domain` is not a valid trust domain name; invalid_input for
// input that is too large or not PEM certificates, or a malformed SPIFFE ID; denied for an SVID
// that breaks a rule above or does not chain to the bundle at `now` (the message names the
// OpenSSL reason and the depth, e.g. "certificate has expired (depth 0)").
Result<SvidVerification> verify_x509_svid(std::string_view svid_pem, std::string_view trust_bundle_pem,
                                          TimePoint now,
                                          const std::optional<std::string>& expected_trust_domain);

}  // namespace qualsig::identity
