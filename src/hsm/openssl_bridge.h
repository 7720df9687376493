#pragma once
// Makes OpenSSL's own signing functions (X509_sign, X509_CRL_sign, OCSP_basic_sign,
// TS_RESP_create_response, CMS_sign, TLS handshakes) sign through a Signer, so that no
// hand-built TBS encodings are needed and the private key stays in the token.
//
// The EVP_PKEY holds only the public key plus a custom EC_KEY_METHOD / RSA_METHOD whose sign
// callbacks call Signer::sign_digest. These are OpenSSL 3.0 legacy APIs (the provider API is
// the successor; pkcs11-provider is not packaged for Debian 12): this file alone is compiled
// with OPENSSL_SUPPRESS_DEPRECATED.
//
// RSA keys sign with PKCS#1 v1.5 through this bridge; RSA-PSS through OpenSSL would need raw
// RSA in the token and is refused. Call Signer::sign_digest directly for RSA-PSS.

#include <memory>

#include "core/openssl.h"
#include "hsm/signer.h"

namespace qualsig::hsm {

// An EVP_PKEY that signs through `signer` (kept alive by the key).
Result<core::UniquePtr<EVP_PKEY>> make_signing_pkey(std::shared_ptr<const Signer> signer);

}  // namespace qualsig::hsm
