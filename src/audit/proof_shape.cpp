#include "audit/proof_shape.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace qualsig::audit::detail {

std::uint64_t split_point(std::uint64_t n) {
  if (n < 2) throw std::logic_error("split_point needs n >= 2");
  // RFC 9162 §2.1.1: "let k be the largest power of two smaller than n (i.e., k < n <= 2k)".
  return std::bit_floor(n - 1);
}

// Walks the recursive definition top-down, iteratively. With the current node D[lo:hi] of
// size n and k = split_point(n), the draft (§4.4.1) defines, for SUBTREE_SUBPROOF(start, end,
// D_n, known):
//   start == 0 and end == n:  {} if known, else {MTH(D_n)}
//   end <= k:                 SUBTREE_SUBPROOF(start, end, D[0:k], known) : MTH(D[k:n])
//   k <= start:               SUBTREE_SUBPROOF(start-k, end-k, D[k:n], known) : MTH(D[0:k])
//   otherwise (start == 0):   SUBTREE_SUBPROOF(0, end-k, D[k:n], false) : MTH(D[0:k])
// For start == 0 these are exactly RFC 9162 §2.1.4.1 SUBPROOF's cases "m <= k" and "m > k";
// for end == start + 1 they are RFC 9162 §2.1.3.1 PATH's cases "m < k" and "m >= k".
ProofShape subtree_proof_shape(std::uint64_t start, std::uint64_t end, std::uint64_t size) {
  if (!(start < end && end <= size)) throw std::logic_error("subtree_proof_shape: bad range");
  ProofShape shape;
  std::uint64_t lo = 0;
  std::uint64_t hi = size;
  // Collected top-down; the proof lists them bottom-up.
  std::vector<ShapeNode> top_down;
  while (!(start == lo && end == hi)) {
    const std::uint64_t mid = lo + split_point(hi - lo);
    if (end <= mid) {
      // The subtree lies in the left child; the right child is only in the bigger tree.
      top_down.push_back({{mid, hi}, false, false});
      hi = mid;
    } else if (mid <= start) {
      // The subtree lies in the right child; the left child is outside it.
      top_down.push_back({{lo, mid}, true, false});
      lo = mid;
    } else {
      // The split falls inside [start, end). For a valid subtree this happens only with
      // start == lo: the left child is then a whole part of the subtree, and the rest of the
      // subtree, [mid, end), is no longer a node the verifier knows.
      if (start != lo) throw std::logic_error("subtree_proof_shape: subtree is not valid");
      top_down.push_back({{lo, mid}, true, true});
      lo = mid;
      start = mid;
      shape.bottom_known = false;
    }
  }
  shape.bottom = {lo, hi};
  shape.siblings.assign(top_down.rbegin(), top_down.rend());
  return shape;
}

}  // namespace qualsig::audit::detail
