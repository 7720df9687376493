// core::http_fetch against a one-shot server in the test process that answers every connection
// with canned bytes: good answers, and the hostile or broken ones a responder or issuer may give.
#include "core/http_fetch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace qualsig::core {
namespace {

using namespace std::chrono_literals;

// Listens on 127.0.0.1 (a free port); each accepted connection reads the request head and gets
// `answer`, then is closed, unless `silent`, which holds it open without a word.
class CannedServer {
 public:
  explicit CannedServer(std::string answer, bool silent = false) : m_answer(std::move(answer)), m_silent(silent) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(m_fd, 8) != 0 ||
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("cannot listen");
    m_port = ntohs(a.sin_port);
    m_thread = std::thread([this] { serve(); });
  }
  ~CannedServer() {
    m_stop = true;
    ::shutdown(m_fd, SHUT_RDWR);
    ::close(m_fd);
    m_thread.join();
  }
  std::string url(const std::string& path = "/x") const { return "http://127.0.0.1:" + std::to_string(m_port) + path; }

 private:
  void serve() {
    while (!m_stop) {
      int c = ::accept(m_fd, nullptr, nullptr);
      if (c < 0) return;
      std::string head;
      char buf[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        head.append(buf, static_cast<std::size_t>(n));
      }
      if (m_silent) {
        for (int i = 0; i < 50 && !m_stop; ++i) std::this_thread::sleep_for(100ms);
      } else {
        (void)::send(c, m_answer.data(), m_answer.size(), MSG_NOSIGNAL);
      }
      ::close(c);
    }
  }
  std::string m_answer;
  bool m_silent;
  int m_fd = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

HttpRequest plain_get(const std::string& url) {
  HttpRequest r;
  r.url = url;
  r.der = false;
  r.timeout = 2s;
  r.max_response = 1000;
  return r;
}

TEST(HttpFetch, PlainGetReturnsTheBody) {
  CannedServer s("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"keys\":[]}");
  auto body = http_fetch(plain_get(s.url()));
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(std::string(body->begin(), body->end()), "{\"keys\":[]}");
}

TEST(HttpFetch, DerGetReturnsOneDerObject) {
  const std::string der("\x30\x03\x02\x01\x05", 5);
  CannedServer s("HTTP/1.0 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: 5\r\n\r\n" + der);
  HttpRequest r;
  r.url = s.url("/c.crl");
  r.timeout = 2s;
  auto body = http_fetch(r);
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(std::string(body->begin(), body->end()), der);
}

TEST(HttpFetch, BrokenAnswersAreUnavailableWithAReason) {
  struct Case {
    std::string answer, reason;
  };
  for (const Case& c : {Case{"HTTP/1.0 404 Not Found\r\nContent-Length: 3\r\n\r\nno!", "HTTP status 404"},
                        Case{"HTTP/1.0 200 OK\r\nContent-Length: 50\r\n\r\nshort", "truncated"},
                        Case{"HTTP/1.0 200 OK\r\n\r\n" + std::string(5000, 'x'), "exceeds 1000 bytes"},
                        Case{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "transfer coding"},
                        Case{"SSH-2.0-OpenSSH_9.2\r\n\r\n", "not an HTTP response"},
                        Case{"HTTP/1.0", "not an HTTP response"},
                        Case{"", "not an HTTP response"}}) {
    CannedServer s(c.answer);
    auto body = http_fetch(plain_get(s.url()));
    ASSERT_FALSE(body) << c.reason;
    EXPECT_EQ(body.error().code, ErrorCode::unavailable);
    EXPECT_NE(body.error().message.find(c.reason), std::string::npos) << body.error().message;
  }
}

TEST(HttpFetch, DerBodiesThatAreNotDerOrTooLargeAreRefused) {
  CannedServer garbage("HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\nnot DER!!");
  HttpRequest r;
  r.url = garbage.url();
  r.timeout = 2s;
  EXPECT_EQ(http_fetch(r).error().code, ErrorCode::unavailable);
  // A DER header announcing 1 MiB against a 1000-byte limit: refused before it is read.
  CannedServer huge(std::string("HTTP/1.0 200 OK\r\n\r\n\x30\x83\x10\x00\x00", 24) + std::string(4096, '\0'));
  r.url = huge.url();
  r.max_response = 1000;
  auto body = http_fetch(r);
  ASSERT_FALSE(body);
  EXPECT_NE(body.error().message.find("max resp len exceeded"), std::string::npos) << body.error().message;
}

TEST(HttpFetch, SilentServerTimesOutAndRefusedConnectionFailsAtOnce) {
  CannedServer silent("", true);
  auto t0 = std::chrono::steady_clock::now();
  auto r = plain_get(silent.url());
  r.timeout = 1s;
  auto body = http_fetch(r);
  ASSERT_FALSE(body);
  EXPECT_NE(body.error().message.find("in time"), std::string::npos) << body.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s);  // bounded by the timeout, not by the server

  int port = 0;
  {
    CannedServer gone("x");
    port = std::stoi(gone.url().substr(17, 5));
  }  // closed: nothing listens there now
  auto refused = http_fetch(plain_get("http://127.0.0.1:" + std::to_string(port) + "/x"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("Connection refused"), std::string::npos) << refused.error().message;
}

TEST(HttpFetch, OnlyTheAllowedSchemesAreFetched) {
  for (const char* url : {"https://127.0.0.1:1/x", "ftp://127.0.0.1/x", "ldap://directory.test/cn=x", "not a url", ""}) {
    HttpRequest r;
    r.url = url;
    auto body = http_fetch(r);
    ASSERT_FALSE(body) << url;
    EXPECT_EQ(body.error().code, ErrorCode::usage) << url;
  }
  HttpRequest r;
  r.url = "ftp://127.0.0.1/x";
  r.https = true;
  EXPECT_EQ(http_fetch(r).error().code, ErrorCode::usage);
}

}  // namespace
}  // namespace qualsig::core
