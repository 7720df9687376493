#pragma once
// Verification of Merkle inclusion proofs (RFC 9162 §2.1.3.2) and consistency proofs
// (RFC 9162 §2.1.4.2).
//
// Each verifier comes twice: over raw byte strings as they arrive from outside (every hash is
// checked to be exactly 32 bytes first), and over Hash values. Both return success only if the
// proof is valid; otherwise an Error whose message says which check failed:
//   ErrorCode::invalid_input  the inputs cannot form a valid proof (an index outside the tree,
//                             sizes out of order, a hash that is not 32 bytes, a proof of the
//                             wrong length);
//   ErrorCode::denied         the proof is well formed but the calculated root differs.
// Views need only stay valid for the duration of the call.

#include <cstdint>
#include <span>

#include "audit/merkle_hash.h"
#include "core/bytes.h"
#include "core/result.h"

namespace qualsig::audit {

// Number of hashes in PATH(index, D[0:size]). Requires index < size (a caller bug otherwise:
// throws std::logic_error).
std::uint64_t inclusion_proof_length(std::uint64_t index, std::uint64_t size);

// Number of hashes in PROOF(size1, D[0:size2]), 0 if the sizes are equal. Requires
// 0 < size1 <= size2 (a caller bug otherwise: throws std::logic_error).
std::uint64_t consistency_proof_length(std::uint64_t size1, std::uint64_t size2);

// The root that an inclusion proof for `leaf_hash` at `index` implies for a tree of `size`
// leaves, by the algorithm of RFC 9162 §2.1.3.2 without its final comparison. Fails with
// invalid_input if index >= size or the proof has the wrong length.
Result<Hash> root_from_inclusion_proof(std::uint64_t index, std::uint64_t size, const Hash& leaf_hash,
                                       std::span<const Hash> proof);

// Verifies that `leaf_hash` (a leaf hash, HASH(0x00 || entry), not the entry) is the leaf at
// `index` of the tree of `size` leaves whose root is `root`, RFC 9162 §2.1.3.2.
Result<void> verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf_hash,
                              std::span<const Hash> proof, const Hash& root);
Result<void> verify_inclusion(std::uint64_t index, std::uint64_t size, ByteView leaf_hash,
                              std::span<const Bytes> proof, ByteView root);

// Verifies that the tree of size2 leaves with root `root2` extends the tree of size1 leaves
// with root `root1`, RFC 9162 §2.1.4.2. Requires 0 < size1 <= size2. When size1 == size2 the
// proof must be empty and the roots equal (RFC 9162 defines PROOF only for size1 < size2; a
// tree is consistent with itself). A consistency proof from the empty tree is rejected: it
// proves nothing, and RFC 9162 §2.1.4 defines none.
Result<void> verify_consistency(std::uint64_t size1, std::uint64_t size2, std::span<const Hash> proof,
                                const Hash& root1, const Hash& root2);
Result<void> verify_consistency(std::uint64_t size1, std::uint64_t size2, std::span<const Bytes> proof,
                                ByteView root1, ByteView root2);

}  // namespace qualsig::audit
