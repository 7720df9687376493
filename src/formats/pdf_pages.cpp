// Page counts of PDF revisions, for the PAdES format check PdfPageDifference (notes/validation.md
// §6, DSS: pages added or removed after signing are a shadow attack).
#include <qpdf/QPDFPageDocumentHelper.hh>

#include "formats/pades.h"
#include "formats/pdf_document.h"

namespace qualsig::formats::pades {

std::optional<std::size_t> page_count(ByteView pdf) {
  auto doc = pdf::open(pdf::Input{pdf, {}}, true);
  if (!doc) return std::nullopt;
  std::optional<std::size_t> pages;
  auto ok = pdf::guarded("page tree", [&] {
    QPDFPageDocumentHelper helper(*(*doc)->qpdf);
    pages = helper.getAllPages().size();
  });
  if (!ok) return std::nullopt;
  return pages;
}

}  // namespace qualsig::formats::pades
