#include "hsm/signer.h"

#include <openssl/ecdsa.h>

namespace qualsig::hsm {
namespace {

// DigestInfo prefixes, RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest bytes.
const Bytes& digest_info_prefix(core::DigestAlgorithm alg) {
  static const Bytes sha256{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                            0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  static const Bytes sha384{0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                            0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
  static const Bytes sha512{0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                            0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};
  switch (alg) {
    case core::DigestAlgorithm::sha256: return sha256;
    case core::DigestAlgorithm::sha384: return sha384;
    case core::DigestAlgorithm::sha512: return sha512;
  }
  return sha256;
}

CK_MECHANISM_TYPE pkcs11_hash(core::DigestAlgorithm alg) {
  switch (alg) {
    case core::DigestAlgorithm::sha256: return CKM_SHA256;
    case core::DigestAlgorithm::sha384: return CKM_SHA384;
    case core::DigestAlgorithm::sha512: return CKM_SHA512;
  }
  return CKM_SHA256;
}

CK_RSA_PKCS_MGF_TYPE pkcs11_mgf(core::DigestAlgorithm alg) {
  switch (alg) {
    case core::DigestAlgorithm::sha256: return CKG_MGF1_SHA256;
    case core::DigestAlgorithm::sha384: return CKG_MGF1_SHA384;
    case core::DigestAlgorithm::sha512: return CKG_MGF1_SHA512;
  }
  return CKG_MGF1_SHA256;
}

}  // namespace

Result<Bytes> ecdsa_raw_to_der(ByteView raw) {
  if (raw.empty() || raw.size() % 2 != 0) return fail(ErrorCode::token, "token returned a malformed ECDSA signature");
  auto der = core::ecdsa_raw_to_der(raw);
  if (!der) return fail(ErrorCode::internal, der.error().message);
  return der;
}

Result<std::shared_ptr<Pkcs11Signer>> Pkcs11Signer::create(std::shared_ptr<const Token> token, KeyPair key) {
  QS_TRY(auto pub, token->public_key(key));
  return std::shared_ptr<Pkcs11Signer>(new Pkcs11Signer(std::move(token), std::move(key), std::move(pub)));
}

Result<Bytes> Pkcs11Signer::sign_digest(ByteView digest, core::DigestAlgorithm alg, SignatureScheme scheme) const {
  if (digest.size() != core::digest_size(alg))
    return fail(ErrorCode::invalid_input, std::string("digest length does not match ") + core::digest_name(alg));
  bool is_ec = m_key.type == KeyType::ec_p256 || m_key.type == KeyType::ec_p384;
  switch (scheme) {
    case SignatureScheme::ecdsa: {
      if (!is_ec) return fail(ErrorCode::usage, "ECDSA requested for an RSA key");
      // SoftHSM2 has no CKM_ECDSA_SHA256: we hash, the token signs the digest (raw CKM_ECDSA).
      CK_MECHANISM mech{CKM_ECDSA, nullptr, 0};
      QS_TRY(auto raw, m_token->sign(m_key.private_key, mech, digest));
      return ecdsa_raw_to_der(raw);
    }
    case SignatureScheme::rsa_pkcs1_v15: {
      if (is_ec) return fail(ErrorCode::usage, "RSA PKCS#1 v1.5 requested for an EC key");
      Bytes info = digest_info_prefix(alg);
      info.insert(info.end(), digest.begin(), digest.end());
      CK_MECHANISM mech{CKM_RSA_PKCS, nullptr, 0};
      return m_token->sign(m_key.private_key, mech, info);
    }
    case SignatureScheme::rsa_pss: {
      if (is_ec) return fail(ErrorCode::usage, "RSA-PSS requested for an EC key");
      CK_RSA_PKCS_PSS_PARAMS params{pkcs11_hash(alg), pkcs11_mgf(alg), digest.size()};
      CK_MECHANISM mech{CKM_RSA_PKCS_PSS, &params, sizeof(params)};
      return m_token->sign(m_key.private_key, mech, digest);
    }
  }
  return fail(ErrorCode::internal, "unknown signature scheme");
}

Result<Bytes> Pkcs11Signer::sign_digest_pss(ByteView digest, core::DigestAlgorithm alg, const PssParams& params) const {
  if (m_key.type == KeyType::ec_p256 || m_key.type == KeyType::ec_p384) return fail(ErrorCode::usage, "RSA-PSS requested for an EC key");
  if (digest.size() != core::digest_size(alg))
    return fail(ErrorCode::invalid_input, std::string("digest length does not match ") + core::digest_name(alg));
  const int bits = EVP_PKEY_get_bits(m_public.get());
  if (!pss_salt_fits(bits, digest.size(), params.salt_length))
    return fail(ErrorCode::usage, "a salt of " + std::to_string(params.salt_length) + " bytes does not fit this " +
                                      std::to_string(bits) + "-bit key with " + core::digest_name(alg));
  CK_RSA_PKCS_PSS_PARAMS p{pkcs11_hash(alg), pkcs11_mgf(params.mgf1_digest), params.salt_length};
  CK_MECHANISM mech{CKM_RSA_PKCS_PSS, &p, sizeof(p)};
  return m_token->sign(m_key.private_key, mech, digest);
}

}  // namespace qualsig::hsm
