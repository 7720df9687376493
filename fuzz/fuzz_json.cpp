// Fuzzes core::parse_json_strict (src/core/canonical_json.h) on arbitrary bytes. Oracle: a value
// it accepts and canonical_json() can serialise must parse back to the same value, and that
// serialisation must be canonical (RFC 8785 §3.2: canonicalisation is idempotent).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/canonical_json.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto value = qualsig::core::parse_json_strict(text);
  if (!value) return 0;
  auto canonical = qualsig::core::canonical_json(*value);
  if (!canonical) return 0;  // floats, integers beyond 2^53-1: refused by the documented profile
  auto again = qualsig::core::parse_json_strict(*canonical);
  QUALSIG_FUZZ_CHECK(again.has_value());
  QUALSIG_FUZZ_CHECK(*again == *value);
  auto is_canonical = qualsig::core::is_canonical(*canonical);
  QUALSIG_FUZZ_CHECK(is_canonical.has_value() && *is_canonical);
  return 0;
}
