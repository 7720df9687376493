// Signature outcomes verified once per validation run; see signature_cache.h.

#include "validation/signature_cache.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <cstring>

namespace qualsig::validation::detail {
namespace {

constexpr std::size_t kDigest = 32;  // SHA-256

int store_index() {
  static const int index = X509_STORE_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

bool sha256(const unsigned char* data, std::size_t size, unsigned char* out) {
  unsigned int len = 0;
  return EVP_Digest(data, size, out, &len, EVP_sha256(), nullptr) == 1 && len == kDigest;
}

// SHA-256 of the DER SubjectPublicKeyInfo of `signer` (algorithm, parameters and key).
bool key_digest(X509* signer, unsigned char* out) {
  unsigned char* der = nullptr;
  int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(signer), &der);
  bool ok = len > 0 && sha256(der, static_cast<std::size_t>(len), out);
  OPENSSL_free(der);
  return ok;
}

// X509_STORE_CTX verify function: OpenSSL 3.0's internal_verify (crypto/x509/x509_vfy.c) with the
// signature check going through the cache and without the validity-period check (the store has
// X509_V_FLAG_NO_CHECK_TIME, which makes OpenSSL skip it as well).
int verify_chain_cached(X509_STORE_CTX* ctx) {
  auto* cache = static_cast<SignatureCache*>(X509_STORE_get_ex_data(X509_STORE_CTX_get0_store(ctx), store_index()));
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx);
  const unsigned long flags = X509_VERIFY_PARAM_get_flags(X509_STORE_CTX_get0_param(ctx));
  if (cache == nullptr || sk_X509_num(chain) < 1 || (flags & X509_V_FLAG_NO_CHECK_TIME) == 0) {
    X509_STORE_CTX_set_error(ctx, X509_V_ERR_UNSPECIFIED);
    return 0;
  }
  X509_STORE_CTX_verify_cb callback = X509_STORE_CTX_get_verify_cb(ctx);
  // Tells the callback of an error; false: abort (as OpenSSL's verify_cb_cert).
  auto report = [&](X509* cert, int depth, int error) {
    X509_STORE_CTX_set_error_depth(ctx, depth);
    X509_STORE_CTX_set_current_cert(ctx, cert);
    X509_STORE_CTX_set_error(ctx, error);
    return callback(0, ctx) != 0;
  };
  int n = sk_X509_num(chain) - 1;
  X509* xi = sk_X509_value(chain, n);  // issuer
  X509* xs = xi;                       // subject whose signature is checked
  X509_STORE_CTX_set_error_depth(ctx, n);
  // The top of the chain is checked against itself only when it is self-issued; a partial chain
  // may end at a trust anchor that is not.
  if (X509_check_issued(xi, xi) != X509_V_OK && (flags & X509_V_FLAG_PARTIAL_CHAIN) == 0) {
    if (n > 0) {
      --n;
      X509_STORE_CTX_set_error_depth(ctx, n);
      xs = sk_X509_value(chain, n);
    } else if (!report(xi, 0, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE)) {
      return 0;
    }
  }
  while (n >= 0) {
    // A self-signed anchor's own signature is checked only on request (it adds no security).
    const bool self_signed = (X509_get_extension_flags(xi) & EXFLAG_SS) != 0;
    if (xs != xi || ((flags & X509_V_FLAG_CHECK_SS_SIGNATURE) != 0 && self_signed)) {
      const int issuer_depth = n + (xs == xi ? 0 : 1);
      // RFC 5280 §6.1.4 (n): the issuer's key usage must allow certificate signing (not asked of
      // a self-issued end-entity certificate, RFC 6818 §2).
      const bool ca = (X509_get_extension_flags(xi) & EXFLAG_CA) != 0;
      const int issued = xs == xi && !ca ? X509_V_OK : X509_check_issued(xi, xs);
      if (issued != X509_V_OK && !report(xi, issuer_depth, issued)) return 0;
      if (X509_get0_pubkey(xi) == nullptr) {
        if (!report(xi, issuer_depth, X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY)) return 0;
      } else if (!cache->certificate(xs, xi) && !report(xs, n, X509_V_ERR_CERT_SIGNATURE_FAILURE)) {
        return 0;
      }
    }
    X509_STORE_CTX_set_current_cert(ctx, xs);
    X509_STORE_CTX_set_error_depth(ctx, n);
    if (callback(1, ctx) == 0) return 0;
    if (--n >= 0) {
      xi = xs;
      xs = sk_X509_value(chain, n);
    }
  }
  return 1;
}

}  // namespace

template <typename Verify>
bool SignatureCache::cached(const unsigned char* object_digest, X509* signer, Verify&& verify) {
  Key key{};
  std::memcpy(key.data(), object_digest, kDigest);
  if (signer == nullptr || !key_digest(signer, key.data() + kDigest)) return false;
  if (auto it = m_outcomes.find(key); it != m_outcomes.end()) {
    ++m_reused;
    return it->second;
  }
  EVP_PKEY* pkey = X509_get0_pubkey(signer);
  const bool ok = pkey != nullptr && verify(pkey) == 1;
  ERR_clear_error();
  ++m_computed;
  m_outcomes.emplace(key, ok);
  return ok;
}

bool SignatureCache::certificate(X509* cert, X509* signer) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (cert == nullptr || X509_digest(cert, EVP_sha256(), digest, &len) != 1 || len != kDigest) return false;
  return cached(digest, signer, [cert](EVP_PKEY* key) { return X509_verify(cert, key); });
}

bool SignatureCache::crl(X509_CRL* crl, X509* signer) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (crl == nullptr || X509_CRL_digest(crl, EVP_sha256(), digest, &len) != 1 || len != kDigest) return false;
  return cached(digest, signer, [crl](EVP_PKEY* key) { return X509_CRL_verify(crl, key); });
}

bool SignatureCache::ocsp(OCSP_BASICRESP* response, X509* signer) {
  if (response == nullptr) return false;
  unsigned char* der = nullptr;
  int len = i2d_OCSP_BASICRESP(response, &der);
  unsigned char digest[kDigest];
  bool digested = len > 0 && sha256(der, static_cast<std::size_t>(len), digest);
  OPENSSL_free(der);
  if (!digested) return false;
  // RFC 6960 §4.2.1: the signature is over the DER of tbsResponseData (what OpenSSL's
  // OCSP_basic_verify checks, without its signer search and chain building).
  return cached(digest, signer, [response](EVP_PKEY* key) {
    return ASN1_item_verify(ASN1_ITEM_rptr(OCSP_RESPDATA), OCSP_resp_get0_tbs_sigalg(response),
                            OCSP_resp_get0_signature(response), OCSP_resp_get0_respdata(response), key);
  });
}

void SignatureCache::install(X509_STORE* store) {
  X509_STORE_set_ex_data(store, store_index(), this);
  X509_STORE_set_flags(store, X509_V_FLAG_NO_CHECK_TIME);
  X509_STORE_set_verify(store, verify_chain_cached);
}

}  // namespace qualsig::validation::detail
