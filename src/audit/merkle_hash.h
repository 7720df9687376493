#pragma once
// Merkle Tree Hash of RFC 9162 §2.1.1 with SHA-256 (identical to RFC 6962 §2.1): the node
// hashes every audit-log proof is built from.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/bytes.h"

namespace qualsig::audit {

// Size of every node hash: SHA-256 output, 32 bytes.
inline constexpr std::size_t kHashSize = 32;

// One node hash: a leaf hash, an interior node hash or a tree root.
using Hash = std::array<std::uint8_t, kHashSize>;

// An inclusion or consistency proof: node hashes ordered from the bottom of the tree upward,
// as RFC 9162 PATH (§2.1.3.1) and PROOF (§2.1.4.1) produce them.
using Proof = std::vector<Hash>;

// RFC 9162 §2.1.1: "The hash of a list with one entry (also known as a leaf hash) is:
// MTH({d(0)}) = HASH(0x00 || d(0))." `entry` is the leaf's data, of any length.
Hash hash_leaf(ByteView entry);

// RFC 9162 §2.1.1: "MTH(D_n) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))", the hash of an
// interior node from the hashes of its left and right children.
Hash hash_children(const Hash& left, const Hash& right);

// RFC 9162 §2.1.1: "The hash of an empty list is the hash of an empty string:
// MTH({}) = HASH()." This is the root of a tree of size 0.
Hash empty_root();

// MTH(D_n) (RFC 9162 §2.1.1) of a list of n *leaf hashes* (already hash_leaf'ed). O(n) hashes,
// O(log n) memory, no recursion. Empty input gives empty_root().
Hash root_hash(std::span<const Hash> leaf_hashes);

// `bytes` as a Hash; nullopt unless it is exactly kHashSize bytes long.
std::optional<Hash> hash_from_bytes(ByteView bytes);

// Lower-case hex of a hash, for messages and logs.
std::string to_hex(const Hash& hash);

}  // namespace qualsig::audit
