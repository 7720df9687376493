#include "audit/merkle_proof.h"

#include <string>

#include "audit/proof_shape.h"

namespace qualsig::audit {
namespace {

std::vector<NodeRange> ranges_of(const detail::ProofShape& shape) {
  std::vector<NodeRange> ranges;
  ranges.reserve(shape.proof_length());
  if (!shape.bottom_known) ranges.push_back(shape.bottom);
  for (const auto& node : shape.siblings) ranges.push_back(node.range);
  return ranges;
}

Result<Proof> hashes_of(const std::vector<NodeRange>& ranges, const RangeHashSource& source) {
  Proof proof;
  proof.reserve(ranges.size());
  for (const auto& range : ranges) {
    QS_TRY(Hash hash, source(range));
    proof.push_back(hash);
  }
  return proof;
}

}  // namespace

Result<std::vector<NodeRange>> inclusion_proof_ranges(std::uint64_t index, std::uint64_t size) {
  // RFC 9162 §2.1.3.1: "Given an ordered list of n inputs to the tree, D_n = {d(0), ...,
  // d(n-1)}, the Merkle audit path PATH(m, D_n) for the (m+1)th input d(m), 0 <= m < n".
  if (index >= size)
    return fail(ErrorCode::usage, "inclusion proof: leaf index " + std::to_string(index) +
                                      " is not less than tree size " + std::to_string(size));
  // PATH(m, D_n) is the subtree proof of the one-leaf subtree [m, m+1).
  return ranges_of(detail::subtree_proof_shape(index, index + 1, size));
}

Result<std::vector<NodeRange>> consistency_proof_ranges(std::uint64_t size1, std::uint64_t size2) {
  // RFC 9162 §2.1.4.1: PROOF(m, D_n) is defined for "0 < m < n"; m == n gives the empty proof
  // (the two trees are the same).
  if (size1 == 0)
    return fail(ErrorCode::usage, "consistency proof: the first tree size must not be 0");
  if (size1 > size2)
    return fail(ErrorCode::usage, "consistency proof: first tree size " + std::to_string(size1) +
                                      " is larger than second tree size " + std::to_string(size2));
  // PROOF(m, D_n) is the subtree proof of [0, m).
  return ranges_of(detail::subtree_proof_shape(0, size1, size2));
}

Result<Proof> inclusion_proof(std::uint64_t index, std::uint64_t size, const RangeHashSource& source) {
  QS_TRY(auto ranges, inclusion_proof_ranges(index, size));
  return hashes_of(ranges, source);
}

Result<Proof> consistency_proof(std::uint64_t size1, std::uint64_t size2, const RangeHashSource& source) {
  QS_TRY(auto ranges, consistency_proof_ranges(size1, size2));
  return hashes_of(ranges, source);
}

RangeHashSource range_source(std::span<const Hash> leaf_hashes) {
  return [leaf_hashes](NodeRange range) -> Result<Hash> {
    if (range.begin > range.end || range.end > leaf_hashes.size())
      return fail(ErrorCode::usage, "range [" + std::to_string(range.begin) + ", " +
                                        std::to_string(range.end) + ") is outside the " +
                                        std::to_string(leaf_hashes.size()) + " leaves");
    return root_hash(leaf_hashes.subspan(range.begin, range.size()));
  };
}

}  // namespace qualsig::audit
