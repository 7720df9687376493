// The functions of formats/xades.h as the `qualsig` command has them: each loads
// libqualsig-xml.so on first use and calls the module's function (xades_module.h).
#include "formats/xades_module.h"

namespace qualsig::formats::xades {

Result<Bytes> sign(ByteView document, const X509* signer_cert, const hsm::Signer& signer, const SignOptions& options) {
  QS_TRY(auto m, core::module_table<XadesModule>());
  return m->sign(document, signer_cert, signer, options);
}

Result<Bytes> sign_detached(ByteView document_digest, const X509* signer_cert, const hsm::Signer& signer,
                            const SignOptions& options) {
  QS_TRY(auto m, core::module_table<XadesModule>());
  return m->sign_detached(document_digest, signer_cert, signer, options);
}

Result<Bytes> add_signature_timestamp(ByteView xml, const cades::TimestampFn& timestamp, core::DigestAlgorithm digest) {
  QS_TRY(auto m, core::module_table<XadesModule>());
  return m->add_signature_timestamp(xml, timestamp, digest);
}

Result<Bytes> add_validation_data(ByteView xml, const cades::ValidationData& data) {
  QS_TRY(auto m, core::module_table<XadesModule>());
  return m->add_validation_data(xml, data);
}

Result<Bytes> add_archive_timestamp(ByteView xml, std::optional<ByteView> detached_content,
                                    const cades::TimestampFn& timestamp, core::DigestAlgorithm digest) {
  QS_TRY(auto m, core::module_table<XadesModule>());
  return m->add_archive_timestamp(xml, detached_content, timestamp, digest);
}

Result<SignatureInfo> inspect(ByteView xml, std::size_t index) {
  QS_TRY(auto m, core::module_table<XadesModule>());
  return m->inspect(xml, index);
}

Result<SignatureInfo> verify(ByteView xml, std::optional<ByteView> detached_content, std::size_t index) {
  QS_TRY(auto m, core::module_table<XadesModule>());
  return m->verify(xml, detached_content, index);
}

}  // namespace qualsig::formats::xades
