// Reading a PDF with qpdf from two borrowed byte runs, and writing incremental updates
// (ISO 32000-1 §7.5.6).
#include "formats/pdf_document.h"

#include <qpdf/InputSource.hh>
#include <qpdf/QPDFExc.hh>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>

#include "core/fs.h"
#include "core/openssl.h"
#include "formats/pades.h"

namespace qualsig::formats::pdf {
namespace {

// How far from the end of the file "startxref" is looked for (qpdf looks in the last 1054 bytes).
constexpr std::size_t kStartxrefWindow = 2048;
// AcroForm field trees deeper than this are refused as hostile.
constexpr int kMaxFieldDepth = 32;
// Width reserved for the /ID[1] byte string.
constexpr std::size_t kIdLength = 16;

// An InputSource over head || tail without copying either (qpdf's BufferInputSource semantics).
class TwoPartSource final : public InputSource {
 public:
  explicit TwoPartSource(Input input) : m_input(input), m_size(static_cast<qpdf_offset_t>(input.size())) {}

  qpdf_offset_t findAndSkipNextEOL() override {
    while (m_pos < m_size && !is_eol(m_input.at(static_cast<std::size_t>(m_pos)))) ++m_pos;
    if (m_pos >= m_size) return m_pos = m_size;
    qpdf_offset_t result = m_pos;
    while (m_pos < m_size && is_eol(m_input.at(static_cast<std::size_t>(m_pos)))) ++m_pos;
    return result;
  }
  std::string const& getName() const override { return m_name; }
  qpdf_offset_t tell() override { return m_pos; }
  void seek(qpdf_offset_t offset, int whence) override {
    qpdf_offset_t base = whence == SEEK_SET ? 0 : whence == SEEK_END ? m_size : m_pos;
    if (base + offset < 0) throw std::runtime_error(m_name + ": seek before beginning of buffer");
    m_pos = base + offset;
  }
  void rewind() override { m_pos = 0; }
  size_t read(char* buffer, size_t length) override {
    last_offset = m_pos;
    if (m_pos >= m_size) return 0;
    std::size_t n = std::min(length, static_cast<std::size_t>(m_size - m_pos));
    std::size_t pos = static_cast<std::size_t>(m_pos);
    std::size_t done = 0;
    if (pos < m_input.head.size()) {
      done = std::min(n, m_input.head.size() - pos);
      std::memcpy(buffer, m_input.head.data() + pos, done);
    }
    if (done < n) std::memcpy(buffer + done, m_input.tail.data() + (pos + done - m_input.head.size()), n - done);
    m_pos += static_cast<qpdf_offset_t>(n);
    return n;
  }
  void unreadCh(char) override {
    if (m_pos > 0) --m_pos;
  }

