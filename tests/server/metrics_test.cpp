// Prometheus /metrics: the exposition text parsed here line by line, and checked by an
// independent validator (tests/server/check_prometheus.py, standard-library Python, in place
// of promtool, which is not installed).

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <map>
#include <regex>
#include <stdexcept>
#include <thread>

#include "server/metrics.h"
#include "server/server.h"
#include "support/run_command.h"
#include "support/temp_dir.h"
#include "test_client.h"

namespace qualsig::server {
namespace {

// "name{labels}" -> value, from exposition text; fails the test on a line that is neither a
// sample nor # HELP / # TYPE.
std::map<std::string, double> parse_samples(const std::string& text) {
  static const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (\S+)$)");
  static const std::regex meta(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, meta)) continue;
    if (!std::regex_match(line, m, sample)) {
      ADD_FAILURE() << "not a sample line: " << line;
      continue;
    }
    const std::string v = m[3];
    out[m[1].str() + m[2].str()] = v == "+Inf" ? INFINITY : std::stod(v);
  }
  return out;
}

std::string check_with_python(const std::string& text, int& status) {
  qualsig::testing::TempDir dir;
  const auto path = dir.path() / "metrics.txt";
  std::ofstream(path, std::ios::binary) << text;
  auto r = qualsig::testing::run("python3 " QUALSIG_SOURCE_DIR "/tests/server/check_prometheus.py " + path.string());
  status = r.status;
  return r.output;
}

TEST(Metrics, CountersHistogramAndGaugesRender) {
  Metrics m;
  m.observe_request("/v1/sign", "POST", 200, 0.003);
  m.observe_request("/v1/sign", "POST", 200, 0.2);
  m.observe_request("/v1/sign", "POST", 403, 20.0);  // above the last bucket: only +Inf
  m.observe_request("unmatched", "BREW", 404, 0.0005);
  m.count_signature("signed");
  m.count_signature("signed");
  m.count_signature("denied");
  m.count_hsm_error();
  m.count_auth_failure("bad_token");
  m.add_gauge("qualsig_test_value", "A test gauge.", [] { return std::optional<double>(42.5); });
  m.add_gauge("qualsig_test_unknown", "Unknown right now.", [] { return std::optional<double>(); });

  const std::string text = m.render();
  auto s = parse_samples(text);
  EXPECT_EQ(s[R"(qualsig_http_requests_total{route="/v1/sign",method="POST",code="200"})"], 2);
  EXPECT_EQ(s[R"(qualsig_http_requests_total{route="/v1/sign",method="POST",code="403"})"], 1);
  EXPECT_EQ(s[R"(qualsig_http_requests_total{route="unmatched",method="other",code="404"})"], 1);
  EXPECT_EQ(text.find("BREW"), std::string::npos);
  const std::string b = R"(qualsig_http_request_duration_seconds_bucket{route="/v1/sign",le=")";
  EXPECT_EQ(s[b + R"(0.001"})"], 0);
  EXPECT_EQ(s[b + R"(0.005"})"], 1);
  EXPECT_EQ(s[b + R"(0.25"})"], 2);
  EXPECT_EQ(s[b + R"(10"})"], 2);
  EXPECT_EQ(s[b + R"(+Inf"})"], 3);
  EXPECT_EQ(s[R"(qualsig_http_request_duration_seconds_count{route="/v1/sign"})"], 3);
  EXPECT_NEAR(s[R"(qualsig_http_request_duration_seconds_sum{route="/v1/sign"})"], 20.203, 1e-9);
  EXPECT_EQ(s[R"(qualsig_signatures_total{outcome="signed"})"], 2);
  EXPECT_EQ(s[R"(qualsig_signatures_total{outcome="denied"})"], 1);
  EXPECT_EQ(s["qualsig_hsm_errors_total"], 1);
  EXPECT_EQ(s[R"(qualsig_auth_failures_total{reason="bad_token"})"], 1);
  EXPECT_EQ(s["qualsig_test_value"], 42.5);
  EXPECT_EQ(s.count("qualsig_test_unknown"), 0u);
  EXPECT_NE(text.find("# TYPE qualsig_test_unknown gauge\n"), std::string::npos);
  EXPECT_GT(s["process_resident_memory_bytes"], 1e6);
  const double start = s["process_start_time_seconds"];
  const double now = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch()).count());
  EXPECT_GT(start, now - 3600);
  EXPECT_LE(start, now + 1);
  EXPECT_NE(text.find("# TYPE qualsig_http_request_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE qualsig_http_requests_total counter\n"), std::string::npos);

  int status = -1;
  const auto out = check_with_python(text, status);
  EXPECT_EQ(status, 0) << out << text;
}

