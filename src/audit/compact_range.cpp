#include "audit/compact_range.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <string>
#include <utility>

namespace qualsig::audit {
namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kHeaderSize = 1 + 8;

// A bounded reader over untrusted bytes (STYLE.md §5): every read checks the remaining length
// and advances only on success.
class Reader {
 public:
  explicit Reader(ByteView data) : m_data(data) {}

  bool read_u8(std::uint8_t& out) {
    if (m_data.empty()) return false;
    out = m_data[0];
    m_data = m_data.subspan(1);
    return true;
  }
  bool read_u64(std::uint64_t& out) {
    if (m_data.size() < 8) return false;
    out = 0;
    for (std::size_t i = 0; i < 8; ++i) out = (out << 8) | m_data[i];
    m_data = m_data.subspan(8);
    return true;
  }
  bool read_hash(Hash& out) {
    if (m_data.size() < kHashSize) return false;
    std::copy_n(m_data.begin(), kHashSize, out.begin());
    m_data = m_data.subspan(kHashSize);
    return true;
  }
  std::size_t remaining() const { return m_data.size(); }

 private:
  ByteView m_data;
};

Unexpected malformed(const std::string& why) {
  return fail(ErrorCode::invalid_input, "malformed compact range: " + why);
}

}  // namespace

Result<CompactRange> CompactRange::from_nodes(std::uint64_t size, std::vector<Hash> nodes) {
  const auto want = static_cast<std::size_t>(std::popcount(size));
  if (nodes.size() != want)
    return fail(ErrorCode::invalid_input, "compact range of size " + std::to_string(size) + " needs " +
                                              std::to_string(want) + " node hashes, got " +
                                              std::to_string(nodes.size()));
  return CompactRange(size, std::move(nodes));
}

Result<CompactRange> CompactRange::deserialize(ByteView data) {
  Reader reader(data);
  std::uint8_t version = 0;
  if (!reader.read_u8(version)) return malformed("empty input");
  if (version != kVersion) return malformed("unknown version " + std::to_string(version));
  std::uint64_t size = 0;
  if (!reader.read_u64(size)) return malformed("truncated size");
  const auto count = static_cast<std::size_t>(std::popcount(size));
  // Check the exact length before reading, so that no input makes us allocate more than 64
  // hashes and trailing data is refused.
  if (reader.remaining() != count * kHashSize)
    return malformed("size " + std::to_string(size) + " needs " + std::to_string(count * kHashSize) +
                     " bytes of node hashes, got " + std::to_string(reader.remaining()));
  std::vector<Hash> nodes(count);
  for (auto& node : nodes)
    if (!reader.read_hash(node)) return malformed("truncated node hash");
  return from_nodes(size, std::move(nodes));
}

Result<void> CompactRange::append(const Hash& leaf_hash) {
  if (m_size == std::numeric_limits<std::uint64_t>::max())
    return fail(ErrorCode::conflict, "compact range is full (2^64 - 1 leaves)");
  // The new leaf completes one subtree per trailing one bit of the old size: the two
  // rightmost subtrees of equal size merge, as MTH splits D[0:2^k] into two halves.
  m_nodes.push_back(leaf_hash);
  for (int merges = std::countr_one(m_size); merges > 0; --merges) {
    Hash right = m_nodes.back();
    m_nodes.pop_back();
    m_nodes.back() = hash_children(m_nodes.back(), right);
  }
  ++m_size;
  return ok();
}

Hash CompactRange::root() const {
  if (m_nodes.empty()) return empty_root();
  // RFC 9162 §2.1.1: MTH(D_n) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])) with k the largest
  // power of two below n. D[0:k] is the leftmost node when n is not itself a power of two, so
  // the root is the nodes folded from the right.
  Hash root = m_nodes.back();
  for (std::size_t i = m_nodes.size() - 1; i-- > 0;) root = hash_children(m_nodes[i], root);
  return root;
}

Bytes CompactRange::serialize() const {
  Bytes out;
  out.reserve(kHeaderSize + m_nodes.size() * kHashSize);
  out.push_back(kVersion);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(m_size >> shift));
  for (const auto& node : m_nodes) out.insert(out.end(), node.begin(), node.end());
  return out;
}

}  // namespace qualsig::audit
