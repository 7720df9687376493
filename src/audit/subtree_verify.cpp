#include "audit/subtree_verify.h"

#include <bit>
#include <string>

#include "audit/merkle_verify.h"
#include "audit/proof_shape.h"
#include "audit/verify_detail.h"

namespace qualsig::audit {
namespace {

std::string range_text(std::uint64_t start, std::uint64_t end) {
  // Built by appending: GCC 12 warns (-Wrestrict, a false positive) about "[" + std::string.
  std::string text = "[";
  text += std::to_string(start);
  text += ", ";
  text += std::to_string(end);
  text += ")";
  return text;
}

Result<void> check_subtree(std::uint64_t start, std::uint64_t end) {
  if (!is_valid_subtree(start, end))
    return fail(ErrorCode::invalid_input,
                "subtree " + range_text(start, end) +
                    " is not valid: start must not exceed end and must be a multiple of the "
                    "smallest power of two not less than the subtree size");
  return ok();
}

// The draft's general case (§4.4.3) for a valid, non-empty subtree that is not the whole tree.
// The proof's shape is known from (start, end, size): the path runs from the lowest node that
// holds the end of the subtree up to the root. Folding every proof node into that path gives
// the root; folding only the nodes inside the subtree gives the subtree's hash, which must
// match when the lowest node is not the subtree itself.
Result<void> verify_subtree_path(std::uint64_t start, std::uint64_t end, std::uint64_t size,
                                 std::span<const Hash> proof, const Hash& subtree_hash, const Hash& root) {
  const detail::ProofShape shape = detail::subtree_proof_shape(start, end, size);
  if (proof.size() != shape.proof_length())
    return fail(ErrorCode::invalid_input, "subtree consistency proof has wrong length: got " +
                                              std::to_string(proof.size()) + ", want " +
                                              std::to_string(shape.proof_length()));
  std::size_t next = 0;
  // "SUBTREE_SUBPROOF(start, end, D_n, true) = {}" when the subtree is a node: the verifier
  // starts from subtree_hash. Otherwise the proof starts with MTH of the lowest node.
  const Hash seed = shape.bottom_known ? subtree_hash : proof[next++];
  Hash subtree = seed;
  Hash tree = seed;
  for (const auto& node : shape.siblings) {
    const Hash& p = proof[next++];
    if (node.left) {
      tree = hash_children(p, tree);
      if (node.inside) subtree = hash_children(p, subtree);
    } else {
      // A right sibling is always outside the subtree (it covers leaves at or past `end`).
      tree = hash_children(tree, p);
    }
  }
  if (subtree != subtree_hash) return fail(detail::root_mismatch("subtree hash", subtree, subtree_hash));
  if (tree != root) return fail(detail::root_mismatch("root", tree, root));
  return ok();
}

}  // namespace

bool is_valid_subtree(std::uint64_t start, std::uint64_t end) {
  if (start > end) return false;
  if (start == 0 || start == end) return true;
  // BIT_CEIL of a size above 2^63 does not fit in 64 bits; such a subtree (with start != 0)
  // would not fit in the uint64 index space either. Check before computing it.
  const std::uint64_t size = end - start;
  if (size > (std::uint64_t{1} << 63)) return false;
  return start % std::bit_ceil(size) == 0;
}

Result<void> verify_subtree_inclusion(std::uint64_t index, std::uint64_t start, std::uint64_t end,
                                      const Hash& leaf_hash, std::span<const Hash> proof,
                                      const Hash& subtree_hash) {
  QS_TRY_VOID(check_subtree(start, end));
  if (index < start || index >= end)
    return fail(ErrorCode::invalid_input, "subtree inclusion proof: leaf index " + std::to_string(index) +
                                              " is outside the subtree " + range_text(start, end));
  // Within its subtree, the leaf has the inclusion proof of RFC 9162 §2.1.3 for a tree of
  // end - start leaves.
  return verify_inclusion(index - start, end - start, leaf_hash, proof, subtree_hash);
}

Result<void> verify_subtree_inclusion(std::uint64_t index, std::uint64_t start, std::uint64_t end,
                                      ByteView leaf_hash, std::span<const Bytes> proof, ByteView subtree_hash) {
  QS_TRY_VOID(check_subtree(start, end));
  QS_TRY(Hash leaf, detail::hash_argument(leaf_hash, "leaf hash"));
  QS_TRY(Hash expected, detail::hash_argument(subtree_hash, "subtree hash"));
  QS_TRY(Proof path, detail::proof_from_bytes(proof));
  return verify_subtree_inclusion(index, start, end, leaf, path, expected);
}

Result<void> verify_subtree_consistency(std::uint64_t start, std::uint64_t end, std::uint64_t size,
                                        std::span<const Hash> proof, const Hash& subtree_hash,
                                        const Hash& root) {
  // The order of the checks is that of the corpus README §9.
  // 1. An empty subtree is part of every tree that reaches its position.
  if (start == end) {
    if (end > size)
      return fail(ErrorCode::invalid_input, "empty subtree " + range_text(start, end) +
                                                " lies past the end of the tree of size " + std::to_string(size));
    if (!proof.empty())
      return fail(ErrorCode::invalid_input, "consistency proof for an empty subtree must be empty: got " +
                                                std::to_string(proof.size()) + " hashes");
    if (subtree_hash != empty_root())
      return fail(ErrorCode::denied, "hash of an empty subtree must be MTH({}), the SHA-256 of the empty string",
                  "got " + to_hex(subtree_hash));
    return ok();
  }
  // 2. The range must be a subtree.
  QS_TRY_VOID(check_subtree(start, end));
  // 3. It must lie within the tree.
  if (size < end)
    return fail(ErrorCode::invalid_input, "subtree " + range_text(start, end) +
                                              " ends past the tree of size " + std::to_string(size));
  // 4.-6. A subtree starting at 0 is the tree of size `end`: RFC 9162 §2.1.4.2 applies,
  // including the rule for equal sizes (empty proof, equal roots).
  if (start == 0) return verify_consistency(end, size, proof, subtree_hash, root);
  // 7. The general case.
  return verify_subtree_path(start, end, size, proof, subtree_hash, root);
}

Result<void> verify_subtree_consistency(std::uint64_t start, std::uint64_t end, std::uint64_t size,
                                        std::span<const Bytes> proof, ByteView subtree_hash, ByteView root) {
  QS_TRY(Hash subtree, detail::hash_argument(subtree_hash, "subtree hash"));
  QS_TRY(Hash tree, detail::hash_argument(root, "root hash"));
  QS_TRY(Proof path, detail::proof_from_bytes(proof));
  return verify_subtree_consistency(start, end, size, path, subtree, tree);
}

}  // namespace qualsig::audit
