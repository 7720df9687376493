// CompactRange and MemoryTree against the reference root, and the compact range's encoding.

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <string>

#include "audit/compact_range.h"
#include "audit/memory_tree.h"
#include "merkle_reference.h"

namespace qualsig::audit {
namespace {

constexpr std::size_t kLeaves = 1000;

TEST(MerkleCompactRange, EmptyRangeHasEmptyRoot) {
  CompactRange range;
  EXPECT_EQ(range.size(), 0u);
  EXPECT_TRUE(range.nodes().empty());
  EXPECT_EQ(range.root(), empty_root());
  auto copy = CompactRange::deserialize(range.serialize());
  ASSERT_TRUE(copy) << copy.error().message;
  EXPECT_EQ(*copy, range);
}

TEST(MerkleCompactRange, AppendMatchesReferenceRootAtEverySizeAndRoundTrips) {
  const auto leaves = reference::test_leaves(kLeaves);
  CompactRange range;
  MemoryTree tree;
  for (std::size_t n = 1; n <= kLeaves; ++n) {
    SCOPED_TRACE("n = " + std::to_string(n));
    ASSERT_TRUE(range.append(leaves[n - 1]));
    tree.append(leaves[n - 1]);
    const Hash want = reference::mth(std::span(leaves).first(n));
    ASSERT_EQ(range.size(), n);
    ASSERT_EQ(range.nodes().size(), static_cast<std::size_t>(std::popcount(n)));
    EXPECT_EQ(range.root(), want);
    EXPECT_EQ(tree.root(), want);

    const Bytes encoded = range.serialize();
    EXPECT_EQ(encoded.size(), 1 + 8 + range.nodes().size() * kHashSize);
    auto decoded = CompactRange::deserialize(encoded);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, range);
    EXPECT_EQ(decoded->root(), want);
    auto rebuilt = CompactRange::from_nodes(n, std::vector<Hash>(range.nodes().begin(), range.nodes().end()));
    ASSERT_TRUE(rebuilt);
    EXPECT_EQ(*rebuilt, range);
  }
  // A restored range keeps growing like the original.
  auto restored = CompactRange::deserialize(range.serialize());
  ASSERT_TRUE(restored);
  const Hash extra = reference::leaf(as_bytes("one more"));
  ASSERT_TRUE(restored->append(extra));
  auto all = leaves;
  all.push_back(extra);
  EXPECT_EQ(restored->root(), reference::mth(all));
}

TEST(MerkleCompactRange, MalformedEncodingsAreRejected) {
  const auto leaves = reference::test_leaves(5);
  CompactRange range;
  for (const auto& leaf : leaves) ASSERT_TRUE(range.append(leaf));
  const Bytes good = range.serialize();  // size 5: two node hashes
  ASSERT_TRUE(CompactRange::deserialize(good));

  struct Case {
    const char* name;
    Bytes data;
  };
  std::vector<Case> cases;
  cases.push_back({"empty-input", {}});
  Bytes bad_version = good;
  bad_version[0] = 2;
  cases.push_back({"unknown-version", bad_version});
  cases.push_back({"truncated-size", Bytes(good.begin(), good.begin() + 5)});
  cases.push_back({"size-only", Bytes(good.begin(), good.begin() + 9)});
  cases.push_back({"truncated-node", Bytes(good.begin(), good.end() - 1)});
  cases.push_back({"missing-node", Bytes(good.begin(), good.end() - 32)});
  Bytes trailing = good;
  trailing.push_back(0);
  cases.push_back({"trailing-garbage", trailing});
  Bytes extra_node = good;
  extra_node.insert(extra_node.end(), 32, 0xab);
  cases.push_back({"extra-node", extra_node});
  Bytes wrong_size = good;
  wrong_size[8] = 4;  // size 4 needs one node, two follow
  cases.push_back({"size-does-not-match-nodes", wrong_size});
  Bytes huge = {1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};  // 2^64 - 1 needs 64 nodes
  cases.push_back({"max-size-without-nodes", huge});

  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto result = CompactRange::deserialize(c.data);
    ASSERT_FALSE(result) << c.name << " was accepted";
    EXPECT_EQ(result.error().code, ErrorCode::invalid_input);
    EXPECT_EQ(result.error().message.rfind("malformed compact range: ", 0), 0u) << result.error().message;
  }
  EXPECT_FALSE(CompactRange::from_nodes(5, {}));
  EXPECT_FALSE(CompactRange::from_nodes(0, {Hash{}}));
}

TEST(MerkleCompactRange, FullRangeRefusesToGrow) {
  // Size 2^64 - 1 and its 64 node hashes.
  Bytes data(1 + 8 + 64 * kHashSize, 0x11);
  data[0] = 1;
  std::fill(data.begin() + 1, data.begin() + 9, 0xff);
  auto full = CompactRange::deserialize(data);
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->size(), UINT64_MAX);
  EXPECT_EQ(full->nodes().size(), 64u);
  (void)full->root();
  auto appended = full->append(Hash{});
  ASSERT_FALSE(appended);
  EXPECT_EQ(appended.error().code, ErrorCode::conflict);
  EXPECT_EQ(full->serialize(), data);
}

