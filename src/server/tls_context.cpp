#include "server/tls_context.h"

namespace qualsig::server {
namespace {

// TLS 1.2 suites: forward secrecy (ECDHE) and AEAD only (RFC 9325 §4.2).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
// TLS 1.3 suites (RFC 8446 §9.1 plus ChaCha20).
constexpr const char* kTls13Ciphers =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";

}  // namespace

Result<core::UniquePtr<SSL_CTX>> make_server_tls_context(const TlsIdentity& identity) {
  if (!identity.key || identity.chain.empty() || !identity.chain.front()) {
    return fail(ErrorCode::invalid_input, "TLS identity needs a key and a certificate");
  }
  auto ctx = core::wrap(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return fail(core::openssl_error(ErrorCode::crypto, "cannot create TLS context"));

  if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx.get(), 0) != 1) {  // 0: highest supported (TLS 1.3)
    return fail(core::openssl_error(ErrorCode::crypto, "cannot set TLS protocol versions"));
  }
  // SSL_OP_NO_RENEGOTIATION refuses renegotiation in both directions (TLS 1.2; 1.3 has none).
  SSL_CTX_set_options(ctx.get(), SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
                                     SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(ctx.get(), kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx.get(), kTls13Ciphers) != 1 ||
      SSL_CTX_set1_groups_list(ctx.get(), kGroups) != 1) {
    return fail(core::openssl_error(ErrorCode::crypto, "cannot set TLS cipher suites"));
  }

  // use_certificate and use_PrivateKey take their own references (up-ref).
  if (SSL_CTX_use_certificate(ctx.get(), identity.chain.front().get()) != 1) {
    return fail(core::openssl_error(ErrorCode::invalid_input, "TLS certificate not usable"));
  }
  for (std::size_t i = 1; i < identity.chain.size(); ++i) {
    if (!identity.chain[i] || SSL_CTX_add1_chain_cert(ctx.get(), identity.chain[i].get()) != 1) {
      return fail(core::openssl_error(ErrorCode::invalid_input, "TLS chain certificate not usable"));
    }
  }
  // Only the public half is compared with the certificate; the private key never leaves
  // the EVP_PKEY (it may live in an HSM).
  if (SSL_CTX_use_PrivateKey(ctx.get(), identity.key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1) {
    return fail(core::openssl_error(ErrorCode::invalid_input,
                                    "TLS key does not match the TLS certificate"));
  }
  return ctx;
}

}  // namespace qualsig::server
