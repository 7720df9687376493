#pragma once
// Oracle for the fuzz targets: a documented property that does not hold is a bug, reported like a
// crash (libFuzzer saves the input as crash-<sha1> and the stack is printed by the sanitizer).

#include <cstdio>
#include <cstdlib>

#include <openssl/x509.h>

#include "core/bytes.h"

#define QUALSIG_FUZZ_CHECK(cond)                                                             \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: documented property violated: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

namespace qualsig::fuzz {

// True if `der` is exactly one X.509 certificate (d2i_X509 consumes every byte).
inline bool is_certificate(const Bytes& der) {
  const unsigned char* p = der.data();
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  const bool ok = cert != nullptr && p == der.data() + der.size();
  X509_free(cert);
  return ok;
}

}  // namespace qualsig::fuzz
