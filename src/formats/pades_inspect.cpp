// Reading the signatures of a PDF (ISO 32000-1 §12.8.1) without checking them cryptographically.
#include <algorithm>
#include <cstring>

#include "formats/pades.h"
#include "formats/pdf_document.h"

namespace qualsig::formats::pades {
namespace {

constexpr std::string_view kEof = "%%EOF";

// End offsets of the %%EOF-terminated revisions: just after "%%EOF", and after its end-of-line
// marker if there is one (a byte range may end at either).
struct RevisionEnd {
  std::size_t bare;
  std::size_t with_eol;
};

std::vector<RevisionEnd> revision_ends(ByteView pdf) {
  std::vector<RevisionEnd> out;
  const auto* begin = reinterpret_cast<const char*>(pdf.data());
  std::string_view text(begin, pdf.size());
  for (std::size_t at = text.find(kEof); at != std::string_view::npos; at = text.find(kEof, at + 1)) {
    std::size_t end = at + kEof.size();
    std::size_t eol = end;
    if (eol < text.size() && text[eol] == '\r') ++eol;
    if (eol < text.size() && text[eol] == '\n') ++eol;
    out.push_back({end, eol});
  }
  return out;
}

bool is_hex(std::uint8_t c) { return std::isxdigit(c) != 0; }
bool is_space(std::uint8_t c) { return c == ' ' || c == '\r' || c == '\n' || c == '\t' || c == '\f' || c == 0; }

Result<void> check_range(const std::array<std::int64_t, 4>& r, std::size_t size) {
  for (std::int64_t v : r)
    if (v < 0 || static_cast<std::uint64_t>(v) > size)
      return fail(ErrorCode::invalid_input, "signature byte range out of bounds");
  if (r[0] + r[1] > r[2]) return fail(ErrorCode::invalid_input, "signature byte ranges overlap or are not ascending");
  if (static_cast<std::uint64_t>(r[2] + r[3]) > size)
    return fail(ErrorCode::invalid_input, "signature byte range out of bounds");
  return ok();
}

// The /Contents hex string must fill the gap between the two ranges exactly (ISO 32000-1 §12.8.1:
// "the entire file, including the signature dictionary but excluding the PDF signature itself").
Result<Bytes> gap_contents(ByteView pdf, const std::array<std::int64_t, 4>& r) {
  std::size_t start = static_cast<std::size_t>(r[0] + r[1]), end = static_cast<std::size_t>(r[2]);
  if (end < start + 2 || pdf[start] != '<' || pdf[end - 1] != '>')
    return fail(ErrorCode::invalid_input, "the signature's /Contents is not a hex string filling the byte range gap");
  std::string hex;
  hex.reserve(end - start);
  for (std::size_t i = start + 1; i + 1 < end; ++i) {
    if (is_hex(pdf[i]))
      hex.push_back(static_cast<char>(pdf[i]));
    else if (!is_space(pdf[i]) || pdf[i] == 0)
      return fail(ErrorCode::invalid_input, "the signature's /Contents gap holds a non-hex character");
  }
  if (hex.size() % 2 != 0) hex.push_back('0');  // ISO 32000-1 §7.3.4.3: a final odd digit is followed by 0
  std::optional<Bytes> raw = hex_decode(hex);
  if (!raw) return fail(ErrorCode::invalid_input, "the signature's /Contents is not hex");
  return pdf::strip_contents(std::string(raw->begin(), raw->end()));
}

}  // namespace

Result<PdfInfo> inspect(ByteView pdf) {
  QS_TRY(std::unique_ptr<pdf::Document> doc, pdf::open({pdf, {}}, true));
  PdfInfo info;
  info.encrypted = doc->encrypted;
  std::string header = doc->input.slice(5, 3);
  info.version = header.size() == 3 && std::isdigit(static_cast<unsigned char>(header[0])) && header[1] == '.' &&
                         std::isdigit(static_cast<unsigned char>(header[2]))
                     ? header
                     : "";
  std::vector<RevisionEnd> ends = revision_ends(pdf);
  info.revisions = ends.size();

  struct Raw {
    PdfSignatureInfo sig;
    bool valid_range = false;
  };
  std::vector<Raw> raw;
  std::string problem;
  QS_TRY_VOID(pdf::guarded("damaged PDF", [&] {
    QPDFObjectHandle version = doc->root.getKey("/Version");
    if (version.isName() && version.getName().size() == 4 && version.getName().substr(1) > info.version)
      info.version = version.getName().substr(1);
    for (pdf::SignatureField f : pdf::signature_fields(*doc)) {
      PdfSignatureInfo s;
      s.field_name = f.name;
      QPDFObjectHandle sub_filter = f.signature.getKey("/SubFilter");
      if (sub_filter.isName()) s.sub_filter = sub_filter.getName().substr(1);
      QPDFObjectHandle type = f.signature.getKey("/Type");
      s.document_timestamp = type.isName() && type.getName() == "/DocTimeStamp";
      QPDFObjectHandle range = f.signature.getKey("/ByteRange");
      if (!range.isArray() || range.getArrayNItems() != 4) {
        problem = "signature field \"" + f.name + "\" has no /ByteRange of four integers";
        return;
      }
      for (int i = 0; i < 4; ++i) {
        QPDFObjectHandle v = range.getArrayItem(i);
        if (!v.isInteger()) {
          problem = "signature field \"" + f.name + "\" has a /ByteRange that is not four integers";
          return;
        }
        s.byte_range[static_cast<std::size_t>(i)] = v.getIntValue();
      }
      if (!f.signature.getKey("/Contents").isString()) {
        problem = "signature field \"" + f.name + "\" has no /Contents string";
        return;
      }
      QPDFObjectHandle m = f.signature.getKey("/M");
      if (m.isString()) s.signing_time = m.getStringValue();
      s.docmdp_permissions = pdf::docmdp_permissions(f.signature);
      raw.push_back({std::move(s), true});
    }
    QPDFObjectHandle dss = doc->root.getKey("/DSS");
    if (dss.isDictionary()) {
      auto count = [&](const char* key) -> std::size_t {
        QPDFObjectHandle a = dss.getKey(key);
        return a.isArray() ? static_cast<std::size_t>(a.getArrayNItems()) : 0;
      };
      info.dss_certificates = count("/Certs");
      info.dss_ocsps = count("/OCSPs");
      info.dss_crls = count("/CRLs");
      auto values = [&](const char* key, std::vector<Bytes>& out) {
        QPDFObjectHandle a = dss.getKey(key);
        if (!a.isArray()) return;
        for (int i = 0; i < a.getArrayNItems() && out.size() < kMaxDssValues; ++i) {
          QPDFObjectHandle item = a.getArrayItem(i);
          if (!item.isStream()) continue;
          QPDFObjectHandle dict = item.getDict();
          QPDFObjectHandle length = dict.getKey("/Length");
          if (!length.isInteger() || length.getIntValue() < 0) continue;
          const bool filtered = !dict.getKey("/Filter").isNull();
          if (static_cast<std::uint64_t>(length.getIntValue()) > (filtered ? kMaxDssFilteredStream : kMaxDssRawStream)) continue;
          (void)pdf::guarded("DSS stream", [&] {
            std::shared_ptr<Buffer> buffer = item.getStreamData(qpdf_dl_generalized);
            out.emplace_back(buffer->getBuffer(), buffer->getBuffer() + buffer->getSize());
          });
        }
      };
      values("/Certs", info.dss_certificate_values);
      values("/OCSPs", info.dss_ocsp_values);
      values("/CRLs", info.dss_crl_values);
      QPDFObjectHandle vri = dss.getKey("/VRI");
      if (vri.isDictionary()) info.dss_vri = vri.getKeys().size();
    }
  }));
  if (!problem.empty()) return fail(ErrorCode::invalid_input, problem);

  for (Raw& r : raw) {
    PdfSignatureInfo& s = r.sig;
    QS_TRY_VOID(check_range(s.byte_range, pdf.size()));
    QS_TRY(s.contents, gap_contents(pdf, s.byte_range));
    std::size_t end = static_cast<std::size_t>(s.byte_range[2] + s.byte_range[3]);
    for (std::size_t i = 0; i < ends.size(); ++i) {
      if (s.byte_range[0] == 0 && (end == ends[i].bare || end == ends[i].with_eol)) {
        s.covers_revision = true;
        s.covers_whole_file = i + 1 == ends.size();
      }
    }
    info.signatures.push_back(std::move(s));
  }
  std::sort(info.signatures.begin(), info.signatures.end(),
            [](const PdfSignatureInfo& a, const PdfSignatureInfo& b) { return a.byte_range[1] < b.byte_range[1]; });
  return info;
}

Result<Bytes> byte_range_digest(ByteView pdf, const PdfSignatureInfo& sig, core::DigestAlgorithm alg) {
  QS_TRY_VOID(check_range(sig.byte_range, pdf.size()));
  return pdf::digest_ranges({pdf}, {{sig.byte_range[0], sig.byte_range[1]}, {sig.byte_range[2], sig.byte_range[3]}},
                            alg);
}

}  // namespace qualsig::formats::pades
