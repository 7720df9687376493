#pragma once
// PAdES digital signatures, ETSI EN 319 142-1 V1.1.1 baseline levels B-B, B-T, B-LT and B-LTA, on
// PDF signatures (ISO 32000-1 §12.8, ISO 32000-2 §12.8.4 for the DSS and document time-stamps).
//
// * qpdf parses the PDF (from memory, no copy, no xref recovery); the incremental updates
//   (ISO 32000-1 §7.5.6) are written here, so the original bytes are always a byte-identical
//   prefix of the signed file. The cross-reference section of an update has the kind of the
//   file's newest one (table + trailer, or cross-reference stream).
// * The signature is a detached CAdES signature (formats/cades.h) over the /ByteRange, SubFilter
//   ETSI.CAdES.detached, without the CMS signing-time attribute (EN 319 142-1 §5.4, §6.3: the
//   claimed time is the signature dictionary's /M). B-T adds a signature-time-stamp to the CMS; B-LT a DSS
//   (Document Security Store) in a second update; B-LTA a document time-stamp in a third.
// * Inputs are borrowed for the call only; nothing is kept. Every function is thread-safe.
// * Refused: encrypted PDFs, inputs above kMaxPdfSize, files qpdf can only read by repairing
//   them, PDFs without pages, new signatures on a PDF certified with DocMDP P=1.
// * Where qpdf is used (every function here but level_of), the code lives in the module
//   libqualsig-pdf.so, which the `qualsig` command loads on first use (pdf_module.h), so that
//   commands that never read a PDF do not pay for loading qpdf and GnuTLS. Other programs (the
//   tests, the benchmarks) link that code directly.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/digest.h"
#include "core/openssl.h"
#include "core/result.h"
#include "core/time.h"
#include "formats/cades.h"
#include "hsm/signer.h"

