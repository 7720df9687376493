#pragma once
// A reference implementation for the tests, written straight from the recursive definitions:
// MTH (RFC 9162 §2.1.1), PATH (§2.1.3.1), PROOF/SUBPROOF (§2.1.4.1), and SUBTREE_PROOF /
// SUBTREE_SUBPROOF (draft-ietf-plants-merkle-tree-certs §4.4.1). Deliberately slow and simple:
// recursion on slices, SHA-256 through core directly, no bit tricks. Shares no code with
// src/audit apart from the Hash type.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "audit/merkle_hash.h"

namespace qualsig::audit::reference {

// HASH(0x00 || data).
Hash leaf(ByteView data);
// HASH(0x01 || left || right).
Hash node(const Hash& left, const Hash& right);
// HASH() of the empty string.
Hash empty();

// "let k be the largest power of two smaller than n (i.e., k < n <= 2k)", for n >= 2.
std::uint64_t largest_power_of_two_below(std::uint64_t n);

// MTH(D_n) over leaf hashes (each already HASH(0x00 || d(i))).
Hash mth(std::span<const Hash> leaves);
// PATH(m, D_n), 0 <= m < n.
Proof path(std::uint64_t m, std::span<const Hash> leaves);
// PROOF(m, D_n) = SUBPROOF(m, D_n, true), 0 < m <= n.
Proof proof(std::uint64_t m, std::span<const Hash> leaves);
// SUBTREE_PROOF(start, end, D_n) = SUBTREE_SUBPROOF(start, end, D_n, true) for a valid,
// non-empty subtree with end <= n.
Proof subtree_proof(std::uint64_t start, std::uint64_t end, std::span<const Hash> leaves);
// The draft's subtree validity: start <= end and start a multiple of the smallest power of two
// >= end - start (start == 0 or an empty range always valid). Only for small numbers.
bool valid_subtree(std::uint64_t start, std::uint64_t end);

// n distinct test leaves: leaf("qualsig audit test leaf <i>").
std::vector<Hash> test_leaves(std::size_t n);

}  // namespace qualsig::audit::reference
