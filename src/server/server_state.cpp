#include "server/server_state.h"

#include <vector>

namespace qualsig::server::detail {

ServerState::ServerState(Router router, ConnectionLimits limits,
                         std::unique_ptr<boost::asio::ssl::context> tls,
                         std::shared_ptr<std::atomic<bool>> draining,
                         std::shared_ptr<Metrics> metrics)
    : m_router(std::move(router)),
      m_limits(limits),
      m_tls(std::move(tls)),
      m_draining(std::move(draining)),
      m_metrics(std::move(metrics)) {}

std::uint64_t ServerState::add_connection(std::weak_ptr<Connection> connection) {
  std::lock_guard lock(m_mutex);
  const std::uint64_t id = m_next_id++;
  m_connections.emplace(id, std::move(connection));
  return id;
}

void ServerState::remove_connection(std::uint64_t id) {
  std::lock_guard lock(m_mutex);
  m_connections.erase(id);
  if (m_drain_started && m_connections.empty() && m_on_drained) m_on_drained();
}

std::size_t ServerState::connection_count() const {
  std::lock_guard lock(m_mutex);
  return m_connections.size();
}

void ServerState::begin_drain(std::function<void()> on_drained) {
  // The flag goes up before the registry is walked: a connection registered after the walk
  // sees it when it starts, one registered before is in the walk.
  m_draining->store(true);
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(m_mutex);
    if (m_drain_started) return;
    m_drain_started = true;
    m_on_drained = std::move(on_drained);
    if (m_connections.empty()) {
      if (m_on_drained) m_on_drained();
      return;
    }
    for (auto& [id, weak] : m_connections) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  // Outside the lock: drain() only posts, but a released shared_ptr may run a destructor
  // that takes the lock.
  for (auto& c : live) c->drain();
}

void ServerState::disarm() {
  std::lock_guard lock(m_mutex);
  m_on_drained = nullptr;
}

}  // namespace qualsig::server::detail
