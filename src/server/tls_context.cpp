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

// Replaces OpenSSL's chain verification of the client's certificates (SSL_CTX_set_cert_verify_
// callback): no path is built here; only the bounds are enforced. `chain` is the peer's chain
// as received, leaf included.
int bound_client_chain(X509_STORE_CTX* store_ctx, void*) {
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_untrusted(store_ctx);  // get0: borrowed
  const int count = chain == nullptr ? 0 : sk_X509_num(chain);
  if (static_cast<std::size_t>(count) > kMaxClientCertificates) {
    X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_CERT_CHAIN_TOO_LONG);
    return 0;
  }
  for (int i = 0; i < count; ++i) {
    const int size = i2d_X509(sk_X509_value(chain, i), nullptr);
    if (size <= 0 || static_cast<std::size_t>(size) > kMaxClientCertificateSize) {
      X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_UNSPECIFIED);
      return 0;
    }
  }
  return 1;
}

bool append_der(X509* cert, std::vector<std::string>& out) {
  const int size = i2d_X509(cert, nullptr);
  if (size <= 0) return false;
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_X509(cert, &p) != size) return false;
  out.push_back(std::move(der));
  return true;
}

}  // namespace

std::vector<std::string> peer_certificates_der(SSL* ssl) {
  std::vector<std::string> out;
  X509* leaf = SSL_get0_peer_certificate(ssl);  // get0: borrowed
  if (leaf == nullptr) return out;
  if (!append_der(leaf, out)) return {};
  // On the server side the chain excludes the leaf (SSL_get_peer_cert_chain(3)); borrowed.
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl); chain != nullptr) {
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      if (!append_der(sk_X509_value(chain, i), out)) return {};
    }
  }
  return out;
}

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
  // Ask for a client certificate in the initial handshake (also in TLS 1.3, no
  // post-handshake authentication), do not require one, and accept any chain within bounds.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx.get(), bound_client_chain, nullptr);
  // The Certificate message must be able to carry the largest chain we accept (OpenSSL's
  // default limit is 100 KiB); each entry adds a 3-byte length and, in TLS 1.3, extensions.
  SSL_CTX_set_max_cert_list(ctx.get(), static_cast<long>(kMaxClientCertificates *
                                                         (kMaxClientCertificateSize + 512)));
  // Resumed sessions would come back without the peer's chain; keep authentication to full
  // handshakes (no tickets, no session cache).
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  return ctx;
}

}  // namespace qualsig::server
