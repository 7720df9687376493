#pragma once
// An in-memory Merkle tree (RFC 9162 §2.1) that keeps every leaf hash and the hash of every
// complete subtree (about 2n hashes for n leaves), so that roots of past sizes, node hashes
// and proofs cost O(log n) hashes instead of O(n). It holds no entries and does no storage; a
// database-backed log provides the same answers through a RangeHashSource.

#include <cstdint>
#include <vector>

#include "audit/merkle_hash.h"
#include "audit/merkle_proof.h"
#include "core/result.h"

namespace qualsig::audit {

class MemoryTree final {
 public:
  MemoryTree() = default;

  // Appends the leaf hash HASH(0x00 || entry) of the next entry. Amortised O(1) hashes.
  void append(const Hash& leaf_hash);

  // Number of leaves, n.
  std::uint64_t size() const { return m_levels.empty() ? 0 : m_levels[0].size(); }

  // MTH(D[0:n]).
  Hash root() const;

  // MTH(D[0:size]) of an earlier state of the tree. Fails with usage if size > n.
  Result<Hash> root_at(std::uint64_t size) const;

  // MTH(D[begin:end]), with MTH({}) for an empty range. O(log n) hashes for every range a
  // proof asks for (see RangeHashSource); any other range is hashed correctly but may cost
  // O(end - begin). Fails with usage if the range is not within [0, n).
  Result<Hash> range_hash(NodeRange range) const;

  // PATH(index, D[0:size]) and PROOF(size1, D[0:size2]) (RFC 9162 §2.1.3.1, §2.1.4.1) for any
  // sizes up to n. Fail as inclusion_proof / consistency_proof do, or with usage if a size
  // exceeds n.
  Result<Proof> inclusion_proof(std::uint64_t index, std::uint64_t size) const;
  Result<Proof> consistency_proof(std::uint64_t size1, std::uint64_t size2) const;

  // A RangeHashSource answered by range_hash(). It refers to this tree, which must outlive it
  // and must not be appended to while a proof is being generated from it.
  RangeHashSource source() const;

 private:
  Hash hash_of(std::uint64_t begin, std::uint64_t end) const;

  // m_levels[h][i] = MTH(D[i * 2^h : (i + 1) * 2^h]) for every complete subtree.
  std::vector<std::vector<Hash>> m_levels;
};

}  // namespace qualsig::audit
