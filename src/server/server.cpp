#include "server/server.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <csignal>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "server/server_state.h"
#include "server/session.h"

namespace qualsig::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// "ip:port" or "[ipv6]:port".
Result<tcp::endpoint> parse_listen(std::string_view text, std::string_view option) {
  auto bad = [&](std::string_view why) {
    return fail(ErrorCode::invalid_input,
                std::string(option) + " \"" + std::string(text) + "\": " + std::string(why));
  };
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return bad("expected [ipv6]:port");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("expected ip:port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("write IPv6 addresses as [ipv6]:port");
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return bad("port must be a number from 0 to 65535");
  }
  boost::system::error_code addr_ec;
  const auto address = asio::ip::make_address(std::string(host), addr_ec);
  if (addr_ec) return bad("not an IP address");
  return tcp::endpoint(address, static_cast<std::uint16_t>(value));
}

}  // namespace

Result<void> validate_listen_address(std::string_view address, std::string_view option) {
  QS_TRY(auto endpoint, parse_listen(address, option));
  (void)endpoint;
  return ok();
}

struct Server::Impl {
  explicit Impl(unsigned thread_count)
      : ioc(static_cast<int>(thread_count)), control(asio::make_strand(ioc)), grace_timer(control), trim_timer(control) {}

  ServerOptions options;
  unsigned thread_count = 1;
  std::optional<tcp::endpoint> https_endpoint;
  std::optional<tcp::endpoint> http_endpoint;
  std::shared_ptr<std::atomic<bool>> draining = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<detail::ServerState> state;

  // Declared after `state`: destroying the io_context destroys the connections it still
  // holds, and they deregister from `state`.
  asio::io_context ioc;
  // Acceptors, signals and the grace timer all run on this strand.
  asio::strand<asio::io_context::executor_type> control;
  // Declared after `ioc`, so destroyed (stopped and joined) before it: a handler still
  // queued there holds a connection, whose socket belongs to `ioc`.
  std::optional<asio::thread_pool> handler_pool;
  std::optional<tcp::acceptor> https_acceptor;
  std::optional<tcp::acceptor> http_acceptor;
  std::optional<asio::signal_set> signals;
  asio::steady_timer grace_timer;
  // Returns the heap the request threads freed to the kernel once a burst of requests is over
  // (trim_when_idle).
  asio::steady_timer trim_timer;
  std::uint64_t requests_at_last_tick = 0, requests_at_last_trim = 0;
  std::uint16_t https_port = 0;
  std::uint16_t http_port = 0;

  std::atomic<bool> started{false};
  std::atomic<bool> shutdown_requested{false};
  std::mutex join_mutex;
  std::vector<std::thread> threads;

