#include "core/digest.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace qualsig::core {
const EVP_MD* evp_md(DigestAlgorithm alg) {
  switch (alg) {
    case DigestAlgorithm::sha256: return EVP_sha256();
    case DigestAlgorithm::sha384: return EVP_sha384();
    case DigestAlgorithm::sha512: return EVP_sha512();
  }
  return EVP_sha256();
}

const char* digest_name(DigestAlgorithm alg) {
  switch (alg) {
    case DigestAlgorithm::sha256: return "SHA-256";
    case DigestAlgorithm::sha384: return "SHA-384";
    case DigestAlgorithm::sha512: return "SHA-512";
  }
  return "SHA-256";
}

std::size_t digest_size(DigestAlgorithm alg) { return static_cast<std::size_t>(EVP_MD_get_size(evp_md(alg))); }

Bytes digest(DigestAlgorithm alg, ByteView data) {
  Bytes out(digest_size(alg));
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure: a broken invariant, not an input error.
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, evp_md(alg), nullptr) != 1)
    throw std::runtime_error("EVP_Digest failed");
  out.resize(len);
  return out;
}

}  // namespace qualsig::core
