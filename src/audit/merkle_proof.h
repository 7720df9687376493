#pragma once
// Generation of Merkle inclusion proofs (RFC 9162 §2.1.3.1) and consistency proofs
// (RFC 9162 §2.1.4.1). Generation is split in two steps so that the log can fetch node hashes
// from wherever it keeps them: first the ranges of leaves whose subtree hashes make up the
// proof (pure arithmetic on the sizes), then one hash per range from a RangeHashSource.

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "audit/merkle_hash.h"
#include "core/result.h"

namespace qualsig::audit {

// The half-open range of leaf indices [begin, end); its hash is MTH(D[begin:end]).
struct NodeRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;

  std::uint64_t size() const { return end - begin; }
  bool operator==(const NodeRange&) const = default;
};

// Supplies MTH(D[begin:end]) over the log's leaf hashes (RFC 9162 §2.1.1). Every range a proof
// asks for is a node of the tree being proven: either a complete subtree (its size is a power
// of two and `begin` a multiple of it) or the right-edge node of a tree of size `end`, so a
// source can answer from cached complete-subtree hashes in O(log n). Fails (for example with
// ErrorCode::database or not_found) when the hashes cannot be read; the failure is passed on
// unchanged by the proof functions.
using RangeHashSource = std::function<Result<Hash>(NodeRange range)>;

// The ranges whose hashes form PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), bottom-up: the
// leaf's sibling first. Fails with ErrorCode::usage unless index < size.
Result<std::vector<NodeRange>> inclusion_proof_ranges(std::uint64_t index, std::uint64_t size);

// The ranges whose hashes form PROOF(size1, D[0:size2]) (RFC 9162 §2.1.4.1), bottom-up.
// Empty when size1 == size2 (the trees are the same). Fails with ErrorCode::usage unless
// 0 < size1 <= size2: "a previously advertised hash MTH(D[0:m]) ... 0 < m < n".
Result<std::vector<NodeRange>> consistency_proof_ranges(std::uint64_t size1, std::uint64_t size2);

// PATH(index, D[0:size]) with every node hash read from `source`. Fails as
// inclusion_proof_ranges does, or with the source's error.
Result<Proof> inclusion_proof(std::uint64_t index, std::uint64_t size, const RangeHashSource& source);

// PROOF(size1, D[0:size2]) with every node hash read from `source`. Fails as
// consistency_proof_ranges does, or with the source's error.
Result<Proof> consistency_proof(std::uint64_t size1, std::uint64_t size2, const RangeHashSource& source);

// A RangeHashSource over an in-memory list of leaf hashes: each range is hashed from its
// leaves, so one proof costs O(size) hashes (see MemoryTree for O(log n)). Ranges past the end
// of `leaf_hashes` fail with ErrorCode::usage. The source keeps the span, not a copy:
// `leaf_hashes` must outlive it.
RangeHashSource range_source(std::span<const Hash> leaf_hashes);

}  // namespace qualsig::audit