  Result<void> listen(std::optional<tcp::acceptor>& acceptor, const tcp::endpoint& endpoint,
                      std::string_view name) {
    boost::system::error_code ec;
    acceptor.emplace(control);
    acceptor->open(endpoint.protocol(), ec);
    // reuse_address only skips TIME_WAIT leftovers; a live listener still gives EADDRINUSE.
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) return ok();
    acceptor.reset();
    std::ostringstream where;
    where << endpoint;
    return fail(ErrorCode::environment,
                "cannot listen for " + std::string(name) + " on " + where.str() + ": " + ec.message());
  }

  void accept(tcp::acceptor& acceptor, bool tls) {
    acceptor.async_accept(asio::make_strand(ioc), [this, &acceptor, tls](boost::system::error_code ec,
                                                                          tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;  // shutting down
      if (!ec) {
        // One connection that cannot be set up (SSL_new failing, out of memory) must not end
        // the accept loop.
        try {
          detail::start_connection(std::move(socket), state, tls);
        } catch (const std::exception& e) {
          spdlog::error(dump({{"event", "connection_setup_failed"}, {"what", e.what()}}));
        }
        return accept(acceptor, tls);
      }
      // Out of descriptors and the like: back off instead of spinning.
      spdlog::warn(dump({{"event", "accept_failed"}, {"error", ec.message()}}));
      auto timer = std::make_shared<asio::steady_timer>(control, std::chrono::milliseconds(100));
      timer->async_wait([this, &acceptor, tls, timer](boost::system::error_code) {
        if (acceptor.is_open()) accept(acceptor, tls);
      });
    });
  }

  // Every 5 s on the control strand: when more than 1,000 requests were served since the last
  // trim and at most 10 in the last 5 s (health checks do not count as load), malloc_trim(0) gives
  // glibc's free pages back to the kernel (every arena, and madvise of free pages inside them).
  // Without it the per-thread arenas keep the high-water mark of each burst, and RSS after load
  // looks like a slow leak (BENCHMARKS.md). Not during load: the trim locks each arena while it
  // walks it.
  void trim_when_idle() {
    const Metrics* metrics = state->metrics();
    if (metrics == nullptr) return;  // no request count to tell idle from busy
    trim_timer.expires_after(std::chrono::seconds(5));
    trim_timer.async_wait([this, metrics](boost::system::error_code ec) {
      if (ec || shutdown_requested.load()) return;
      const std::uint64_t requests = metrics->requests_total();
      if (requests - requests_at_last_tick <= 10 && requests - requests_at_last_trim > 1000) {
        malloc_trim(0);
        requests_at_last_trim = requests;
      }
      requests_at_last_tick = requests;
      trim_when_idle();
    });
  }

  void request_shutdown() {
    if (shutdown_requested.exchange(true)) return;
    draining->store(true);  // /readyz answers 503 from now on
    asio::post(control, [this] { drain(); });
  }

  // On the control strand.
  void drain() {
    spdlog::info(dump({{"event", "shutdown"}, {"connections", state->connection_count()},
                       {"grace_s", options.shutdown_grace.count()}}));
    boost::system::error_code ignored;
    trim_timer.cancel();
    if (https_acceptor) https_acceptor->close(ignored);
    if (http_acceptor) http_acceptor->close(ignored);
    grace_timer.expires_after(options.shutdown_grace);
    grace_timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      spdlog::warn(dump({{"event", "shutdown_grace_expired"},
                         {"connections", state->connection_count()}}));
      ioc.stop();
    });
    state->begin_drain([this] { ioc.stop(); });
  }

  void wait_for_signal() {
    signals->async_wait([this](boost::system::error_code ec, int signal) {
      if (ec) return;
      if (shutdown_requested.load()) {
        spdlog::warn(dump({{"event", "signal"}, {"signal", signal}, {"action", "stop now"}}));
        ioc.stop();
        return;
      }
      spdlog::info(dump({{"event", "signal"}, {"signal", signal}, {"action", "shutdown"}}));
      request_shutdown();
      wait_for_signal();
    });
  }

  void run_thread() {
    // A thread entry point: the one place besides the per-request boundary that catches all.
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error(dump({{"event", "io_thread_exception"}, {"what", e.what()}}));
      } catch (...) {
        spdlog::error(dump({{"event", "io_thread_exception"}, {"what", "non-standard exception"}}));
      }
    }
  }

  void join() {
    std::lock_guard lock(join_mutex);
    for (auto& t : threads) {
      if (t.joinable()) t.join();
    }
    // A handler still running (shutdown grace expired) is waited for; its response goes to
    // the stopped io_context and is dropped with it.
    if (handler_pool) handler_pool->join();
    if (state) state->disarm();
  }
};