TEST(Metrics, LabelValuesAreEscapedAndBounded) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  Metrics m;
  m.count_auth_failure("quote\"back\\slash\nnewline");
  for (int i = 0; i < 100; ++i) m.count_auth_failure("reason_" + std::to_string(i));
  const std::string text = m.render();
  auto s = parse_samples(text);
  EXPECT_EQ(s[R"(qualsig_auth_failures_total{reason="quote\"back\\slash\nnewline"})"], 1);
  std::size_t series = 0;
  for (const auto& [k, v] : s) series += k.rfind("qualsig_auth_failures_total{", 0) == 0 ? 1 : 0;
  EXPECT_EQ(series, Metrics::kMaxLabelValues + 1);  // 32 kept values plus "other"
  EXPECT_EQ(s[R"(qualsig_auth_failures_total{reason="other"})"], 101 - Metrics::kMaxLabelValues);
  int status = -1;
  const auto out = check_with_python(text, status);
  EXPECT_EQ(status, 0) << out;
}

TEST(Metrics, BadGaugeNamesAreProgrammingErrors) {
  Metrics m;
  auto reader = [] { return std::optional<double>(1); };
  EXPECT_THROW(m.add_gauge("", "h", reader), std::logic_error);
  EXPECT_THROW(m.add_gauge("1abc", "h", reader), std::logic_error);
  EXPECT_THROW(m.add_gauge("with space", "h", reader), std::logic_error);
  EXPECT_THROW(m.add_gauge("qualsig_hsm_errors_total", "h", reader), std::logic_error);
  EXPECT_THROW(m.add_gauge("ok_name", "h", nullptr), std::logic_error);
  m.add_gauge("ok_name", "help with \\ and\nnewline", reader);
  EXPECT_THROW(m.add_gauge("ok_name", "h", reader), std::logic_error);
  EXPECT_NE(m.render().find("# HELP ok_name help with \\\\ and\\nnewline\n"), std::string::npos);
}

TEST(Metrics, ConcurrentObservationsAreAllCounted) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < 1000; ++i) {
        m.observe_request(t % 2 ? "/a" : "/b", "GET", 200, 0.01 * i);
        m.count_signature("signed");
        m.count_hsm_error();
        if (i % 100 == 0) (void)m.render();
      }
    });
  }
  for (auto& t : threads) t.join();
  auto s = parse_samples(m.render());
  EXPECT_EQ(m.requests_total(), 4000u);
  EXPECT_EQ(s[R"(qualsig_http_request_duration_seconds_count{route="/a"})"], 2000);
  EXPECT_EQ(s[R"(qualsig_signatures_total{outcome="signed"})"], 4000);
  EXPECT_EQ(s["qualsig_hsm_errors_total"], 4000);
}

