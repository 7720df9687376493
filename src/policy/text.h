#pragma once
// Text hygiene for policy documents, requests and traces. Traces and decisions are JSON that is
// logged, stored and signed into evidence, so every string put into them must be valid UTF-8
// (nlohmann::json refuses to serialise anything else) and free of control characters.

#include <cstddef>
#include <string>
#include <string_view>

namespace qualsig::policy {

// True if `text` is well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or values above
// U+10FFFF) without C0 controls (U+0000..U+001F) or DEL (U+007F).
bool is_printable_utf8(std::string_view text);

// `text` made safe for a trace or message: returned unchanged when it is printable UTF-8 of at
// most `max_bytes`; otherwise every ill-formed byte and control character becomes '?', and the
// text is cut at a character boundary within `max_bytes` with "..." appended.
std::string printable(std::string_view text, std::size_t max_bytes = 256);

}  // namespace qualsig::policy
