#pragma once
// Verification of subtree inclusion and subtree consistency proofs of
// draft-ietf-plants-merkle-tree-certs (Merkle Tree Certificates, §4.1 Subtrees, §4.3 Subtree
// Inclusion Proofs, §4.4 Subtree Consistency Proofs) over RFC 9162 §2.1 hashing. Not part of
// RFC 9162; they let a verifier check a leaf or a signed subtree against a range [start, end)
// of a larger tree. The rules and their order follow the transparency-dev/merkle verifier as
// described in ../shared/corpus/merkle/README.md §8 and §9.
//
// Errors as in merkle_verify.h: invalid_input for inputs that cannot form a valid proof,
// denied for a calculated hash that differs. Every hash argument must be 32 bytes, also where
// the upstream verifier ignores it (see README.md in this folder).

#include <cstdint>
#include <span>

#include "audit/merkle_hash.h"
#include "core/bytes.h"
#include "core/result.h"

namespace qualsig::audit {

// Whether [start, end) is a subtree in the sense of the draft (§4.1): start <= end and start is
// a multiple of BIT_CEIL(end - start), the smallest power of two >= end - start. Ranges with
// start == 0, and empty ranges, are always subtrees. Such a range is a node of every tree that
// contains it, or (when not a power of two in size) the right edge of one.
bool is_valid_subtree(std::uint64_t start, std::uint64_t end);

// Verifies that `leaf_hash` is the leaf at `index` (an index in the whole tree, not relative
// to `start`) of the subtree [start, end) whose hash MTH(D[start:end]) is `subtree_hash`.
// Rejects an invalid subtree and an index outside [start, end); the proof is then the RFC 9162
// §2.1.3 inclusion proof of leaf index - start in a tree of end - start leaves.
Result<void> verify_subtree_inclusion(std::uint64_t index, std::uint64_t start, std::uint64_t end,
                                      const Hash& leaf_hash, std::span<const Hash> proof,
                                      const Hash& subtree_hash);
Result<void> verify_subtree_inclusion(std::uint64_t index, std::uint64_t start, std::uint64_t end,
                                      ByteView leaf_hash, std::span<const Bytes> proof, ByteView subtree_hash);

// Verifies that the subtree [start, end) with hash `subtree_hash` lies at those leaf positions
// of the tree of `size` leaves whose root is `root`: the proof SUBTREE_PROOF(start, end,
// D_size) of the draft (§4.4). An empty subtree (start == end <= size) is consistent with any
// tree when the proof is empty and subtree_hash is MTH({}); `root` is then not used beyond its
// length check. For start == 0 this is RFC 9162 §2.1.4.2 consistency verification.
Result<void> verify_subtree_consistency(std::uint64_t start, std::uint64_t end, std::uint64_t size,
                                        std::span<const Hash> proof, const Hash& subtree_hash,
                                        const Hash& root);
Result<void> verify_subtree_consistency(std::uint64_t start, std::uint64_t end, std::uint64_t size,
                                        std::span<const Bytes> proof, ByteView subtree_hash, ByteView root);

}  // namespace qualsig::audit
