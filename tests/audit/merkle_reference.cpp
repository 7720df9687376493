#include "merkle_reference.h"

#include <algorithm>
#include <stdexcept>

#include "core/digest.h"

namespace qualsig::audit::reference {
namespace {

Hash sha256(const Bytes& input) {
  Bytes digest = core::sha256(input);
  Hash out{};
  std::copy(digest.begin(), digest.end(), out.begin());
  return out;
}

Proof concat(Proof head, const Hash& tail) {
  head.push_back(tail);
  return head;
}

// SUBPROOF(m, D_n, b) of RFC 9162 §2.1.4.1.
Proof subproof(std::uint64_t m, std::span<const Hash> d, bool b) {
  const std::uint64_t n = d.size();
  if (m == n) {
    // "The subproof for m = n is empty if m is the value for which PROOF was originally
    // requested ... SUBPROOF(m, D[m], true) = {}"; "otherwise: SUBPROOF(m, D[m], false) =
    // {MTH(D[m])}".
    if (b) return {};
    return {mth(d)};
  }
  const std::uint64_t k = largest_power_of_two_below(n);
  if (m <= k) {
    // "SUBPROOF(m, D_n, b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])"
    return concat(subproof(m, d.subspan(0, k), b), mth(d.subspan(k)));
  }
  // "SUBPROOF(m, D_n, b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])"
  return concat(subproof(m - k, d.subspan(k), false), mth(d.subspan(0, k)));
}

// SUBTREE_SUBPROOF(start, end, D_n, known) of draft-ietf-plants-merkle-tree-certs §4.4.1.
Proof subtree_subproof(std::uint64_t start, std::uint64_t end, std::span<const Hash> d, bool known) {
  const std::uint64_t n = d.size();
  if (start == 0 && end == n) {
    if (known) return {};
    return {mth(d)};
  }
  const std::uint64_t k = largest_power_of_two_below(n);
  if (end <= k) return concat(subtree_subproof(start, end, d.subspan(0, k), known), mth(d.subspan(k)));
  if (k <= start) return concat(subtree_subproof(start - k, end - k, d.subspan(k), known), mth(d.subspan(0, k)));
  // start < k < end, which for a valid subtree implies start == 0.
  if (start != 0) throw std::logic_error("reference: not a valid subtree");
  return concat(subtree_subproof(0, end - k, d.subspan(k), false), mth(d.subspan(0, k)));
}

}  // namespace

Hash leaf(ByteView data) {
  Bytes input{0x00};
  input.insert(input.end(), data.begin(), data.end());
  return sha256(input);
}

Hash node(const Hash& left, const Hash& right) {
  Bytes input{0x01};
  input.insert(input.end(), left.begin(), left.end());
  input.insert(input.end(), right.begin(), right.end());
  return sha256(input);
}

Hash empty() { return sha256({}); }

std::uint64_t largest_power_of_two_below(std::uint64_t n) {
  if (n < 2) throw std::logic_error("reference: k needs n >= 2");
  std::uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Hash mth(std::span<const Hash> d) {
  const std::uint64_t n = d.size();
  // "MTH({}) = HASH()"; "MTH({d(0)}) = HASH(0x00 || d(0))" (the leaves here are leaf hashes).
  if (n == 0) return empty();
  if (n == 1) return d[0];
  // "MTH(D_n) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))"
  const std::uint64_t k = largest_power_of_two_below(n);
  return node(mth(d.subspan(0, k)), mth(d.subspan(k)));
}

Proof path(std::uint64_t m, std::span<const Hash> d) {
  const std::uint64_t n = d.size();
  // "The path for the single leaf in a tree with a one-element input list D[1] = {d(0)} is
  // empty: PATH(0, {d(0)}) = {}"
  if (n == 1) return {};
  const std::uint64_t k = largest_power_of_two_below(n);
  // "For m < k, PATH(m, D_n) = PATH(m, D[0:k]) : MTH(D[k:n])"
  if (m < k) return concat(path(m, d.subspan(0, k)), mth(d.subspan(k)));
  // "For m >= k, PATH(m, D_n) = PATH(m - k, D[k:n]) : MTH(D[0:k])"
  return concat(path(m - k, d.subspan(k)), mth(d.subspan(0, k)));
}

Proof proof(std::uint64_t m, std::span<const Hash> d) { return subproof(m, d, true); }

Proof subtree_proof(std::uint64_t start, std::uint64_t end, std::span<const Hash> d) {
  return subtree_subproof(start, end, d, true);
}

bool valid_subtree(std::uint64_t start, std::uint64_t end) {
  if (start > end) return false;
  if (start == 0 || start == end) return true;
  std::uint64_t ceil = 1;
  while (ceil < end - start) ceil *= 2;
  return start % ceil == 0;
}

std::vector<Hash> test_leaves(std::size_t n) {
  std::vector<Hash> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(leaf(as_bytes("qualsig audit test leaf " + std::to_string(i))));
  return out;
}

}  // namespace qualsig::audit::reference
