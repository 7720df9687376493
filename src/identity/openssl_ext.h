#pragma once
// Deleters for the OpenSSL types identity/ needs that core/openssl.h does not list yet. They
// specialise core's one OpenSslDeleter template (STYLE.md §3), so these handles are owned the
// same way as every other. Move them to core/openssl.h when another area needs them (a
// duplicate specialisation there would then fail to compile, which is the intended signal).

#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include "core/openssl.h"

namespace qualsig::core {

template <>
struct OpenSslDeleter<OSSL_PARAM_BLD> {
  void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
template <>
struct OpenSslDeleter<OSSL_PARAM> {
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};

}  // namespace qualsig::core
