#include "core/http_fetch.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "core/openssl.h"

namespace qualsig::core {
namespace {

// Frees what OSSL_HTTP_parse_url allocated.
struct ParsedUrl {
  int ssl = 0;
  char* user = nullptr;
  char* host = nullptr;
  char* port = nullptr;
  char* path = nullptr;
  char* query = nullptr;
  char* frag = nullptr;
  int port_num = 0;
  ParsedUrl() = default;
  ParsedUrl(const ParsedUrl&) = delete;
  ParsedUrl& operator=(const ParsedUrl&) = delete;
  ~ParsedUrl() {
    for (char* p : {user, host, port, path, query, frag}) OPENSSL_free(p);
  }
};

Bytes read_all(BIO* bio) {
  Bytes out;
  std::uint8_t buf[16384];
  for (int n; (n = BIO_read(bio, buf, sizeof buf)) > 0;) out.insert(out.end(), buf, buf + n);
  return out;
}

using Clock = std::chrono::steady_clock;


// A connected TCP socket to host:port within `deadline`, left non-blocking so that OpenSSL's
// exchange waits with its timeout instead of blocking in read. A refused connection fails at
// once (OpenSSL's own connect, BIO_do_connect_retry, retries a refused connection until the
// timeout: a responder that is down would cost the whole timeout per request). Name resolution
// is the system resolver's and is not bounded by `deadline`.
Result<int> connect_to(const char* host, const char* port, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host, port, &hints, &found); rc != 0)
    return fail(ErrorCode::unavailable, std::string("cannot resolve ") + host + ": " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
  std::string why = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{fd, POLLOUT, 0};
      rc = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
      int err = 0;
      socklen_t len = sizeof err;
      if (rc == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
        rc = 0;
      } else {
        why = rc == 0 ? "connection timed out" : std::strerror(err != 0 ? err : errno);
        rc = -1;
      }
    } else if (rc != 0) {
      why = std::strerror(errno);
    }
    if (rc == 0) return fd;
    ::close(fd);
  }
  return fail(ErrorCode::unavailable, std::string("cannot connect to ") + host + ":" + port + ": " + why);
}

// Puts TLS over the connected non-blocking `connection` and completes the handshake by
// `deadline`: the chain (SSL BIO over the socket BIO, which it then owns), or why not.
Result<UniquePtr<BIO>> start_tls(UniquePtr<BIO> connection, int fd, const char* host, const std::string& ca_file,
                                 Clock::time_point deadline) {
  auto ctx = wrap(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return fail(openssl_error(ErrorCode::internal, "TLS context"));
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  int loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx.get())
                               : SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr);
  if (loaded != 1)
    return fail(openssl_error(ErrorCode::environment, "cannot load the TLS trust anchors" + (ca_file.empty() ? std::string() : " from " + ca_file)));
  auto chain = wrap(BIO_new_ssl(ctx.get(), 1));  // the SSL object keeps its own reference to ctx
  SSL* ssl = nullptr;
  if (!chain || BIO_get_ssl(chain.get(), &ssl) != 1 || ssl == nullptr)
    return fail(openssl_error(ErrorCode::internal, "TLS connection"));
  // RFC 6125: the certificate must name the host; an IP address is matched as one (RFC 5280
  // iPAddress), a name is also sent as SNI (RFC 6066 §3, which excludes addresses).
  auto ip = wrap(a2i_IPADDRESS(host));
  ERR_clear_error();
  if (ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
  } else {
    SSL_set_tlsext_host_name(ssl, host);
    SSL_set1_host(ssl, host);
  }
  BIO_push(chain.get(), connection.release());
  while (BIO_do_handshake(chain.get()) != 1) {
    if (!BIO_should_retry(chain.get())) {
      long verify = SSL_get_verify_result(ssl);
      std::string why = verify != X509_V_OK ? std::string("certificate verification failed: ") + X509_verify_cert_error_string(verify)
                                            : drain_openssl_errors();
      ERR_clear_error();
      return fail(ErrorCode::unavailable, std::string("TLS handshake with ") + host + " failed: " + why);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd, static_cast<short>(BIO_should_write(chain.get()) ? POLLOUT : POLLIN), 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) != 1)
      return fail(ErrorCode::unavailable, std::string("TLS handshake with ") + host + " timed out");
  }
  return chain;
}

// Waits until `fd` is readable (or writable) by `deadline`; false on timeout.
bool wait_for(int fd, bool write, Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  pollfd p{fd, static_cast<short>(write ? POLLOUT : POLLIN), 0};
  return left > 0 && ::poll(&p, 1, static_cast<int>(left)) == 1;
}

