#pragma once
// Test helpers for server_test: a self-signed EC P-256 TLS identity made with OpenSSL, and a
// blocking HTTP/1.1 client on plain sockets + OpenSSL (every read bounded by a timeout, so a
// broken server fails a test instead of hanging it).

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/openssl.h"
#include "server/server.h"
#include "server/tls_context.h"

namespace qualsig::server::test {

using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// A fresh TlsIdentity sharing one key and self-signed certificate (CN=localhost) per process.
TlsIdentity test_identity();
// A fresh EC P-256 key pair.
core::UniquePtr<EVP_PKEY> make_p256_key();
// A key pair that does not match test_identity()'s certificate.
core::UniquePtr<EVP_PKEY> other_key();

// A certificate for `subject_key` with CN=`cn`, signed by `issuer_key` (self-signed when
// `issuer` is null), valid now; CA:TRUE when `ca`. `padding` > 0 adds a Netscape comment
// extension of that many bytes (to make oversize certificates). Throws on OpenSSL failure.
core::UniquePtr<X509> make_certificate(const std::string& cn, EVP_PKEY* subject_key, X509* issuer,
                                       EVP_PKEY* issuer_key, bool ca = false, std::size_t padding = 0);
// DER of a certificate.
std::string der_of(X509* cert);

// What a client presents in the handshake: borrowed key and certificates, leaf first.
struct ClientCertificate {
  EVP_PKEY* key = nullptr;
  std::vector<X509*> chain;
};

class TestClient final {
 public:
  // Connects to 127.0.0.1:port; nullptr if the connection is refused.
  static std::unique_ptr<TestClient> connect(std::uint16_t port);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Runs a TLS handshake allowing versions [min_version, max_version] (0 = highest). The
  // client runs at security level 0 so that it really offers old versions. Returns an empty
  // string on success, else OpenSSL's error text.
  // With `certificate`, the client answers the server's CertificateRequest with that chain.
  std::string handshake(int min_version, int max_version = 0,
                        const ClientCertificate* certificate = nullptr);
  // The negotiated TLS version (TLS1_2_VERSION, ...), 0 without TLS.
  int tls_version() const;

  bool send(std::string_view bytes);
  // Reads one response; nullopt on EOF, timeout or a malformed response.
  std::optional<HttpResponse> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Sends "METHOD target HTTP/1.1" with Host and Content-Length, then reads the response.
  std::optional<HttpResponse> request(std::string_view method, std::string_view target,
                                      std::string_view body = {},
                                      std::string_view extra_headers = {});
  // True if the server closes the connection (EOF or reset) within `timeout`; bytes it sends
  // meanwhile are discarded.
  bool closed_within(std::chrono::milliseconds timeout);

 private:
  explicit TestClient(int fd) : m_fd(fd) {}
  // >0 bytes, 0 EOF/error, -1 timeout.
  int read_some(char* buf, int size, std::chrono::milliseconds timeout);

  struct SslFree {
    void operator()(SSL* s) const { SSL_free(s); }
  };
  int m_fd = -1;
  core::UniquePtr<SSL_CTX> m_ctx;
  std::unique_ptr<SSL, SslFree> m_ssl;
  std::string m_pending;
};

// Options for tests: 4 threads, short timeouts and grace, both listeners on 127.0.0.1:0.
ServerOptions test_options();
// Creates and starts a server with test_identity(); nullptr (and a test failure) on error.
std::unique_ptr<Server> start_server(Router router, ServerOptions options = test_options());

// Shorthand: a connected client, TLS 1.2+ if `tls`. Fails the calling test when it cannot connect.
std::unique_ptr<TestClient> open_client(std::uint16_t port, bool tls);

}  // namespace qualsig::server::test
