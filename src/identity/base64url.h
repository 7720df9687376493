#pragma once
// Strict base64url decoding (RFC 4648 §5) as JWS compact serialisation uses it (RFC 7515 §2,
// "Base64url Encoding": "with all trailing '=' characters omitted ... and without the inclusion
// of any line breaks, whitespace, or other additional characters").
//
// core/bytes.h has the encoder; the decoder lives here until a second area needs it.

#include <optional>
#include <string_view>

#include "core/bytes.h"

namespace qualsig::identity {

// Decodes unpadded base64url. Returns nullopt on any character outside [A-Za-z0-9_-] (so '=',
// '+', '/', whitespace and NUL are all refused), on a length that is 1 modulo 4 (no encoder
// produces it), and on non-canonical input whose unused trailing bits are not zero (RFC 4648
// §3.5), so every byte string has exactly one accepted encoding. The empty string decodes to
// no bytes. Nothing of `text` is retained.
std::optional<Bytes> base64url_decode(std::string_view text);

}  // namespace qualsig::identity
