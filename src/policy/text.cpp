#include "policy/text.h"

namespace qualsig::policy {
namespace {

// Length of the well-formed UTF-8 sequence at s[pos] (RFC 3629 §4), or 0 if ill-formed.
std::size_t sequence_length(std::string_view s, std::size_t pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() - pos < len) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if (b < lo || b > hi) return 0;
    lo = 0x80;
    hi = 0xBF;
  }
  return len;
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7F; }

}  // namespace

bool is_printable_utf8(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t len = sequence_length(text, pos);
    if (len == 0 || (len == 1 && is_control(static_cast<unsigned char>(text[pos])))) return false;
    pos += len;
  }
  return true;
}

std::string printable(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes && is_printable_utf8(text)) return std::string(text);
  std::string out;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t len = sequence_length(text, pos);
    if (out.size() + (len == 0 ? 1 : len) > max_bytes) {
      out += "...";
      break;
    }
    if (len == 0 || (len == 1 && is_control(static_cast<unsigned char>(text[pos])))) {
      out.push_back('?');
      len = 1;
    } else {
      out.append(text.substr(pos, len));
    }
    pos += len;
  }
  return out;
}

}  // namespace qualsig::policy
