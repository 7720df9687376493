// Page counts of PDF revisions for the PAdES format check PdfPageDifference (notes/validation.md
// §6, DSS: pages added or removed after signing are a shadow attack, FAIL); see path.h.

// qpdf's headers warn unless the PointerHolder transition level is chosen (stack-facts.md).
#ifndef POINTERHOLDER_TRANSITION
#define POINTERHOLDER_TRANSITION 4
#endif
#include <qpdf/QPDFPageDocumentHelper.hh>

#include "formats/pdf_document.h"
#include "validation/path.h"

namespace qualsig::validation::detail {

std::optional<std::size_t> page_count(ByteView pdf) {
  auto doc = formats::pdf::open(formats::pdf::Input{pdf, {}}, true);
  if (!doc) return std::nullopt;
  std::optional<std::size_t> pages;
  auto ok = formats::pdf::guarded("page tree", [&] {
    QPDFPageDocumentHelper helper(*(*doc)->qpdf);
    pages = helper.getAllPages().size();
  });
  if (!ok) return std::nullopt;
  return pages;
}

}  // namespace qualsig::validation::detail
