// Fuzzes formats::cades::inspect (src/formats/cades.h) on arbitrary DER/BER. Oracle: an accepted
// CMS has at least one SignerInfo, and a signer certificate it returns is one strict DER
// certificate.
#include <cstddef>
#include <cstdint>

#include "formats/cades.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto info = qualsig::formats::cades::inspect(qualsig::ByteView(data, size));
  if (!info) return 0;
  QUALSIG_FUZZ_CHECK(info->signer_count >= 1);
  QUALSIG_FUZZ_CHECK(info->signer_certificate.empty() || qualsig::fuzz::is_certificate(info->signer_certificate));
  return 0;
}
