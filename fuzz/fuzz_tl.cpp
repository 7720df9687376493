// Fuzzes trust::parse_trusted_list (src/trust/trusted_list.h, ETSI TS 119 612) on arbitrary bytes
// (the formats/ XML parser: no DTD, no network, bounded). Oracle: every certificate an accepted
// list yields is one strict DER certificate, and every service has at least one period.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "trust/trusted_list.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto list = qualsig::trust::parse_trusted_list(qualsig::ByteView(data, size));
  if (!list) return 0;
  for (const auto& tsp : list->providers)
    for (const auto& service : tsp.services) {
      QUALSIG_FUZZ_CHECK(!service.periods.empty());
      for (const auto& cert : service.certificates) QUALSIG_FUZZ_CHECK(qualsig::fuzz::is_certificate(cert));
    }
  for (const auto& pointer : list->pointers)
    for (const auto& cert : pointer.signing_certificates) QUALSIG_FUZZ_CHECK(qualsig::fuzz::is_certificate(cert));
  return 0;
}
