#pragma once
// Byte buffers and their text encodings.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qualsig {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string to_string(ByteView b) { return std::string(b.begin(), b.end()); }

std::string hex_encode(ByteView data);
// nullopt on odd length or a non-hex character.
std::optional<Bytes> hex_decode(std::string_view hex);
// RFC 4648 §4 base64 with padding; base64url (§5) without padding.
std::string base64_encode(ByteView data);
std::optional<Bytes> base64_decode(std::string_view text);
std::string base64url_encode(ByteView data);

}  // namespace qualsig