 private:
  static bool is_eol(std::uint8_t c) { return c == '\r' || c == '\n'; }
  Input m_input;
  qpdf_offset_t m_size;
  qpdf_offset_t m_pos = 0;
  std::string m_name = "PDF";
};

Result<std::int64_t> find_startxref(const Input& in) {
  std::size_t from = in.size() > kStartxrefWindow ? in.size() - kStartxrefWindow : 0;
  std::string tail = in.slice(from, kStartxrefWindow);
  std::size_t at = tail.rfind("startxref");
  if (at == std::string::npos)
    return fail(ErrorCode::invalid_input, "damaged PDF: no startxref near the end of the file");
  // ISO 32000-1 §7.5.5: "the last line of the file shall contain only the end-of-file marker,
  // %%EOF"; garbage after it is tolerated, a file cut before it is not.
  if (tail.find("%%EOF", at) == std::string::npos)
    return fail(ErrorCode::invalid_input, "damaged PDF: no %%EOF after the last startxref (truncated?)");
  std::size_t p = at + 9;
  while (p < tail.size() && std::strchr(" \t\r\n\f", tail[p]) != nullptr && tail[p] != '\0') ++p;
  std::int64_t value = 0;
  std::size_t digits = 0;
  while (p < tail.size() && tail[p] >= '0' && tail[p] <= '9' && digits < 12)
    value = value * 10 + (tail[p++] - '0'), ++digits;
  if (digits == 0 || value >= static_cast<std::int64_t>(in.size()))
    return fail(ErrorCode::invalid_input, "damaged PDF: startxref does not point into the file");
  return value;
}

void collect_fields(QPDFObjectHandle node, const std::string& parent, int depth, std::set<QPDFObjGen>& seen,
                    std::vector<SignatureField>& out, std::vector<std::string>* names) {
  if (depth > kMaxFieldDepth) throw std::runtime_error("AcroForm field tree nested too deeply");
  if (!node.isDictionary()) return;
  // A field listed twice, or reached again through a /Kids loop, is visited once.
  if (node.isIndirect() && !seen.insert(node.getObjGen()).second) return;
  std::string name = parent;
  if (node.hasKey("/T") && node.getKey("/T").isString()) {
    std::string part = node.getKey("/T").getUTF8Value();
    name = parent.empty() ? part : parent + "." + part;
  }
  QPDFObjectHandle kids = node.getKey("/Kids");
  bool has_field_kids = false;
  if (kids.isArray()) {
    for (int i = 0; i < kids.getArrayNItems(); ++i) {
      QPDFObjectHandle kid = kids.getArrayItem(i);
      // Widget-only kids have no /T; they belong to this field.
      if (kid.isDictionary() && kid.hasKey("/T")) {
        has_field_kids = true;
        collect_fields(kid, name, depth + 1, seen, out, names);
      }
    }
  }
  if (has_field_kids) return;
  if (names != nullptr) names->push_back(name);
  QPDFObjectHandle ft = node.getKey("/FT");
  QPDFObjectHandle value = node.getKey("/V");
  if (ft.isName() && ft.getName() == "/Sig" && value.isDictionary()) out.push_back({name, node, value});
}

}  // namespace

std::string Input::slice(std::size_t offset, std::size_t length) const {
  std::string out;
  if (offset >= size()) return out;
  length = std::min(length, size() - offset);
  out.reserve(length);
  for (std::size_t i = 0; i < length; ++i) out.push_back(static_cast<char>(at(offset + i)));
  return out;
}

Result<void> guarded(const std::string& what, const std::function<void()>& fn) {
  try {
    fn();
    return ok();
  } catch (const QPDFExc& e) {
    if (e.getErrorCode() == qpdf_e_password)
      return fail(ErrorCode::invalid_input, "encrypted PDFs cannot be signed: decrypt it first", e.what());
    return fail(ErrorCode::invalid_input, what + ": " + e.getMessageDetail(), e.what());
  } catch (const std::exception& e) {
    return fail(ErrorCode::invalid_input, what + ": " + e.what());
  }
}

Result<std::unique_ptr<Document>> open(Input input, bool allow_encrypted) {
  if (input.size() > pades::kMaxPdfSize) return fail(ErrorCode::invalid_input, "PDF larger than 1 GiB: refused");
  if (input.size() < 8 || input.slice(0, 5) != "%PDF-")
    return fail(ErrorCode::invalid_input, "not a PDF: the input does not start with %PDF-");
  auto doc = std::make_unique<Document>();
  doc->input = input;
  QS_TRY(doc->startxref, find_startxref(input));
  // The newest section's kind decides the kind of our update's section (ISO 32000-1 §7.5.8.4: a
  // hybrid file's newest section is a table, and so is the update's).
  std::string at_xref = input.slice(static_cast<std::size_t>(doc->startxref), 64);
  at_xref.erase(0, std::min(at_xref.find_first_not_of(" \t\r\n\f"), at_xref.size()));
  doc->xref_stream = at_xref.rfind("xref", 0) != 0;
  QS_TRY_VOID(guarded("damaged PDF", [&] {
    doc->qpdf = std::make_unique<QPDF>();
    doc->qpdf->setSuppressWarnings(true);
    doc->qpdf->setAttemptRecovery(false);
    doc->qpdf->processInputSource(std::make_shared<TwoPartSource>(input));
    doc->xref_warnings = doc->qpdf->numWarnings();
    doc->encrypted = doc->qpdf->isEncrypted();
    doc->trailer = doc->qpdf->getTrailer();
  }));
  if (doc->encrypted && !allow_encrypted)
    return fail(ErrorCode::invalid_input, "encrypted PDFs cannot be signed: decrypt it first");
  std::string problem;
  QS_TRY_VOID(guarded("damaged PDF", [&] {
    QPDFObjectHandle size = doc->trailer.getKey("/Size");
    if (!size.isInteger() || size.getIntValue() < 1 || size.getIntValue() > kMaxObjects) {
      problem = "the trailer /Size is missing or out of range";
      return;
    }
    std::int64_t next = size.getIntValue();
    for (const auto& [og, entry] : doc->qpdf->getXRefTable()) next = std::max<std::int64_t>(next, og.getObj() + 1);
    if (next > kMaxObjects) {
      problem = "too many objects";
      return;
    }
    doc->next_object = static_cast<int>(next);
    doc->root = doc->trailer.getKey("/Root");
    if (!doc->root.isIndirect() || !doc->root.isDictionary()) {
      problem = "the catalog (/Root) is not an indirect dictionary";
      return;
    }
    // The update's trailer refers to /Info again: it must be what it claims (ISO 32000-1 §14.3.3).
    QPDFObjectHandle info = doc->trailer.getKey("/Info");
    if (!info.isNull() && (!info.isIndirect() || !info.isDictionary()))
      problem = "the trailer's /Info is not an indirect dictionary";
  }));
  if (!problem.empty()) return fail(ErrorCode::invalid_input, "damaged PDF: " + problem);
  QS_TRY_VOID(check_warnings(*doc));
  return doc;
}

Result<void> check_warnings(Document& doc) {
  if (doc.qpdf->numWarnings() <= doc.xref_warnings) return ok();
  std::vector<QPDFExc> warnings = doc.qpdf->getWarnings();  // clears qpdf's list
  std::size_t skip = std::min(doc.xref_warnings, warnings.size());
  doc.xref_warnings = 0;
  const QPDFExc& first = warnings.at(skip < warnings.size() ? skip : 0);
  return fail(ErrorCode::invalid_input, "damaged PDF: " + first.getMessageDetail(), first.what());
}

QPDFObjectHandle reference(QPDF& qpdf, QPDFObjGen id) { return qpdf.getObject(id); }

std::string pdf_date(TimePoint t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss hms(t - day);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "D:%04d%02u%02u%02d%02d%02lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  return buf;
}

std::string stream_body(QPDFObjectHandle dict, ByteView data) {
  dict.replaceKey("/Length", QPDFObjectHandle::newInteger(static_cast<long long>(data.size())));
  std::string out = dict.unparseResolved();
  out += "\nstream\n";
  out.append(reinterpret_cast<const char*>(data.data()), data.size());
  out += "\nendstream";
  return out;
}

std::vector<SignatureField> signature_fields(Document& doc, std::vector<std::string>* names) {
  std::vector<SignatureField> out;
  QPDFObjectHandle acroform = doc.root.getKey("/AcroForm");
  if (!acroform.isDictionary()) return out;
  QPDFObjectHandle fields = acroform.getKey("/Fields");
  if (!fields.isArray()) return out;
  std::set<QPDFObjGen> seen;
  for (int i = 0; i < fields.getArrayNItems(); ++i) collect_fields(fields.getArrayItem(i), "", 0, seen, out, names);
  return out;
}

std::optional<int> docmdp_permissions(QPDFObjectHandle signature) {
  QPDFObjectHandle refs = signature.getKey("/Reference");
  if (!refs.isArray()) return std::nullopt;
  for (int i = 0; i < refs.getArrayNItems() && i < 16; ++i) {
    QPDFObjectHandle ref = refs.getArrayItem(i);
    if (!ref.isDictionary()) continue;
    QPDFObjectHandle method = ref.getKey("/TransformMethod");
    if (!method.isName() || method.getName() != "/DocMDP") continue;
    QPDFObjectHandle params = ref.getKey("/TransformParams");
    QPDFObjectHandle p = params.isDictionary() ? params.getKey("/P") : QPDFObjectHandle::newNull();
    if (p.isInteger() && p.getIntValue() >= 1 && p.getIntValue() <= 3) return static_cast<int>(p.getIntValue());
    return 2;
  }
  return std::nullopt;
}

Bytes strip_contents(const std::string& contents) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(contents.data());
  std::size_t n = contents.size();
  // A DER SEQUENCE header: 0x30, then a short or long (up to 4 bytes) length.
  if (n >= 2 && p[0] == 0x30) {
    std::size_t length = 0, header = 2;
    if (p[1] < 0x80) {
      length = p[1];
    } else if (p[1] > 0x80 && p[1] <= 0x84 && n >= 2u + (p[1] & 0x7f)) {
      header = 2u + (p[1] & 0x7f);
      for (std::size_t i = 2; i < header; ++i) length = (length << 8) | p[i];
    } else {
      header = 0;
    }
    if (header != 0 && length <= n - header) return Bytes(p, p + header + length);
  }
  while (n > 0 && p[n - 1] == 0) --n;
  return Bytes(p, p + n);
}

