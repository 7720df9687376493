#pragma once
// Internal to server/: the state shared by a Server and all of its connections, and the
// registry of live connections that graceful shutdown walks. Every connection holds a
// shared_ptr to the ServerState, so the state outlives the last connection.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "server/metrics.h"
#include "server/router.h"

namespace qualsig::server::detail {

// Per-connection limits, copied from ServerOptions.
struct ConnectionLimits {
  std::size_t body_limit = 1u << 20;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds idle_timeout{60};
};

// What the registry needs from a connection.
class Connection {
 public:
  virtual ~Connection() = default;
  // Thread-safe. Closes the connection at once if it owes the client nothing (waiting for a
  // request, or closing); otherwise the request in flight finishes with "Connection: close".
  virtual void drain() = 0;
};

class ServerState final {
 public:
  // `tls` is null when there is no HTTPS listener. `draining` is shared with the /readyz
  // handler, which lives inside `router`. `metrics` may be null (no request metrics).
  ServerState(Router router, ConnectionLimits limits, std::unique_ptr<boost::asio::ssl::context> tls,
              std::shared_ptr<std::atomic<bool>> draining, std::shared_ptr<Metrics> metrics);

  const Router& router() const { return m_router; }
  const ConnectionLimits& limits() const { return m_limits; }
  boost::asio::ssl::context* tls_context() const { return m_tls.get(); }
  bool draining() const { return m_draining->load(); }
  Metrics* metrics() const { return m_metrics.get(); }
  // Where handlers run; null: on the connection's own (I/O) thread. Owned by the Server,
  // which joins it before the io_context goes.
  boost::asio::thread_pool* handler_pool() const { return m_handler_pool; }
  void set_handler_pool(boost::asio::thread_pool* pool) { m_handler_pool = pool; }

  // Registers a live connection; returns its id (never 0) for remove_connection.
  std::uint64_t add_connection(std::weak_ptr<Connection> connection);
  // Called from a connection's destructor. When draining and it was the last one, calls
  // the on_drained callback given to begin_drain (unless disarmed).
  void remove_connection(std::uint64_t id);
  std::size_t connection_count() const;

  // Sets draining, asks every connection to drain(), and calls `on_drained` (thread-safe,
  // called with the registry lock held) now if no connection is left, or when the last one
  // goes. Later calls do nothing.
  void begin_drain(std::function<void()> on_drained);
  // Drops the on_drained callback; called once the server's threads have stopped, so that
  // connections destroyed with the io_context do not call back into it.
  void disarm();

 private:
  Router m_router;
  ConnectionLimits m_limits;
  std::unique_ptr<boost::asio::ssl::context> m_tls;
  std::shared_ptr<std::atomic<bool>> m_draining;
  std::shared_ptr<Metrics> m_metrics;
  boost::asio::thread_pool* m_handler_pool = nullptr;

  mutable std::mutex m_mutex;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> m_connections;
  std::uint64_t m_next_id = 1;
  bool m_drain_started = false;
  std::function<void()> m_on_drained;
};

}  // namespace qualsig::server::detail
