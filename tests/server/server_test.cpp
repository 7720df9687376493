// In-process tests of the HTTP(S) server: servers on 127.0.0.1 port 0, a TLS identity made with
// OpenSSL in the test, clients on plain sockets + OpenSSL (test_client.h).

#include <gtest/gtest.h>

#include <csignal>
#include <random>
#include <sstream>
#include <stdexcept>

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "server/server.h"
#include "test_client.h"

namespace qualsig::server {
namespace {

namespace http = boost::beast::http;
using test::HttpResponse;
using test::open_client;
using test::start_server;
using test::test_options;

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }
};

void expect_problem(const std::optional<HttpResponse>& r, unsigned status) {
  ASSERT_TRUE(r.has_value()) << "no response";
  EXPECT_EQ(r->result_int(), status);
  EXPECT_EQ((*r)[http::field::content_type], "application/problem+json");
  const auto j = nlohmann::json::parse(r->body(), nullptr, false);
  ASSERT_TRUE(j.is_object()) << r->body();
  EXPECT_EQ(j["status"], status);
  EXPECT_EQ(j["type"], "about:blank");
  EXPECT_TRUE(j["title"].is_string());
  EXPECT_TRUE(j["detail"].is_string());
}

Handler ok_handler(std::string text = "ok") {
  return [text](const Request&) -> Result<Response> { return json(200, {{"result", text}}); };
}

TEST_F(ServerTest, HealthAndReadyOnBothListeners) {
  auto server = start_server(Router{});
  ASSERT_NE(server, nullptr);
  for (const bool tls : {true, false}) {
    SCOPED_TRACE(tls ? "https" : "http");
    auto client = open_client(tls ? server->https_port() : server->http_port(), tls);
    ASSERT_NE(client, nullptr);
    auto health = client->request("GET", "/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->result_int(), 200u);
    EXPECT_EQ((*health)[http::field::content_type], "application/json");
    EXPECT_EQ(nlohmann::json::parse(health->body()), (nlohmann::json{{"status", "ok"}}));
    EXPECT_EQ((*health)[http::field::server], "qualsig");
    EXPECT_EQ((*health)[http::field::cache_control], "no-store");
    auto ready = client->request("GET", "/readyz");
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->result_int(), 200u);
    EXPECT_EQ(nlohmann::json::parse(ready->body()), (nlohmann::json{{"status", "ready"}}));
  }
}

TEST_F(ServerTest, TlsBelow12IsRefused12And13Accepted) {
  auto server = start_server(Router{});
  ASSERT_NE(server, nullptr);
  struct Case {
    const char* name;
    int min;
    int max;
    int expected;  // 0: refused
  };
  const Case cases[] = {
      {"tls1.1-only", TLS1_VERSION, TLS1_1_VERSION, 0},
      // The same permissive client succeeds once it may offer TLS 1.2: the refusal above is
      // the server's, not the client's own configuration.
      {"tls1.0-to-1.2", TLS1_VERSION, TLS1_2_VERSION, TLS1_2_VERSION},
      {"tls1.2-only", TLS1_2_VERSION, TLS1_2_VERSION, TLS1_2_VERSION},
      {"tls1.3-only", TLS1_3_VERSION, TLS1_3_VERSION, TLS1_3_VERSION},
      {"any", TLS1_VERSION, 0, TLS1_3_VERSION},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto client = test::TestClient::connect(server->https_port());
    ASSERT_NE(client, nullptr);
    const std::string error = client->handshake(c.min, c.max);
    if (c.expected == 0) {
      EXPECT_NE(error, "");
      EXPECT_NE(error.find("protocol version"), std::string::npos) << error;
      continue;
    }
    ASSERT_EQ(error, "");
    EXPECT_EQ(client->tls_version(), c.expected);
    auto r = client->request("GET", "/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 200u);
  }
}

TEST_F(ServerTest, HttpsOnlyRouteIsNotFoundOnPlainListener) {
  Router router;
  router.add("GET", "/v1/identities", ok_handler("private"));
  router.add("GET", "/crl", ok_handler("public"), Listener::both);
  auto server = start_server(std::move(router));
  ASSERT_NE(server, nullptr);

  auto https = open_client(server->https_port(), true);
  auto plain = open_client(server->http_port(), false);
  ASSERT_TRUE(https && plain);
  auto r = https->request("GET", "/v1/identities");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200u);
  expect_problem(plain->request("GET", "/v1/identities"), 404);
  r = plain->request("GET", "/crl");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200u);
  expect_problem(https->request("GET", "/no/such/path"), 404);
}

