// Fuzzes formats::cades::inspect and counter_signatures (src/formats/cades.h) on arbitrary DER/BER.
// Oracle: an accepted CMS has at least one SignerInfo, a signer certificate it returns is one
// strict DER certificate, and every countersignature comes back as one DER SignedData with exactly
// one SignerInfo (when OpenSSL's stricter CMS reader takes it: validation/ reports the others as
// format failures).
#include <cstddef>
#include <cstdint>

#include <openssl/cms.h>

#include "formats/cades.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto info = qualsig::formats::cades::inspect(qualsig::ByteView(data, size));
  if (!info) return 0;
  QUALSIG_FUZZ_CHECK(info->signer_count >= 1);
  QUALSIG_FUZZ_CHECK(info->signer_certificate.empty() || qualsig::fuzz::is_certificate(info->signer_certificate));
  auto counters = qualsig::formats::cades::counter_signatures(qualsig::ByteView(data, size), 0, 16);
  if (!counters) return 0;
  QUALSIG_FUZZ_CHECK(counters->size() <= 16);
  for (const auto& c : *counters) {
    const unsigned char* p = c.signed_data.data();
    CMS_ContentInfo* cms = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(c.signed_data.size()));
    const bool one_signer = cms == nullptr || (p == c.signed_data.data() + c.signed_data.size() &&
                                               sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) == 1);
    CMS_ContentInfo_free(cms);
    QUALSIG_FUZZ_CHECK(one_signer);
  }
  return 0;
}
