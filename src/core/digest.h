#pragma once
// Message digests (FIPS 180-4) through OpenSSL EVP.

#include <openssl/types.h>

#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace qualsig::core {

enum class DigestAlgorithm { sha256, sha384, sha512 };

const char* digest_name(DigestAlgorithm alg);           // "SHA-256", ...
std::size_t digest_size(DigestAlgorithm alg);
const EVP_MD* evp_md(DigestAlgorithm alg);                // OpenSSL's static EVP_sha256() ...
Bytes digest(DigestAlgorithm alg, ByteView data);
inline Bytes sha256(ByteView data) { return digest(DigestAlgorithm::sha256, data); }

}  // namespace qualsig::core
