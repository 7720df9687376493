#pragma once
// Internal to src/audit: which nodes a proof consists of, computed from the sizes alone.
// Shared by proof generation and by the verifiers' length checks and subtree verification.

#include <cstdint>
#include <vector>

#include "audit/merkle_proof.h"

namespace qualsig::audit::detail {

// One proof node next to the path from the proven subtree up to the root.
struct ShapeNode {
  NodeRange range;
  // The node is the left sibling of the path (it is hashed as HASH(0x01 || node || path)).
  bool left = false;
  // The node lies inside the proven subtree [start, end), so it also contributes to the
  // subtree's own hash.
  bool inside = false;
};

// The proof SUBTREE_PROOF(start, end, D_size) of draft-ietf-plants-merkle-tree-certs
// (§4.4.1, Subtree Consistency Proofs), which generalises RFC 9162: PATH(m, D_n) is the proof
// for [m, m+1) and PROOF(m, D_n) the proof for [0, m).
struct ProofShape {
  // The lowest node of the path. When `bottom_known`, it is the proven subtree itself and the
  // verifier already has its hash ("SUBPROOF(m, D[m], true) = {}"); otherwise its hash is the
  // first proof element ("SUBPROOF(m, D[m], false) = {MTH(D[m])}").
  NodeRange bottom;
  bool bottom_known = true;
  // The siblings of the path, bottom-up, in proof order.
  std::vector<ShapeNode> siblings;

  // Number of hashes in the proof.
  std::uint64_t proof_length() const { return siblings.size() + (bottom_known ? 0 : 1); }
};

// The shape of SUBTREE_PROOF(start, end, D_size). Preconditions, which the callers check
// first: start < end <= size, and [start, end) a valid subtree (is_valid_subtree). O(log size).
ProofShape subtree_proof_shape(std::uint64_t start, std::uint64_t end, std::uint64_t size);

// The largest power of two smaller than n (RFC 9162 §2.1.1 "k"); requires n >= 2.
std::uint64_t split_point(std::uint64_t n);

}  // namespace qualsig::audit::detail
