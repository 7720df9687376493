#include "core/canonical_json.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace qualsig::core {
namespace {

using nlohmann::json;

// Decodes the UTF-8 sequence at s[pos] and advances `pos` past it; nullopt (and `pos`
// unchanged) if the bytes are ill-formed. RFC 3629 §4:
//   UTF8-2 = %xC2-DF UTF8-tail
//   UTF8-3 = %xE0 %xA0-BF UTF8-tail / %xE1-EC 2( UTF8-tail ) /
//            %xED %x80-9F UTF8-tail / %xEE-EF 2( UTF8-tail )
//   UTF8-4 = %xF0 %x90-BF 2( UTF8-tail ) / %xF1-F3 3( UTF8-tail ) / %xF4 %x80-8F 2( UTF8-tail )
// which excludes overlong forms, surrogate code points (U+D800..U+DFFF) and values above
// U+10FFFF.
std::optional<char32_t> next_code_point(std::string_view s, std::size_t& pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  std::size_t len = 0;
  char32_t cp = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0Fu;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07u;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return std::nullopt;  // a continuation byte, C0/C1 (always overlong) or F5..FF
  }
  if (s.size() - pos < len) return std::nullopt;  // truncated
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if (b < lo || b > hi) return std::nullopt;
    lo = 0x80;
    hi = 0xBF;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  pos += len;
  return cp;
}

// The member name as UTF-16 code units: RFC 8785 §3.2.3 "Property name strings to be sorted
// are formatted as arrays of UTF-16 code units." std::u16string compares its units as
// unsigned 16-bit values, which is the required order.
std::optional<std::u16string> to_utf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (std::size_t pos = 0; pos < s.size();) {
    const auto cp = next_code_point(s, pos);
    if (!cp) return std::nullopt;
    if (*cp < 0x10000) {
      out.push_back(static_cast<char16_t>(*cp));
    } else {
      const char32_t v = *cp - 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (v >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (v & 0x3FF)));
    }
  }
  return out;
}

// RFC 8785 §3.2.2.2: "... MUST be escaped [...] using the six two-character escape sequences
// for `"` `\` and U+0008, U+0009, U+000A, U+000C, U+000D, and otherwise the \u00xx form with
// lowercase hexadecimal digits for the remaining U+0000..U+001F. All other characters MUST be
// serialized as-is." Returns false (with `out` partly written) on ill-formed UTF-8.
bool append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (std::size_t pos = 0; pos < s.size();) {
    const std::size_t start = pos;
    const auto cp = next_code_point(s, pos);
    if (!cp) return false;
    switch (*cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (*cp < 0x20) {
          out += "\\u00";
          out.push_back(kHex[*cp >> 4]);
          out.push_back(kHex[*cp & 0xF]);
        } else {
          out.append(s.substr(start, pos - start));
        }
    }
  }
  out.push_back('"');
  return true;
}

Unexpected refuse(std::string what) {
  return fail(ErrorCode::invalid_input, "canonical JSON: " + std::move(what));
}

// One object member in canonical order.
struct Member {
  std::u16string sort_key;
  const std::string* name;
  const json* value;
};

// An array or object being written; `next` is the index of the next element or member.
struct Frame {
  const json* node;
  std::vector<Member> members;  // objects only, sorted per §3.2.3
  std::size_t next = 0;
  std::size_t size() const { return node->is_object() ? members.size() : node->size(); }
};

