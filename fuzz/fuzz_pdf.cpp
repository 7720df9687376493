// Fuzzes formats::pades::inspect (src/formats/pades.h) on arbitrary bytes (qpdf from memory,
// no recovery). Oracle, from inspect's contract: every reported /ByteRange is in bounds and
// ascending with the /Contents gap between its two parts, and byte_range_digest accepts it.
#include <cstddef>
#include <cstdint>

#include "formats/pades.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const qualsig::ByteView pdf(data, size);
  auto info = qualsig::formats::pades::inspect(pdf);
  if (!info) return 0;
  const auto file_size = static_cast<std::int64_t>(size);
  for (const auto& sig : info->signatures) {
    const auto& r = sig.byte_range;
    QUALSIG_FUZZ_CHECK(r[0] >= 0 && r[1] >= 0 && r[2] >= 0 && r[3] >= 0);
    QUALSIG_FUZZ_CHECK(r[0] + r[1] <= r[2] && r[2] <= file_size - r[3]);
    QUALSIG_FUZZ_CHECK(qualsig::formats::pades::byte_range_digest(pdf, sig, qualsig::core::DigestAlgorithm::sha256).has_value());
  }
  return 0;
}
