#pragma once
// Internal to validation/: every signature of a certificate, CRL or OCSP response verified once per
// validation run. The building blocks of EN 319 102-1 (XCV of the signer, of each TSA, revocation
// of every chain certificate, long-term checks) meet the same CA certificates and the same CRLs
// again and again; with P-384 CA keys each verification costs about a millisecond. The cache
// remembers the outcome (verified or not) under a key made of SHA-256 of the signed object's whole
// DER (to-be-signed part, algorithm and signature value) and SHA-256 of the signer's DER
// SubjectPublicKeyInfo, so an outcome is reused only for exactly the same object and key.

#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <array>
#include <cstddef>
#include <map>

namespace qualsig::validation::detail {

class SignatureCache {
 public:
  // Whether the signature of `cert` verifies with the public key of `signer` (X509_verify).
  // False also when the key or an encoding cannot be read.
  bool certificate(X509* cert, X509* signer);
  // Whether the signature of `crl` verifies with the public key of `signer` (X509_CRL_verify).
  bool crl(X509_CRL* crl, X509* signer);
  // Whether the signature of `response` verifies with the public key of `signer`
  // (RFC 6960 §4.2.1, over tbsResponseData). Who may sign it is the caller's judgement.
  bool ocsp(OCSP_BASICRESP* response, X509* signer);

  // Makes every X509_verify_cert on `store` check the chain's signatures through this cache
  // (X509_STORE_set_verify: OpenSSL's own internal_verify is replaced by the same steps — issuer
  // key usage via X509_check_issued, the issuer key, the signature — with the verify callback told
  // of each failure as OpenSSL does). Certificate validity periods are not checked there: the
  // store gets X509_V_FLAG_NO_CHECK_TIME, because validation judges them at the times each process
  // needs (judge_chain). The cache must outlive the store and every context made from it.
  void install(X509_STORE* store);

  // Signature verifications actually computed, and outcomes reused (for tests and profiling).
  std::size_t computed() const { return m_computed; }
  std::size_t reused() const { return m_reused; }

 private:
  using Key = std::array<unsigned char, 64>;
  template <typename Verify>
  bool cached(const unsigned char* object_digest, X509* signer, Verify&& verify);

  std::map<Key, bool> m_outcomes;
  std::size_t m_computed = 0;
  std::size_t m_reused = 0;
};

}  // namespace qualsig::validation::detail
