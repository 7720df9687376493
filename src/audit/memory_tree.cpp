#include "audit/memory_tree.h"

#include <bit>
#include <string>

#include "audit/proof_shape.h"

namespace qualsig::audit {
namespace {

Result<void> check_size(std::uint64_t size, std::uint64_t n) {
  if (size > n)
    return fail(ErrorCode::usage, "tree size " + std::to_string(size) + " exceeds the " + std::to_string(n) +
                                      " leaves of the tree");
  return ok();
}

}  // namespace

void MemoryTree::append(const Hash& leaf_hash) {
  if (m_levels.empty()) m_levels.emplace_back();
  m_levels[0].push_back(leaf_hash);
  // Each completed pair on one level completes a node on the level above.
  for (std::size_t h = 0; m_levels[h].size() % 2 == 0; ++h) {
    const auto& level = m_levels[h];
    Hash parent = hash_children(level[level.size() - 2], level.back());
    if (h + 1 == m_levels.size()) m_levels.emplace_back();
    m_levels[h + 1].push_back(parent);
  }
}

Hash MemoryTree::root() const { return size() == 0 ? empty_root() : hash_of(0, size()); }

Result<Hash> MemoryTree::root_at(std::uint64_t size) const {
  QS_TRY_VOID(check_size(size, this->size()));
  return size == 0 ? empty_root() : hash_of(0, size);
}

Result<Hash> MemoryTree::range_hash(NodeRange range) const {
  if (range.begin > range.end || range.end > size())
    return fail(ErrorCode::usage, "range [" + std::to_string(range.begin) + ", " + std::to_string(range.end) +
                                      ") is outside the " + std::to_string(size()) + " leaves of the tree");
  return range.begin == range.end ? empty_root() : hash_of(range.begin, range.end);
}

// MTH(D[begin:end]) for begin < end <= n, following RFC 9162 §2.1.1 but looking complete
// subtrees up instead of recomputing them. If begin is a multiple of BIT_CEIL(end - begin)
// (true for every node of a tree), both halves satisfy that too and the left half is
// complete, so the recursion visits O(log n) nodes.
Hash MemoryTree::hash_of(std::uint64_t begin, std::uint64_t end) const {
  const std::uint64_t len = end - begin;
  if (std::has_single_bit(len) && begin % len == 0) {
    const auto height = static_cast<std::size_t>(std::countr_zero(len));
    return m_levels[height][begin >> height];
  }
  const std::uint64_t k = detail::split_point(len);
  return hash_children(hash_of(begin, begin + k), hash_of(begin + k, end));
}

Result<Proof> MemoryTree::inclusion_proof(std::uint64_t index, std::uint64_t size) const {
  QS_TRY_VOID(check_size(size, this->size()));
  return audit::inclusion_proof(index, size, source());
}

Result<Proof> MemoryTree::consistency_proof(std::uint64_t size1, std::uint64_t size2) const {
  QS_TRY_VOID(check_size(size2, this->size()));
  return audit::consistency_proof(size1, size2, source());
}

RangeHashSource MemoryTree::source() const {
  return [this](NodeRange range) { return range_hash(range); };
}

}  // namespace qualsig::audit
