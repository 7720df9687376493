#include "test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include <openssl/x509v3.h>

#include <atomic>
#include <cerrno>
#include <mutex>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <gtest/gtest.h>

namespace qualsig::server::test {
namespace {

namespace http = boost::beast::http;

struct Material {
  core::UniquePtr<EVP_PKEY> key;
  core::UniquePtr<X509> cert;
};

}  // namespace

core::UniquePtr<EVP_PKEY> make_p256_key() {
  auto key = core::wrap(EVP_EC_gen("P-256"));
  if (!key) throw std::runtime_error("EVP_EC_gen failed: " + core::drain_openssl_errors());
  return key;
}

namespace {

Material make_material() {
  Material m;
  m.key = make_p256_key();
  m.cert = core::wrap(X509_new());
  X509* c = m.cert.get();
  X509_set_version(c, X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(c), 1);
  X509_gmtime_adj(X509_getm_notBefore(c), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c), 86400);
  X509_NAME* name = X509_get_subject_name(c);  // get0-style: borrowed
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(c, name);
  X509_set_pubkey(c, m.key.get());
  if (X509_sign(c, m.key.get(), EVP_sha256()) <= 0) {
    throw std::runtime_error("X509_sign failed: " + core::drain_openssl_errors());
  }
  return m;
}

const Material& material() {
  static const Material m = make_material();
  return m;
}

}  // namespace

core::UniquePtr<X509> make_certificate(const std::string& cn, EVP_PKEY* subject_key, X509* issuer,
                                       EVP_PKEY* issuer_key, bool ca, std::size_t padding) {
  static std::atomic<long> serial{100};
  auto cert = core::wrap(X509_new());
  X509* c = cert.get();
  X509_set_version(c, X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial.fetch_add(1));
  X509_gmtime_adj(X509_getm_notBefore(c), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c), 86400);
  X509_NAME* name = X509_get_subject_name(c);  // borrowed
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(c, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(c, subject_key);
  auto add_ext = [&](int nid, const std::string& value) {
    auto ext = core::wrap(X509V3_EXT_conf_nid(nullptr, nullptr, nid, value.c_str()));
    if (!ext || X509_add_ext(c, ext.get(), -1) != 1) throw std::runtime_error("extension: " + core::drain_openssl_errors());
  };
  add_ext(NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  if (padding > 0) add_ext(NID_netscape_comment, std::string(padding, 'p'));
  if (X509_sign(c, issuer_key, EVP_sha256()) <= 0) throw std::runtime_error("X509_sign: " + core::drain_openssl_errors());
  return cert;
}

std::string der_of(X509* cert) {
  unsigned char* buf = nullptr;
  const int n = i2d_X509(cert, &buf);
  if (n <= 0) throw std::runtime_error("i2d_X509 failed");
  std::string out(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n));
  OPENSSL_free(buf);
  return out;
}

TlsIdentity test_identity() {
  const Material& m = material();
  EVP_PKEY_up_ref(m.key.get());
  X509_up_ref(m.cert.get());
  TlsIdentity id;
  id.key = core::wrap(m.key.get());
  id.chain.push_back(core::wrap(m.cert.get()));
  return id;
}

core::UniquePtr<EVP_PKEY> other_key() { return make_p256_key(); }

std::unique_ptr<TestClient> TestClient::connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return nullptr;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return nullptr;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return std::unique_ptr<TestClient>(new TestClient(fd));
}

TestClient::~TestClient() {
  m_ssl.reset();
  if (m_fd >= 0) ::close(m_fd);
}

