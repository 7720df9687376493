#pragma once
// The boundary between the `qualsig` command and the XAdES part of libqualsig-xml.so
// (core/module.h). Loading xmlsec maps xmlsec, libxml2, libxslt, ICU and liblzma and binds their
// symbols: about 1.9 ms of every process start on the CI machine (BENCHMARKS.md, "Validation"),
// paid by commands that never read XML. The command links xades_loader.cpp, which loads the
// module the first time a function of formats/xades.h is called; other programs link the code
// statically (target qualsig_xades). trust/ and validation/ have their own tables in the same
// module (tl_module.h, xml_module.h), because their XML code shares formats/xml_document.h.

#include <cstdint>

#include "core/module.h"
#include "formats/xades.h"

namespace qualsig::formats::xades {

// The module holding the XML code of formats, trust and validation.
inline constexpr const char* kXmlModuleFile = "libqualsig-xml.so";

struct XadesModule {
  static constexpr std::uint32_t kAbi = 2;  // raised whenever this table changes
  static constexpr const char* kWhat = "XML support";
  static constexpr const char* kFile = kXmlModuleFile;
  static constexpr const char* kSymbol = "qualsig_xades_module";
  core::ModuleHeader header;
  Result<Bytes> (*sign)(ByteView, const X509*, const hsm::Signer&, const SignOptions&);
  Result<Bytes> (*sign_detached)(ByteView, const X509*, const hsm::Signer&, const SignOptions&);
  Result<Bytes> (*add_signature_timestamp)(ByteView, const cades::TimestampFn&, core::DigestAlgorithm);
  Result<Bytes> (*add_validation_data)(ByteView, const cades::ValidationData&);
  Result<Bytes> (*add_archive_timestamp)(ByteView, std::optional<ByteView>, const cades::TimestampFn&,
                                         core::DigestAlgorithm);
  Result<SignatureInfo> (*inspect)(ByteView, std::size_t);
  Result<SignatureInfo> (*verify)(ByteView, std::optional<ByteView>, std::size_t);
};

}  // namespace qualsig::formats::xades
