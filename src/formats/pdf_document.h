#pragma once
// Internal to formats/ (PAdES): a PDF read with qpdf, and the incremental updates that PAdES
// appends to it (ISO 32000-1 §7.5.6). qpdf parses; the updates are written here, never by
// QPDFWriter (DESIGN.md), so that the original bytes stay a byte-identical prefix.

#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/digest.h"
#include "core/result.h"
#include "core/time.h"

namespace qualsig::formats::pdf {

// Upper bound on object numbers: ISO 32000-1 Annex C.2, "maximum number of indirect objects in a
// PDF file: 8,388,607". A larger /Size is treated as hostile.
inline constexpr std::int64_t kMaxObjects = 8388607;

// A PDF held as two borrowed byte runs, head || tail: the caller's document and the increments
// written so far, so that a large document is never copied. Views must outlive every use.
struct Input {
  ByteView head;
  ByteView tail;
  std::size_t size() const { return head.size() + tail.size(); }
  std::uint8_t at(std::size_t i) const { return i < head.size() ? head[i] : tail[i - head.size()]; }
  // Copies [offset, offset + length) clamped to the input; for small pieces only.
  std::string slice(std::size_t offset, std::size_t length) const;
};

// A parsed PDF. `qpdf` reads from `input` lazily, so the input must stay alive as long as this.
struct Document {
  std::unique_ptr<QPDF> qpdf;
  Input input;
  std::int64_t startxref = 0;  // offset of the newest cross-reference section
  bool xref_stream = false;    // that section is a cross-reference stream (ISO 32000-1 §7.5.8)
  int next_object = 1;         // the first object number that is free (max of /Size and the xref)
  QPDFObjectHandle trailer;    // newest trailer (or xref stream dictionary)
  QPDFObjectHandle root;       // the catalog, indirect
  bool encrypted = false;
  // Warnings qpdf gave while reading the cross-reference data (e.g. a /Size that is one too
  // large, common in real files) are tolerated; any later one is not (check_warnings).
  std::size_t xref_warnings = 0;
};

// Opens `input` with qpdf from memory (no copy), without xref recovery. Fails with invalid_input
// for inputs above 1 GiB, not starting with "%PDF-", without a startxref, damaged ones qpdf cannot
// read as they are, a /Size above kMaxObjects, a catalog that is not a dictionary, and (unless
// `allow_encrypted`) encrypted files.
Result<std::unique_ptr<Document>> open(Input input, bool allow_encrypted = false);

// qpdf reports damage it worked around as warnings (with recovery off these are still possible,
// e.g. a malformed object stream header). Fails with invalid_input naming the first warning given
// after the cross-reference data was read (objects the update reads or refers to are damaged),
// so that such a file is refused rather than silently repaired.
Result<void> check_warnings(Document& doc);

// Runs `fn`, turning a qpdf (or other std::exception) exception into invalid_input "<what>: ...".
Result<void> guarded(const std::string& what, const std::function<void()>& fn);

// An indirect reference "id gen R" as a qpdf handle, for use inside objects that are unparsed
// (`id` must exist in the file or come from UpdateWriter::new_object).
QPDFObjectHandle reference(QPDF& qpdf, QPDFObjGen id);

// PDF date string (ISO 32000-1 §7.9.4) in UTC: "D:YYYYMMDDHHmmSSZ".
std::string pdf_date(TimePoint t);

// A stream object body: `dict` (a dictionary; /Length is set here) followed by the raw data.
std::string stream_body(QPDFObjectHandle dict, ByteView data);

// One signature field (ISO 32000-1 §12.7.4.5) whose /V is a signature dictionary.
struct SignatureField {
  std::string name;  // fully qualified field name
  QPDFObjectHandle field;
  QPDFObjectHandle signature;  // the /V dictionary
};

// The terminal fields of the AcroForm, walked with a depth limit and loop detection. `names`
// receives every fully qualified field name; the result holds the signed signature fields.
std::vector<SignatureField> signature_fields(Document& doc, std::vector<std::string>* names = nullptr);

// The DocMDP P of a signature dictionary (ISO 32000-1 §12.8.2.2, Table 254: default 2) if its
// /Reference array holds a DocMDP transform; nullopt otherwise. Throws on qpdf errors (use guarded).
std::optional<int> docmdp_permissions(QPDFObjectHandle signature);

// The CMS or time-stamp token in a /Contents string: the DER element at its start when its length
// header is well-formed, else the string with trailing zero bytes removed.
Bytes strip_contents(const std::string& contents);

// Digest of the concatenation of `ranges` of `parts` (a virtual concatenation), streaming.
// Fails with invalid_input if a range is outside the parts.
Result<Bytes> digest_ranges(const std::vector<ByteView>& parts,
                            const std::vector<std::pair<std::int64_t, std::int64_t>>& ranges,
                            core::DigestAlgorithm alg);

// Collects the objects of one incremental update and writes it: the objects, a cross-reference
// section of the same kind as the document's newest one (table + trailer, or an xref stream), and
// startxref/%%EOF. The trailer keeps /Root, /Info and /ID[0] and gets a new /ID[1] and /Prev.
class UpdateWriter {
 public:
  explicit UpdateWriter(Document& doc) : m_doc(doc), m_next(doc.next_object) {}
  // A fresh object number (generation 0). qpdf learns of it (as an empty dictionary) so that
  // references to it can be put into qpdf objects and unparsed as "id 0 R".
  QPDFObjGen new_object();
  // Adds (or replaces) an object body, the text between "obj" and "endobj".
  void add(QPDFObjGen id, std::string body) { m_objects[id] = std::move(body); }
  // Adds the current (modified in memory) value of an existing indirect object.
  Result<void> add_existing(QPDFObjectHandle object);
  // Writes the update. The result is the bytes to append to the document.
  Result<Bytes> finish();
  // Offset of an object in the increment returned by finish().
  std::size_t offset_in_increment(QPDFObjGen id) const { return m_offsets.at(id); }

 private:
  Document& m_doc;
  int m_next;
  std::map<QPDFObjGen, std::string> m_objects;
  std::map<QPDFObjGen, std::size_t> m_offsets;
};

}  // namespace qualsig::formats::pdf
