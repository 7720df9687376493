// Slowloris: clients that trickle a request's header one byte at a time. read_timeout bounds
// the whole request (not each byte), so they are dropped on time, and other clients are served
// while 48 of them hold connections.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "server/server.h"
#include "test_client.h"

namespace qualsig::server {
namespace {

using namespace std::chrono_literals;
using test::open_client;
using test::start_server;
using test::test_options;

TEST(SlowClients, TricklingHeadersAreDroppedAfterReadTimeoutAndOthersAreServed) {
  std::signal(SIGPIPE, SIG_IGN);
  ServerOptions options = test_options();
  options.read_timeout = 2s;
  auto server = start_server(Router{}, options);
  ASSERT_NE(server, nullptr);
  std::vector<std::unique_ptr<test::TestClient>> slow;
  for (int i = 0; i < 48; ++i) {
    auto c = open_client(server->https_port(), true);
    ASSERT_NE(c, nullptr);
    slow.push_back(std::move(c));
  }
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: ";
  auto started = std::chrono::steady_clock::now();
  std::size_t sent = 0;
  // One byte per client every 100 ms: each request stays incomplete for much longer than the
  // read timeout if it were renewed per byte.
  while (std::chrono::steady_clock::now() - started < 1500ms) {
    for (auto& c : slow) c->send(std::string_view(request).substr(sent % request.size(), 1));
    ++sent;
    std::this_thread::sleep_for(100ms);
  }
  // Meanwhile the server answers others.
  auto other = open_client(server->https_port(), true);
  ASSERT_NE(other, nullptr);
  auto r = other->request("GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200u);
  // Keep trickling until well past the timeout: a timer renewed per byte would keep these
  // connections open now; one for the whole request closed them around the 2 s mark.
  while (std::chrono::steady_clock::now() - started < 5s) {
    for (auto& c : slow) c->send("a");
    std::this_thread::sleep_for(100ms);
  }
  std::size_t closed = 0;
  for (auto& c : slow) closed += c->closed_within(300ms) ? 1 : 0;
  EXPECT_EQ(closed, slow.size());
  auto after = open_client(server->https_port(), true);
  ASSERT_NE(after, nullptr);
  auto r2 = after->request("GET", "/healthz");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->result_int(), 200u);
}

}  // namespace
}  // namespace qualsig::server