// Writes a scalar, or opens a container and pushes its frame.
Result<void> enter(const json& v, std::string& out, std::vector<Frame>& stack) {
  switch (v.type()) {
    case json::value_t::null: out += "null"; return ok();
    case json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return ok();
    case json::value_t::number_integer: {
      const auto n = v.get<json::number_integer_t>();
      if (n > kMaxSafeInteger || n < -kMaxSafeInteger) {
        return refuse("integer out of the IEEE 754 safe range (|n| <= 2^53-1)");
      }
      out += std::to_string(n);  // §3.2.2.3: a safe integer prints as plain decimal
      return ok();
    }
    case json::value_t::number_unsigned: {
      const auto n = v.get<json::number_unsigned_t>();
      if (n > static_cast<json::number_unsigned_t>(kMaxSafeInteger)) {
        return refuse("integer out of the IEEE 754 safe range (|n| <= 2^53-1)");
      }
      out += std::to_string(n);
      return ok();
    }
    case json::value_t::number_float:
      return refuse("floating-point numbers are not supported");
    case json::value_t::string:
      if (!append_string(out, v.get_ref<const json::string_t&>())) {
        return refuse("string is not valid UTF-8");
      }
      return ok();
    case json::value_t::array:
      out.push_back('[');
      stack.push_back(Frame{&v, {}, 0});
      return ok();
    case json::value_t::object: {
      Frame frame{&v, {}, 0};
      frame.members.reserve(v.size());
      for (const auto& [name, value] : v.get_ref<const json::object_t&>()) {
        auto key = to_utf16(name);
        if (!key) return refuse("member name is not valid UTF-8");
        frame.members.push_back(Member{std::move(*key), &name, &value});
      }
      // Names are unique (they come from a map), so the order is total.
      std::sort(frame.members.begin(), frame.members.end(),
                [](const Member& a, const Member& b) { return a.sort_key < b.sort_key; });
      out.push_back('{');
      stack.push_back(std::move(frame));
      return ok();
    }
    case json::value_t::binary:
      return refuse("binary values have no JSON form");
    case json::value_t::discarded:
      break;
  }
  return refuse("discarded value has no JSON form");
}

// Builds the value for parse_json_strict() from nlohmann's SAX events, refusing duplicate
// member names and excess depth (which nlohmann's own DOM builder allows).
class StrictBuilder final {
 public:
  explicit StrictBuilder(std::size_t max_depth) : m_max_depth(max_depth) {}

