#pragma once
// The one signing interface (DESIGN.md): the CA, TSA, OCSP responder, log and every format
// sign through a Signer, so that every signature takes the same HSM path.

#include <memory>
#include <optional>

#include "core/bytes.h"
#include "core/digest.h"
#include "core/openssl.h"
#include "core/result.h"
#include "hsm/token.h"

namespace qualsig::hsm {

enum class SignatureScheme {
  ecdsa,          // ECDSA (FIPS 186-4); output DER ECDSA-Sig-Value (RFC 3279 §2.2.3)
  rsa_pkcs1_v15,  // RSASSA-PKCS1-v1_5 (RFC 8017 §8.2)
  rsa_pss,        // RSASSA-PSS (RFC 8017 §8.1), MGF1 with the same hash, salt = hash length
};

// RSASSA-PSS parameters other than the default of SignatureScheme::rsa_pss (RFC 8017 §9.1, RFC
// 4055 §3.1 RSASSA-PSS-params): the hash of MGF1 and the salt length in bytes.
struct PssParams {
  core::DigestAlgorithm mgf1_digest = core::DigestAlgorithm::sha256;
  std::size_t salt_length = 32;
};

// RFC 8017 §9.1.1 step 3: a salt of `salt_length` bytes with a `hash_length`-byte hash fits an
// RSA key of `modulus_bits` when emLen = ceil((modBits - 1) / 8) >= hLen + sLen + 2.
inline bool pss_salt_fits(int modulus_bits, std::size_t hash_length, std::size_t salt_length) {
  const std::size_t em_len = modulus_bits > 1 ? (static_cast<std::size_t>(modulus_bits) - 1 + 7) / 8 : 0;
  return em_len >= hash_length + salt_length + 2;
}

class Signer {
 public:
  virtual ~Signer() = default;
  virtual KeyType key_type() const = 0;
  // Borrowed; valid as long as the Signer.
  virtual const EVP_PKEY* public_key() const = 0;
  // Signs `digest`, the output of `alg` over the message. ECDSA gives DER ECDSA-Sig-Value.
  virtual Result<Bytes> sign_digest(ByteView digest, core::DigestAlgorithm alg, SignatureScheme scheme) const = 0;
  // RSASSA-PSS of `digest` with `params`. The default: usage (a signer that takes only its
  // scheme's default parameters).
  virtual Result<Bytes> sign_digest_pss(ByteView digest, core::DigestAlgorithm alg, const PssParams& params) const {
    (void)digest, (void)alg, (void)params;
    return fail(ErrorCode::usage, "this signer takes no RSASSA-PSS parameters");
  }

  // The natural scheme for the key: ecdsa for EC keys, rsa_pss for RSA keys.
  SignatureScheme default_scheme() const {
    return key_type() == KeyType::ec_p256 || key_type() == KeyType::ec_p384 ? SignatureScheme::ecdsa
                                                                            : SignatureScheme::rsa_pss;
  }
};

// A Signer whose private key lives in a PKCS#11 token.
class Pkcs11Signer final : public Signer {
 public:
  static Result<std::shared_ptr<Pkcs11Signer>> create(std::shared_ptr<const Token> token, KeyPair key);

  KeyType key_type() const override { return m_key.type; }
  const EVP_PKEY* public_key() const override { return m_public.get(); }
  Result<Bytes> sign_digest(ByteView digest, core::DigestAlgorithm alg, SignatureScheme scheme) const override;
  // CKM_RSA_PKCS_PSS with CK_RSA_PKCS_PSS_PARAMS {hash, MGF1 hash, salt} (PKCS#11 v2.40 §2.1.14).
  // Fails with usage for an EC key or a salt longer than the key allows (RFC 8017 §9.1.1: emLen
  // >= hLen + sLen + 2).
  Result<Bytes> sign_digest_pss(ByteView digest, core::DigestAlgorithm alg, const PssParams& params) const override;

  const KeyPair& key() const { return m_key; }
  const Token& token() const { return *m_token; }

 private:
  Pkcs11Signer(std::shared_ptr<const Token> token, KeyPair key, core::UniquePtr<EVP_PKEY> pub)
      : m_token(std::move(token)), m_key(std::move(key)), m_public(std::move(pub)) {}
  std::shared_ptr<const Token> m_token;
  KeyPair m_key;
  core::UniquePtr<EVP_PKEY> m_public;
};

// r||s (PKCS#11 CKM_ECDSA output) -> DER ECDSA-Sig-Value.
Result<Bytes> ecdsa_raw_to_der(ByteView raw);

}  // namespace qualsig::hsm
