#pragma once
// JSON Web Key Sets (RFC 7517 §5) holding the public keys of a workload-token issuer (an OIDC
// provider's jwks_uri document, a Kubernetes API server's service-account issuer keys).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/openssl.h"
#include "core/result.h"
#include "identity/jws_algorithm.h"

namespace qualsig::identity {

// Largest JWKS document parse_jwks() reads, and most entries in its "keys" array.
inline constexpr std::size_t kMaxJwksSize = 1u << 20;
inline constexpr std::size_t kMaxJwksKeys = 256;
// RSA moduli accepted (RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used"; the
// upper bound keeps one verification cheap).
inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;

// One usable public key of a set.
struct Jwk {
  std::string key_id;                      // "kid" (RFC 7517 §4.5); empty when absent
  std::optional<std::string> algorithm;    // "alg" (§4.4): when present, the only alg it verifies
  std::optional<std::string> use;          // "use" (§4.2): "sig" when present
  JwkKeyType key_type = JwkKeyType::rsa;
  int bits = 0;                            // modulus or field size
  core::UniquePtr<EVP_PKEY> public_key;    // owned; never null in a parsed set
};

// An entry parse_jwks() skipped, and why.
struct IgnoredJwk {
  std::size_t index = 0;    // position in "keys"
  std::string key_id;       // its "kid" when that was a string, else empty
  std::string reason;       // e.g. "RSA key of 1024 bits; at least 2048 required"; no key material
};

// A parsed set. Move-only (it owns OpenSSL keys); verifying with it from several threads at
// once is safe, as OpenSSL 3 keys are read-only during verification.
struct Jwks {
  std::vector<Jwk> keys;
  std::vector<IgnoredJwk> ignored;  // for the log and for error messages

  // The key with this (non-empty) kid, or nullptr.
  const Jwk* find(std::string_view key_id) const;
  // The skipped entry with this (non-empty) kid, or nullptr.
  const IgnoredJwk* find_ignored(std::string_view key_id) const;
};

// Parses a JWKS document `{"keys": [...]}` with core::parse_json_strict (duplicate members,
// invalid UTF-8 and deep nesting refused).
//
// Keys: "kty" "RSA" (RFC 7518 §6.3.1: "n", "e") of kMinRsaBits..kMaxRsaBits bits, and "kty"
// "EC" (§6.2.1) on "crv" "P-256" or "P-384", whose "x" and "y" must be the full field size and
// a point on the curve (OpenSSL's public key check). Members are strict unpadded base64url; "n"
// and "e" without leading zero octets (§6.3.1.1), n odd, e odd and at least 3.
//
// As RFC 7517 §5 asks ("Implementations SHOULD ignore JWKs within a JWK Set that use "kty"
// values that are not understood by them, that are missing required members, or for which
// values are out of the supported ranges"), such entries are skipped and listed in `ignored`:
// other "kty" ("oct", "OKP"), other curves, weak or malformed keys, "use" other than "sig",
// "key_ops" without "verify", an "alg" this verifier refuses or that does not fit the key, and
// entries holding private key members ("d", "p", ...: a published private key is compromised).
// "x5c", "x5t" and "x5u" are not read.
//
// Fails with invalid_input when the text is larger than kMaxJwksSize, is not strict JSON, is not
// an object with a "keys" array of at most kMaxJwksKeys objects, when two usable keys share a
// kid (selection would be ambiguous, §4.5), or when no entry is usable.
Result<Jwks> parse_jwks(std::string_view json);

}  // namespace qualsig::identity
