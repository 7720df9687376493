#include "pki/ocsp_cache.h"

#include <algorithm>
#include <iterator>
#include <mutex>
#include <utility>

namespace qualsig::pki {

OcspResponseCache::OcspResponseCache(std::size_t max_entries) : m_max_entries(std::max<std::size_t>(max_entries, 1)) {}

std::optional<Bytes> OcspResponseCache::find(const std::string& key, TimePoint now) const {
  std::shared_lock lock(m_mutex);
  auto it = m_entries.find(key);
  // A clock that went backwards makes an entry stale as well: never serve a response whose
  // producedAt lies in the caller's future.
  if (it == m_entries.end() || now < it->second.produced_at || now >= it->second.fresh_until) return std::nullopt;
  return it->second.response;
}

std::uint64_t OcspResponseCache::generation() const {
  std::shared_lock lock(m_mutex);
  return m_generation;
}

void OcspResponseCache::store(std::string key, Bytes response, TimePoint produced_at, TimePoint fresh_until,
                              std::uint64_t generation) {
  std::unique_lock lock(m_mutex);
  if (generation != m_generation) return;  // statuses read before a change: do not keep them
  if (auto it = m_entries.find(key); it != m_entries.end()) {
    m_order.erase(it->second.age);
    m_entries.erase(it);
  }
  while (m_entries.size() >= m_max_entries && !m_order.empty()) {
    m_entries.erase(m_order.front());
    m_order.pop_front();
  }
  m_order.push_back(key);
  auto age = std::prev(m_order.end());
  m_entries.emplace(std::move(key), Entry{std::move(response), produced_at, fresh_until, age});
}

void OcspResponseCache::invalidate() {
  std::unique_lock lock(m_mutex);
  ++m_generation;
  m_entries.clear();
  m_order.clear();
}

std::size_t OcspResponseCache::size() const {
  std::shared_lock lock(m_mutex);
  return m_entries.size();
}

}  // namespace qualsig::pki
