// PAdES baseline signatures (ETSI EN 319 142-1 §6) and document time-stamps (§5.4.3).
#include <algorithm>

#include "core/openssl.h"
#include "formats/pades.h"
#include "formats/pdf_signature.h"

namespace qualsig::formats {
namespace {

// /Contents reservation (bytes of DER): room for the SignedData framing and signed attributes.
constexpr std::size_t kCmsOverhead = 4096;
// A signature-time-stamp token or a document time-stamp token, TSA certificate included.
constexpr std::size_t kTimestampReserve = 16384;

int level_rank(cades::Level level) { return static_cast<int>(level); }

Result<std::size_t> der_size(const X509* cert) {
  if (cert == nullptr) return fail(ErrorCode::usage, "null certificate in the chain");
  int n = i2d_X509(cert, nullptr);
  if (n <= 0) return fail(core::openssl_error(ErrorCode::usage, "cannot encode a certificate"));
  return static_cast<std::size_t>(n);
}

// A PDF text string (ISO 32000-1 §7.9.2.2): PDFDocEncoding when possible, else UTF-16BE.
std::string text_string(const std::string& utf8) { return QPDFObjectHandle::newUnicodeString(utf8).unparse(); }

// Checks that a RFC 3161 TimeStampToken's messageImprint is (alg, digest).
Result<void> check_imprint(ByteView token, ByteView digest, core::DigestAlgorithm alg) {
  const unsigned char* p = token.data();
  auto pkcs7 = core::wrap(d2i_PKCS7(nullptr, &p, static_cast<long>(token.size())));
  if (!pkcs7 || p != token.data() + token.size())
    return fail(core::openssl_error(ErrorCode::invalid_input, "the time-stamp token is not one DER ContentInfo"));
  auto info = core::wrap(PKCS7_to_TS_TST_INFO(pkcs7.get()));
  if (!info) return fail(core::openssl_error(ErrorCode::invalid_input, "the time-stamp token holds no TSTInfo"));
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info.get());
  const ASN1_OCTET_STRING* value = TS_MSG_IMPRINT_get_msg(imprint);
  int nid = OBJ_obj2nid(TS_MSG_IMPRINT_get_algo(imprint)->algorithm);
  int want = alg == core::DigestAlgorithm::sha256   ? NID_sha256
             : alg == core::DigestAlgorithm::sha384 ? NID_sha384
                                                    : NID_sha512;
  if (nid != want ||
      ByteView(ASN1_STRING_get0_data(value), static_cast<std::size_t>(ASN1_STRING_length(value))).size() !=
          digest.size() ||
      !std::equal(digest.begin(), digest.end(), ASN1_STRING_get0_data(value)))
    return fail(ErrorCode::invalid_input, "the time-stamp token does not time-stamp the document's byte range");
  return ok();
}

// Whether new signatures are allowed: not when a certification signature says P=1.
Result<void> check_existing(pdf::Document& doc, bool certify) {
  bool signed_already = false, locked = false;
  QS_TRY_VOID(pdf::guarded("damaged PDF", [&] {
    for (pdf::SignatureField f : pdf::signature_fields(doc)) {
      signed_already = true;
      if (pdf::docmdp_permissions(f.signature) == 1) locked = true;
    }
    QPDFObjectHandle perms = doc.root.getKey("/Perms");
    if (perms.isDictionary()) {
      QPDFObjectHandle docmdp = perms.getKey("/DocMDP");
      if (docmdp.isDictionary() && pdf::docmdp_permissions(docmdp) == 1) locked = true;
    }
  }));
  if (certify && signed_already)
    return fail(ErrorCode::usage, "a certification signature must be the first signature: the PDF is already signed");
  if (locked)
    return fail(ErrorCode::conflict,
                "the PDF is certified with DocMDP P=1 (no changes allowed): it cannot be signed again");
  return ok();
}

}  // namespace
}  // namespace qualsig::formats

