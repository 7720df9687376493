#pragma once
// The JWS signature algorithms qualsig accepts (RFC 7518 §3.1) and their verification.
//
// Only asymmetric algorithms: an identity proof must be verifiable by a party that cannot make
// one. "none" (RFC 7518 §3.6) and the HMAC family HS256/HS384/HS512 (§3.2) are refused before
// a key is even looked at (RFC 8725 §2.1, §3.1): HS* with a public key as the HMAC secret is the
// classic key-confusion forgery. EdDSA (RFC 8037) and ES512 are not supported.

#include <optional>
#include <string_view>

#include <openssl/evp.h>

#include "core/bytes.h"
#include "core/result.h"

namespace qualsig::identity {

enum class JwsAlgorithm { rs256, rs384, rs512, ps256, ps384, ps512, es256, es384 };

// The key a JwsAlgorithm needs (RFC 7518 §3.3–§3.5: RSA of at least 2048 bits; §3.4: ECDSA on
// the curve named by the algorithm).
enum class JwkKeyType { rsa, ec_p256, ec_p384 };

// "RS256", ... as registered in RFC 7518 §3.1.
const char* jws_algorithm_name(JwsAlgorithm alg);
// "RSA", "EC P-256", "EC P-384".
const char* jwk_key_type_name(JwkKeyType type);

// Maps a header "alg" value. Fails with denied and a message saying why for "none", HS*, and
// any other value (case-sensitive, RFC 7515 §4.1.1).
Result<JwsAlgorithm> jws_algorithm_from_name(std::string_view name);

JwkKeyType key_type_for(JwsAlgorithm alg);

// Verifies `signature` over `signing_input` (RFC 7515 §5.2 step 8) with `key`, which must be of
// key_type_for(alg). RSASSA-PKCS1-v1_5 (RS*) and RSASSA-PSS with MGF1 of the same hash and a
// salt as long as the hash (PS*, RFC 7518 §3.5); the signature must be exactly the modulus
// length. ECDSA (ES*) signatures are the raw R || S octets of RFC 7518 §3.4, each exactly the
// curve's field size (64 bytes for ES256, 96 for ES384); a DER-encoded signature is refused.
// Fails with denied ("signature does not verify", "... signature must be N bytes") or crypto
// when OpenSSL itself fails. `key` is borrowed.
Result<void> verify_jws_signature(JwsAlgorithm alg, EVP_PKEY* key, std::string_view signing_input,
                                  ByteView signature);

}  // namespace qualsig::identity
