// Negative tests named after their mutation (STYLE.md §10): every valid proof of every tree of
// 1..64 leaves, changed in one way, must be rejected.

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "audit/merkle_verify.h"
#include "audit/subtree_verify.h"
#include "merkle_reference.h"

namespace qualsig::audit {
namespace {

constexpr std::uint64_t kMaxLeaves = 64;

Hash flip_bit(Hash hash, std::size_t bit) {
  hash[(bit / 8) % kHashSize] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  return hash;
}

Proof flip_element(Proof proof, std::size_t i) {
  proof[i] = flip_bit(proof[i], 3 + 8 * i);
  return proof;
}

// Runs `verify` on a mutated input and records a failure naming the mutation if it passes.
class Mutations {
 public:
  explicit Mutations(std::string base) : m_base(std::move(base)) {}

  void expect_rejected(const std::string& mutation, const Result<void>& result) {
    ++m_count;
    EXPECT_FALSE(result.has_value()) << m_base << ": mutation '" << mutation << "' was accepted";
  }
  std::size_t count() const { return m_count; }

 private:
  std::string m_base;
  std::size_t m_count = 0;
};

// The mutations every proof gets; `verify(proof)` verifies the otherwise unchanged input.
void proof_mutations(Mutations& m, const Proof& proof, const Hash& root,
                     const std::function<Result<void>(const Proof&)>& verify) {
  for (std::size_t i = 0; i < proof.size(); ++i)
    m.expect_rejected("proof-bit-flipped-at-" + std::to_string(i), verify(flip_element(proof, i)));
  if (!proof.empty()) {
    m.expect_rejected("proof-truncated", verify(Proof(proof.begin(), proof.end() - 1)));
    m.expect_rejected("proof-first-element-removed", verify(Proof(proof.begin() + 1, proof.end())));
  }
  Proof extended = proof;
  extended.push_back(root);
  m.expect_rejected("proof-extended", verify(extended));
  Proof preceded = proof;
  preceded.insert(preceded.begin(), Hash{});
  m.expect_rejected("proof-extended-at-front", verify(preceded));
}

TEST(MerkleMutation, InclusionProofMutationsAreRejected) {
  const auto leaves = reference::test_leaves(kMaxLeaves);
  std::size_t total = 0;
  for (std::uint64_t n = 1; n <= kMaxLeaves; ++n) {
    const auto prefix = std::span(leaves).first(n);
    const Hash root = reference::mth(prefix);
    for (std::uint64_t i = 0; i < n; ++i) {
      const Proof proof = reference::path(i, prefix);
      ASSERT_TRUE(verify_inclusion(i, n, leaves[i], proof, root));
      Mutations m("inclusion of leaf " + std::to_string(i) + " in tree of size " + std::to_string(n));
      proof_mutations(m, proof, root, [&](const Proof& p) { return verify_inclusion(i, n, leaves[i], p, root); });
      m.expect_rejected("wrong-index", verify_inclusion(i + 1, n, leaves[i], proof, root));
      m.expect_rejected("wrong-index", verify_inclusion(i ^ 1, n, leaves[i], proof, root));
      m.expect_rejected("wrong-index", verify_inclusion(i - 1, n, leaves[i], proof, root));  // 0 - 1 wraps
      // Doubling or halving the size always changes the proof length. (Off by one it need not:
      // PATH(0, D_3) and PATH(0, D_4) chain the same way, so a size is only as trustworthy as
      // the signed tree head that binds it to the root.)
      m.expect_rejected("wrong-size", verify_inclusion(i, n * 2, leaves[i], proof, root));
      m.expect_rejected("wrong-size", verify_inclusion(i, n / 2, leaves[i], proof, root));
      m.expect_rejected("wrong-size", verify_inclusion(i, 0, leaves[i], proof, root));
      m.expect_rejected("root-bit-flipped", verify_inclusion(i, n, leaves[i], proof, flip_bit(root, 0)));
      m.expect_rejected("root-bit-flipped", verify_inclusion(i, n, leaves[i], proof, flip_bit(root, 255)));
      m.expect_rejected("leaf-bit-flipped", verify_inclusion(i, n, flip_bit(leaves[i], 7), proof, root));
      m.expect_rejected("other-leaf", verify_inclusion(i, n, leaves[(i + 1) % kMaxLeaves], proof, root));
      total += m.count();
    }
  }
  EXPECT_GT(total, 20000u);
}

TEST(MerkleMutation, ConsistencyProofMutationsAreRejected) {
  const auto leaves = reference::test_leaves(kMaxLeaves);
  std::size_t total = 0;
  for (std::uint64_t n = 1; n <= kMaxLeaves; ++n) {
    const auto prefix = std::span(leaves).first(n);
    const Hash root2 = reference::mth(prefix);
    for (std::uint64_t m1 = 1; m1 <= n; ++m1) {
      const Hash root1 = reference::mth(prefix.first(m1));
      const Proof proof = reference::proof(m1, prefix);
      ASSERT_TRUE(verify_consistency(m1, n, proof, root1, root2));
      Mutations m("consistency " + std::to_string(m1) + " -> " + std::to_string(n));
      proof_mutations(m, proof, root2, [&](const Proof& p) { return verify_consistency(m1, n, p, root1, root2); });
      m.expect_rejected("wrong-size", verify_consistency(m1, n * 2, proof, root1, root2));
      m.expect_rejected("wrong-size", verify_consistency(m1, m1 - 1, proof, root1, root2));
      m.expect_rejected("wrong-size", verify_consistency(0, n, proof, root1, root2));
      m.expect_rejected("wrong-size", verify_consistency(n + 1, n, proof, root1, root2));
      m.expect_rejected("root-bit-flipped", verify_consistency(m1, n, proof, flip_bit(root1, 1), root2));
      m.expect_rejected("root-bit-flipped", verify_consistency(m1, n, proof, root1, flip_bit(root2, 1)));
      if (root1 != root2) m.expect_rejected("swapped-roots", verify_consistency(m1, n, proof, root2, root1));
      total += m.count();
    }
  }
  EXPECT_GT(total, 20000u);
}

// The general subtree case (start != 0), which no corpus vector reaches.
TEST(MerkleMutation, SubtreeConsistencyProofMutationsAreRejected) {
  const auto leaves = reference::test_leaves(kMaxLeaves);
  std::size_t total = 0;
  for (std::uint64_t n = 2; n <= kMaxLeaves; ++n) {
    const auto prefix = std::span(leaves).first(n);
    const Hash root = reference::mth(prefix);
    for (std::uint64_t start = 1; start < n; ++start) {
      for (std::uint64_t end = start + 1; end <= n; ++end) {
        if (!reference::valid_subtree(start, end)) continue;
        const Hash subtree = reference::mth(prefix.subspan(start, end - start));
        const Proof proof = reference::subtree_proof(start, end, prefix);
        ASSERT_TRUE(verify_subtree_consistency(start, end, n, proof, subtree, root));
        Mutations m("subtree [" + std::to_string(start) + ", " + std::to_string(end) + ") of size " +
                    std::to_string(n));
        proof_mutations(m, proof, root, [&](const Proof& p) {
          return verify_subtree_consistency(start, end, n, p, subtree, root);
        });
        m.expect_rejected("wrong-size", verify_subtree_consistency(start, end, n * 2, proof, subtree, root));
        m.expect_rejected("wrong-size", verify_subtree_consistency(start, end, end - 1, proof, subtree, root));
        m.expect_rejected("root-bit-flipped", verify_subtree_consistency(start, end, n, proof, subtree, flip_bit(root, 2)));
        m.expect_rejected("subtree-hash-bit-flipped",
                          verify_subtree_consistency(start, end, n, proof, flip_bit(subtree, 2), root));
        m.expect_rejected("empty-subtree-with-proof", verify_subtree_consistency(start, start, n, proof, empty_root(), root));
        total += m.count();
      }
    }
  }
  EXPECT_GT(total, 10000u);
}

TEST(MerkleMutation, SubtreeInclusionRejectsIndexOutsideAndInvalidSubtrees) {
  const auto leaves = reference::test_leaves(16);
  const auto subtree = std::span(leaves).subspan(8, 5);  // [8, 13)
  const Hash hash = reference::mth(subtree);
  const Proof proof = reference::path(2, subtree);  // leaf 10
  ASSERT_TRUE(verify_subtree_inclusion(10, 8, 13, leaves[10], proof, hash));
  EXPECT_FALSE(verify_subtree_inclusion(7, 8, 13, leaves[10], proof, hash));   // wrong-index (before)
  EXPECT_FALSE(verify_subtree_inclusion(13, 8, 13, leaves[10], proof, hash));  // wrong-index (after)
  EXPECT_FALSE(verify_subtree_inclusion(11, 8, 13, leaves[10], proof, hash));  // wrong-index
  EXPECT_FALSE(verify_subtree_inclusion(10, 4, 9, leaves[10], proof, hash));   // invalid subtree
  // wrong-size: [8, 12) needs a shorter proof. ([8, 14) would pass: PATH(2, D_5) and PATH(2, D_6)
  // chain the same way, so only a signed subtree hash binds the size.)
  EXPECT_FALSE(verify_subtree_inclusion(10, 8, 12, leaves[10], proof, hash));
  EXPECT_FALSE(verify_subtree_inclusion(10, 8, 13, leaves[10], proof, flip_bit(hash, 9)));
}

TEST(MerkleMutation, MessagesSayWhatFailed) {
  const auto leaves = reference::test_leaves(8);
  const Hash root = reference::mth(leaves);
  const Proof proof = reference::path(3, leaves);
  auto short_proof = verify_inclusion(3, 8, leaves[3], Proof(proof.begin(), proof.end() - 1), root);
  ASSERT_FALSE(short_proof);
  EXPECT_EQ(short_proof.error().message, "inclusion proof has wrong length: got 2, want 3");
  EXPECT_EQ(short_proof.error().code, ErrorCode::invalid_input);
  auto bad_root = verify_inclusion(3, 8, leaves[3], proof, flip_bit(root, 0));
  ASSERT_FALSE(bad_root);
  EXPECT_EQ(bad_root.error().message, "calculated root does not match");
  EXPECT_EQ(bad_root.error().code, ErrorCode::denied);
  auto out_of_range = verify_inclusion(8, 8, leaves[3], proof, root);
  ASSERT_FALSE(out_of_range);
  EXPECT_EQ(out_of_range.error().message, "inclusion proof: leaf index 8 is not less than tree size 8");
  const std::vector<Bytes> wire{Bytes(proof[0].begin(), proof[0].end()), Bytes(31, 0), Bytes(32, 0)};
  auto short_hash = verify_inclusion(3, 8, ByteView(leaves[3]), wire, ByteView(root));
  ASSERT_FALSE(short_hash);
  EXPECT_EQ(short_hash.error().message, "proof element 1 has wrong length: got 31 bytes, want 32");
  auto short_leaf = verify_inclusion(3, 8, ByteView(leaves[3]).first(9), wire, ByteView(root));
  ASSERT_FALSE(short_leaf);
  EXPECT_EQ(short_leaf.error().message, "leaf hash has wrong length: got 9 bytes, want 32");
  auto reversed = verify_consistency(5, 3, Proof{}, root, root);
  ASSERT_FALSE(reversed);
  EXPECT_EQ(reversed.error().message, "consistency proof: first tree size 5 is larger than second tree size 3");
  auto from_empty = verify_consistency(0, 3, Proof{root}, empty_root(), root);
  ASSERT_FALSE(from_empty);
  EXPECT_EQ(from_empty.error().message, "consistency proof from an empty tree is not defined");
  auto equal_sizes = verify_consistency(8, 8, Proof{root}, root, root);
  ASSERT_FALSE(equal_sizes);
  EXPECT_EQ(equal_sizes.error().message, "consistency proof between equal tree sizes must be empty: got 1 hashes");
  auto wrong_first = verify_consistency(3, 8, reference::proof(3, leaves), root, root);
  ASSERT_FALSE(wrong_first);
  EXPECT_EQ(wrong_first.error().message, "calculated first root does not match");
}

}  // namespace
}  // namespace qualsig::audit