TEST_F(ServerTest, OversizeBodyGets413AndClose) {
  Router router;
  router.add("POST", "/v1/sign", ok_handler());
  ServerOptions options = test_options();
  options.body_limit = 1024;
  auto server = start_server(std::move(router), options);
  ASSERT_NE(server, nullptr);

  {
    auto client = open_client(server->https_port(), true);
    ASSERT_NE(client, nullptr);
    auto r = client->request("POST", "/v1/sign", std::string(1024, 'a'));  // at the limit
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 200u);
  }
  struct Case {
    const char* name;
    bool tls;
    bool chunked;
    std::size_t size;
  };
  const Case cases[] = {
      {"content-length", true, false, 2048},
      {"chunked", true, true, 2048},
      // The client is still sending when the 413 goes out (the server reads and discards
      // for a while before closing, RFC 9112 §9.6; loopback buffers hide a missing linger).
      {"content-length-large", true, false, 512 * 1024},
      {"content-length-large-plain", false, false, 512 * 1024},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const bool chunked = c.chunked;
    auto client = open_client(c.tls ? server->https_port() : server->http_port(), c.tls);
    ASSERT_NE(client, nullptr);
    const std::string body(c.size, 'b');
    std::optional<HttpResponse> r;
    if (chunked) {
      ASSERT_TRUE(client->send("POST /v1/sign HTTP/1.1\r\nHost: localhost\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n800\r\n" + body + "\r\n0\r\n\r\n"));
      r = client->read_response();
    } else {
      r = client->request("POST", "/v1/sign", body);
    }
    expect_problem(r, 413);
    EXPECT_EQ(nlohmann::json::parse(r->body())["status"], 413);
    EXPECT_FALSE(r->keep_alive());
    EXPECT_TRUE(client->closed_within(std::chrono::seconds(3)));
  }
}