Result<Bytes> digest_ranges(const std::vector<ByteView>& parts,
                            const std::vector<std::pair<std::int64_t, std::int64_t>>& ranges,
                            core::DigestAlgorithm alg) {
  std::size_t total = 0;
  for (ByteView p : parts) total += p.size();
  auto ctx = core::wrap(EVP_MD_CTX_new());
  const EVP_MD* md = core::evp_md(alg);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "cannot start a digest"));
  for (auto [start, length] : ranges) {
    if (start < 0 || length < 0 || static_cast<std::uint64_t>(start) > total ||
        static_cast<std::uint64_t>(length) > total - static_cast<std::uint64_t>(start))
      return fail(ErrorCode::invalid_input, "byte range outside the file");
    std::size_t pos = static_cast<std::size_t>(start), left = static_cast<std::size_t>(length), base = 0;
    for (ByteView part : parts) {
      if (left == 0) break;
      if (pos < base + part.size()) {
        std::size_t off = pos - base;
        std::size_t n = std::min(left, part.size() - off);
        if (EVP_DigestUpdate(ctx.get(), part.data() + off, n) != 1)
          return fail(core::openssl_error(ErrorCode::internal, "digest update failed"));
        pos += n;
        left -= n;
      }
      base += part.size();
    }
  }
  Bytes out(static_cast<std::size_t>(EVP_MD_size(md)));
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "digest final failed"));
  return out;
}

