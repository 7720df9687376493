// pades::level_of: the baseline level a PDF signature has reached (ETSI EN 319 142-1 §6).
#include "formats/pades.h"

namespace qualsig::formats::pades {

cades::Level level_of(const PdfInfo& info, std::size_t index) {
  if (index >= info.signatures.size() || info.signatures[index].document_timestamp) return cades::Level::b_b;
  auto cms = cades::inspect(info.signatures[index].contents);
  const bool signature_timestamp = cms && !cms->signature_timestamps.empty();
  std::size_t document_timestamps = 0;
  for (std::size_t k = index + 1; k < info.signatures.size(); ++k)
    if (info.signatures[k].document_timestamp) ++document_timestamps;
  // §6.2.2 (B-T): a signature time-stamp in the CMS or a document time-stamp after the signature.
  const bool t = signature_timestamp || document_timestamps > 0;
  // §6.2.3 (B-LT): validation data in the DSS.
  const bool lt = t && info.dss_ocsps + info.dss_crls > 0;
  // §6.2.4 (B-LTA): a document time-stamp over the validation data, beyond the one B-T rests on.
  const bool lta = lt && document_timestamps >= (signature_timestamp ? 1u : 2u);
  return lta ? cades::Level::b_lta : lt ? cades::Level::b_lt : t ? cades::Level::b_t : cades::Level::b_b;
}

}  // namespace qualsig::formats::pades