namespace qualsig::formats::pades {

// Inputs larger than this are refused before parsing.
inline constexpr std::size_t kMaxPdfSize = 1u << 30;

// An optional visible appearance of the signature field (EN 319 142-1 §5.5 does not require one).
struct VisibleSignature {
  int page = 1;                               // 1-based
  double llx = 0, lly = 0, urx = 0, ury = 0;  // rectangle in default user space
  std::string text;                           // UTF-8 lines ('\n' separated), drawn in Helvetica with WinAnsiEncoding
                                              // (characters outside it become '?')
  std::optional<Bytes> jpeg;                  // optional baseline/progressive JPEG drawn left of the text (DCTDecode)
};

struct SignOptions {
  cades::Level level = cades::Level::b_b;
  core::DigestAlgorithm digest = core::DigestAlgorithm::sha256;
  TimePoint signing_time;                 // written as /M
  std::vector<const X509*> chain;         // borrowed: issuing CA, root
  cades::TimestampFn timestamp;           // B-T and up (signature and document time-stamps)
  cades::ValidationData validation_data;  // B-LT and up: goes into the DSS
  std::optional<int> certify;             // DocMDP P = 1, 2 or 3 (ISO 32000-1 §12.8.2.2): a certification
                                          // signature; only allowed when the PDF has no signature yet
  std::optional<VisibleSignature> visible;
  std::string field_name;                      // "" -> "Signature<N>" unique in the AcroForm; must not exist yet
  std::string reason, location, contact_info;  // optional /Reason /Location /ContactInfo (UTF-8)
};

// The bytes to APPEND to `pdf` (one or more incremental updates, ISO 32000-1 §7.5.6): the signed
// PDF is pdf || result, so callers can write the original and the increment without a second copy
// of a large document. B-B/B-T: one update with the signature field, its widget (invisible unless
// options.visible), the signature dictionary and the updated catalog/AcroForm/page; B-T's CMS
// carries a signature-time-stamp. B-LT: plus a second update with the DSS holding
// options.validation_data, the signer's certificate and options.chain (add_validation_data_increment);
// B-LTA: plus a document time-stamp update (add_document_timestamp_increment).
// Fails with invalid_input (not a PDF, damaged, encrypted, too large, no pages, AcroForm or page
// structures that are not what ISO 32000-1 requires), usage (certify with a value other than 1-3,
// certify on a PDF that is already signed, a page number that does not exist, an existing or
// malformed field name, a missing time-stamp function or validation data for the level, an
// invalid rectangle or JPEG), conflict (the PDF is certified with P=1: no change allowed), internal
// (the CMS does not fit the space reserved for it), or the errors of cades::sign_detached and of
// the time-stamp function. `signer_cert` and options.chain are borrowed for the call.
Result<Bytes> sign_increment(ByteView pdf, const X509* signer_cert, const hsm::Signer& signer,
                             const SignOptions& options);

// Convenience: pdf || sign_increment(...). Fails as sign_increment.
Result<Bytes> sign(ByteView pdf, const X509* signer_cert, const hsm::Signer& signer, const SignOptions& options);

// B-LT: appends a DSS dictionary (EN 319 142-1 §5.4.2.2, ISO 32000-2 §12.8.4.3) with /Certs /OCSPs
// /CRLs streams and a /VRI entry per signature and document time-stamp (key: upper-case hex SHA-1
// of the CMS in the signature's /Contents) naming this data, merging with an existing DSS
// (elements already there are not added again). Returns the increment to append to `pdf`.
// Fails with usage if `data` is empty, invalid_input if an element does not decode strictly as a
// certificate / OCSPResponse / CRL, or as sign_increment for the PDF.
Result<Bytes> add_validation_data_increment(ByteView pdf, const cades::ValidationData& data);

// B-LTA: appends a document time-stamp (/Type /DocTimeStamp, /SubFilter /ETSI.RFC3161,
// EN 319 142-1 §5.4.3) over the whole file, with its own invisible field and widget. Returns the
// increment. Fails with usage without a time-stamp function, invalid_input if the token's
// message imprint is not the digest of the byte range, internal if the token does not fit the
// space reserved, or as sign_increment for the PDF.
Result<Bytes> add_document_timestamp_increment(ByteView pdf, const cades::TimestampFn& timestamp,
                                               core::DigestAlgorithm digest);

struct PdfSignatureInfo {
  std::string field_name;           // fully qualified
  std::string sub_filter;           // "ETSI.CAdES.detached", "adbe.pkcs7.detached", "ETSI.RFC3161", ...
  bool document_timestamp = false;  // /Type /DocTimeStamp
  std::array<std::int64_t, 4> byte_range{};
  Bytes contents;                  // the CMS / TimeStampToken DER, trailing zero padding removed
  bool covers_revision = false;    // byte range covers the whole revision it ends (only the /Contents gap left out)
  bool covers_whole_file = false;  // ... and that revision is the last one
  std::optional<int> docmdp_permissions;    // certification signature's P
  std::optional<std::string> signing_time;  // /M as written
};

struct PdfInfo {
  std::string version;        // header version, e.g. "1.7" (catalog /Version wins if higher)
  std::size_t revisions = 0;  // %%EOF-terminated revisions (a linearized file counts its first-page section)
  bool encrypted = false;
  std::vector<PdfSignatureInfo> signatures;  // in file order (revision order)
  std::size_t dss_certificates = 0, dss_ocsps = 0, dss_crls = 0, dss_vri = 0;
  // The decoded streams of the DSS arrays (EN 319 142-1 §5.4.2.2; validation material for
  // validation/). Bounded: at most kMaxDssValues per array; an entry that is not a stream, whose
  // filters qpdf cannot decode, or that is larger than kMaxDssRawStream (filtered: kMaxDssFilteredStream,
  // so a deflate bomb cannot expand to gigabytes) is skipped, not an error.
  std::vector<Bytes> dss_certificate_values, dss_ocsp_values, dss_crl_values;
};
inline constexpr std::size_t kMaxDssValues = 1024;
inline constexpr std::size_t kMaxDssRawStream = 8u << 20;
inline constexpr std::size_t kMaxDssFilteredStream = 64u << 10;

// Reads a PDF without checking signatures cryptographically. Encrypted files that open without a
// user password are reported (encrypted = true); others fail. Fails with invalid_input naming the
// problem for non-PDFs, damaged PDFs qpdf cannot read without recovery, byte ranges that are out
// of bounds / overlapping / not ascending, /Contents that is not a hex string inside the gap.
Result<PdfInfo> inspect(ByteView pdf);

// The bytes a signature covers (its /ByteRange), digested with `alg` in a streaming way. Fails
// with invalid_input if the range is invalid for `pdf`.
Result<Bytes> byte_range_digest(ByteView pdf, const PdfSignatureInfo& sig, core::DigestAlgorithm alg);

// The number of pages of `pdf` (a whole file, or the prefix of it that ends one of its
// revisions), for the PAdES check that pages were not added or removed after signing; nullopt if
// qpdf cannot read it as it is (the caller then has no page count to compare).
std::optional<std::size_t> page_count(ByteView pdf);

// The baseline level signature `index` of `info` has reached, structurally (EN 319 142-1 §6; what is
// present, not whether it validates): B-T with a signature-time-stamp in its CMS or a document
// time-stamp after it, B-LT with that and revocation data in the DSS, B-LTA with a further document
// time-stamp. B-B for a document time-stamp itself or an index out of range. Never fails.
// (Implemented in pades_level.cpp.)
cades::Level level_of(const PdfInfo& info, std::size_t index);

}  // namespace qualsig::formats::pades
