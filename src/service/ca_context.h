#pragma once
// The CA material a running service keeps: certificates and token-backed signing keys of the
// root, the issuing CA, the OCSP responder and the timestamp unit, and the OCSP response cache.

#include <atomic>
#include <mutex>

#include "core/openssl.h"
#include "pki/ocsp_cache.h"

namespace qualsig::service {

struct CaContext {
  core::UniquePtr<X509> root;
  core::UniquePtr<X509> issuing;
  core::UniquePtr<X509> ocsp;
  core::UniquePtr<X509> tsa;
  core::UniquePtr<EVP_PKEY> root_key;     // sign in the token (hsm/openssl_bridge.h)
  core::UniquePtr<EVP_PKEY> issuing_key;
  core::UniquePtr<EVP_PKEY> ocsp_key;
  core::UniquePtr<EVP_PKEY> tsa_key;
  pki::OcspResponseCache ocsp_cache;
  // The store's revocation generation the cache was filled under; another process's
  // revocation changes the stored one and empties the cache before the next answer.
  std::atomic<std::uint64_t> cache_generation{0};
  // steady_clock nanoseconds of the last generation check: checked at most once per
  // millisecond, so the hot path does not queue on the database (see ocsp_response).
  std::atomic<std::int64_t> generation_checked_ns{0};
  std::mutex crl_mutex;  // one CRL signer at a time
};

}  // namespace qualsig::service
