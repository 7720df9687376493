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
// Strict unpadded base64url (RFC 4648 §5) as JWS uses it (RFC 7515 §2: "with all trailing '='
// characters omitted ... and without the inclusion of any line breaks, whitespace, or other
// additional characters"). nullopt on any character outside [A-Za-z0-9_-] (so '=', '+', '/',
// whitespace and NUL are refused), on a length that is 1 modulo 4 (no encoder produces it), and
// on non-canonical input whose unused trailing bits are not zero (RFC 4648 §3.5), so every byte
// string has exactly one accepted encoding. The empty string decodes to no bytes.
std::optional<Bytes> base64url_decode(std::string_view text);

}  // namespace qualsig
