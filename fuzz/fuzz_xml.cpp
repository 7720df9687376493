// Fuzzes formats::xades::inspect (src/formats/xades.h) on arbitrary bytes (libxml2 + xmlsec,
// no DTD, no network). Oracle: an accepted document has at least one ds:Signature, and the signer
// certificate it returns is one strict DER certificate.
#include <cstddef>
#include <cstdint>

#include "formats/xades.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto info = qualsig::formats::xades::inspect(qualsig::ByteView(data, size));
  if (!info) return 0;
  QUALSIG_FUZZ_CHECK(info->signature_count >= 1);
  QUALSIG_FUZZ_CHECK(info->signer_certificate.empty() || qualsig::fuzz::is_certificate(info->signer_certificate));
  return 0;
}
