#pragma once
// A compact range [0, n) of a Merkle tree (RFC 9162 §2.1.1): the roots of the complete
// subtrees that D[0:n] splits into, at most one per set bit of n, so at most 64 hashes. It is
// all an append-only log needs to keep to append a leaf and compute the new root, each in
// O(log n), without the earlier leaves.

#include <cstdint>
#include <span>
#include <vector>

#include "audit/merkle_hash.h"
#include "core/bytes.h"
#include "core/result.h"

namespace qualsig::audit {

class CompactRange final {
 public:
  // The empty range: size 0, root MTH({}).
  CompactRange() = default;

  // A range of `size` leaves from its subtree roots, ordered left to right (largest subtree
  // first): nodes[i] = MTH(D[a:b]) for the i-th set bit of `size` counted from the most
  // significant. Fails with invalid_input unless nodes.size() == popcount(size). The hashes
  // themselves cannot be checked here.
  static Result<CompactRange> from_nodes(std::uint64_t size, std::vector<Hash> nodes);

  // Reads the format written by serialize(). Fails with invalid_input, never crashes, on any
  // other input: empty or truncated data, an unknown version, a node count that does not match
  // the size, trailing bytes.
  static Result<CompactRange> deserialize(ByteView data);

  // Number of leaves covered, n.
  std::uint64_t size() const { return m_size; }

  // The subtree roots, left to right. The view is invalidated by append() and assignment.
  std::span<const Hash> nodes() const { return m_nodes; }

  // Appends the leaf hash HASH(0x00 || entry) of entry n (not the entry itself). Amortised
  // O(1) hashes, O(log n) at worst. Fails with ErrorCode::conflict only when the range already
  // holds 2^64 - 1 leaves.
  Result<void> append(const Hash& leaf_hash);

  // MTH(D[0:n]) (RFC 9162 §2.1.1): the subtree roots combined from right to left. O(log n).
  Hash root() const;

  // Version 1 encoding: one byte 0x01, the size as 8 bytes big-endian, then the popcount(size)
  // node hashes of 32 bytes each, left to right. At most 1 + 8 + 64 * 32 bytes.
  Bytes serialize() const;

  bool operator==(const CompactRange&) const = default;

 private:
  CompactRange(std::uint64_t size, std::vector<Hash> nodes) : m_size(size), m_nodes(std::move(nodes)) {}

  std::uint64_t m_size = 0;
  std::vector<Hash> m_nodes;
};

}  // namespace qualsig::audit
