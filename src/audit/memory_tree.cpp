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

// Every level of the complete tree over `leaves` (a power of two of them).
std::vector<std::vector<Hash>> levels_of(std::vector<Hash> leaves) {
  std::vector<std::vector<Hash>> levels;
  levels.push_back(std::move(leaves));
  while (levels.back().size() > 1) {
    const auto& below = levels.back();
    std::vector<Hash> above;
    above.reserve(below.size() / 2);
    for (std::size_t k = 0; k + 1 < below.size(); k += 2) above.push_back(hash_children(below[k], below[k + 1]));
    levels.push_back(std::move(above));
  }
  return levels;
}

}  // namespace

MemoryTree::MemoryTree(unsigned prune_height, LeafSource leaves)
    : m_prune(prune_height >= 1 && prune_height <= 30 ? prune_height : 0), m_leaves(std::move(leaves)) {}

void MemoryTree::append(const Hash& leaf_hash) {
  if (m_levels.empty()) {
    m_levels.emplace_back();
    m_first.push_back(0);
  }
  m_levels[0].push_back(leaf_hash);
  ++m_size;
  // Each completed pair on one level completes a node on the level above. The pair is always
  // kept: a pruned level restarts at an even index (a block boundary).
  for (std::size_t h = 0; (m_first[h] + m_levels[h].size()) % 2 == 0; ++h) {
    const auto& level = m_levels[h];
    Hash parent = hash_children(level[level.size() - 2], level.back());
    if (h + 1 == m_levels.size()) {
      m_levels.emplace_back();
      m_first.push_back(0);
    }
    m_levels[h + 1].push_back(parent);
  }
  // A block complete: its root is on level m_prune, kept; the nodes below it are dropped.
  if (m_prune != 0 && m_size % (std::uint64_t{1} << m_prune) == 0) {
    for (std::size_t h = 0; h < m_prune && h < m_levels.size(); ++h) {
      m_levels[h].clear();
      m_levels[h].shrink_to_fit();
      m_first[h] = m_size >> h;
    }
  }
}

const Hash* MemoryTree::kept(std::size_t height, std::uint64_t i) const {
  if (height >= m_levels.size() || i < m_first[height]) return nullptr;
  const std::uint64_t k = i - m_first[height];
  return k < m_levels[height].size() ? &m_levels[height][k] : nullptr;
}

Result<Hash> MemoryTree::node(std::size_t height, std::uint64_t i) const {
  if (const Hash* h = kept(height, i)) return *h;
  if (m_prune == 0 || height >= m_prune || !m_leaves)
    return fail(ErrorCode::internal, "Merkle tree node " + std::to_string(height) + "/" + std::to_string(i) + " is not kept");
  const std::uint64_t block = i >> (m_prune - height);
  std::lock_guard lock(m_block_mutex);
  if (m_block_index != block) {
    const std::uint64_t begin = block << m_prune, end = (block + 1) << m_prune;
    QS_TRY(std::vector<Hash> leaves, m_leaves(begin, end));
    if (leaves.size() != end - begin)
      return fail(ErrorCode::database, "the audit log's entries " + std::to_string(begin) + " to " + std::to_string(end - 1) +
                                           " could not all be read back");
    auto levels = levels_of(std::move(leaves));
    // The block's root was kept when it was appended: rows that changed since do not match it.
    const Hash* root = kept(m_prune, block);
    if (root == nullptr || levels.back().front() != *root)
      return fail(ErrorCode::database, "the audit log's entries " + std::to_string(begin) + " to " + std::to_string(end - 1) +
                                           " changed since they were appended; run 'qualsig audit verify'");
    m_block_levels = std::move(levels);
    m_block_index = block;
  }
  return m_block_levels[height][i - (block << (m_prune - height))];
}

Hash MemoryTree::root() const {
  if (m_size == 0) return empty_root();
  // The complete subtrees D[0:n] splits into, one per set bit of n, left to right, combined from
  // the right (RFC 9162 §2.1.1). Each is kept: those of at least a block on their levels, the
  // others inside the current block.
  std::vector<Hash> parts;
  std::uint64_t begin = 0;
  for (int bit = 63; bit >= 0; --bit) {
    const std::uint64_t len = std::uint64_t{1} << bit;
    if ((m_size & len) == 0) continue;
    parts.push_back(m_levels.at(static_cast<std::size_t>(bit)).at((begin >> bit) - m_first.at(static_cast<std::size_t>(bit))));
    begin += len;
  }
  Hash acc = parts.back();
  for (std::size_t k = parts.size() - 1; k-- > 0;) acc = hash_children(parts[k], acc);
  return acc;
}

Result<Hash> MemoryTree::root_at(std::uint64_t size) const {
  QS_TRY_VOID(check_size(size, this->size()));
  if (size == m_size) return root();
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
Result<Hash> MemoryTree::hash_of(std::uint64_t begin, std::uint64_t end) const {
  const std::uint64_t len = end - begin;
  if (std::has_single_bit(len) && begin % len == 0) {
    const auto height = static_cast<std::size_t>(std::countr_zero(len));
    return node(height, begin >> height);
  }
  const std::uint64_t k = detail::split_point(len);
  QS_TRY(Hash left, hash_of(begin, begin + k));
  QS_TRY(Hash right, hash_of(begin + k, end));
  return hash_children(left, right);
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

std::size_t MemoryTree::kept_hashes() const {
  std::size_t n = 0;
  for (const auto& level : m_levels) n += level.size();
  return n;
}

}  // namespace qualsig::audit
