#pragma once
// The server's TLS configuration (one policy, no knobs): TLS 1.2 minimum, TLS 1.3 allowed,
// TLS 1.2 restricted to ECDHE with AEAD ciphers, server cipher preference, no compression,
// no renegotiation (BSI TR-02102-2 / RFC 9325 recommendations).

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstddef>
#include <string>
#include <vector>

#include "core/openssl.h"
#include "core/result.h"

namespace qualsig::server {

// The server's key and certificate chain. The key may be backed by a PKCS#11 token (an
// EVP_PKEY whose signing is routed through a custom method): it is only ever handed to
// SSL_CTX_use_PrivateKey, never exported or serialised.
struct TlsIdentity {
  core::UniquePtr<EVP_PKEY> key;
  std::vector<core::UniquePtr<X509>> chain;  // leaf first, then intermediates
};

// Client certificates (RFC 8446 §4.3.2 CertificateRequest, sent in the initial handshake):
// the server asks for one but does not require it, and accepts any chain at the TLS level —
// whether a certificate authenticates anybody is the application's decision (service/
// api_auth), so that a refusal is logged and answered with a 401 problem instead of a
// handshake alert. Only the size is bounded here: a chain of more than
// kMaxClientCertificates certificates, or one certificate over kMaxClientCertificateSize
// bytes of DER, fails the handshake.
inline constexpr std::size_t kMaxClientCertificates = 10;
inline constexpr std::size_t kMaxClientCertificateSize = 64 * 1024;

// The client's certificates after a handshake on `ssl` (a server-side connection): leaf
// first, then the chain it sent, each as DER. Empty when the client sent none.
std::vector<std::string> peer_certificates_der(SSL* ssl);

// Builds a server SSL_CTX for `identity`. The context takes its own references to the key
// and certificates, so `identity` may be destroyed afterwards. Fails with invalid_input if the
// identity is empty or the key does not match the leaf certificate, crypto on other OpenSSL
// failures (detail holds OpenSSL's error queue).
Result<core::UniquePtr<SSL_CTX>> make_server_tls_context(const TlsIdentity& identity);

}  // namespace qualsig::server
