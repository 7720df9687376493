#pragma once
// Runs the independent parts of one call concurrently: the N hashes of a CSC authorize or
// signHash are N sign requests, each with its own durable writes, and done one after another
// each waits for its own commits. Done at once, their writes share group commits (SQLite) or
// overlap on the connection pool (PostgreSQL), so one call of 64 hashes costs a few commits of
// latency instead of a few hundred.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <future>
#include <optional>
#include <vector>

namespace qualsig::service {

// fn(i) for i in [0, n), on up to `width` threads at once (the caller's among them); the results
// in order of i. An exception thrown by fn reaches the caller once every thread is done.
template <class F>
auto parallel_map(std::size_t n, std::size_t width, F fn) -> std::vector<decltype(fn(std::size_t{}))> {
  using R = decltype(fn(std::size_t{}));
  std::vector<std::optional<R>> slots(n);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < n; i = next++) slots[i].emplace(fn(i));
  };
  std::vector<std::future<void>> helpers;
  const std::size_t threads = std::min(n, std::max<std::size_t>(width, 1));
  for (std::size_t t = 1; t < threads; ++t) helpers.push_back(std::async(std::launch::async, work));
  work();
  for (auto& h : helpers) h.get();  // rethrows a helper's exception
  std::vector<R> out;
  out.reserve(n);
  for (auto& s : slots) out.push_back(std::move(*s));
  return out;
}

}  // namespace qualsig::service