Server::Server(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Server::~Server() {
  if (m_impl->started.load()) {
    m_impl->ioc.stop();
    m_impl->join();
  }
}

Result<std::unique_ptr<Server>> Server::create(ServerOptions options, Router router,
                                               std::optional<TlsIdentity> tls) {
  if (options.https_listen.empty() && options.http_listen.empty()) {
    return fail(ErrorCode::usage, "no listener configured (https_listen and http_listen are empty)");
  }
  if (!options.https_listen.empty() && !tls) {
    return fail(ErrorCode::usage, "the HTTPS listener needs a TLS identity");
  }
  if (options.body_limit == 0 || options.read_timeout.count() <= 0 ||
      options.write_timeout.count() <= 0 || options.idle_timeout.count() <= 0 ||
      options.shutdown_grace.count() < 0) {
    return fail(ErrorCode::usage, "body limit and timeouts must be positive");
  }
  if (router.has("GET", "/healthz") || router.has("GET", "/readyz")) {
    return fail(ErrorCode::usage, "/healthz and /readyz are built-in routes");
  }
  if (options.metrics && router.has("GET", "/metrics")) {
    return fail(ErrorCode::usage, "/metrics is a built-in route when metrics are enabled");
  }

  unsigned threads = options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
  auto impl = std::make_unique<Impl>(std::max(threads, 1u));
  impl->thread_count = std::max(threads, 1u);

  std::unique_ptr<asio::ssl::context> ssl;
  if (!options.https_listen.empty()) {
    QS_TRY(impl->https_endpoint, parse_listen(options.https_listen, "https_listen"));
    QS_TRY(auto native, make_server_tls_context(*tls));
    // asio::ssl::context takes ownership of the SSL_CTX.
    ssl = std::make_unique<asio::ssl::context>(native.release());
  }
  if (!options.http_listen.empty()) {
    QS_TRY(impl->http_endpoint, parse_listen(options.http_listen, "http_listen"));
  }

  router.add("GET", "/healthz",
             [](const Request&) -> Result<Response> { return json(200, {{"status", "ok"}}); },
             Listener::both);
  router.add(
      "GET", "/readyz",
      [draining = impl->draining, check = options.readiness_check](const Request&) -> Result<Response> {
        if (draining->load()) return problem(503, status_phrase(503), "The server is shutting down.");
        if (check) {
          if (auto ready = check(); !ready) {
            const Error& e = ready.error();
            spdlog::warn(dump({{"event", "not_ready"}, {"code", error_code_name(e.code)},
                               {"message", e.message}, {"detail", e.detail}}));
            return problem(503, status_phrase(503), "Not ready: " + e.message);
          }
        }
        return json(200, {{"status", "ready"}});
      },
      Listener::both);

  if (options.metrics) {
    // Prometheus text exposition format 0.0.4.
    router.add("GET", "/metrics", [metrics = options.metrics](const Request&) -> Result<Response> {
      Response r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = metrics->render();
      return r;
    });
  }

  detail::ConnectionLimits limits{options.body_limit, options.read_timeout, options.write_timeout,
                                  options.idle_timeout};
  impl->state = std::make_shared<detail::ServerState>(std::move(router), limits, std::move(ssl),
                                                      impl->draining, options.metrics);
  if (options.handler_threads != 0) {
    impl->handler_pool.emplace(options.handler_threads);
    impl->state->set_handler_pool(&*impl->handler_pool);
  }
  impl->options = std::move(options);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Result<void> Server::start() {
  Impl& impl = *m_impl;
  if (impl.shutdown_requested.load()) return fail(ErrorCode::usage, "the server was shut down");
  if (impl.started.load()) return fail(ErrorCode::usage, "the server is already started");

  if (impl.https_endpoint) QS_TRY_VOID(impl.listen(impl.https_acceptor, *impl.https_endpoint, "HTTPS"));
  if (impl.http_endpoint) {
    if (auto r = impl.listen(impl.http_acceptor, *impl.http_endpoint, "HTTP"); !r) {
      impl.https_acceptor.reset();
      return r;
    }
  }
  if (impl.https_acceptor) {
    impl.https_port = impl.https_acceptor->local_endpoint().port();
    impl.accept(*impl.https_acceptor, true);
  }
  if (impl.http_acceptor) {
    impl.http_port = impl.http_acceptor->local_endpoint().port();
    impl.accept(*impl.http_acceptor, false);
  }

  asio::post(impl.control, [&impl] { impl.trim_when_idle(); });
  impl.started.store(true);
  for (unsigned i = 0; i < impl.thread_count; ++i) {
    impl.threads.emplace_back([&impl] { impl.run_thread(); });
  }
  spdlog::info(dump({{"event", "listening"},
                     {"https_port", impl.https_port},
                     {"http_port", impl.http_port},
                     {"threads", impl.thread_count},
                     {"handler_threads", impl.options.handler_threads}}));
  return ok();
}

std::shared_ptr<Metrics> Server::metrics() const { return m_impl->options.metrics; }

std::uint16_t Server::https_port() const { return m_impl->https_port; }
std::uint16_t Server::http_port() const { return m_impl->http_port; }

void Server::shutdown() { m_impl->request_shutdown(); }

void Server::wait() {
  if (m_impl->started.load()) m_impl->join();
}

void Server::handle_signals() {
  if (m_impl->signals) return;
  // The constructor installs the handlers (sigaction) before we return.
  m_impl->signals.emplace(m_impl->control, SIGINT, SIGTERM);
  m_impl->wait_for_signal();
}

}  // namespace qualsig::server