namespace qualsig::formats::pades {

Result<Bytes> sign_increment(ByteView pdf, const X509* signer_cert, const hsm::Signer& signer,
                             const SignOptions& options) {
  if (signer_cert == nullptr) return fail(ErrorCode::usage, "no signer certificate");
  if (options.certify && (*options.certify < 1 || *options.certify > 3))
    return fail(ErrorCode::usage, "DocMDP permissions must be 1, 2 or 3");
  if (level_rank(options.level) >= level_rank(cades::Level::b_t) && !options.timestamp)
    return fail(ErrorCode::usage, std::string(cades::level_name(options.level)) + " needs a time-stamp function");
  if (level_rank(options.level) >= level_rank(cades::Level::b_lt) && options.validation_data.ocsp_responses.empty() &&
      options.validation_data.crls.empty())
    return fail(ErrorCode::usage,
                std::string(cades::level_name(options.level)) + " needs revocation data (OCSP responses or CRLs)");

  std::size_t capacity = kCmsOverhead + static_cast<std::size_t>(std::max(EVP_PKEY_get_size(signer.public_key()), 0));
  QS_TRY(std::size_t cert_size, der_size(signer_cert));
  capacity += cert_size;
  for (const X509* c : options.chain) {
    QS_TRY(std::size_t n, der_size(c));
    capacity += n;
  }
  if (level_rank(options.level) >= level_rank(cades::Level::b_t)) capacity += kTimestampReserve;

  QS_TRY(std::unique_ptr<pdf::Document> doc, pdf::open({pdf, {}}));
  QS_TRY_VOID(check_existing(*doc, options.certify.has_value()));

  // ISO 32000-1 §12.8.1 Table 252; PAdES baseline: SubFilter ETSI.CAdES.detached, /M the claimed time.
  std::string entries = " /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M " +
                        QPDFObjectHandle::newString(pdf::pdf_date(options.signing_time)).unparse();
  if (!options.reason.empty()) entries += " /Reason " + text_string(options.reason);
  if (!options.location.empty()) entries += " /Location " + text_string(options.location);
  if (!options.contact_info.empty()) entries += " /ContactInfo " + text_string(options.contact_info);
  if (options.certify) {
    // ISO 32000-1 §12.8.1 Table 253 (signature reference dictionary), Table 254 (DocMDP transform parameters).
    entries += " /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P " +
               std::to_string(*options.certify) + " /V /1.2 >> >>]";
  }

  pdf::FieldRequest request;
  request.dictionary_entries = std::move(entries);
  request.contents_capacity = capacity;
  request.field_name = options.field_name;
  request.visible = options.visible ? &*options.visible : nullptr;
  request.certify = options.certify.has_value();
  request.digest = options.digest;
  request.make_contents = [&](ByteView digest) -> Result<Bytes> {
    cades::SignOptions cms;
    // The CMS stays at B-T at most: B-LT and B-LTA material goes into the DSS and a document
    // time-stamp (EN 319 142-1 §5.4), not into the CMS.
    cms.level = level_rank(options.level) >= level_rank(cades::Level::b_t) ? cades::Level::b_t : cades::Level::b_b;
    cms.digest = options.digest;
    cms.signing_time = options.signing_time;
    cms.chain = options.chain;
    cms.timestamp = options.timestamp;
    cms.signing_time_attribute = false;
    return cades::sign_detached(digest, signer_cert, signer, cms);
  };
  QS_TRY(Bytes increment, pdf::append_signature(*doc, request));
  if (level_rank(options.level) <= level_rank(cades::Level::b_t)) return increment;

  // EN 319 142-1 §5.4.2.2 / ISO 32000-2 §12.8.4.3: the DSS holds what validation needs; the
  // signer's chain goes there too, not only into the CMS.
  cades::ValidationData dss_data = options.validation_data;
  std::vector<const X509*> chain{signer_cert};
  chain.insert(chain.end(), options.chain.begin(), options.chain.end());
  for (const X509* cert : chain) {
    QS_TRY(Bytes der, core::x509_to_der(cert));
    if (std::find(dss_data.certificates.begin(), dss_data.certificates.end(), der) == dss_data.certificates.end())
      dss_data.certificates.push_back(std::move(der));
  }
  QS_TRY(Bytes dss, pdf::dss_update({pdf, increment}, dss_data));
  increment.insert(increment.end(), dss.begin(), dss.end());
  if (options.level == cades::Level::b_lt) return increment;

  QS_TRY(Bytes timestamp, pdf::document_timestamp_update({pdf, increment}, options.timestamp, options.digest));
  increment.insert(increment.end(), timestamp.begin(), timestamp.end());
  return increment;
}

Result<Bytes> sign(ByteView pdf, const X509* signer_cert, const hsm::Signer& signer, const SignOptions& options) {
  QS_TRY(Bytes increment, sign_increment(pdf, signer_cert, signer, options));
  Bytes out;
  out.reserve(pdf.size() + increment.size());
  out.insert(out.end(), pdf.begin(), pdf.end());
  out.insert(out.end(), increment.begin(), increment.end());
  return out;
}

Result<Bytes> add_document_timestamp_increment(ByteView pdf, const cades::TimestampFn& timestamp,
                                               core::DigestAlgorithm digest) {
  return pdf::document_timestamp_update({pdf, {}}, timestamp, digest);
}

}  // namespace qualsig::formats::pades

namespace qualsig::formats::pdf {

Result<Bytes> document_timestamp_update(Input input, const cades::TimestampFn& timestamp,
                                        core::DigestAlgorithm digest) {
  if (!timestamp) return fail(ErrorCode::usage, "a document time-stamp needs a time-stamp function");
  QS_TRY(std::unique_ptr<Document> doc, open(input));
  FieldRequest request;
  // EN 319 142-1 §5.4.3; ISO 32000-2 §12.8.5: a document time-stamp dictionary.
  request.dictionary_entries = " /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161";
  request.contents_capacity = kTimestampReserve;
  request.digest = digest;
  request.make_contents = [&](ByteView range_digest) -> Result<Bytes> {
    QS_TRY(Bytes token, timestamp(range_digest, digest));
    QS_TRY_VOID(check_imprint(token, range_digest, digest));
    return token;
  };
  return append_signature(*doc, request);
}

}  // namespace qualsig::formats::pdf