TEST(MerkleCompactRange, MemoryTreeRangeHashesMatchReference) {
  const auto leaves = reference::test_leaves(40);
  MemoryTree tree;
  for (const auto& leaf : leaves) tree.append(leaf);
  for (std::uint64_t begin = 0; begin <= 40; ++begin) {
    for (std::uint64_t end = begin; end <= 40; ++end) {
      auto got = tree.range_hash({begin, end});
      ASSERT_TRUE(got);
      EXPECT_EQ(*got, reference::mth(std::span(leaves).subspan(begin, end - begin))) << begin << ", " << end;
    }
  }
  EXPECT_FALSE(tree.range_hash({0, 41}));
}

// A pruned tree (the running log's) answers every root, range, inclusion and consistency proof
// exactly as the reference does, keeps about 2n / 2^h hashes, and reads back at most the blocks
// a proof touches.
TEST(MerkleMemoryTree, PrunedTreeAnswersLikeTheReferenceWithBoundedMemory) {
  constexpr unsigned kHeight = 3;  // blocks of 8 leaves, so that small trees cross many blocks
  constexpr std::size_t kN = 100;
  const auto leaves = reference::test_leaves(kN);
  int reads = 0;
  MemoryTree pruned(kHeight, [&](std::uint64_t begin, std::uint64_t end) -> Result<std::vector<Hash>> {
    ++reads;
    return std::vector<Hash>(leaves.begin() + static_cast<std::ptrdiff_t>(begin), leaves.begin() + static_cast<std::ptrdiff_t>(end));
  });
  for (std::size_t n = 1; n <= kN; ++n) {
    pruned.append(leaves[n - 1]);
    ASSERT_EQ(pruned.root(), reference::mth(std::span(leaves).first(n))) << n;
  }
  EXPECT_EQ(reads, 0) << "appending and the current root read nothing back";
  EXPECT_LE(pruned.kept_hashes(), 2 * kN / 8 + 2 * 8 + 8);
  for (std::uint64_t size = 1; size <= kN; ++size) {
    SCOPED_TRACE("size " + std::to_string(size));
    auto root = pruned.root_at(size);
    ASSERT_TRUE(root) << root.error().message;
    EXPECT_EQ(*root, reference::mth(std::span(leaves).first(size)));
    for (std::uint64_t m = 0; m < size; m += 7) {
      auto path = pruned.inclusion_proof(m, size);
      ASSERT_TRUE(path) << path.error().message;
      EXPECT_EQ(*path, reference::path(m, std::span(leaves).first(size)));
    }
    for (std::uint64_t m = 1; m <= size; m += 5) {
      auto proof = pruned.consistency_proof(m, size);
      ASSERT_TRUE(proof) << proof.error().message;
      EXPECT_EQ(*proof, reference::proof(m, std::span(leaves).first(size)));
    }
  }
  // One proof reads at most the blocks of its two ends (and the last one is remembered).
  reads = 0;
  ASSERT_TRUE(pruned.inclusion_proof(3, kN));
  EXPECT_LE(reads, 1);
  ASSERT_TRUE(pruned.consistency_proof(13, 61));
  EXPECT_LE(reads, 3);

  // The complete tree keeps every complete subtree: sum of n / 2^h = 197 for 100 leaves.
  MemoryTree complete;
  for (const auto& leaf : leaves) complete.append(leaf);
  EXPECT_EQ(complete.kept_hashes(), 197u);
}

// Leaves read back that differ from the ones appended (rows changed in the store afterwards) are
// refused, not turned into a proof; a store that cannot be read gives its error.
TEST(MerkleMemoryTree, PrunedTreeRefusesLeavesThatChangedAndPassesStoreErrors) {
  const auto leaves = reference::test_leaves(43);  // five blocks of 8, and 3 leaves in the current one
  bool tamper = false, down = false;
  MemoryTree pruned(3, [&](std::uint64_t begin, std::uint64_t end) -> Result<std::vector<Hash>> {
    if (down) return fail(ErrorCode::database, "store down");
    std::vector<Hash> out(leaves.begin() + static_cast<std::ptrdiff_t>(begin), leaves.begin() + static_cast<std::ptrdiff_t>(end));
    if (tamper) out[1][0] ^= 1;
    return out;
  });
  for (const auto& leaf : leaves) pruned.append(leaf);
  tamper = true;
  auto changed = pruned.inclusion_proof(2, 43);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::database);
  EXPECT_NE(changed.error().message.find("changed since they were appended"), std::string::npos) << changed.error().message;
  tamper = false;
  down = true;
  auto unreadable = pruned.inclusion_proof(9, 43);
  ASSERT_FALSE(unreadable);
  EXPECT_EQ(unreadable.error().message, "store down");
  // The current root and proofs within the current block need no store.
  EXPECT_EQ(pruned.root(), reference::mth(leaves));
  auto current = pruned.inclusion_proof(41, 43);
  ASSERT_TRUE(current) << current.error().message;
  EXPECT_EQ(*current, reference::path(41, leaves));
}

}  // namespace
}  // namespace qualsig::audit
