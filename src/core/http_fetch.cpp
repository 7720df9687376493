#include "core/http_fetch.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/http.h>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <memory>

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

// A connected non-blocking TCP socket to host:port within `deadline` (non-blocking, so that
// OpenSSL's exchange waits with its timeout instead of blocking in read); a refused connection fails at
// once. (OpenSSL's own connect, BIO_do_connect_retry, retries a refused connection until the
// timeout: a responder that is down would cost the whole timeout per request.)
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

std::string printable(const std::string& url) {
  std::string out;
  for (char c : url.substr(0, 200)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

Result<Bytes> http_fetch(const HttpRequest& request) {
  ParsedUrl u;
  ERR_clear_error();
  if (OSSL_HTTP_parse_url(request.url.c_str(), &u.ssl, &u.user, &u.host, &u.port, &u.port_num, &u.path, &u.query,
                          &u.frag) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::usage, "not an http:// URL: " + printable(request.url));
  }
  if (u.ssl != 0 || request.url.rfind("http://", 0) != 0)
    return fail(ErrorCode::usage, "only http:// URLs are fetched (RFC 5280 §4.2.1.13): " + printable(request.url));
  const auto deadline = Clock::now() + request.timeout;
  QS_TRY(int fd, connect_to(u.host, u.port, deadline));
  auto connection = wrap(BIO_new_socket(fd, BIO_CLOSE));
  if (!connection) {
    ::close(fd);
    return fail(ErrorCode::internal, "out of memory");
  }
  BIO_set_nbio(connection.get(), 1);
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
    return fail(ErrorCode::unavailable, "cannot fetch " + printable(request.url) + (why.empty() ? "" : ": " + why));
  }
  Bytes body = read_all(response.get());
  ERR_clear_error();
  if (body.empty()) return fail(ErrorCode::unavailable, "empty response from " + printable(request.url));
  return body;
}

}  // namespace qualsig::core