std::string TestClient::handshake(int min_version, int max_version, const ClientCertificate* certificate) {
  m_ctx = core::wrap(SSL_CTX_new(TLS_client_method()));
  if (certificate != nullptr) {
    // Sent as configured: the client builds no chain of its own.
    bool ok = !certificate->chain.empty() && SSL_CTX_use_certificate(m_ctx.get(), certificate->chain.front()) == 1;
    for (std::size_t i = 1; ok && i < certificate->chain.size(); ++i)
      ok = SSL_CTX_add1_chain_cert(m_ctx.get(), certificate->chain[i]) == 1;
    ok = ok && SSL_CTX_use_PrivateKey(m_ctx.get(), certificate->key) == 1;
    if (!ok) return "client certificate not usable: " + core::drain_openssl_errors();
  }
  SSL_CTX_set_security_level(m_ctx.get(), 0);
  SSL_CTX_set_cipher_list(m_ctx.get(), "ALL:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(m_ctx.get(), min_version);
  SSL_CTX_set_max_proto_version(m_ctx.get(), max_version);
  m_ssl.reset(SSL_new(m_ctx.get()));
  SSL_set_fd(m_ssl.get(), m_fd);
  SSL_set_tlsext_host_name(m_ssl.get(), "localhost");
  timeval tv{5, 0};
  ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ERR_clear_error();
  if (SSL_connect(m_ssl.get()) == 1) return "";
  std::string error = core::drain_openssl_errors();
  m_ssl.reset();
  return error.empty() ? "handshake failed" : error;
}

int TestClient::tls_version() const { return m_ssl ? SSL_version(m_ssl.get()) : 0; }

bool TestClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    long n = 0;
    if (m_ssl) {
      n = SSL_write(m_ssl.get(), bytes.data(), static_cast<int>(bytes.size()));
    } else {
      n = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    }
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

int TestClient::read_some(char* buf, int size, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (m_ssl) {
    ERR_clear_error();
    const int n = SSL_read(m_ssl.get(), buf, size);
    if (n > 0) return n;
    const int err = SSL_get_error(m_ssl.get(), n);
    ERR_clear_error();
    if (err == SSL_ERROR_WANT_READ || (err == SSL_ERROR_SYSCALL && errno == EAGAIN)) return -1;
    return 0;
  }
  const auto n = ::recv(m_fd, buf, static_cast<std::size_t>(size), 0);
  if (n > 0) return static_cast<int>(n);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return -1;
  return 0;
}

std::optional<HttpResponse> TestClient::read_response(std::chrono::milliseconds timeout) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(64u << 20);
  for (;;) {
    if (!m_pending.empty()) {
      boost::beast::error_code ec;
      const std::size_t n = parser.put(boost::asio::buffer(m_pending), ec);
      m_pending.erase(0, n);
      if (ec && ec != http::error::need_more) return std::nullopt;
      if (parser.is_done()) return parser.release();
      if (n > 0 && !m_pending.empty()) continue;
    }
    char buf[4096];
    const int n = read_some(buf, sizeof(buf), timeout);
    if (n <= 0) {
      if (!parser.got_some()) return std::nullopt;
      boost::beast::error_code ec;
      parser.put_eof(ec);
      if (!ec && parser.is_done()) return parser.release();
      return std::nullopt;
    }
    m_pending.append(buf, static_cast<std::size_t>(n));
  }
}

std::optional<HttpResponse> TestClient::request(std::string_view method, std::string_view target,
                                                std::string_view body, std::string_view extra_headers) {
  std::string text = std::string(method) + " " + std::string(target) +
                     " HTTP/1.1\r\nHost: localhost\r\n" + std::string(extra_headers);
  if (!body.empty() || method == "POST") text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  text += "\r\n";
  text += body;
  if (!send(text)) return std::nullopt;
  return read_response();
}

bool TestClient::closed_within(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    const int n = read_some(buf, sizeof(buf), left);
    if (n == 0) return true;
    if (n < 0) return false;
  }
}

ServerOptions test_options() {
  ServerOptions o;
  o.threads = 4;
  o.read_timeout = std::chrono::seconds(5);
  o.write_timeout = std::chrono::seconds(5);
  o.idle_timeout = std::chrono::seconds(5);
  o.shutdown_grace = std::chrono::seconds(10);
  return o;
}

std::unique_ptr<Server> start_server(Router router, ServerOptions options) {
  auto server = Server::create(std::move(options), std::move(router), test_identity());
  if (!server) {
    ADD_FAILURE() << "create: " << server.error().message << " " << server.error().detail;
    return nullptr;
  }
  if (auto started = (*server)->start(); !started) {
    ADD_FAILURE() << "start: " << started.error().message;
    return nullptr;
  }
  return std::move(server).value();
}

std::unique_ptr<TestClient> open_client(std::uint16_t port, bool tls) {
  auto client = TestClient::connect(port);
  EXPECT_NE(client, nullptr) << "cannot connect to port " << port;
  if (client && tls) {
    const std::string error = client->handshake(TLS1_2_VERSION);
    EXPECT_EQ(error, "");
    if (!error.empty()) return nullptr;
  }
  return client;
}

}  // namespace qualsig::server::test
