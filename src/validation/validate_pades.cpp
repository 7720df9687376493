// PAdES validation (EN 319 142-1 signatures, validated per EN 319 102-1): each signature
// dictionary's CMS goes through the CAdES process over its /ByteRange; document time-stamps
// (ISO 32000-2 §12.8.5) are validated once and reported with every signature they cover, as
// POEs of those signatures. A document time-stamp that covers no signature is reported as an
// entry of its own (format "PAdES", level "document-time-stamp").

#include <openssl/cms.h>
#include <openssl/ocsp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include <cctype>
#include <charconv>

#include "formats/pades.h"
#include "validation/path.h"

namespace qualsig::validation::detail {
namespace {

// The bytes a /ByteRange covers (formats::pades::inspect checked the range against the file).
Bytes signed_bytes(ByteView pdf, const formats::pades::PdfSignatureInfo& sig) {
  const auto& r = sig.byte_range;
  Bytes out(pdf.begin() + r[0], pdf.begin() + r[0] + r[1]);
  out.insert(out.end(), pdf.begin() + r[2], pdf.begin() + r[2] + r[3]);
  return out;
}

// ISO 32000-1 §7.9.4 date "D:YYYYMMDDHHmmSSOHH'mm'" (fields after the year optional; O is Z, + or -).
std::optional<TimePoint> parse_pdf_date(std::string_view text) {
  if (text.substr(0, 2) == "D:") text.remove_prefix(2);
  auto number = [&](std::size_t pos, std::size_t len, int fallback) -> std::optional<int> {
    if (text.size() < pos + len) return fallback;
    int v = 0;
    auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, v);
    if (ec != std::errc{} || p != text.data() + pos + len) return std::nullopt;
    return v;
  };
  auto y = number(0, 4, -1), mo = number(4, 2, 1), d = number(6, 2, 1), h = number(8, 2, 0), mi = number(10, 2, 0),
       s = number(12, 2, 0);
  if (!y || *y < 0 || !mo || !d || !h || !mi || !s) return std::nullopt;
  using namespace std::chrono;
  TimePoint t = sys_days{year{*y} / month{static_cast<unsigned>(*mo)} / day{static_cast<unsigned>(*d)}} + hours{*h} +
                minutes{*mi} + seconds{*s};
  if (text.size() > 14 && (text[14] == '+' || text[14] == '-')) {
    auto oh = number(15, 2, 0), om = number(18, 2, 0);
    if (!oh || !om) return std::nullopt;
    auto offset = hours{*oh} + minutes{*om};
    t = text[14] == '+' ? t - offset : t + offset;
  }
  return t;
}

// The whole /Contents hex string of the gap (with its zero padding): formats::pades strips trailing
// zero bytes, which would also strip the end-of-contents octets of a BER indefinite-length CMS.
Bytes padded_contents(ByteView pdf, const formats::pades::PdfSignatureInfo& sig) {
  const auto& r = sig.byte_range;
  std::string hex;
  for (auto i = r[0] + r[1]; i < r[2]; ++i) {
    unsigned char c = pdf[static_cast<std::size_t>(i)];
    if (std::isxdigit(c) != 0) hex.push_back(static_cast<char>(c));
  }
  if (hex.size() % 2 != 0) hex.push_back('0');  // ISO 32000-1 §7.3.4.3: a missing final digit is 0
  auto bytes = hex_decode(hex);
  return bytes ? *bytes : sig.contents;
}

// The time-stamp token at the start of padded /Contents, without the padding (DER or BER).
Bytes first_element(const Bytes& padded) {
  const unsigned char* p = padded.data();
  auto token = core::wrap(d2i_PKCS7(nullptr, &p, static_cast<long>(padded.size())));
  ERR_clear_error();
  if (!token) return padded;  // let validate_timestamp report it
  return Bytes(padded.data(), p);
}

// A document time-stamp (ISO 32000-2 §12.8.5: /Type /DocTimeStamp, SubFilter ETSI.RFC3161); DSS
// also treats an ETSI.RFC3161 SubFilter under /Type /Sig as one (DSS-1899).
bool is_document_timestamp(const formats::pades::PdfSignatureInfo& sig) {
  return sig.document_timestamp || sig.sub_filter == "ETSI.RFC3161";
}

// EN 319 142-1 §6 level, structurally: formats::pades::level_of, raised to B-T when our CMS
// reading found a signature-time-stamp (level_of reads the /Contents without its zero padding,
// which breaks BER indefinite-length CMS). A CMS without a signing-certificate attribute is not
// baseline: "PAdES-BES" as DSS names it.
std::string pades_level(const formats::pades::PdfInfo& info, formats::cades::Level level, const SignatureReport& cms) {
  // EN 319 142-1 §6.3 (PAdES baseline): "the signing-time attribute shall not be present".
  if (cms.level == "not a baseline profile" || cms.signing_time_attribute) return "PAdES-BES";
  bool signature_tst = false;
  for (const TimestampReport& t : cms.timestamps) signature_tst = signature_tst || t.type == "signature-time-stamp";
  if (level == formats::cades::Level::b_b && signature_tst)
    level = info.dss_ocsps + info.dss_crls > 0 ? formats::cades::Level::b_lt : formats::cades::Level::b_t;
  return std::string("PAdES-BASELINE-") + (formats::cades::level_name(level) + 2);
}

Result<Bytes> digest_with(const EVP_MD* md, ByteView data) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), buf, &len, md, nullptr) != 1) return fail(ErrorCode::crypto, "digest not computable");
  return Bytes(buf, buf + len);
}

Indication total(Indication building_block) {
  return building_block == Indication::passed   ? Indication::total_passed
         : building_block == Indication::failed ? Indication::total_failed
                                                : Indication::indeterminate;
}

}  // namespace

