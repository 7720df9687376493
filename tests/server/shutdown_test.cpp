// Graceful shutdown, signals and timeouts.

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <future>
#include <thread>

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include "server/server.h"
#include "test_client.h"

namespace qualsig::server {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;
using test::open_client;
using test::start_server;
using test::test_options;

class ShutdownTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }
};

// Waits for server->wait() with a bound, so a hang fails the test instead of the run.
bool wait_stopped(Server& server, std::chrono::seconds bound) {
  auto done = std::async(std::launch::async, [&server] { server.wait(); });
  return done.wait_for(bound) == std::future_status::ready;
}

TEST_F(ShutdownTest, SigtermLetsRequestsInFlightFinish) {
  auto entered = std::make_shared<std::promise<void>>();
  auto entered_once = std::make_shared<std::atomic<bool>>(false);
  Router router;
  router.add("POST", "/v1/slow", [entered, entered_once](const Request&) -> Result<Response> {
    if (!entered_once->exchange(true)) entered->set_value();
    std::this_thread::sleep_for(1s);  // e.g. an HSM that takes its time
    return json(200, {{"result", std::string(10000, 's')}});
  });
  auto server = start_server(std::move(router));
  ASSERT_NE(server, nullptr);
  server->handle_signals();

  auto slow = open_client(server->https_port(), true);
  auto probe = open_client(server->https_port(), true);
  auto idle = open_client(server->http_port(), false);
  ASSERT_TRUE(slow && probe && idle);
  auto ready = probe->request("GET", "/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->result_int(), 200u);

  // `probe` starts its next request but holds back the end of the header section, so it is
  // in flight (not idle) when the signal comes.
  ASSERT_TRUE(probe->send("GET /readyz HTTP/1.1\r\nHost: localhost\r\n"));
  // Ordering only (no timing assertion): give the server time to read those bytes, which
  // moves the connection from idle to in-flight; nothing else tells the client it happened.
  std::this_thread::sleep_for(1s);  // generous: CI runs this beside ASan-heavy tests
  ASSERT_TRUE(slow->send("POST /v1/slow HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_EQ(entered->get_future().wait_for(5s), std::future_status::ready);

  std::raise(SIGTERM);  // asio's handler turns this into shutdown()

  // Idle connections are closed at once; nobody can connect any more.
  EXPECT_TRUE(idle->closed_within(3s));
  EXPECT_EQ(test::TestClient::connect(server->https_port()), nullptr);

  ASSERT_TRUE(probe->send("\r\n"));
  auto not_ready = probe->read_response();
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->result_int(), 503u);
  EXPECT_EQ((*not_ready)[http::field::content_type], "application/problem+json");
  EXPECT_FALSE(not_ready->keep_alive());

  auto r = slow->read_response();
  ASSERT_TRUE(r) << "the request in flight lost its response";
  EXPECT_EQ(r->result_int(), 200u);
  EXPECT_EQ(nlohmann::json::parse(r->body())["result"].get<std::string>().size(), 10000u);
  EXPECT_FALSE(r->keep_alive());

  // Drop our ends so the server's lingering close ends now.
  slow.reset();
  probe.reset();
  ASSERT_TRUE(wait_stopped(*server, 8s));
  EXPECT_EQ(test::TestClient::connect(server->https_port()), nullptr);
  EXPECT_EQ(test::TestClient::connect(server->http_port()), nullptr);
}

TEST_F(ShutdownTest, ShutdownWithOnlyIdleConnectionsIsImmediate) {
  auto server = start_server(Router{});  // grace 10 s
  ASSERT_NE(server, nullptr);
  auto client = open_client(server->https_port(), true);
  ASSERT_NE(client, nullptr);
  auto r = client->request("GET", "/healthz");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->keep_alive());
  server->shutdown();
  server->shutdown();  // idempotent
  EXPECT_TRUE(client->closed_within(3s));
  // Well inside the grace period: nothing was in flight.
  EXPECT_TRUE(wait_stopped(*server, 5s));
}

TEST_F(ShutdownTest, SilentClientIsDroppedAfterReadTimeout) {
  ServerOptions options = test_options();
  options.read_timeout = 1s;
  auto server = start_server(Router{}, options);
  ASSERT_NE(server, nullptr);
  for (const bool tls : {false, true}) {
    SCOPED_TRACE(tls ? "https" : "http");
    // Connects (and for TLS: not even a ClientHello), then says nothing.
    auto silent = test::TestClient::connect(tls ? server->https_port() : server->http_port());
    ASSERT_NE(silent, nullptr);
    // Others are served meanwhile.
    auto other = open_client(server->https_port(), true);
    ASSERT_NE(other, nullptr);
    auto r = other->request("GET", "/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 200u);
    EXPECT_TRUE(silent->closed_within(4s));
  }
}

TEST_F(ShutdownTest, ShutdownBeforeStartAndWaitWithoutStart) {
  auto server = Server::create(test_options(), Router{}, test::test_identity());
  ASSERT_TRUE(server);
  (*server)->wait();  // returns: never started
  (*server)->shutdown();
  auto started = (*server)->start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::usage);
}

}  // namespace
}  // namespace qualsig::server
