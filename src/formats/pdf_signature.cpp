// One incremental update adding a signed signature field (ISO 32000-1 §12.7.4.5, §12.8.1).
#include "formats/pdf_signature.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace qualsig::formats::pdf {
namespace {

// "/ByteRange [" ... "]": room for four offsets of up to 10 digits each (files < 1 GiB).
constexpr std::size_t kByteRangeWidth = 48;
// ISO 32000-1 §12.5.3 Table 165: annotation flags Print (bit 3) and Locked (bit 8).
constexpr int kAnnotationFlags = 4 | 128;
// ISO 32000-1 §12.7.2 Table 219: SigFlags SignaturesExist (1) | AppendOnly (2).
constexpr int kSigFlags = 3;

// What has to be written again when `value` changes: `value` itself if it is an indirect object,
// else `holder`, the indirect object it is (directly or through direct objects) part of.
QPDFObjectHandle owner(QPDFObjectHandle value, QPDFObjectHandle holder) { return value.isIndirect() ? value : holder; }

Result<std::string> unique_name(Document& doc, const std::string& wanted) {
  std::vector<std::string> names;
  QS_TRY_VOID(guarded("damaged AcroForm", [&] { signature_fields(doc, &names); }));
  std::set<std::string> taken(names.begin(), names.end());
  if (!wanted.empty()) {
    if (wanted.find('.') != std::string::npos) return fail(ErrorCode::usage, "a field name must not contain '.'");
    if (taken.count(wanted) != 0) return fail(ErrorCode::usage, "the PDF already has a field named \"" + wanted + "\"");
    return wanted;
  }
  for (std::size_t n = 1;; ++n) {
    std::string name = "Signature" + std::to_string(n);
    if (taken.count(name) == 0) return name;
  }
}

}  // namespace

