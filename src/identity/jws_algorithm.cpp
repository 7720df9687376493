#include "identity/jws_algorithm.h"

#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

#include <climits>
#include <string>

#include "core/openssl.h"
#include "identity/printable.h"

namespace qualsig::identity {
namespace {

const EVP_MD* digest_for(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::rs256:
    case JwsAlgorithm::ps256:
    case JwsAlgorithm::es256:
      return EVP_sha256();
    case JwsAlgorithm::rs384:
    case JwsAlgorithm::ps384:
    case JwsAlgorithm::es384:
      return EVP_sha384();
    case JwsAlgorithm::rs512:
    case JwsAlgorithm::ps512:
      return EVP_sha512();
  }
  return nullptr;
}

bool is_pss(JwsAlgorithm alg) {
  return alg == JwsAlgorithm::ps256 || alg == JwsAlgorithm::ps384 || alg == JwsAlgorithm::ps512;
}

// RFC 7518 §3.4: "the JWS Signature value ... is the concatenation of the two octet sequences
// [R and S] in the order R and then S", each the size of the curve order. OpenSSL verifies the
// DER form of ECDSA-Sig-Value (RFC 3279 §2.2.3), so re-encode it.
Result<Bytes> raw_ecdsa_to_der(JwsAlgorithm alg, ByteView signature) {
  const std::size_t half = alg == JwsAlgorithm::es256 ? 32 : 48;
  if (signature.size() != 2 * half) {
    return fail(ErrorCode::denied,
                std::string(jws_algorithm_name(alg)) + " signature must be " +
                    std::to_string(2 * half) + " bytes of raw R || S (RFC 7518 §3.4), got " +
                    std::to_string(signature.size()));
  }
  auto r = core::wrap(BN_bin2bn(signature.data(), static_cast<int>(half), nullptr));
  auto s = core::wrap(BN_bin2bn(signature.data() + half, static_cast<int>(half), nullptr));
  auto sig = core::wrap(ECDSA_SIG_new());
  if (!r || !s || !sig) return fail(core::openssl_error(ErrorCode::crypto, "out of memory"));
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return fail(core::openssl_error(ErrorCode::crypto, "cannot build ECDSA signature"));
  }
  // set0 succeeded: sig owns r and s now.
  (void)r.release();
  (void)s.release();
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return fail(core::openssl_error(ErrorCode::crypto, "cannot encode ECDSA signature"));
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace

const char* jws_algorithm_name(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::rs256: return "RS256";
    case JwsAlgorithm::rs384: return "RS384";
    case JwsAlgorithm::rs512: return "RS512";
    case JwsAlgorithm::ps256: return "PS256";
    case JwsAlgorithm::ps384: return "PS384";
    case JwsAlgorithm::ps512: return "PS512";
    case JwsAlgorithm::es256: return "ES256";
    case JwsAlgorithm::es384: return "ES384";
  }
  return "?";
}

const char* jwk_key_type_name(JwkKeyType type) {
  switch (type) {
    case JwkKeyType::rsa: return "RSA";
    case JwkKeyType::ec_p256: return "EC P-256";
    case JwkKeyType::ec_p384: return "EC P-384";
  }
  return "?";
}

Result<JwsAlgorithm> jws_algorithm_from_name(std::string_view name) {
  static constexpr JwsAlgorithm kAll[] = {JwsAlgorithm::rs256, JwsAlgorithm::rs384, JwsAlgorithm::rs512,
                                          JwsAlgorithm::ps256, JwsAlgorithm::ps384, JwsAlgorithm::ps512,
                                          JwsAlgorithm::es256, JwsAlgorithm::es384};
  for (auto alg : kAll) {
    if (name == jws_algorithm_name(alg)) return alg;
  }
  if (name == "none") {
    return fail(ErrorCode::denied,
                "alg none is refused: unsecured JWTs prove nothing (RFC 8725 §2.1, §3.1)");
  }
  if (name == "HS256" || name == "HS384" || name == "HS512") {
    return fail(ErrorCode::denied,
                "alg " + std::string(name) +
                    " is refused: HMAC needs a shared secret, and a public key used as one allows "
                    "forgery (key confusion, RFC 8725 §2.1, §3.1)");
  }
  return fail(ErrorCode::denied,
              "alg " + quote_untrusted(name) +
                  " is not accepted (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 are)");
}

JwkKeyType key_type_for(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::es256: return JwkKeyType::ec_p256;
    case JwsAlgorithm::es384: return JwkKeyType::ec_p384;
    default: return JwkKeyType::rsa;
  }
}

Result<void> verify_jws_signature(JwsAlgorithm alg, EVP_PKEY* key, std::string_view signing_input,
                                  ByteView signature) {
  Bytes der_signature;
  ByteView to_verify = signature;
  if (key_type_for(alg) == JwkKeyType::rsa) {
    // RFC 8017 §8.2.2 step 1 / §8.1.2 step 1: the signature is exactly k octets.
    const int k = EVP_PKEY_get_size(key);
    if (k <= 0 || signature.size() != static_cast<std::size_t>(k)) {
      return fail(ErrorCode::denied, std::string(jws_algorithm_name(alg)) + " signature must be " +
                                         std::to_string(k) + " bytes (the modulus length), got " +
                                         std::to_string(signature.size()));
    }
  } else {
    QS_TRY(der_signature, raw_ecdsa_to_der(alg, signature));
    to_verify = der_signature;
  }

  auto ctx = core::wrap(EVP_MD_CTX_new());
  if (!ctx) return fail(core::openssl_error(ErrorCode::crypto, "out of memory"));
  EVP_PKEY_CTX* pctx = nullptr;  // borrowed from ctx
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, digest_for(alg), nullptr, key) != 1) {
    return fail(core::openssl_error(ErrorCode::crypto, "cannot initialise signature verification"));
  }
  if (key_type_for(alg) == JwkKeyType::rsa) {
    const bool pss = is_pss(alg);
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) != 1 ||
        (pss && (EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
                 EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, digest_for(alg)) != 1))) {
      return fail(core::openssl_error(ErrorCode::crypto, "cannot set RSA padding"));
    }
  }
  const int rc = EVP_DigestVerify(ctx.get(), to_verify.data(), to_verify.size(),
                                  reinterpret_cast<const unsigned char*>(signing_input.data()),
                                  signing_input.size());
  if (rc == 1) return ok();
  // 0 is a bad signature; a negative value a malformed one. Both are a negative result.
  return fail(ErrorCode::denied, "signature does not verify", core::drain_openssl_errors());
}

}  // namespace qualsig::identity
