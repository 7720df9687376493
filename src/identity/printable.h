#pragma once
// Quoting untrusted text (a key id, an issuer, a SPIFFE ID) in an error message without letting
// it forge log lines or smuggle a token: short printable ASCII is quoted, anything else is
// described by its length only.

#include <cstddef>
#include <string>
#include <string_view>

namespace qualsig::identity {

inline constexpr std::size_t kMaxQuotedLength = 80;

inline std::string quote_untrusted(std::string_view text) {
  bool printable = text.size() <= kMaxQuotedLength;
  for (char c : text) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') printable = false;
  }
  // Appended piece by piece: `"literal" + std::string(...)` trips GCC 12's -Wrestrict false
  // positive (GCC bug 105329) in optimised builds.
  std::string out;
  if (printable) {
    out.reserve(text.size() + 2);
    out += '"';
    out.append(text);
    out += '"';
  } else {
    out += '(';
    out += std::to_string(text.size());
    out += " bytes, not shown)";
  }
  return out;
}

}  // namespace qualsig::identity
