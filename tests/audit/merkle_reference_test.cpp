// The library against known answers and against the recursive reference implementation
// (merkle_reference.h): roots, proofs and verification for every tree of 1..64 leaves.

#include <gtest/gtest.h>

#include <string>

#include "audit/memory_tree.h"
#include "audit/merkle_proof.h"
#include "audit/merkle_verify.h"
#include "audit/subtree_verify.h"
#include "merkle_reference.h"

namespace qualsig::audit {
namespace {

constexpr std::uint64_t kMaxLeaves = 64;

// The 8-leaf test tree D of RFC 6962's reference tests (corpus README §5).
std::vector<Hash> tree_d() {
  const char* data_hex[] = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                            "606162636465666768696a6b6c6d6e6f"};
  std::vector<Hash> leaves;
  for (const char* hex : data_hex) leaves.push_back(hash_leaf(*hex_decode(hex)));
  return leaves;
}

TEST(MerkleHash, KnownAnswersOfRfc9162TestTree) {
  EXPECT_EQ(to_hex(empty_root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const auto d = tree_d();
  EXPECT_EQ(to_hex(d[0]), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(to_hex(d[7]), "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1");
  const char* roots[] = {
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  for (std::size_t n = 0; n <= 8; ++n) {
    SCOPED_TRACE("n = " + std::to_string(n));
    EXPECT_EQ(to_hex(root_hash(std::span(d).first(n))), roots[n]);
  }
  EXPECT_EQ(to_hex(root_hash(std::span(d).subspan(4, 4))),
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
  EXPECT_EQ(to_hex(hash_leaf(as_bytes("data"))), "0d3aed023148ffd2a259fbd0cdc7fb3cf975658760d3775b82af6f90aacc2dfc");
}

TEST(MerkleHash, LeafAndNodeHashesMatchReference) {
  const auto leaves = reference::test_leaves(4);
  for (std::size_t len = 0; len < 200; len += 13) {
    Bytes data(len, static_cast<std::uint8_t>(len));
    EXPECT_EQ(hash_leaf(data), reference::leaf(data));
  }
  EXPECT_EQ(hash_children(leaves[0], leaves[1]), reference::node(leaves[0], leaves[1]));
  EXPECT_NE(hash_children(leaves[0], leaves[1]), hash_children(leaves[1], leaves[0]));
  EXPECT_EQ(empty_root(), reference::empty());
}

// The happy paths of corpus README §5: PATH and PROOF over tree D, written as ranges of D.
TEST(MerkleReference, ProofsOverTreeDAreTheRfcExamples) {
  const auto d = tree_d();
  MemoryTree tree;
  for (const auto& leaf : d) tree.append(leaf);
  auto mth = [&](std::size_t a, std::size_t b) { return root_hash(std::span(d).subspan(a, b - a)); };
  EXPECT_EQ(*tree.inclusion_proof(0, 8), (Proof{mth(1, 2), mth(2, 4), mth(4, 8)}));
  EXPECT_EQ(*tree.inclusion_proof(5, 8), (Proof{mth(4, 5), mth(6, 8), mth(0, 4)}));
  EXPECT_EQ(*tree.inclusion_proof(2, 3), (Proof{mth(0, 2)}));
  EXPECT_EQ(*tree.inclusion_proof(1, 5), (Proof{mth(0, 1), mth(2, 4), mth(4, 5)}));
  EXPECT_EQ(*tree.consistency_proof(1, 8), (Proof{mth(1, 2), mth(2, 4), mth(4, 8)}));
  EXPECT_EQ(*tree.consistency_proof(6, 8), (Proof{mth(4, 6), mth(6, 8), mth(0, 4)}));
  EXPECT_EQ(*tree.consistency_proof(2, 5), (Proof{mth(2, 4), mth(4, 5)}));
  EXPECT_EQ(*tree.consistency_proof(6, 7), (Proof{mth(4, 6), mth(6, 7), mth(0, 4)}));
  EXPECT_TRUE(tree.inclusion_proof(0, 1)->empty());
  EXPECT_TRUE(tree.consistency_proof(1, 1)->empty());
}

TEST(MerkleReference, RootsMatchForEverySize) {
  const auto leaves = reference::test_leaves(kMaxLeaves);
  MemoryTree tree;
  for (const auto& leaf : leaves) tree.append(leaf);
  EXPECT_EQ(*tree.root_at(0), empty_root());
  for (std::uint64_t n = 1; n <= kMaxLeaves; ++n) {
    SCOPED_TRACE("n = " + std::to_string(n));
    const auto prefix = std::span(leaves).first(n);
    const Hash want = reference::mth(prefix);
    EXPECT_EQ(root_hash(prefix), want);
    EXPECT_EQ(*tree.root_at(n), want);
  }
}

TEST(MerkleReference, InclusionProofsMatchAndVerifyForEveryIndex) {
  const auto leaves = reference::test_leaves(kMaxLeaves);
  MemoryTree tree;
  for (const auto& leaf : leaves) tree.append(leaf);
  const auto from_leaves = range_source(leaves);
  for (std::uint64_t n = 1; n <= kMaxLeaves; ++n) {
    const auto prefix = std::span(leaves).first(n);
    const Hash root = reference::mth(prefix);
    for (std::uint64_t m = 0; m < n; ++m) {
      SCOPED_TRACE("PATH(" + std::to_string(m) + ", D_" + std::to_string(n) + ")");
      const Proof want = reference::path(m, prefix);
      auto got = inclusion_proof(m, n, from_leaves);
      ASSERT_TRUE(got) << got.error().message;
      EXPECT_EQ(*got, want);
      EXPECT_EQ(*tree.inclusion_proof(m, n), want);
      EXPECT_EQ(inclusion_proof_length(m, n), want.size());
      auto verified = verify_inclusion(m, n, leaves[m], want, root);
      EXPECT_TRUE(verified) << verified.error().message;
      EXPECT_EQ(*root_from_inclusion_proof(m, n, leaves[m], want), root);
    }
  }
}

TEST(MerkleReference, ConsistencyProofsMatchAndVerifyForEveryPair) {
  const auto leaves = reference::test_leaves(kMaxLeaves);
  MemoryTree tree;
  for (const auto& leaf : leaves) tree.append(leaf);
  const auto from_leaves = range_source(leaves);
  for (std::uint64_t n = 1; n <= kMaxLeaves; ++n) {
    const auto prefix = std::span(leaves).first(n);
    const Hash root2 = reference::mth(prefix);
    for (std::uint64_t m = 1; m <= n; ++m) {
      SCOPED_TRACE("PROOF(" + std::to_string(m) + ", D_" + std::to_string(n) + ")");
      const Hash root1 = reference::mth(prefix.first(m));
      const Proof want = reference::proof(m, prefix);
      auto got = consistency_proof(m, n, from_leaves);
      ASSERT_TRUE(got) << got.error().message;
      EXPECT_EQ(*got, want);
      EXPECT_EQ(*tree.consistency_proof(m, n), want);
      EXPECT_EQ(consistency_proof_length(m, n), want.size());
      auto verified = verify_consistency(m, n, want, root1, root2);
      EXPECT_TRUE(verified) << verified.error().message;
      // A subtree starting at 0 is the older tree: the same proof verifies.
      auto as_subtree = verify_subtree_consistency(0, m, n, want, root1, root2);
      EXPECT_TRUE(as_subtree) << as_subtree.error().message;
    }
  }
}

TEST(MerkleReference, SubtreeValidityMatchesDefinition) {
  for (std::uint64_t start = 0; start <= 70; ++start) {
    for (std::uint64_t end = 0; end <= 70; ++end) {
      EXPECT_EQ(is_valid_subtree(start, end), reference::valid_subtree(start, end)) << start << ", " << end;
    }
  }
  EXPECT_TRUE(is_valid_subtree(0, UINT64_MAX));
  EXPECT_TRUE(is_valid_subtree(UINT64_MAX, UINT64_MAX));
  EXPECT_TRUE(is_valid_subtree(std::uint64_t{1} << 63, UINT64_MAX));
  EXPECT_FALSE(is_valid_subtree(1, 9223372036854775810u));
  EXPECT_FALSE(is_valid_subtree(2, 1));
}

// Every valid subtree [start, end) of every tree of 1..64 leaves: the reference
// SUBTREE_PROOF verifies, including the general case start != 0 that no corpus vector reaches.
TEST(MerkleReference, SubtreeConsistencyProofsVerifyForEverySubtree) {
  const auto leaves = reference::test_leaves(kMaxLeaves);
  std::size_t general = 0;
  for (std::uint64_t n = 1; n <= kMaxLeaves; ++n) {
    const auto prefix = std::span(leaves).first(n);
    const Hash root = reference::mth(prefix);
    for (std::uint64_t start = 0; start <= n; ++start) {
      for (std::uint64_t end = start; end <= n; ++end) {
        if (!reference::valid_subtree(start, end)) continue;
        SCOPED_TRACE("SUBTREE_PROOF(" + std::to_string(start) + ", " + std::to_string(end) + ", D_" +
                     std::to_string(n) + ")");
        const Hash subtree = reference::mth(prefix.subspan(start, end - start));
        const Proof proof = start == end ? Proof{} : reference::subtree_proof(start, end, prefix);
        if (start == 0 && end > 0) {
          EXPECT_EQ(proof, reference::proof(end, prefix));
        }
        auto verified = verify_subtree_consistency(start, end, n, proof, subtree, root);
        EXPECT_TRUE(verified) << verified.error().message;
        if (start != 0 && start != end) ++general;
      }
    }
  }
  EXPECT_GT(general, 1000u);
}

TEST(MerkleReference, SubtreeInclusionProofsVerifyForEveryLeaf) {
  const auto leaves = reference::test_leaves(kMaxLeaves);
  for (std::uint64_t start = 0; start < kMaxLeaves; ++start) {
    for (std::uint64_t end = start + 1; end <= kMaxLeaves; ++end) {
      if (!reference::valid_subtree(start, end)) continue;
      const auto subtree = std::span(leaves).subspan(start, end - start);
      const Hash hash = reference::mth(subtree);
      for (std::uint64_t index = start; index < end; ++index) {
        SCOPED_TRACE("leaf " + std::to_string(index) + " in [" + std::to_string(start) + ", " +
                     std::to_string(end) + ")");
        auto verified = verify_subtree_inclusion(index, start, end, leaves[index],
                                                 reference::path(index - start, subtree), hash);
        EXPECT_TRUE(verified) << verified.error().message;
      }
    }
  }
}

TEST(MerkleReference, GenerationRejectsImpossibleRequests) {
  const auto leaves = reference::test_leaves(4);
  const auto source = range_source(leaves);
  EXPECT_EQ(inclusion_proof(4, 4, source).error().code, ErrorCode::usage);
  EXPECT_EQ(consistency_proof(0, 4, source).error().code, ErrorCode::usage);
  EXPECT_EQ(consistency_proof(3, 2, source).error().code, ErrorCode::usage);
  // A source that cannot supply a range passes its error on.
  EXPECT_EQ(inclusion_proof(0, 8, source).error().code, ErrorCode::usage);
  MemoryTree tree;
  for (const auto& leaf : leaves) tree.append(leaf);
  EXPECT_FALSE(tree.inclusion_proof(0, 5));
  EXPECT_FALSE(tree.consistency_proof(1, 5));
  EXPECT_FALSE(tree.root_at(5));
  EXPECT_FALSE(tree.range_hash({3, 2}));
  EXPECT_EQ(*tree.range_hash({2, 2}), empty_root());
}

}  // namespace
}  // namespace qualsig::audit
