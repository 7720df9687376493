#include "audit/merkle_hash.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "core/digest.h"

namespace qualsig::audit {
namespace {

// RFC 9162 §2.1.1 domain separation: "0x00" before leaf data, "0x01" before two child hashes,
// so that a leaf can never be passed off as an interior node (second-preimage defence).
constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;

Hash sha256(ByteView data) {
  Bytes digest = core::sha256(data);
  Hash out{};
  // core::sha256 always yields 32 bytes; anything else is a broken invariant.
  if (digest.size() != kHashSize) throw std::logic_error("SHA-256 digest is not 32 bytes");
  std::copy(digest.begin(), digest.end(), out.begin());
  return out;
}

}  // namespace

Hash hash_leaf(ByteView entry) {
  Bytes input;
  input.reserve(entry.size() + 1);
  input.push_back(kLeafPrefix);
  input.insert(input.end(), entry.begin(), entry.end());
  return sha256(input);
}

Hash hash_children(const Hash& left, const Hash& right) {
  std::array<std::uint8_t, 1 + 2 * kHashSize> input{};
  input[0] = kNodePrefix;
  std::copy(left.begin(), left.end(), input.begin() + 1);
  std::copy(right.begin(), right.end(), input.begin() + 1 + kHashSize);
  return sha256(input);
}

Hash empty_root() {
  static const Hash kEmpty = sha256({});
  return kEmpty;
}

Hash root_hash(std::span<const Hash> leaf_hashes) {
  if (leaf_hashes.empty()) return empty_root();
  // Keep the roots of the complete subtrees seen so far (a compact range, largest first);
  // after i leaves there is one per set bit of i. Appending leaf i merges as many of them as
  // i has trailing one bits.
  std::vector<Hash> stack;
  stack.reserve(64);
  for (std::size_t i = 0; i < leaf_hashes.size(); ++i) {
    stack.push_back(leaf_hashes[i]);
    for (int merges = std::countr_one(i); merges > 0; --merges) {
      Hash right = stack.back();
      stack.pop_back();
      stack.back() = hash_children(stack.back(), right);
    }
  }
  // The leftover subtrees are combined right to left: MTH splits at the largest power of two
  // smaller than n, which is exactly the leftmost (largest) complete subtree.
  Hash root = stack.back();
  for (std::size_t i = stack.size() - 1; i-- > 0;) root = hash_children(stack[i], root);
  return root;
}

std::optional<Hash> hash_from_bytes(ByteView bytes) {
  if (bytes.size() != kHashSize) return std::nullopt;
  Hash out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

std::string to_hex(const Hash& hash) { return hex_encode(hash); }

}  // namespace qualsig::audit
