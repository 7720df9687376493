#pragma once
// The OIDC issuer's public keys (JWKS, RFC 7517 §5) that workload tokens are verified against,
// used both for proofing an identity (`identity proof --method oidc`) and for exchanging a token
// for an access token (the jwt-bearer grant of /oauth2/token).
//
// From `proofing.oidc_jwks_file`, read at each use; or from `proofing.oidc_jwks_url` (https://,
// the issuer's jwks_uri), fetched with the server certificate verified against
// `proofing.oidc_jwks_ca_file` or the system's trust store, and kept by the service:
//  - for kJwksKeep after a successful fetch;
//  - a token refused with the kept keys (e.g. a kid the issuer has just rotated in) makes one
//    early refetch, at most once per `proofing.oidc_jwks_min_refetch_seconds` (default 30), so
//    forged tokens cannot make us hammer the issuer; a failed fetch is not retried sooner either;
//  - when a refetch fails, the kept keys serve for up to kJwksStaleLimit after their fetch (an
//    issuer outage does not stop every workload at once); with none, the error is `unavailable`.

#include <chrono>
#include <memory>
#include <string_view>

#include "core/result.h"
#include "core/time.h"
#include "identity/jwks.h"
#include "identity/oidc.h"
#include "service/trust_service.h"

namespace qualsig::service {

inline constexpr std::chrono::seconds kJwksKeep{300};
inline constexpr std::chrono::seconds kJwksStaleLimit{24 * 3600};

// Verifies `jwt` (identity::verify_oidc_token, with `expected`) against the configured issuer's
// keys as described above. Errors: environment when no key source is configured; unavailable
// when the keys cannot be had; otherwise verify_oidc_token's.
Result<identity::OidcClaims> verify_workload_token(TrustService& svc, std::string_view jwt,
                                                   const identity::OidcExpectations& expected, TimePoint now);

}  // namespace qualsig::service