Result<ValidationReport> validate_pdf(ByteView pdf, const ValidationOptions& options, TimePoint at) {
  auto info = formats::pades::inspect(pdf);
  if (!info) {
    // A PDF support module that cannot be loaded says nothing about the file (pdf_module.h).
    if (info.error().code == ErrorCode::environment) return fail(info.error());
    return fail(ErrorCode::invalid_input, "not a PDF qualsig can read: " + info.error().message, info.error().detail);
  }
  // The DSS's certificates, OCSP responses and CRLs are validation material like the options'
  // (EN 319 142-1 §5.4.2.2). Elements that do not decode are left out: material_from_options
  // refuses undecodable options, but a PDF must not be able to make validation fail as an error.
  // Each object is parsed once; every signature's process shares them (CmsContext::base).
  QS_TRY(Material material, material_from_options(options));
  for (const Bytes& der : info->dss_certificate_values)
    if (auto cert = core::x509_from_der(der)) add_certificate(material, cert->get());
  for (const Bytes& der : info->dss_crl_values) {
    const unsigned char* p = der.data();
    if (auto crl = core::wrap(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())))) material.crls.push_back(std::move(crl));
  }
  for (const Bytes& der : info->dss_ocsp_values) add_ocsp_response(material, der);
  ERR_clear_error();
  ValidationReport report;
  report.document_format = "PAdES";
  report.validation_time = at;
  const auto& sigs = info->signatures;
  const std::optional<std::size_t> final_pages = formats::pades::page_count(pdf);

  // Document time-stamps: the imprint is the digest of the revision they end (ISO 32000-2 §12.8.5).
  std::vector<std::optional<TimestampReport>> doc_tst(sigs.size());
  for (std::size_t i = 0; i < sigs.size(); ++i) {
    if (!is_document_timestamp(sigs[i])) continue;
    Bytes covered = signed_bytes(pdf, sigs[i]);
    doc_tst[i] = validate_timestamp(
        first_element(padded_contents(pdf, sigs[i])), "document-time-stamp", [&covered](const EVP_MD* md) { return digest_with(md, covered); }, material, at);
  }

  for (std::size_t i = 0; i < sigs.size(); ++i) {
    const auto& sig = sigs[i];
    if (is_document_timestamp(sig)) {
      bool covers_a_signature = false;
      for (std::size_t j = 0; j < i; ++j) covers_a_signature = covers_a_signature || !is_document_timestamp(sigs[j]);
      if (covers_a_signature) continue;
      SignatureReport s;
      s.id = sig.field_name;
      s.format = "PAdES";
      s.level = "document-time-stamp";
      s.indication = total(doc_tst[i]->indication);
      s.sub_indication = doc_tst[i]->sub_indication;
      s.reasons = doc_tst[i]->reasons;
      s.best_signature_time = doc_tst[i]->indication == Indication::passed ? doc_tst[i]->gen_time : at;
      s.timestamps.push_back(*doc_tst[i]);
      report.signatures.push_back(std::move(s));
      continue;
    }
    ValidationOptions o = options;
    o.detached_content = signed_bytes(pdf, sig);
    CmsContext ctx;
    for (std::size_t j = i + 1; j < sigs.size(); ++j)
      if (doc_tst[j]) ctx.document_timestamps.push_back(*doc_tst[j]);
    const formats::cades::Level structural_level = formats::pades::level_of(*info, i);
    ctx.document_timestamps_archive = structural_level == formats::cades::Level::b_lta;
    if (sig.signing_time) ctx.claimed_signing_time = parse_pdf_date(*sig.signing_time);
    ctx.container_padding = true;
    ctx.base = &material;
    Bytes contents = padded_contents(pdf, sig);
    auto cms = validate_cms(contents, o, at, ctx);
    SignatureReport s;
    if (cms && cms->signatures.size() == 1)
      s = std::move(cms->signatures[0]);
    else
      s.best_signature_time = at;
    s.id = sig.field_name;
    s.format = "PAdES";
    s.level = pades_level(*info, structural_level, s);
    // FC for PAdES (notes §6): one SignerInfo (SignerInformationStore), a CAdES or PKCS#7 detached
    // SubFilter, a /ByteRange covering the whole revision except /Contents.
    std::string fc;
    if (!cms || cms->signatures.size() != 1)
      fc = "/Contents is not a CMS SignedData with exactly one SignerInfo";
    else if (sig.sub_filter != "ETSI.CAdES.detached" && sig.sub_filter != "adbe.pkcs7.detached")
      fc = "SubFilter " + sig.sub_filter + " is not ETSI.CAdES.detached or adbe.pkcs7.detached";
    else if (!sig.covers_revision)
      fc = "/ByteRange does not cover its revision";
    else if (auto signed_pages = formats::pades::page_count(pdf.first(static_cast<std::size_t>(sig.byte_range[2] + sig.byte_range[3])));
             signed_pages && final_pages && *signed_pages != *final_pages)
      // DSS PdfPageDifference (FAIL): pages added or removed after signing (shadow attack).
      fc = "PdfPageDifference: " + std::to_string(*signed_pages) + " pages signed, " + std::to_string(*final_pages) +
           " in the final revision";
    if (!fc.empty()) {
      s.checks.insert(s.checks.begin(), {"FC (5.2.2, PAdES)", "FAILED: FORMAT_FAILURE (" + fc + ")"});
      s.indication = Indication::total_failed;
      s.sub_indication = SubIndication::format_failure;
      s.reasons = {fc};
    }
    report.signatures.push_back(std::move(s));
  }
  if (material.online) report.fetched = material.online->log;
  return report;
}

}  // namespace qualsig::validation::detail