QPDFObjGen UpdateWriter::new_object() {
  QPDFObjGen id(m_next++, 0);
  m_doc.qpdf->replaceObject(id, QPDFObjectHandle::newDictionary());
  return id;
}

Result<void> UpdateWriter::add_existing(QPDFObjectHandle object) {
  if (!object.isIndirect()) return fail(ErrorCode::internal, "add_existing needs an indirect object");
  std::string body;
  QS_TRY_VOID(guarded("cannot serialise a PDF object", [&] { body = object.unparseResolved(); }));
  add(object.getObjGen(), std::move(body));
  return ok();
}

Result<Bytes> UpdateWriter::finish() {
  const std::size_t base = m_doc.input.size();
  std::string out;
  // ISO 32000-1 §7.5.5: the update starts after the previous %%EOF; a file whose last line has
  // no end-of-line marker (or trailing garbage) still gets its update on a line of its own.
  std::uint8_t last = m_doc.input.at(base - 1);
  if (last != '\n' && last != '\r') out += '\n';
  std::optional<QPDFObjGen> xref_id;
  if (m_doc.xref_stream) xref_id = new_object();
  m_offsets.clear();
  for (const auto& [id, body] : m_objects) {
    m_offsets[id] = out.size();
    out += id.unparse(' ') + " obj\n" + body + "\nendobj\n";
  }

  QPDFObjectHandle trailer = QPDFObjectHandle::newDictionary();
  QS_TRY_VOID(guarded("damaged PDF trailer", [&] {
    trailer.replaceKey("/Size", QPDFObjectHandle::newInteger(m_next));
    trailer.replaceKey("/Root", m_doc.root);
    QPDFObjectHandle info = m_doc.trailer.getKey("/Info");
    if (info.isIndirect()) trailer.replaceKey("/Info", info);
    Bytes fresh = core::random_bytes(kIdLength);
    std::string id1(fresh.begin(), fresh.end());
    // ISO 32000-1 §14.4: the first identifier stays, the second changes with each update.
    QPDFObjectHandle id = m_doc.trailer.getKey("/ID");
    std::string id0 = id.isArray() && id.getArrayNItems() == 2 && id.getArrayItem(0).isString()
                          ? id.getArrayItem(0).getStringValue()
                          : id1;
    trailer.replaceKey(
        "/ID", QPDFObjectHandle::newArray({QPDFObjectHandle::newString(id0), QPDFObjectHandle::newString(id1)}));
    trailer.replaceKey("/Prev", QPDFObjectHandle::newInteger(m_doc.startxref));
  }));

  const std::size_t xref_offset = base + out.size();
  // Contiguous runs of object numbers form the subsections (§7.5.4) / the /Index pairs (§7.5.8.2).
  std::map<QPDFObjGen, std::size_t> entries;
  for (const auto& [id, off] : m_offsets) entries[id] = base + off;
  if (xref_id) entries[*xref_id] = xref_offset;
  std::vector<std::pair<int, int>> runs;
  for (const auto& [id, off] : entries) {
    if (!runs.empty() && runs.back().first + runs.back().second == id.getObj())
      ++runs.back().second;
    else
      runs.emplace_back(id.getObj(), 1);
  }
  if (!xref_id) {
    out += "xref\n";
    auto it = entries.begin();
    for (auto [first, count] : runs) {
      out += std::to_string(first) + " " + std::to_string(count) + "\n";
      for (int i = 0; i < count; ++i, ++it) {
        char line[32];
        std::snprintf(line, sizeof(line), "%010zu %05d n\r\n", it->second, it->first.getGen());
        out += line;
      }
    }
    out += "trailer\n" + trailer.unparse() + "\n";
  } else {
    // /W [1 4 2]: type, offset (the file is below 2^32 bytes, see kMaxPdfSize), generation.
    Bytes data;
    for (const auto& [id, off] : entries) {
      data.push_back(1);
      for (int shift = 24; shift >= 0; shift -= 8) data.push_back(static_cast<std::uint8_t>(off >> shift));
      data.push_back(static_cast<std::uint8_t>(id.getGen() >> 8));
      data.push_back(static_cast<std::uint8_t>(id.getGen()));
    }
    QPDFObjectHandle index = QPDFObjectHandle::newArray();
    for (auto [first, count] : runs) {
      index.appendItem(QPDFObjectHandle::newInteger(first));
      index.appendItem(QPDFObjectHandle::newInteger(count));
    }
    trailer.replaceKey("/Type", QPDFObjectHandle::newName("/XRef"));
    trailer.replaceKey("/W", QPDFObjectHandle::parse("[1 4 2]"));
    trailer.replaceKey("/Index", index);
    out += xref_id->unparse(' ') + " obj\n" + stream_body(trailer, data) + "\nendobj\n";
  }
  out += "startxref\n" + std::to_string(xref_offset) + "\n%%EOF\n";
  return Bytes(out.begin(), out.end());
}

}  // namespace qualsig::formats::pdf
