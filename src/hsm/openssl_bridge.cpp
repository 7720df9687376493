// OPENSSL_SUPPRESS_DEPRECATED is set for this file in CMakeLists.txt (see the header).
#include "hsm/openssl_bridge.h"

#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

#include <mutex>

namespace qualsig::hsm {
namespace {

using SignerRef = std::shared_ptr<const Signer>;

void free_signer_ref(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<SignerRef*>(ptr);
}

int ec_ex_index() {
  static const int index = EC_KEY_get_ex_new_index(0, nullptr, nullptr, nullptr, free_signer_ref);
  return index;
}
int rsa_ex_index() {
  static const int index = RSA_get_ex_new_index(0, nullptr, nullptr, nullptr, free_signer_ref);
  return index;
}

bool digest_alg_for_length(int len, core::DigestAlgorithm& alg) {
  switch (len) {
    case 32: alg = core::DigestAlgorithm::sha256; return true;
    case 48: alg = core::DigestAlgorithm::sha384; return true;
    case 64: alg = core::DigestAlgorithm::sha512; return true;
    default: return false;
  }
}

ECDSA_SIG* ec_sign_sig(const unsigned char* dgst, int dlen, const BIGNUM*, const BIGNUM*, EC_KEY* ec) {
  auto* ref = static_cast<SignerRef*>(EC_KEY_get_ex_data(ec, ec_ex_index()));
  core::DigestAlgorithm alg;
  if (ref == nullptr || !digest_alg_for_length(dlen, alg)) return nullptr;
  auto der = (*ref)->sign_digest(ByteView(dgst, static_cast<std::size_t>(dlen)), alg, SignatureScheme::ecdsa);
  if (!der) return nullptr;
  const unsigned char* p = der->data();
  return d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der->size()));
}

int ec_sign(int, const unsigned char* dgst, int dlen, unsigned char* sig, unsigned int* siglen, const BIGNUM* kinv,
            const BIGNUM* r, EC_KEY* ec) {
  ECDSA_SIG* s = ec_sign_sig(dgst, dlen, kinv, r, ec);
  if (s == nullptr) return 0;
  unsigned char* out = sig;
  int len = i2d_ECDSA_SIG(s, &out);
  ECDSA_SIG_free(s);
  if (len <= 0) return 0;
  *siglen = static_cast<unsigned int>(len);
  return 1;
}

const EC_KEY_METHOD* ec_method() {
  static EC_KEY_METHOD* method = [] {
    EC_KEY_METHOD* m = EC_KEY_METHOD_new(EC_KEY_get_default_method());
    EC_KEY_METHOD_set_sign(m, ec_sign, nullptr, ec_sign_sig);
    return m;
  }();
  return method;
}

int rsa_sign(int type, const unsigned char* m, unsigned int m_len, unsigned char* sigret, unsigned int* siglen,
             const RSA* rsa) {
  auto* ref = static_cast<SignerRef*>(RSA_get_ex_data(rsa, rsa_ex_index()));
  core::DigestAlgorithm alg;
  if (ref == nullptr || !digest_alg_for_length(static_cast<int>(m_len), alg)) return 0;
  int expected = alg == core::DigestAlgorithm::sha256 ? NID_sha256 : alg == core::DigestAlgorithm::sha384 ? NID_sha384 : NID_sha512;
  if (type != expected) return 0;
  auto sig = (*ref)->sign_digest(ByteView(m, m_len), alg, SignatureScheme::rsa_pkcs1_v15);
  if (!sig || sig->size() > static_cast<std::size_t>(RSA_size(rsa))) return 0;
  std::copy(sig->begin(), sig->end(), sigret);
  *siglen = static_cast<unsigned int>(sig->size());
  return 1;
}

int rsa_priv_enc_refused(int, const unsigned char*, unsigned char*, RSA*, int) { return -1; }

const RSA_METHOD* rsa_method() {
  static RSA_METHOD* method = [] {
    RSA_METHOD* m = RSA_meth_dup(RSA_get_default_method());
    RSA_meth_set1_name(m, "qualsig PKCS#11 bridge");
    RSA_meth_set_sign(m, rsa_sign);
    RSA_meth_set_priv_enc(m, rsa_priv_enc_refused);
    return m;
  }();
  return method;
}

}  // namespace

Result<core::UniquePtr<EVP_PKEY>> make_signing_pkey(std::shared_ptr<const Signer> signer) {
  // get1_EC_KEY/get1_RSA return OpenSSL's cached legacy copy inside the EVP_PKEY. Take it from
  // a private duplicate, never from the signer's own key: changing that cache would give the
  // signer's public key our method and a reference cycle back to the signer.
  auto pub_copy = core::wrap(EVP_PKEY_dup(const_cast<EVP_PKEY*>(signer->public_key())));
  if (!pub_copy) return fail(core::openssl_error(ErrorCode::internal, "cannot copy public key"));
  EVP_PKEY* pub = pub_copy.get();
  auto out = core::wrap(EVP_PKEY_new());
  if (!out) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC) {
    EC_KEY* ec = EVP_PKEY_get1_EC_KEY(pub);
    if (ec == nullptr) return fail(core::openssl_error(ErrorCode::internal, "cannot copy EC public key"));
    auto* ref = new SignerRef(std::move(signer));
    if (EC_KEY_set_method(ec, ec_method()) != 1 || EC_KEY_set_ex_data(ec, ec_ex_index(), ref) != 1) {
      delete ref;
      EC_KEY_free(ec);
      return fail(core::openssl_error(ErrorCode::internal, "cannot attach the token to an EC key"));
    }
    if (EVP_PKEY_assign_EC_KEY(out.get(), ec) != 1) {
      EC_KEY_free(ec);  // frees ref through the ex_data callback
      return fail(core::openssl_error(ErrorCode::internal, "cannot build EVP_PKEY"));
    }
    return out;
  }
  if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA) {
    RSA* rsa = EVP_PKEY_get1_RSA(pub);
    if (rsa == nullptr) return fail(core::openssl_error(ErrorCode::internal, "cannot copy RSA public key"));
    auto* ref = new SignerRef(std::move(signer));
    if (RSA_set_method(rsa, rsa_method()) != 1 || RSA_set_ex_data(rsa, rsa_ex_index(), ref) != 1) {
      delete ref;
      RSA_free(rsa);
      return fail(core::openssl_error(ErrorCode::internal, "cannot attach the token to an RSA key"));
    }
    if (EVP_PKEY_assign_RSA(out.get(), rsa) != 1) {
      RSA_free(rsa);
      return fail(core::openssl_error(ErrorCode::internal, "cannot build EVP_PKEY"));
    }
    return out;
  }
  return fail(ErrorCode::usage, "only EC and RSA keys can be bridged to OpenSSL");
}

}  // namespace qualsig::hsm
