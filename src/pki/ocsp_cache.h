#pragma once
// Pre-produced OCSP responses for the hot path (RFC 6960 §2.4 allows a response produced before
// the request; the lightweight profile of RFC 5019 relies on it). Requests without a nonce that
// name the same CertIDs get the same signed response until it is half-way to its nextUpdate, or
// until invalidate() -- which the service calls on every revocation, suspension and
// reinstatement, so that a status change is visible to the next request. Requests with a nonce
// are never cached (they are signed on demand, see respond_cached in pki/ocsp_responder.h).
//
// One cache serves one responder identity with one OcspOptions; the key does not include them.

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/bytes.h"
#include "core/time.h"

namespace qualsig::pki {

class OcspResponseCache final {
 public:
  static constexpr std::size_t kDefaultMaxEntries = 100'000;

  // At most `max_entries` responses (at least 1); the oldest stored one is evicted first.
  explicit OcspResponseCache(std::size_t max_entries = kDefaultMaxEntries);
  OcspResponseCache(const OcspResponseCache&) = delete;
  OcspResponseCache& operator=(const OcspResponseCache&) = delete;

  // The response stored under `key` if `now` is in [produced_at, fresh_until); a copy.
  std::optional<Bytes> find(const std::string& key, TimePoint now) const;

  // The invalidation generation. Read it BEFORE looking up the statuses that go into a
  // response and pass it to store(): a response computed from statuses read before an
  // invalidate() is then dropped instead of being served until it expires.
  std::uint64_t generation() const;

  // Stores (or replaces) the response for `key` unless invalidate() ran since `generation`.
  void store(std::string key, Bytes response, TimePoint produced_at, TimePoint fresh_until, std::uint64_t generation);

  // Drops every response and advances the generation. Thread-safe, like every member.
  void invalidate();

  std::size_t size() const;

 private:
  struct Entry {
    Bytes response;
    TimePoint produced_at;
    TimePoint fresh_until;
    std::list<std::string>::iterator age;  // position in m_order
  };

  const std::size_t m_max_entries;
  mutable std::shared_mutex m_mutex;
  std::unordered_map<std::string, Entry> m_entries;
  std::list<std::string> m_order;  // keys, oldest store first
  std::uint64_t m_generation = 0;
};

}  // namespace qualsig::pki
