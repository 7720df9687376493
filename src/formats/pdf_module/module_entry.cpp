// The entry point of libqualsig-pdf.so (pdf_module.h): the table of its PAdES functions.
#include "formats/pdf_module.h"
#include "qualsig/version.h"

namespace {

using namespace qualsig::formats::pades;

constexpr PdfModule kModule{
    {PdfModule::kAbi, sizeof(PdfModule), qualsig::kVersion},
    &sign_increment,
    &sign,
    &add_validation_data_increment,
    &add_document_timestamp_increment,
    &inspect,
    &byte_range_digest,
    &page_count,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const qualsig::core::ModuleHeader* qualsig_pdf_module() {
  return &kModule.header;
}
