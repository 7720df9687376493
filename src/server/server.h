#pragma once
// `qualsig serve`: an HTTPS listener for the API and an optional plain HTTP listener for the
// routes that RFC 6960 / 5280 / 3161 clients fetch without TLS (Router, Listener::both).
// HTTP/1.1 per RFC 9110 / 9112, errors as RFC 9457 problem+json, one JSON access-log line per
// response. Built-in routes: GET /healthz and GET /readyz on both listeners, GET /metrics
// (Prometheus) on HTTPS when ServerOptions::metrics is set.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/tls_context.h"

namespace qualsig::server {

struct ServerOptions {
  // "ip:port" or "[ipv6]:port"; port 0 picks a free port; an empty string disables the
  // listener. IP literals only (no name resolution).
  std::string https_listen = "127.0.0.1:0";
  std::string http_listen = "127.0.0.1:0";
  std::size_t body_limit = 1u << 20;          // larger bodies get 413
  std::chrono::seconds read_timeout{30};      // TLS handshake; reading one request
  std::chrono::seconds write_timeout{30};     // writing one response
  std::chrono::seconds idle_timeout{60};      // keep-alive wait for the next request
  std::chrono::seconds shutdown_grace{30};    // how long shutdown() waits for requests in flight
  unsigned threads = 0;                       // I/O threads; 0: std::thread::hardware_concurrency()
  // Threads that run the handlers, apart from the I/O threads, so that a handler blocked on
  // the token or a database commit holds up only its own request. 0: handlers run on the I/O
  // threads (while `threads` handlers block, nothing else is served).
  unsigned handler_threads = 0;
  // Optional extra condition for GET /readyz (e.g. the database answers). Runs on a server
  // thread for every /readyz request; an Error gives 503 with the error's message.
  std::function<Result<void>()> readiness_check;
  // When set: every response is observed (route, method, status, duration) and GET /metrics
  // serves metrics->render() on the HTTPS listener only (its gauges reveal internals).
  std::shared_ptr<Metrics> metrics;
};

// Checks a listen address ("ip:port" or "[ipv6]:port", port 0..65535) without binding.
// Fails with invalid_input naming `option`.
Result<void> validate_listen_address(std::string_view address, std::string_view option);

// An HTTP(S) server: `threads` I/O threads, and handlers on a pool of `handler_threads`
// threads (or on the I/O threads when that is 0). Handlers may block.
class Server final {
 public:
  // Validates the options, builds the TLS context (from `tls`, needed iff https_listen is
  // set) and adds the built-in routes to `router`. Fails with usage (bad option combination,
  // /healthz, /readyz or — with metrics — /metrics already routed), invalid_input (unparsable listen address, unusable
  // TLS identity) or crypto.
  static Result<std::unique_ptr<Server>> create(ServerOptions options, Router router,
                                                std::optional<TlsIdentity> tls);

  // Stops at once (no grace) if still running; call shutdown() and wait() first for a
  // graceful stop.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens on the configured addresses and starts the threads. Fails with
  // environment if an address cannot be bound (in use, no permission), usage if called twice
  // or after shutdown().
  Result<void> start();

  // The bound ports (useful with port 0); 0 for a disabled listener or before start().
  std::uint16_t https_port() const;
  std::uint16_t http_port() const;

  // The metrics given in ServerOptions (null if none). Routes and the process add to them.
  std::shared_ptr<Metrics> metrics() const;

  // Graceful shutdown, callable from any thread (including a handler) and more than once:
  // stops accepting, makes /readyz answer 503, closes idle connections, lets requests in
  // flight finish (their responses carry "Connection: close"), then stops. After
  // shutdown_grace the server stops regardless; a handler still running then is not
  // interrupted, and wait() returns once it has returned.
  void shutdown();

  // Blocks until the server has stopped and its threads are joined. Never call it from a
  // handler. Returns at once if start() did not succeed.
  void wait();

  // Makes SIGINT and SIGTERM call shutdown(); a second signal stops without grace. Installs
  // the handlers before returning (signals raised afterwards are caught).
  void handle_signals();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace qualsig::server
