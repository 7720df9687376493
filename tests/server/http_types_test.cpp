// Unit tests without sockets: the ErrorCode -> status table, problem+json, routing, targets.

#include <gtest/gtest.h>

#include <stdexcept>

#include "server/http_types.h"
#include "server/router.h"
#include "server/session.h"

namespace qualsig::server {
namespace {

TEST(HttpStatus, EveryErrorCodeHasItsStatus) {
  const std::pair<ErrorCode, unsigned> table[] = {
      {ErrorCode::invalid_input, 400}, {ErrorCode::usage, 400},       {ErrorCode::not_found, 404},
      {ErrorCode::denied, 403},        {ErrorCode::already_exists, 409}, {ErrorCode::conflict, 409},
      {ErrorCode::pending, 202},       {ErrorCode::environment, 503}, {ErrorCode::token, 503},
      {ErrorCode::database, 503},      {ErrorCode::unavailable, 503}, {ErrorCode::crypto, 500},
      {ErrorCode::internal, 500},
  };
  for (const auto& [code, status] : table) {
    EXPECT_EQ(http_status(code), status) << error_code_name(code);
  }
}

TEST(Problem, HasRfc9457Members) {
  const Response r = problem(409, "Conflict", "identity is suspended");
  EXPECT_EQ(r.status, 409u);
  EXPECT_EQ(r.content_type, "application/problem+json");
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["type"], "about:blank");
  EXPECT_EQ(j["title"], "Conflict");
  EXPECT_EQ(j["status"], 409);
  EXPECT_EQ(j["detail"], "identity is suspended");
}

TEST(Problem, FromErrorNeverCarriesDetail) {
  const Response not_found = problem_from_error(make_error(ErrorCode::not_found, "no such identity", "row 7"));
  EXPECT_EQ(not_found.status, 404u);
  EXPECT_EQ(nlohmann::json::parse(not_found.body)["detail"], "no such identity");
  EXPECT_EQ(not_found.body.find("row 7"), std::string::npos);

  const Response internal = problem_from_error(make_error(ErrorCode::internal, "index out of range", "at x.cpp:12"));
  EXPECT_EQ(internal.status, 500u);
  EXPECT_EQ(internal.body.find("index out of range"), std::string::npos);
  EXPECT_EQ(internal.body.find("x.cpp"), std::string::npos);
}

TEST(Problem, InvalidUtf8IsReplacedNotThrown) {
  const Response r = problem(400, "Bad Request", std::string("bad \xff byte"));
  EXPECT_TRUE(nlohmann::json::accept(r.body));
}

Request make_request(std::string method, std::string path, bool tls) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  r.tls = tls;
  return r;
}

TEST(Router, ListenerFilterAndMethods) {
  Router router;
  router.add("GET", "/v1/x", [](const Request&) -> Result<Response> { return json(200, {{"m", "get"}}); });
  router.add("POST", "/v1/x", [](const Request&) -> Result<Response> { return json(201, {}); });
  router.add("GET", "/ocsp", [](const Request&) -> Result<Response> { return json(200, {}); }, Listener::both);
  router.add("POST", "/ocsp", [](const Request&) -> Result<Response> { return json(200, {}); });

  EXPECT_EQ(router.dispatch(make_request("GET", "/v1/x", true)).status, 200u);
  EXPECT_EQ(router.dispatch(make_request("POST", "/v1/x", true)).status, 201u);
  EXPECT_EQ(router.dispatch(make_request("GET", "/v1/x", false)).status, 404u);
  EXPECT_EQ(router.dispatch(make_request("GET", "/nope", true)).status, 404u);
  EXPECT_EQ(router.dispatch(make_request("get", "/v1/x", true)).status, 405u);  // methods are case-sensitive

  const Response https_405 = router.dispatch(make_request("DELETE", "/ocsp", true));
  ASSERT_EQ(https_405.status, 405u);
  ASSERT_EQ(https_405.headers.size(), 1u);
  EXPECT_EQ(https_405.headers[0], (std::pair<std::string, std::string>{"Allow", "GET, POST"}));
  // On plain HTTP the https-only POST is invisible, in Allow too.
  const Response http_405 = router.dispatch(make_request("POST", "/ocsp", false));
  ASSERT_EQ(http_405.status, 405u);
  EXPECT_EQ(http_405.headers[0].second, "GET");
}

TEST(Router, DuplicateRouteIsAProgrammingError) {
  Router router;
  router.add("GET", "/a", [](const Request&) -> Result<Response> { return json(200, {}); });
  EXPECT_THROW(router.add("GET", "/a", [](const Request&) -> Result<Response> { return json(200, {}); }),
               std::logic_error);
  EXPECT_THROW(router.add("GET", "relative", [](const Request&) -> Result<Response> { return json(200, {}); }),
               std::logic_error);
}

TEST(Router, UnsendableResponsesBecome500) {
  Router router;
  router.add("GET", "/split", [](const Request&) -> Result<Response> {
    Response r = json(200, {});
    r.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: x=1");
    return r;
  });
  router.add("GET", "/status", [](const Request&) -> Result<Response> { return json(1000, {}); });
  router.add("GET", "/throws", [](const Request&) -> Result<Response> { throw 42; });
  EXPECT_EQ(router.dispatch(make_request("GET", "/split", true)).status, 500u);
  EXPECT_EQ(router.dispatch(make_request("GET", "/status", true)).status, 500u);
  EXPECT_EQ(router.dispatch(make_request("GET", "/throws", true)).status, 500u);
}

struct TargetCase {
  const char* name;
  const char* target;
  bool ok;
  const char* path;
  const char* query;
};

TEST(SplitTarget, Forms) {
  const TargetCase cases[] = {
      {"origin", "/a/b", true, "/a/b", ""},
      {"origin-query", "/a?x=1&y=2", true, "/a", "x=1&y=2"},
      {"origin-empty-query", "/a?", true, "/a", ""},
      {"absolute", "http://example.com/ocsp?x", true, "/ocsp", "x"},
      {"absolute-upper-scheme", "HTTPS://example.com:8443/v1", true, "/v1", ""},
      {"absolute-no-path", "http://example.com", true, "/", ""},
      {"absolute-query-no-path", "http://example.com?q", true, "/", "q"},
      {"asterisk", "*", true, "*", ""},
      {"authority-form", "example.com:443", false, "", ""},
      {"other-scheme", "ftp://example.com/x", false, "", ""},
      {"empty", "", false, "", ""},
  };
  for (const auto& c : cases) {
    std::string path;
    std::string query;
    ASSERT_EQ(detail::split_target(c.target, path, query), c.ok) << c.name;
    if (!c.ok) continue;
    EXPECT_EQ(path, c.path) << c.name;
    EXPECT_EQ(query, c.query) << c.name;
  }
}

}  // namespace
}  // namespace qualsig::server
