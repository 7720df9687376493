#pragma once
// An in-memory Merkle tree (RFC 9162 §2.1) that keeps the hash of every complete subtree, so
// that roots of past sizes, node hashes and proofs cost O(log n) hashes instead of O(n). It holds
// no entries and does no storage; a database-backed log provides the same answers through a
// RangeHashSource.
//
// Two modes:
// * complete (default): every leaf hash and every complete subtree, about 2n hashes (64 bytes
//   per leaf) — for the offline verifier, which reads a whole log once;
// * pruned (a running log): only the complete subtrees of at least 2^prune_height leaves, plus
//   every node of the current, incomplete block of 2^prune_height leaves. About 2n / 2^h hashes:
//   a service that appends for years keeps a few MiB rather than 64 bytes for every entry ever
//   logged. Appending and the current root never read anything back; a proof or past root that
//   needs a smaller node of an earlier block reads that block's leaf hashes from a LeafSource
//   (one block per proof end), checks them against the block's kept root, and hashes them.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "audit/merkle_hash.h"
#include "audit/merkle_proof.h"
#include "core/result.h"

namespace qualsig::audit {

// The leaf hashes D[begin:end) of a log, read back from where it keeps them. Fails as the store
// does (database, not_found).
using LeafSource = std::function<Result<std::vector<Hash>>(std::uint64_t begin, std::uint64_t end)>;

class MemoryTree final {
 public:
  // Complete mode.
  MemoryTree() = default;
  // Pruned mode: blocks of 2^prune_height leaves (1 to 30), earlier blocks' small nodes read
  // back through `leaves`.
  MemoryTree(unsigned prune_height, LeafSource leaves);

  MemoryTree(const MemoryTree&) = delete;
  MemoryTree& operator=(const MemoryTree&) = delete;

  // Appends the leaf hash HASH(0x00 || entry) of the next entry. Amortised O(1) hashes.
  void append(const Hash& leaf_hash);

  // Number of leaves, n.
  std::uint64_t size() const { return m_size; }

  // MTH(D[0:n]). Never reads leaves back (every node of the current tree's right edge is kept).
  Hash root() const;

  // MTH(D[0:size]) of an earlier state of the tree. Fails with usage if size > n, or as the
  // LeafSource in pruned mode.
  Result<Hash> root_at(std::uint64_t size) const;

  // MTH(D[begin:end]), with MTH({}) for an empty range. O(log n) hashes for every range a
  // proof asks for (see RangeHashSource); any other range is hashed correctly but may cost
  // O(end - begin). Fails with usage if the range is not within [0, n), or as the LeafSource.
  Result<Hash> range_hash(NodeRange range) const;

  // PATH(index, D[0:size]) and PROOF(size1, D[0:size2]) (RFC 9162 §2.1.3.1, §2.1.4.1) for any
  // sizes up to n. Fail as inclusion_proof / consistency_proof do, or with usage if a size
  // exceeds n.
  Result<Proof> inclusion_proof(std::uint64_t index, std::uint64_t size) const;
  Result<Proof> consistency_proof(std::uint64_t size1, std::uint64_t size2) const;

  // A RangeHashSource answered by range_hash(). It refers to this tree, which must outlive it
  // and must not be appended to while a proof is being generated from it.
  RangeHashSource source() const;

  // Hashes held in memory (for tests and the memory bound).
  std::size_t kept_hashes() const;

 private:
  Result<Hash> hash_of(std::uint64_t begin, std::uint64_t end) const;
  // MTH of the complete subtree at `height` with index `i` (leaves [i * 2^height, (i+1) * 2^height)).
  Result<Hash> node(std::size_t height, std::uint64_t i) const;
  const Hash* kept(std::size_t height, std::uint64_t i) const;

  std::uint64_t m_size = 0;
  // m_levels[h][k] = the complete subtree of height h with index m_first[h] + k. In complete
  // mode m_first is all zero; in pruned mode the levels below m_prune hold the current block only.
  std::vector<std::vector<Hash>> m_levels;
  std::vector<std::uint64_t> m_first;
  unsigned m_prune = 0;  // 0: complete mode
  LeafSource m_leaves;

  // The last earlier block read back: its index and every level of it.
  mutable std::mutex m_block_mutex;
  mutable std::optional<std::uint64_t> m_block_index;
  mutable std::vector<std::vector<Hash>> m_block_levels;
};

}  // namespace qualsig::audit