Result<Bytes> append_signature(Document& doc, const FieldRequest& request) {
  QS_TRY(std::string name, unique_name(doc, request.field_name));
  QPDF& q = *doc.qpdf;
  UpdateWriter writer(doc);
  const QPDFObjGen sig_id = writer.new_object();
  const QPDFObjGen field_id = writer.new_object();
  std::optional<QPDFObjGen> appearance;
  if (request.visible != nullptr) {
    QS_TRY(appearance, write_appearance(doc, writer, *request.visible));
  }

  int page_number = request.visible != nullptr ? request.visible->page : 1;
  std::string problem;
  ErrorCode problem_code = ErrorCode::invalid_input;
  std::vector<QPDFObjectHandle> dirty;
  QS_TRY_VOID(guarded("damaged PDF", [&] {
    std::vector<QPDFObjectHandle> pages = q.getAllPages();
    if (pages.empty()) {
      problem = "the PDF has no pages";
      return;
    }
    if (page_number < 1 || static_cast<std::size_t>(page_number) > pages.size()) {
      problem =
          "page " + std::to_string(page_number) + " does not exist (the PDF has " + std::to_string(pages.size()) + ")";
      problem_code = ErrorCode::usage;
      return;
    }
    QPDFObjectHandle page = pages[static_cast<std::size_t>(page_number - 1)];
    if (!page.isIndirect() || page.getObjGen().getObj() >= doc.next_object) {
      problem = "the page tree is damaged";
      return;
    }

    // The widget annotation and the field are one dictionary (ISO 32000-1 §12.7.1).
    QPDFObjectHandle field = QPDFObjectHandle::newDictionary();
    field.replaceKey("/Type", QPDFObjectHandle::newName("/Annot"));
    field.replaceKey("/Subtype", QPDFObjectHandle::newName("/Widget"));
    field.replaceKey("/FT", QPDFObjectHandle::newName("/Sig"));
    field.replaceKey("/T", QPDFObjectHandle::newUnicodeString(name));
    field.replaceKey("/V", reference(q, sig_id));
    field.replaceKey("/P", page);
    field.replaceKey("/F", QPDFObjectHandle::newInteger(kAnnotationFlags));
    if (request.visible != nullptr) {
      const pades::VisibleSignature& v = *request.visible;
      field.replaceKey("/Rect", QPDFObjectHandle::newArray(std::vector<QPDFObjectHandle>{
                                    QPDFObjectHandle::newReal(v.llx, 2), QPDFObjectHandle::newReal(v.lly, 2),
                                    QPDFObjectHandle::newReal(v.urx, 2), QPDFObjectHandle::newReal(v.ury, 2)}));
      QPDFObjectHandle ap = QPDFObjectHandle::newDictionary();
      ap.replaceKey("/N", reference(q, *appearance));
      field.replaceKey("/AP", ap);
    } else {
      field.replaceKey("/Rect", QPDFObjectHandle::parse("[0 0 0 0]"));
    }
    writer.add(field_id, field.unparse());
    QPDFObjectHandle field_ref = reference(q, field_id);

    // The page's /Annots gains the widget.
    QPDFObjectHandle annots = page.getKey("/Annots");
    if (annots.isNull()) {
      page.replaceKey("/Annots", QPDFObjectHandle::newArray(std::vector<QPDFObjectHandle>{field_ref}));
      dirty.push_back(page);
    } else if (annots.isArray()) {
      annots.appendItem(field_ref);
      dirty.push_back(owner(annots, page));
    } else {
      problem = "the page's /Annots is not an array";
      return;
    }

    // The AcroForm (direct in the catalog or indirect) gains the field and SigFlags 3.
    QPDFObjectHandle catalog = doc.root;
    QPDFObjectHandle acroform = catalog.getKey("/AcroForm");
    if (acroform.isNull()) {
      acroform = QPDFObjectHandle::newDictionary();
      acroform.replaceKey("/Fields", QPDFObjectHandle::newArray());
      catalog.replaceKey("/AcroForm", acroform);
      acroform = catalog.getKey("/AcroForm");
    } else if (!acroform.isDictionary()) {
      problem = "the catalog's /AcroForm is not a dictionary";
      return;
    }
    QPDFObjectHandle acroform_owner = owner(acroform, catalog);
    QPDFObjectHandle fields = acroform.getKey("/Fields");
    if (fields.isNull()) {
      acroform.replaceKey("/Fields", QPDFObjectHandle::newArray());
      fields = acroform.getKey("/Fields");
    } else if (!fields.isArray()) {
      problem = "the AcroForm's /Fields is not an array";
      return;
    }
    fields.appendItem(field_ref);
    dirty.push_back(owner(fields, acroform_owner));
    QPDFObjectHandle flags = acroform.getKey("/SigFlags");
    long long sig_flags = flags.isInteger() ? flags.getIntValue() : 0;
    acroform.replaceKey("/SigFlags", QPDFObjectHandle::newInteger(sig_flags | kSigFlags));
    dirty.push_back(acroform_owner);

    if (request.certify) {
      // ISO 32000-1 §12.8.4 Table 258: /Perms /DocMDP is "an indirect reference to a signature
      // dictionary" of the certification signature.
      QPDFObjectHandle perms = catalog.getKey("/Perms");
      if (!perms.isDictionary()) {
        catalog.replaceKey("/Perms", QPDFObjectHandle::newDictionary());
        perms = catalog.getKey("/Perms");
      }
      perms.replaceKey("/DocMDP", reference(q, sig_id));
      dirty.push_back(owner(perms, catalog));
    }
  }));
  if (!problem.empty()) return fail(problem_code, problem);
  QS_TRY_VOID(check_warnings(doc));
  std::set<QPDFObjGen> written;
  for (QPDFObjectHandle& object : dirty) {
    if (!written.insert(object.getObjGen()).second) continue;
    if (object.getObjGen().getObj() >= doc.next_object)
      return fail(ErrorCode::invalid_input, "damaged PDF: dangling reference");
    QS_TRY_VOID(writer.add_existing(object));
  }

  // The signature dictionary: fixed-width placeholders, /Contents last so the gap is one hex string.
  // The placeholders' offsets follow from the text written, not from searching it (a /Reason
  // could contain "/ByteRange [" itself).
  const std::string range_prefix = "<<" + request.dictionary_entries + " /ByteRange [";
  const std::string contents_prefix = "] /Contents ";
  writer.add(sig_id, range_prefix + std::string(kByteRangeWidth, ' ') + contents_prefix + "<" +
                         std::string(2 * request.contents_capacity, '0') + ">>>");
  QS_TRY(Bytes increment, writer.finish());

  const std::size_t sig_at = writer.offset_in_increment(sig_id) + (sig_id.unparse(' ') + " obj\n").size();
  const std::size_t range_at = sig_at + range_prefix.size();
  const std::size_t gap_at = range_at + kByteRangeWidth + contents_prefix.size();
  if (gap_at >= increment.size() || increment[gap_at] != '<')
    return fail(ErrorCode::internal, "signature placeholder misplaced");
  const std::size_t base = doc.input.size();
  const std::int64_t gap_start = static_cast<std::int64_t>(base + gap_at);
  const std::int64_t gap_end = gap_start + static_cast<std::int64_t>(2 * request.contents_capacity + 2);
  const std::int64_t total = static_cast<std::int64_t>(base + increment.size());
  const std::array<std::int64_t, 4> range{0, gap_start, gap_end, total - gap_end};
  std::string range_text = std::to_string(range[0]) + " " + std::to_string(range[1]) + " " + std::to_string(range[2]) +
                           " " + std::to_string(range[3]);
  if (range_text.size() > kByteRangeWidth) return fail(ErrorCode::internal, "byte range does not fit its placeholder");
  std::copy(range_text.begin(), range_text.end(), increment.begin() + static_cast<std::ptrdiff_t>(range_at));

  QS_TRY(Bytes digest, digest_ranges({doc.input.head, doc.input.tail, increment},
                                     {{range[0], range[1]}, {range[2], range[3]}}, request.digest));
  QS_TRY(Bytes der, request.make_contents(digest));
  if (der.size() > request.contents_capacity)
    return fail(ErrorCode::internal, "the signature (" + std::to_string(der.size()) + " bytes) does not fit the " +
                                         std::to_string(request.contents_capacity) + " bytes reserved for /Contents");
  std::string hex = hex_encode(der);
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
  std::copy(hex.begin(), hex.end(), increment.begin() + static_cast<std::ptrdiff_t>(gap_at + 1));
  return increment;
}

}  // namespace qualsig::formats::pdf
