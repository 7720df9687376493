#pragma once
// RFC 8785 JSON Canonicalization Scheme (JCS), restricted to what qualsig signs, and a strict
// parser for untrusted JSON text (RFC 8259).
//
// qualsig's profile of RFC 8785: numbers are limited to integers whose magnitude is at most
// 2^53-1. For those, the ECMAScript serialisation that RFC 8785 §3.2.2.3 requires is the plain
// decimal form, so no ES6 double formatting is needed. Floating-point numbers and larger
// integers are refused rather than risk a subtly different form: audit entries and evidence
// never need them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace qualsig::core {

// Largest integer magnitude accepted: 2^53-1, the "safe" range of an IEEE 754 double
// (RFC 8785 §3.2.2.3, RFC 7493 §2.2).
inline constexpr std::int64_t kMaxSafeInteger = (std::int64_t{1} << 53) - 1;

// Nesting depth parse_json_strict() accepts unless told otherwise.
inline constexpr std::size_t kDefaultMaxJsonDepth = 64;

// Serialises `value` in RFC 8785 canonical form (UTF-8 bytes, §3.2.4):
//  - no whitespace between tokens (§3.2.1);
//  - literals `true`, `false`, `null` (§3.2.2.1);
//  - strings per §3.2.2.2: only `"`, `\` and U+0000..U+001F are escaped, as \b \t \n \f \r or
//    else \u00xx with lowercase hex; every other character, including `/`, U+007F and
//    U+2028/U+2029, is written as literal UTF-8;
//  - integers as plain decimal (§3.2.2.3 for |n| <= 2^53-1);
//  - object members sorted by name, names compared as arrays of UTF-16 code units (§3.2.3),
//    so a character above U+FFFF sorts by its surrogate pair (before U+E000..U+FFFF), not
//    by its UTF-8 bytes; array order is kept.
// Fails with ErrorCode::invalid_input on a floating-point number, an integer outside
// ±(2^53-1), a string or member name that is not valid UTF-8 (RFC 3629; surrogate code points
// included), or a binary or discarded value. Never throws for such input; deep nesting is
// walked without recursion.
Result<std::string> canonical_json(const nlohmann::json& value);

// Parses one untrusted JSON text (RFC 8259) into a value. Fails with ErrorCode::invalid_input,
// and a message naming the problem and its position, on:
//  - a syntax error, an unescaped control character or bad escape in a string, a number
//    that overflows a double;
//  - ill-formed UTF-8 anywhere (RFC 3629), or a \u escape that leaves a lone surrogate;
//  - a leading byte order mark (RFC 8259 §8.1 lets parsers ignore it; a strict one does not);
//  - arrays/objects nested deeper than `max_depth` (the top-level container is depth 1);
//  - an object with two members of the same name (RFC 8259 §4 "SHOULD be unique";
//    RFC 8785 §3.1 requires it; a silent last-one-wins would let two readers disagree);
//  - anything but whitespace after the value.
// Floating-point numbers are parsed (they are valid JSON); canonical_json() refuses them.
// Integer literals too large for 64 bits are refused, since keeping them would lose digits.
// Nothing is retained from `text` after the call. No exception escapes for bad input.
Result<nlohmann::json> parse_json_strict(std::string_view text,
                                         std::size_t max_depth = kDefaultMaxJsonDepth);

// True if `text` is exactly the RFC 8785 canonical form of the value it holds: parses with
// parse_json_strict() (default depth), canonicalises, and compares the bytes. Fails, rather
// than returning false, when `text` does not parse or holds a value canonical_json() refuses.
Result<bool> is_canonical(std::string_view text);

}  // namespace qualsig::core
