#include "audit/merkle_verify.h"

#include <string>

#include "audit/proof_shape.h"
#include "audit/verify_detail.h"

namespace qualsig::audit {
namespace detail {

Result<Proof> proof_from_bytes(std::span<const Bytes> proof) {
  Proof out;
  out.reserve(proof.size());
  for (std::size_t i = 0; i < proof.size(); ++i) {
    auto hash = hash_from_bytes(proof[i]);
    if (!hash)
      return fail(ErrorCode::invalid_input, "proof element " + std::to_string(i) +
                                                " has wrong length: got " + std::to_string(proof[i].size()) +
                                                " bytes, want " + std::to_string(kHashSize));
    out.push_back(*hash);
  }
  return out;
}

Result<Hash> hash_argument(ByteView bytes, const char* what) {
  auto hash = hash_from_bytes(bytes);
  if (!hash)
    return fail(ErrorCode::invalid_input, std::string(what) + " has wrong length: got " +
                                              std::to_string(bytes.size()) + " bytes, want " +
                                              std::to_string(kHashSize));
  return *hash;
}

Error root_mismatch(const char* what, const Hash& calculated, const Hash& expected) {
  return make_error(ErrorCode::denied, std::string("calculated ") + what + " does not match",
                    "calculated " + to_hex(calculated) + ", expected " + to_hex(expected));
}

}  // namespace detail

namespace {

Error wrong_length(const char* what, std::uint64_t got, std::uint64_t want) {
  return make_error(ErrorCode::invalid_input, std::string(what) + " has wrong length: got " +
                                                  std::to_string(got) + ", want " + std::to_string(want));
}

// "right-shift both fn and sn equally until either LSB(fn) is set or fn is 0"
void shift_to_set_bit(std::uint64_t& fn, std::uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

std::uint64_t inclusion_proof_length(std::uint64_t index, std::uint64_t size) {
  return detail::subtree_proof_shape(index, index + 1, size).proof_length();
}

std::uint64_t consistency_proof_length(std::uint64_t size1, std::uint64_t size2) {
  return detail::subtree_proof_shape(0, size1, size2).proof_length();
}

Result<Hash> root_from_inclusion_proof(std::uint64_t index, std::uint64_t size, const Hash& leaf_hash,
                                       std::span<const Hash> proof) {
  // RFC 9162 §2.1.3.2 step 1: "If leaf_index is greater than or equal to tree_size, then fail
  // the proof verification."
  if (index >= size)
    return fail(ErrorCode::invalid_input, "inclusion proof: leaf index " + std::to_string(index) +
                                              " is not less than tree size " + std::to_string(size));
  // The algorithm below also fails on a wrong length (through sn); checking it first gives a
  // clearer message.
  const std::uint64_t want = inclusion_proof_length(index, size);
  if (proof.size() != want) return fail(wrong_length("inclusion proof", proof.size(), want));

  // Step 2: "Set fn to leaf_index and sn to tree_size - 1."  Step 3: "Set r to hash."
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  Hash r = leaf_hash;
  // Step 4: "For each value p in the inclusion_path array:"
  for (const Hash& p : proof) {
    // "a. If sn is 0, then stop the iteration and fail the proof verification."
    if (sn == 0) return fail(wrong_length("inclusion proof", proof.size(), want));
    // "b. If LSB(fn) is set, or if fn is equal to sn, then: Set r to HASH(0x01 || p || r).
    //  If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn) is
    //  set or fn is 0.  Otherwise: Set r to HASH(0x01 || r || p)."
    if ((fn & 1) == 1 || fn == sn) {
      r = hash_children(p, r);
      shift_to_set_bit(fn, sn);
    } else {
      r = hash_children(r, p);
    }
    // "c. Finally, right-shift both fn and sn one time."
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5: "Compare sn to 0."
  if (sn != 0) return fail(wrong_length("inclusion proof", proof.size(), want));
  return r;
}

Result<void> verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf_hash,
                              std::span<const Hash> proof, const Hash& root) {
  QS_TRY(Hash calculated, root_from_inclusion_proof(index, size, leaf_hash, proof));
  // RFC 9162 §2.1.3.2 step 5: "Compare r against the root_hash. If sn is equal to 0 and r and
  // the root_hash are equal, then the log has proven the inclusion of hash."
  if (calculated != root) return fail(detail::root_mismatch("root", calculated, root));
  return ok();
}

Result<void> verify_inclusion(std::uint64_t index, std::uint64_t size, ByteView leaf_hash,
                              std::span<const Bytes> proof, ByteView root) {
  if (index >= size)
    return fail(ErrorCode::invalid_input, "inclusion proof: leaf index " + std::to_string(index) +
                                              " is not less than tree size " + std::to_string(size));
  QS_TRY(Hash leaf, detail::hash_argument(leaf_hash, "leaf hash"));
  QS_TRY(Hash expected, detail::hash_argument(root, "root hash"));
  QS_TRY(Proof path, detail::proof_from_bytes(proof));
  return verify_inclusion(index, size, leaf, path, expected);
}

Result<void> verify_consistency(std::uint64_t size1, std::uint64_t size2, std::span<const Hash> proof,
                                const Hash& root1, const Hash& root2) {
  if (size1 > size2)
    return fail(ErrorCode::invalid_input, "consistency proof: first tree size " + std::to_string(size1) +
                                              " is larger than second tree size " + std::to_string(size2));
  // RFC 9162 §2.1.4.1 defines PROOF(m, D_n) for "0 < m < n": every tree extends the empty
  // tree, so such a proof would prove nothing.
  if (size1 == 0)
    return fail(ErrorCode::invalid_input, "consistency proof from an empty tree is not defined");
  if (size1 == size2) {
    // Not covered by RFC 9162 (m < n); a tree is consistent with itself iff the roots match.
    if (!proof.empty())
      return fail(ErrorCode::invalid_input, "consistency proof between equal tree sizes must be empty: got " +
                                                std::to_string(proof.size()) + " hashes");
    if (root1 != root2)
      return fail(ErrorCode::denied, "roots of two trees of the same size differ",
                  "first " + to_hex(root1) + ", second " + to_hex(root2));
    return ok();
  }
  // Step 1: "If consistency_path is an empty array, stop and fail the proof verification."
  // (Covered by the length check: a proof between different sizes is never empty.)
  const std::uint64_t want = consistency_proof_length(size1, size2);
  if (proof.size() != want || proof.empty()) return fail(wrong_length("consistency proof", proof.size(), want));

  // Step 2: "If first is an exact power of 2, then prepend first_hash to the
  // consistency_path array."  Kept as a separate seed instead of copying the path.
  const bool first_is_power_of_two = (size1 & (size1 - 1)) == 0;
  const Hash& seed = first_is_power_of_two ? root1 : proof[0];
  std::span<const Hash> rest = first_is_power_of_two ? proof : proof.subspan(1);

  // Step 3: "Set fn to first - 1 and sn to second - 1."
  std::uint64_t fn = size1 - 1;
  std::uint64_t sn = size2 - 1;
  // Step 4: "If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not
  // set."
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5: "Set both fr and sr to the first value in the consistency_path array."
  Hash fr = seed;
  Hash sr = seed;
  // Step 6: "For each subsequent value c in the consistency_path array:"
  for (const Hash& c : rest) {
    // "a. If sn is 0, then stop the iteration and fail the proof verification."
    if (sn == 0) return fail(wrong_length("consistency proof", proof.size(), want));
    // "b. If LSB(fn) is set, or if fn is equal to sn, then: Set fr to HASH(0x01 || c || fr).
    //  Set sr to HASH(0x01 || c || sr). If LSB(fn) is not set, then right-shift both fn and
    //  sn equally until either LSB(fn) is set or fn is 0.  Otherwise: Set sr to
    //  HASH(0x01 || sr || c)."
    if ((fn & 1) == 1 || fn == sn) {
      fr = hash_children(c, fr);
      sr = hash_children(c, sr);
      shift_to_set_bit(fn, sn);
    } else {
      sr = hash_children(sr, c);
    }
    // "c. Finally, right-shift both fn and sn one time."
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7: "verify that the fr calculated is equal to the first_hash supplied, that the sr
  // calculated is equal to the second_hash supplied, and that sn is 0."
  if (sn != 0) return fail(wrong_length("consistency proof", proof.size(), want));
  if (fr != root1) return fail(detail::root_mismatch("first root", fr, root1));
  if (sr != root2) return fail(detail::root_mismatch("second root", sr, root2));
  return ok();
}

Result<void> verify_consistency(std::uint64_t size1, std::uint64_t size2, std::span<const Bytes> proof,
                                ByteView root1, ByteView root2) {
  QS_TRY(Hash first, detail::hash_argument(root1, "first root hash"));
  QS_TRY(Hash second, detail::hash_argument(root2, "second root hash"));
  QS_TRY(Proof path, detail::proof_from_bytes(proof));
  return verify_consistency(size1, size2, path, first, second);
}

}  // namespace qualsig::audit