TEST_F(ServerTest, MalformedRequestsGet400AndClose) {
  Router router;
  router.add("POST", "/v1/sign", ok_handler());
  auto server = start_server(std::move(router));
  ASSERT_NE(server, nullptr);
  struct Case {
    const char* name;
    const char* bytes;
  };
  const Case cases[] = {
      {"garbage", "GARBAGE\r\n\r\n"},
      {"header-without-colon", "GET /healthz HTTP/1.1\r\nHost: localhost\r\nNoColonHere\r\n\r\n"},
      {"bad-content-length", "POST /v1/sign HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n"},
      {"two-content-lengths",
       "POST /v1/sign HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"},
      {"bad-chunk-size", "POST /v1/sign HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"},
      {"bad-version", "GET /healthz HTTP/9.x\r\nHost: localhost\r\n\r\n"},
      {"space-in-target", "GET /a b HTTP/1.1\r\nHost: localhost\r\n\r\n"},
      {"missing-host", "GET /healthz HTTP/1.1\r\n\r\n"},
      {"two-hosts", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
      {"authority-form-target", "GET localhost:80 HTTP/1.1\r\nHost: localhost\r\n\r\n"},
  };
  for (const bool tls : {false, true}) {
    for (const auto& c : cases) {
      SCOPED_TRACE(std::string(c.name) + (tls ? " over https" : " over http"));
      auto client = open_client(tls ? server->https_port() : server->http_port(), tls);
      ASSERT_NE(client, nullptr);
      ASSERT_TRUE(client->send(c.bytes));
      expect_problem(client->read_response(), 400);
      EXPECT_TRUE(client->closed_within(std::chrono::seconds(3)));
    }
  }
  // The server is still fine.
  auto client = open_client(server->https_port(), true);
  ASSERT_NE(client, nullptr);
  auto r = client->request("GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200u);
}

TEST_F(ServerTest, HandlerErrorsAndExceptionsBecomeProblems) {
  Router router;
  router.add("GET", "/v1/missing", [](const Request&) -> Result<Response> {
    return fail(ErrorCode::not_found, "no such identity", "sqlite row lookup id=7");
  });
  router.add("GET", "/v1/throws", [](const Request&) -> Result<Response> {
    throw std::runtime_error("password=hunter2 in connection string");
  });
  router.add("GET", "/v1/token", [](const Request&) -> Result<Response> {
    return fail(ErrorCode::token, "signing key unavailable", "CKR_DEVICE_ERROR slot 3");
  });
  auto server = start_server(std::move(router));
  ASSERT_NE(server, nullptr);
  auto client = open_client(server->https_port(), true);
  ASSERT_NE(client, nullptr);

  auto r = client->request("GET", "/v1/missing");
  expect_problem(r, 404);
  EXPECT_EQ(nlohmann::json::parse(r->body())["detail"], "no such identity");
  EXPECT_EQ(r->body().find("sqlite"), std::string::npos);

  r = client->request("GET", "/v1/throws");
  expect_problem(r, 500);
  EXPECT_EQ(r->body().find("hunter2"), std::string::npos);
  EXPECT_TRUE(r->keep_alive());  // a handler failure is not a transport failure

  r = client->request("GET", "/v1/token");
  expect_problem(r, 503);
  EXPECT_EQ(r->body().find("CKR_"), std::string::npos);
}

TEST_F(ServerTest, WrongMethodGets405WithAllow) {
  Router router;
  router.add("GET", "/v1/identities", ok_handler());
  router.add("POST", "/v1/identities", ok_handler());
  auto server = start_server(std::move(router));
  ASSERT_NE(server, nullptr);
  auto client = open_client(server->https_port(), true);
  ASSERT_NE(client, nullptr);
  auto r = client->request("DELETE", "/v1/identities");
  expect_problem(r, 405);
  EXPECT_EQ((*r)[http::field::allow], "GET, POST");
}

TEST_F(ServerTest, KeepAliveAndPipelining) {
  Router router;
  router.add("GET", "/v1/a", ok_handler("a"));
  router.add("GET", "/v1/b", ok_handler("b"));
  auto server = start_server(std::move(router));
  ASSERT_NE(server, nullptr);
  auto client = open_client(server->https_port(), true);
  ASSERT_NE(client, nullptr);

  for (const char* path : {"/v1/a", "/v1/b"}) {
    auto r = client->request("GET", path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->result_int(), 200u);
    EXPECT_TRUE(r->keep_alive());
  }
  // Two requests in one write are answered in order (RFC 9112 §9.3.2).
  ASSERT_TRUE(client->send("GET /v1/b HTTP/1.1\r\nHost: localhost\r\n\r\n"
                           "GET /v1/a HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
  auto first = client->read_response();
  auto second = client->read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(nlohmann::json::parse(first->body())["result"], "b");
  EXPECT_EQ(nlohmann::json::parse(second->body())["result"], "a");
  EXPECT_FALSE(second->keep_alive());
  EXPECT_TRUE(client->closed_within(std::chrono::seconds(3)));
}

TEST_F(ServerTest, GarbageOnTlsPortDoesNotCrash) {
  auto server = start_server(Router{});
  ASSERT_NE(server, nullptr);
  std::mt19937 rng(20240229);
  for (int round = 0; round < 8; ++round) {
    auto client = test::TestClient::connect(server->https_port());
    ASSERT_NE(client, nullptr);
    std::string noise(1024 * (round + 1), '\0');
    for (auto& ch : noise) ch = static_cast<char>(rng());
    if (round == 0) noise = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";   // plain HTTP
    if (round == 1) noise = std::string("\x16\x03\x01\x00\x05", 5) + "hello";  // truncated record
    client->send(noise);
    EXPECT_TRUE(client->closed_within(std::chrono::seconds(3))) << "round " << round;
  }
  auto client = open_client(server->https_port(), true);
  ASSERT_NE(client, nullptr);
  auto r = client->request("GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200u);
}

TEST_F(ServerTest, RequestFieldsAndResponseHeaders) {
  Router router;
  router.add("POST", "/v1/echo", [](const Request& req) -> Result<Response> {
    Response r = json(200, {{"method", req.method}, {"path", req.path}, {"query", req.query},
                            {"target", req.target}, {"tls", req.tls}, {"body", req.body},
                            {"x_multi", req.headers.count("x-multi") ? req.headers.at("x-multi") : ""},
                            {"remote_set", !req.remote.empty()}});
    r.headers.emplace_back("Cache-Control", "max-age=60");
    r.headers.emplace_back("Content-Length", "99999");  // framing is the server's; ignored
    r.headers.emplace_back("X-Request-Id", "abc");
    return r;
  });
  auto server = start_server(std::move(router));
  ASSERT_NE(server, nullptr);
  auto client = open_client(server->https_port(), true);
  ASSERT_NE(client, nullptr);
  auto r = client->request("POST", "/v1/echo?x=1", "payload", "X-Multi: one\r\nx-multi: two\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->result_int(), 200u);
  const auto j = nlohmann::json::parse(r->body());
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["path"], "/v1/echo");
  EXPECT_EQ(j["query"], "x=1");
  EXPECT_EQ(j["target"], "/v1/echo?x=1");
  EXPECT_EQ(j["tls"], true);
  EXPECT_EQ(j["body"], "payload");
  EXPECT_EQ(j["x_multi"], "one, two");
  EXPECT_EQ(j["remote_set"], true);
  EXPECT_EQ((*r)[http::field::cache_control], "max-age=60");
  EXPECT_EQ((*r)["X-Request-Id"], "abc");
  EXPECT_EQ((*r)[http::field::content_length], std::to_string(r->body().size()));
}

TEST_F(ServerTest, ReadinessCheckFailureGives503) {
  ServerOptions options = test_options();
  options.readiness_check = []() -> Result<void> {
    return fail(ErrorCode::database, "database unreachable", "PQconnect: host=db password=x");
  };
  auto server = start_server(Router{}, options);
  ASSERT_NE(server, nullptr);
  auto client = open_client(server->http_port(), false);
  ASSERT_NE(client, nullptr);
  auto r = client->request("GET", "/readyz");
  expect_problem(r, 503);
  EXPECT_EQ(r->body().find("PQconnect"), std::string::npos);
  auto h = client->request("GET", "/healthz");  // liveness is not readiness
  ASSERT_TRUE(h);
  EXPECT_EQ(h->result_int(), 200u);
}

TEST_F(ServerTest, AccessLogHasPathButNoQueryHeadersOrBody) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  sink->set_pattern("%v");
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  {
    Router router;
    router.add("POST", "/v1/sign", ok_handler());
    auto server = start_server(std::move(router));
    ASSERT_NE(server, nullptr);
    auto client = open_client(server->https_port(), true);
    ASSERT_NE(client, nullptr);
    auto r = client->request("POST", "/v1/sign?access_token=QUERYSECRET", "BODYSECRET",
                             "Authorization: Bearer HEADERSECRET\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 200u);
    // The access line is written once the response write completed; a graceful stop lets
    // that happen before the threads end (an abrupt stop may lose the line).
    server->shutdown();
    server->wait();
  }
  spdlog::set_default_logger(previous);

  const std::string log = captured.str();
  EXPECT_EQ(log.find("QUERYSECRET"), std::string::npos) << log;
  EXPECT_EQ(log.find("HEADERSECRET"), std::string::npos) << log;
  EXPECT_EQ(log.find("BODYSECRET"), std::string::npos) << log;
  bool found = false;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || j.value("event", "") != "access") continue;
    found = true;
    EXPECT_EQ(j["method"], "POST");
    EXPECT_EQ(j["path"], "/v1/sign");
    EXPECT_EQ(j["status"], 200);
    EXPECT_EQ(j["listener"], "https");
    EXPECT_TRUE(j["bytes_out"].is_number());
    EXPECT_TRUE(j["duration_ms"].is_number());
    EXPECT_TRUE(j["remote"].is_string());
  }
  EXPECT_TRUE(found) << log;
}

TEST_F(ServerTest, CreateAndStartErrors) {
  ServerOptions no_listener = test_options();
  no_listener.https_listen.clear();
  no_listener.http_listen.clear();
  auto r = Server::create(no_listener, Router{}, test::test_identity());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::usage);

  r = Server::create(test_options(), Router{}, std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::usage);

  for (const char* bad : {"localhost:80", "127.0.0.1", "127.0.0.1:65536", "::1:80", "[::1]80"}) {
    ServerOptions o = test_options();
    o.http_listen = bad;
    r = Server::create(o, Router{}, test::test_identity());
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << bad;
  }

  Router taken;
  taken.add("GET", "/healthz", ok_handler());
  r = Server::create(test_options(), std::move(taken), test::test_identity());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::usage);

  TlsIdentity mismatched = test::test_identity();
  mismatched.key = test::other_key();
  r = Server::create(test_options(), Router{}, std::move(mismatched));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);

  // Address in use.
  auto first = start_server(Router{});
  ASSERT_NE(first, nullptr);
  ServerOptions same = test_options();
  same.https_listen = "127.0.0.1:" + std::to_string(first->https_port());
  auto second = Server::create(same, Router{}, test::test_identity());
  ASSERT_TRUE(second);
  auto started = (*second)->start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::environment);
  EXPECT_NE(started.error().message.find("in use"), std::string::npos) << started.error().message;
  auto again = first->start();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::usage);
}

}  // namespace
}  // namespace qualsig::server
