// The PAdES functions of formats/pades.h as the `qualsig` command has them: each loads
// libqualsig-pdf.so from the executable's directory on first use and calls the module's function
// (pdf_module.h, core/module.h).
#include "formats/pdf_module.h"

namespace qualsig::formats::pades {

Result<Bytes> sign_increment(ByteView pdf, const X509* signer_cert, const hsm::Signer& signer,
                             const SignOptions& options) {
  QS_TRY(auto m, core::module_table<PdfModule>());
  return m->sign_increment(pdf, signer_cert, signer, options);
}

Result<Bytes> sign(ByteView pdf, const X509* signer_cert, const hsm::Signer& signer, const SignOptions& options) {
  QS_TRY(auto m, core::module_table<PdfModule>());
  return m->sign(pdf, signer_cert, signer, options);
}

Result<Bytes> add_validation_data_increment(ByteView pdf, const cades::ValidationData& data) {
  QS_TRY(auto m, core::module_table<PdfModule>());
  return m->add_validation_data_increment(pdf, data);
}

Result<Bytes> add_document_timestamp_increment(ByteView pdf, const cades::TimestampFn& timestamp,
                                               core::DigestAlgorithm digest) {
  QS_TRY(auto m, core::module_table<PdfModule>());
  return m->add_document_timestamp_increment(pdf, timestamp, digest);
}

Result<PdfInfo> inspect(ByteView pdf) {
  QS_TRY(auto m, core::module_table<PdfModule>());
  return m->inspect(pdf);
}

Result<Bytes> byte_range_digest(ByteView pdf, const PdfSignatureInfo& sig, core::DigestAlgorithm alg) {
  QS_TRY(auto m, core::module_table<PdfModule>());
  return m->byte_range_digest(pdf, sig, alg);
}

std::optional<std::size_t> page_count(ByteView pdf) {
  auto m = core::module_table<PdfModule>();
  if (!m) return std::nullopt;
  return (*m)->page_count(pdf);
}

}  // namespace qualsig::formats::pades
