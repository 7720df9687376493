#pragma once
// The boundary between the `qualsig` command and libqualsig-pdf.so, the module holding the
// qpdf-based half of formats/pades.h (core/module.h). Loading qpdf maps qpdf, GnuTLS, p11-kit,
// nettle, GMP and libjpeg and binds thousands of their symbols: about 3.8 ms of every process
// start on the CI machine (BENCHMARKS.md, "Validation"), paid by commands that never read a PDF.
// The command therefore links pades_loader.cpp, which loads the module the first time a PDF
// function is called; other programs link the same code statically (target qualsig_pdf).
//
// The module is not self-contained: it takes everything else (core, hsm, formats) from the
// executable, which exports its symbols (ENABLE_EXPORTS), so that there is one copy of every
// function, static and type in the process.

#include <cstdint>

#include "core/module.h"
#include "formats/pades.h"

namespace qualsig::formats::pades {

struct PdfModule {
  static constexpr std::uint32_t kAbi = 1;  // raised whenever this table changes
  static constexpr const char* kWhat = "PDF support";
  static constexpr const char* kFile = "libqualsig-pdf.so";
  static constexpr const char* kSymbol = "qualsig_pdf_module";
  core::ModuleHeader header;
  Result<Bytes> (*sign_increment)(ByteView, const X509*, const hsm::Signer&, const SignOptions&);
  Result<Bytes> (*sign)(ByteView, const X509*, const hsm::Signer&, const SignOptions&);
  Result<Bytes> (*add_validation_data_increment)(ByteView, const cades::ValidationData&);
  Result<Bytes> (*add_document_timestamp_increment)(ByteView, const cades::TimestampFn&, core::DigestAlgorithm);
  Result<PdfInfo> (*inspect)(ByteView);
  Result<Bytes> (*byte_range_digest)(ByteView, const PdfSignatureInfo&, core::DigestAlgorithm);
  std::optional<std::size_t> (*page_count)(ByteView);
};

}  // namespace qualsig::formats::pades
