// Fuzz-style tests without libFuzzer: many random inputs from a fixed seed go to the compact
// range decoder and to every verifier. Run under ASan/UBSan (QUALSIG_SANITIZE=ON) these check
// that hostile bytes and sizes never crash, overflow or read out of bounds.

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>

#include "audit/compact_range.h"
#include "audit/merkle_verify.h"
#include "audit/subtree_verify.h"
#include "merkle_reference.h"

namespace qualsig::audit {
namespace {

constexpr int kIterations = 20000;
// Fewer for the test whose proofs are up to 64 hashes long.
constexpr int kDeepIterations = 4000;

class Random {
 public:
  explicit Random(std::uint64_t seed) : m_engine(seed) {}

  std::uint64_t below(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(m_engine); }
  std::uint64_t any() { return m_engine(); }
  Bytes bytes(std::size_t n) {
    Bytes out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(m_engine());
    return out;
  }
  // Sizes and indices where the arithmetic is most likely to go wrong.
  std::uint64_t size() {
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    switch (below(6)) {
      case 0: return below(4);
      case 1: return below(200);
      case 2: return (std::uint64_t{1} << below(64)) + below(3) - 1;
      case 3: return kMax - below(4);
      case 4: return (std::uint64_t{1} << 63) + below(5) - 2;
      default: return any();
    }
  }
  // Hash-like byte strings, mostly 32 bytes long.
  Bytes hash() {
    switch (below(8)) {
      case 0: return {};
      case 1: return bytes(below(64));
      default: return bytes(kHashSize);
    }
  }
  std::vector<Bytes> proof() {
    std::vector<Bytes> out(below(4) == 0 ? below(70) : below(8));
    for (auto& h : out) h = hash();
    return out;
  }

 private:
  std::mt19937_64 m_engine;
};

TEST(MerkleFuzz, CompactRangeDecoderNeverCrashes) {
  Random rnd(0x5eed0001);
  const auto leaves = reference::test_leaves(37);
  CompactRange valid;
  for (const auto& leaf : leaves) ASSERT_TRUE(valid.append(leaf));
  const Bytes good = valid.serialize();
  std::size_t accepted = 0;
  for (int i = 0; i < kIterations; ++i) {
    Bytes data;
    switch (rnd.below(4)) {
      case 0:  // pure noise
        data = rnd.bytes(rnd.below(2200));
        break;
      case 1:  // a valid header followed by noise
        data = rnd.bytes(rnd.below(300));
        if (!data.empty()) data[0] = 1;
        break;
      case 2: {  // a valid encoding with a few bytes changed
        data = good;
        for (std::uint64_t k = rnd.below(4) + 1; k > 0; --k) data[rnd.below(data.size())] ^= static_cast<std::uint8_t>(rnd.any() | 1);
        break;
      }
      default:  // a valid encoding cut or extended
        data = good;
        data.resize(rnd.below(good.size() + 40), 0);
        break;
    }
    auto decoded = CompactRange::deserialize(data);
    if (!decoded) {
      EXPECT_EQ(decoded.error().code, ErrorCode::invalid_input);
      continue;
    }
    // Whatever is accepted is canonical: it encodes back to the same bytes and can be used.
    ++accepted;
    EXPECT_EQ(decoded->serialize(), data);
    (void)decoded->root();
    if (decoded->size() < std::numeric_limits<std::uint64_t>::max()) {
      EXPECT_TRUE(decoded->append(leaves[0]));
    }
  }
  EXPECT_GT(accepted, 0u);
}

TEST(MerkleFuzz, VerifiersRejectRandomInputsWithoutCrashing) {
  Random rnd(0x5eed0002);
  for (int i = 0; i < kIterations; ++i) {
    const std::vector<Bytes> proof = rnd.proof();
    const Bytes a = rnd.hash();
    const Bytes b = rnd.hash();
    // Independent random hashes: a verifier that accepts any of these is broken.
    EXPECT_FALSE(verify_inclusion(rnd.size(), rnd.size(), a, proof, b));
    EXPECT_FALSE(verify_consistency(rnd.size(), rnd.size(), proof, a, b));
    EXPECT_FALSE(verify_subtree_inclusion(rnd.size(), rnd.size(), rnd.size(), a, proof, b));
    EXPECT_FALSE(verify_subtree_consistency(rnd.size(), rnd.size(), rnd.size(), proof, a, b));
  }
}

// Well-formed hashes and valid-looking geometry reach deeper into the algorithms.
TEST(MerkleFuzz, VerifiersHandleHugeTreesWithWellFormedProofs) {
  Random rnd(0x5eed0003);
  for (int i = 0; i < kDeepIterations; ++i) {
    const std::uint64_t size = std::max<std::uint64_t>(rnd.size(), 1);
    const std::uint64_t index = rnd.below(size);
    Proof proof(rnd.below(70));
    for (auto& h : proof) h = *hash_from_bytes(rnd.bytes(kHashSize));
    const Hash leaf = *hash_from_bytes(rnd.bytes(kHashSize));
    const Hash root = *hash_from_bytes(rnd.bytes(kHashSize));
    // Right length for the size, so the hashing loops run to the end.
    Proof sized(inclusion_proof_length(index, size), leaf);
    EXPECT_FALSE(verify_inclusion(index, size, leaf, sized, root));
    EXPECT_FALSE(verify_inclusion(index, size, leaf, proof, root));
    const std::uint64_t size1 = std::max<std::uint64_t>(rnd.below(size), 1);
    Proof sized_consistency(consistency_proof_length(size1, size), leaf);
    EXPECT_FALSE(verify_consistency(size1, size, sized_consistency, leaf, root));
    EXPECT_FALSE(verify_consistency(size1, size, proof, leaf, root));
    // A valid subtree somewhere in the tree: an aligned block of 2^h leaves, cut short.
    const auto height = static_cast<int>(rnd.below(64));
    const std::uint64_t block = std::uint64_t{1} << height;
    const std::uint64_t start = (index >> height) << height;
    const std::uint64_t end = start + std::max<std::uint64_t>(1, std::min(block, size - start) - rnd.below(2));
    ASSERT_TRUE(is_valid_subtree(start, end)) << start << ", " << end;
    EXPECT_FALSE(verify_subtree_consistency(start, end, size, proof, leaf, root));
    if (index < end) {
      EXPECT_FALSE(verify_subtree_inclusion(index, start, end, leaf, proof, root));
    }
  }
}

}  // namespace
}  // namespace qualsig::audit
