#pragma once
// Verification of OIDC workload tokens: the signed JWTs that CI systems (GitHub Actions,
// GitLab CI) and Kubernetes service-account token projection hand a workload, used as proofing
// evidence for a workload identity.
//
// Implements RFC 7519 §7.2 (validating a JWT) over RFC 7515 compact JWS, with the restrictions
// of RFC 8725 (JWT BCP): asymmetric algorithms only, keys only from the caller's JWKS, explicit
// algorithm-to-key binding, and every claim check the caller's expectations name.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/time.h"
#include "identity/jwks.h"

namespace qualsig::identity {

// Largest token accepted (before any decoding).
inline constexpr std::size_t kMaxTokenSize = 64u * 1024;

// What a token must say to be accepted.
struct OidcExpectations {
  std::string issuer;                      // "iss" must equal it exactly (RFC 7519 §4.1.1)
  std::string audience;                    // "aud" must contain it (§4.1.3)
  std::optional<std::string> subject;      // when set, "sub" must equal it (§4.1.2)
  std::chrono::seconds leeway{60};         // clock skew allowed on exp, nbf and iat
  std::chrono::seconds max_lifetime{std::chrono::hours(24)};  // upper bound on exp - iat
};

// The verified content of a token.
struct OidcClaims {
  std::string issuer, subject;
  std::vector<std::string> audience;       // "aud" as a list, also when it was one string
  TimePoint issued_at, not_before, expires_at;  // not_before is issued_at when "nbf" is absent
  std::string jwt_id;                      // "jti", empty when absent
  nlohmann::json claims;                   // the whole payload object
  std::string key_id, algorithm;           // the JWKS key that verified it, and "RS256", ...
};

// Verifies a compact-serialised JWS JWT at time `now` and returns its claims.
//
// Steps, in order (a failure stops at the first):
//  1. shape: at most kMaxTokenSize bytes; exactly three non-empty dot-separated parts (a JWE or
//     an unsecured JWT with an empty signature is refused), each strict unpadded base64url;
//  2. header: strict JSON object (duplicate members refused); "alg" one of RS256/384/512,
//     PS256/384/512, ES256/384 — "none" and HS256/384/512 refused by name (RFC 8725 §2.1,
//     §3.1); "crit" refused, as no extension is understood (RFC 7515 §4.1.11); "b64" other than
//     true and "zip" refused; "jwk", "jku", "x5u", "x5c" are ignored, never trusted;
//  3. key: the JWKS key whose kid equals the header "kid" when there is one, otherwise the only
//     key that fits the alg; its type must fit the alg (RSA for RS/PS, the named curve for ES)
//     and its own "alg", when present, must equal the header's;
//  4. signature over ASCII(header "." payload) (verify_jws_signature: ECDSA as raw R || S);
//  5. payload: strict JSON object; "iss" equals expectations.issuer; "sub" is a string and equals
//     expectations.subject when given; "aud" (a string or an array of strings) contains
//     expectations.audience; "exp" and "iat" are required NumericDates (§2), "nbf" optional;
//     now < exp + leeway; nbf <= now + leeway; iat <= now + leeway; iat < exp and
//     exp - iat <= max_lifetime; "jti", when present, is a string.
//
// Errors: usage when the expectations are unusable (empty issuer or audience, negative leeway,
// non-positive max_lifetime); invalid_input for a malformed token (size, shape, encoding, JSON,
// claim types, crit); denied for a well-formed token that fails a check (alg refused, unknown
// or unfitting key, signature, iss, aud, sub, time). Messages name the check ("token expired at
// 2026-01-01T00:00:00Z", "audience mismatch", "signature does not verify", "unknown key id
// \"k1\"") and never contain the token or any of its encoded parts; claim values are quoted
// only when short printable ASCII (identity/printable.h). Nothing refers to `jwt` after return.
Result<OidcClaims> verify_oidc_token(std::string_view jwt, const Jwks& jwks,
                                     const OidcExpectations& expected, TimePoint now);

}  // namespace qualsig::identity