  bool null() { return put(json(nullptr)); }
  bool boolean(bool b) { return put(json(b)); }
  bool number_integer(json::number_integer_t n) { return put(json(n)); }
  bool number_unsigned(json::number_unsigned_t n) { return put(json(n)); }
  bool number_float(json::number_float_t x, const json::string_t& literal) {
    // nlohmann turns an integer literal beyond 64 bits into a rounded double.
    if (literal.find_first_of(".eE") == json::string_t::npos) {
      return refuse("integer literal does not fit in 64 bits");
    }
    return put(json(x));
  }
  bool string(json::string_t& s) { return put(json(std::move(s))); }
  bool binary(json::binary_t& /*unused*/) { return refuse("binary value"); }  // not in JSON text
  bool start_object(std::size_t /*unknown*/) { return open(json::value_t::object); }
  bool start_array(std::size_t /*unknown*/) { return open(json::value_t::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& name) {
    auto& members = m_stack.back()->get_ref<json::object_t&>();
    if (members.find(name) != members.end()) {
      return refuse("duplicate member name " + quote_for_message(name));
    }
    m_slot = &members[std::move(name)];
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const json::exception& ex) {
    // what() is "[json.exception.parse_error.101] parse error at line 1, column 5: <why>;
    // last read: '<token>'". The token can be a megabyte of input: keep only the reason.
    std::string_view what = ex.what();
    if (const auto p = what.find("] "); p != std::string_view::npos) what.remove_prefix(p + 2);
    std::string reason(what);
    if (const auto p = what.find("; last read: "); p != std::string_view::npos) {
      const auto q = what.rfind("; expected ");
      reason = std::string(what.substr(0, p)) +
               std::string(q != std::string_view::npos && q > p ? what.substr(q) : "");
    }
    m_error = make_error(ErrorCode::invalid_input, "invalid JSON: " + reason.substr(0, 300),
                         std::string(std::string_view(ex.what()).substr(0, 1000)));
    return false;
  }

  json take_root() { return std::move(m_root); }
  std::optional<Error> take_error() { return std::move(m_error); }

 private:
  bool refuse(std::string what) {
    m_error = make_error(ErrorCode::invalid_input, "invalid JSON: " + std::move(what));
    return false;
  }

  // A member name for an error message: escaped, at most ~40 bytes.
  static std::string quote_for_message(std::string_view name) {
    std::size_t cut = std::min<std::size_t>(name.size(), 40);
    while (cut > 0 && cut < name.size() && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    std::string out;
    (void)append_string(out, name.substr(0, cut));  // the lexer has already checked the UTF-8
    if (cut < name.size()) out += "...";
    return out;
  }

  // Where the next value goes: the root, the end of the open array, or the member slot
  // created by key(). Pointers on m_stack stay valid: only the innermost container grows.
  json* slot_for_next() {
    if (m_stack.empty()) return &m_root;
    json* parent = m_stack.back();
    if (parent->is_array()) {
      auto& elements = parent->get_ref<json::array_t&>();
      elements.emplace_back();
      return &elements.back();
    }
    return std::exchange(m_slot, nullptr);
  }
  bool put(json&& v) {
    *slot_for_next() = std::move(v);
    return true;
  }
  bool open(json::value_t type) {
    if (m_stack.size() >= m_max_depth) {
      return refuse("nesting deeper than " + std::to_string(m_max_depth) + " levels");
    }
    json* node = slot_for_next();
    *node = json(type);
    m_stack.push_back(node);
    return true;
  }
  bool close() {
    m_stack.pop_back();
    return true;
  }

  std::size_t m_max_depth;
  json m_root;
  std::vector<json*> m_stack;
  json* m_slot = nullptr;
  std::optional<Error> m_error;
};

}  // namespace

Result<std::string> canonical_json(const json& value) {
  std::string out;
  std::vector<Frame> stack;  // explicit, so hostile depth cannot exhaust the call stack
  QS_TRY_VOID(enter(value, out, stack));
  while (!stack.empty()) {
    Frame& frame = stack.back();
    if (frame.next == frame.size()) {
      out.push_back(frame.node->is_object() ? '}' : ']');
      stack.pop_back();
      continue;
    }
    if (frame.next > 0) out.push_back(',');  // §3.2.1: no whitespace around separators
    const json* child = nullptr;
    if (frame.node->is_object()) {
      const Member& m = frame.members[frame.next];
      (void)append_string(out, *m.name);  // checked by to_utf16() when the frame was opened
      out.push_back(':');
      child = m.value;
    } else {
      child = &(*frame.node)[frame.next];
    }
    ++frame.next;
    QS_TRY_VOID(enter(*child, out, stack));  // may push: `frame` is not used after this
  }
  return out;
}

Result<json> parse_json_strict(std::string_view text, std::size_t max_depth) {
  // RFC 8259 §8.1: "implementations that parse JSON texts MAY ignore the presence of a byte
  // order mark rather than treating it as an error" - a strict parser treats it as one.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    return fail(ErrorCode::invalid_input, "invalid JSON: byte order mark before the value");
  }
  // nlohmann's lexer reads a NUL byte as end of input, which would hide what follows it.
  // A raw NUL is never valid JSON (RFC 8259 §7: control characters must be escaped).
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    return fail(ErrorCode::invalid_input, "invalid JSON: NUL byte at offset " + std::to_string(nul));
  }
  StrictBuilder builder(max_depth);
  bool parsed = false;
  try {
    parsed = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                             /*strict=*/true, /*ignore_comments=*/false);
  } catch (const json::exception& ex) {  // boundary with a throwing library (STYLE.md §6)
    return fail(ErrorCode::invalid_input, "invalid JSON", ex.what());
  }
  if (!parsed) {
    if (auto error = builder.take_error()) return fail(std::move(*error));
    return fail(ErrorCode::invalid_input, "invalid JSON");
  }
  return builder.take_root();
}

Result<bool> is_canonical(std::string_view text) {
  QS_TRY(json value, parse_json_strict(text));
  QS_TRY(std::string canonical, canonical_json(value));
  return canonical == text;
}

}  // namespace qualsig::core