TEST(Metrics, TheCheckerRefusesBrokenExpositions) {
  // The independent checker must be able to fail, or passing it proves nothing.
  const std::pair<const char*, const char*> broken[] = {
      {"not-cumulative",
       "# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 3\n"},
      {"inf-not-count", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"},
      {"bad-escape", "m{a=\"\\x\"} 1\n"},
      {"bad-name", "1m 1\n"},
      {"bad-value", "m one\n"},
      {"duplicate-series", "m{a=\"1\"} 1\nm{a=\"1\"} 2\n"},
      {"type-after-sample", "m 1\n# TYPE m gauge\n"},
      {"negative-counter", "# TYPE c counter\nc -1\n"},
      {"no-final-newline", "m 1"},
  };
  for (const auto& [name, text] : broken) {
    int status = -1;
    const auto out = check_with_python(text, status);
    EXPECT_NE(status, 0) << name << ": " << out;
  }
}

TEST(Metrics, ServerObservesRequestsAndServesMetricsOverHttpsOnly) {
  std::signal(SIGPIPE, SIG_IGN);
  Router router;
  router.add("GET", "/v1/thing", [](const Request&) -> Result<Response> { return json(200, {{"ok", true}}); });
  router.add("GET", "/ocsp/*", [](const Request&) -> Result<Response> { return json(200, {{"ok", true}}); },
             Listener::both);
  ServerOptions options = test::test_options();
  options.metrics = std::make_shared<Metrics>();
  options.metrics->add_gauge("qualsig_audit_log_entries", "Entries in the audit log.", [] { return std::optional<double>(7); });
  auto server = test::start_server(std::move(router), options);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->metrics(), options.metrics);

  auto https = test::open_client(server->https_port(), true);
  auto plain = test::open_client(server->http_port(), false);
  ASSERT_TRUE(https && plain);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(https->request("GET", "/v1/thing"));
  ASSERT_TRUE(plain->request("GET", "/ocsp/MEUwQzBBMD8wPTAJBgUrDgMCGgUABBQ"));
  ASSERT_TRUE(https->request("GET", "/ocsp/another%2Fpath"));
  ASSERT_TRUE(https->request("GET", "/secret/path/123"));  // 404
  ASSERT_TRUE(https->request("DELETE", "/v1/thing"));      // 405
  auto on_plain = plain->request("GET", "/metrics");
  ASSERT_TRUE(on_plain);
  EXPECT_EQ(on_plain->result_int(), 404u);
  {
    auto bad = test::open_client(server->http_port(), false);
    ASSERT_TRUE(bad && bad->send("GARBAGE\r\n\r\n"));
    ASSERT_TRUE(bad->read_response());  // 400, before any route
  }

  auto r = https->request("GET", "/metrics");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->result_int(), 200u);
  EXPECT_EQ((*r)[boost::beast::http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  const std::string text = r->body();
  auto s = parse_samples(text);
  EXPECT_EQ(s[R"(qualsig_http_requests_total{route="/v1/thing",method="GET",code="200"})"], 3);
  EXPECT_EQ(s[R"(qualsig_http_requests_total{route="/ocsp/*",method="GET",code="200"})"], 2);
  EXPECT_EQ(s[R"(qualsig_http_requests_total{route="/v1/thing",method="DELETE",code="405"})"], 1);
  // The plain listener's /metrics and the unknown path are both "unmatched" 404s.
  EXPECT_EQ(s[R"(qualsig_http_requests_total{route="unmatched",method="GET",code="404"})"], 2);
  EXPECT_EQ(s[R"(qualsig_http_requests_total{route="unmatched",method="",code="400"})"] +
                s[R"(qualsig_http_requests_total{route="unmatched",method="other",code="400"})"],
            1);
  EXPECT_EQ(text.find("/secret"), std::string::npos) << "raw paths must not become labels";
  EXPECT_EQ(text.find("MEUwQzBB"), std::string::npos);
  EXPECT_EQ(s[R"(qualsig_http_request_duration_seconds_bucket{route="/v1/thing",le="+Inf"})"], 4);  // incl. the 405
  EXPECT_EQ(s["qualsig_audit_log_entries"], 7);
  int status = -1;
  auto out = check_with_python(text, status);
  EXPECT_EQ(status, 0) << out << text;

  // Counters move: the scrape itself is counted by the next one.
  auto again = https->request("GET", "/metrics");
  ASSERT_TRUE(again);
  auto s2 = parse_samples(again->body());
  EXPECT_EQ(s2[R"(qualsig_http_requests_total{route="/metrics",method="GET",code="200"})"], 1);
  EXPECT_EQ(s2[R"(qualsig_http_requests_total{route="/v1/thing",method="GET",code="200"})"], 3);
}

TEST(Metrics, MetricsRouteConflictIsRefused) {
  Router router;
  router.add("GET", "/metrics", [](const Request&) -> Result<Response> { return json(200, {}); });
  ServerOptions options = test::test_options();
  options.metrics = std::make_shared<Metrics>();
  auto server = Server::create(options, std::move(router), test::test_identity());
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code, ErrorCode::usage);
}

}  // namespace
}  // namespace qualsig::server