// A plain HTTP/1.0 GET for a body that is not DER (OpenSSL's client reads only DER into memory
// under its limit): request, then everything up to the server's close, at most `max` body bytes
// and by `deadline`; status 200 required, a Content-Length honoured, chunked coding refused
// (an HTTP/1.0 request may not get it, RFC 9112 §7.1).
Result<Bytes> get_plain(BIO* connection, int fd, const std::string& host, const std::string& path, std::size_t max,
                        Clock::time_point deadline, const std::string& url) {
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nAccept: application/json\r\n" +
                              "User-Agent: qualsig\r\nConnection: close\r\n\r\n";
  for (std::size_t sent = 0; sent < request.size();) {
    int n = BIO_write(connection, request.data() + sent, static_cast<int>(request.size() - sent));
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (!BIO_should_retry(connection) || !wait_for(fd, BIO_should_write(connection) != 0, deadline)) {
      return fail(ErrorCode::unavailable, "cannot send the request to " + url);
    }
  }
  std::string raw;
  const std::size_t limit = max + 16384;  // the body plus a generous header
  char buf[16384];
  for (;;) {
    int n = BIO_read(connection, buf, sizeof buf);
    if (n > 0) {
      raw.append(buf, static_cast<std::size_t>(n));
      if (raw.size() > limit) return fail(ErrorCode::unavailable, "response from " + url + " exceeds " + std::to_string(max) + " bytes");
    } else if (n == 0 || !BIO_should_retry(connection)) {
      break;  // closed (a TLS close_notify or a plain EOF)
    } else if (!wait_for(fd, BIO_should_write(connection) != 0, deadline)) {
      return fail(ErrorCode::unavailable, "no complete response from " + url + " in time");
    }
  }
  ERR_clear_error();
  const std::size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos || head_end < 12 || raw.rfind("HTTP/1.", 0) != 0)
    return fail(ErrorCode::unavailable, "not an HTTP response from " + url);
  std::string head = raw.substr(0, head_end);
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string status = head.substr(9, 3);
  if (status != "200") return fail(ErrorCode::unavailable, "HTTP status " + printable_url(status) + " from " + url);
  if (head.find("\r\ntransfer-encoding:") != std::string::npos)
    return fail(ErrorCode::unavailable, "unsupported transfer coding in the response from " + url);
  Bytes body(raw.begin() + static_cast<std::ptrdiff_t>(head_end + 4), raw.end());
  if (auto at = head.find("\r\ncontent-length:"); at != std::string::npos) {
    std::size_t length = 0;
    try {
      length = std::stoul(head.substr(at + 17));
    } catch (const std::exception&) {
      return fail(ErrorCode::unavailable, "bad Content-Length from " + url);
    }
    if (length != body.size()) return fail(ErrorCode::unavailable, "truncated response from " + url);
  }
  if (body.size() > max) return fail(ErrorCode::unavailable, "response from " + url + " exceeds " + std::to_string(max) + " bytes");
  return body;
}


}  // namespace

std::string printable_url(std::string_view url) {
  std::string out;
  for (char c : url.substr(0, 200)) out += (c > 0x20 && c < 0x7f) ? c : '?';
  return out;
}

Result<Bytes> http_fetch(const HttpRequest& request) {
  ParsedUrl u;
  ERR_clear_error();
  if (OSSL_HTTP_parse_url(request.url.c_str(), &u.ssl, &u.user, &u.host, &u.port, &u.port_num, &u.path, &u.query,
                          &u.frag) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::usage, "not an http:// URL: " + printable_url(request.url));
  }
  const bool tls = u.ssl != 0;
  if (tls ? !request.https || request.url.rfind("https://", 0) != 0 : request.url.rfind("http://", 0) != 0)
    return fail(ErrorCode::usage, std::string(request.https ? "only http:// and https:// URLs are fetched: "
                                                            : "only http:// URLs are fetched (RFC 5280 §4.2.1.13): ") +
                                      printable_url(request.url));
  const auto deadline = Clock::now() + request.timeout;
  QS_TRY(int fd, connect_to(u.host, u.port, deadline));
  auto connection = wrap(BIO_new_socket(fd, BIO_CLOSE));
  if (!connection) {
    ::close(fd);
    return fail(ErrorCode::internal, "out of memory");
  }
  BIO_set_nbio(connection.get(), 1);
  if (tls) {
    QS_TRY(auto chain, start_tls(std::move(connection), fd, u.host, request.ca_file, deadline));
    connection = std::move(chain);
  }
  if (!request.der) {
    if (!request.body.empty()) return fail(ErrorCode::usage, "only GET is supported for a body that is not DER");
    std::string path = std::string(u.path) + (u.query && *u.query ? std::string("?") + u.query : "");
    return get_plain(connection.get(), fd, u.host, path, request.max_response, deadline, printable_url(request.url));
  }
  // The exchange gets what is left of the timeout (at least a second: OpenSSL counts seconds).
  auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now()).count();
  int timeout = static_cast<int>(std::max<long long>(1, left));
  const char* expected = request.expected_type.empty() ? nullptr : request.expected_type.c_str();
  std::string path = std::string(u.path) + (u.query && *u.query ? std::string("?") + u.query : "");
  UniquePtr<BIO> post;
  if (!request.body.empty()) {
    post = wrap(BIO_new_mem_buf(request.body.data(), static_cast<int>(request.body.size())));
    if (!post) return fail(ErrorCode::internal, "out of memory");
  }
  // A request BIO makes a POST, none a GET. expect_asn1 = 1: the body is read as one DER object
  // of at most max_response bytes. The connection BIO, given for writing and reading, stays ours
  // (OpenSSL connects only when it is given neither).
  auto response = wrap(OSSL_HTTP_transfer(nullptr, u.host, u.port, path.c_str(), 0, nullptr, nullptr, connection.get(),
                                          connection.get(), nullptr, nullptr, 0, nullptr,
                                          post ? request.content_type.c_str() : nullptr, post.get(), expected, 1,
                                          request.max_response, timeout, 0));
  if (!response) {
    std::string why = drain_openssl_errors();
    return fail(ErrorCode::unavailable, "cannot fetch " + printable_url(request.url) + (why.empty() ? "" : ": " + why));
  }
  Bytes body = read_all(response.get());
  ERR_clear_error();
  if (body.empty()) return fail(ErrorCode::unavailable, "empty response from " + printable_url(request.url));
  return body;
}

}  // namespace qualsig::core
