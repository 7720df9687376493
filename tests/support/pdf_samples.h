#pragma once
// Real-world and hostile PDFs for the PAdES tests, made at test time by the installed producers
// (Ghostscript, qpdf, headless Chromium), copied from Debian documentation packages and the DSS
// corpus, or written here byte by byte when they are tiny. Nothing is downloaded and no PDF is
// committed. A producer that is not installed makes its samples missing (with a note), never a
// failure: callers check what they got.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "support/run_command.h"

namespace qualsig::testing {

// One input PDF. `path` lives in the directory given to the maker (the caller owns and removes it).
struct PdfSample {
  std::filesystem::path path;
  std::string name;      // short unique id, e.g. "gs-pdf-1.4"; usable in test names
  std::string producer;  // the program that wrote it, e.g. "GPL Ghostscript pdfwrite"
  std::string features;  // what it exercises: xref form, object streams, revisions, ...
  bool already_signed = false;  // carries signatures already (DSS corpus)
};

// One hostile input; `name` says what is wrong with it ("prev-loop", "truncated-before-xref").
struct HostilePdf {
  std::filesystem::path path;
  std::string name;
  std::string description;
};

namespace pdf_detail {

inline std::string quote(const std::filesystem::path& p) {
  std::string out = "'";
  for (char c : p.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline bool have_tool(const std::string& tool) { return run("command -v " + tool).status == 0; }

inline void write(const std::filesystem::path& p, const std::string& data) {
  std::ofstream(p, std::ios::binary).write(data.data(), static_cast<std::streamsize>(data.size()));
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs a producer; true when it exited 0 and wrote a non-empty file.
inline bool produce(const std::string& command, const std::filesystem::path& out) {
  std::error_code ec;
  std::filesystem::remove(out, ec);
  return run(command).status == 0 && std::filesystem::exists(out) && std::filesystem::file_size(out) > 0;
}

inline std::string ten_digits(std::size_t n) {
  std::string s = std::to_string(n);
  return std::string(10 - std::min<std::size_t>(10, s.size()), '0') + s;
}

}  // namespace pdf_detail

// Writes a PDF by hand, for tiny test files: numbered objects in the order given, then a classic
// xref table (ISO 32000-1 §7.5.4) with exact byte offsets. No validation: callers build broken
// files on purpose. Object numbers never written are free (or omitted) in the table.
class PdfWriter {
 public:
  // Starts with the header "%PDF-<version>" and a binary comment line.
  explicit PdfWriter(const std::string& version = "1.7") { m_data = "%PDF-" + version + "\n%\xE2\xE3\xCF\xD3\n"; }
  // Appends "num 0 obj <body> endobj" and records its offset.
  void object(int num, const std::string& body) {
    m_offsets[num] = m_data.size();
    m_data += std::to_string(num) + " 0 obj\n" + body + "\nendobj\n";
  }
  // Appends a stream object: "<< dict_entries /Length n >> stream data endstream" (no filter).
  void stream(int num, const std::string& dict_entries, const std::string& data) {
    object(num, "<< " + dict_entries + " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data +
                    "\nendstream");
  }
  // Byte offset of object `num` (it must have been written), and the current file size.
  std::size_t offset_of(int num) const { return m_offsets.at(num); }
  std::size_t size() const { return m_data.size(); }
  // Appends "xref", the trailer dictionary and startxref; returns the offset of the "xref"
  // keyword. Numbers 1..size-1 that were not written are listed as free, or left out of the
  // table when `omit_missing` (then one subsection per run of written objects).
  std::size_t finish(int size, const std::string& trailer_entries, bool omit_missing = false) {
    std::size_t xref = m_data.size();
    m_data += "xref\n";
    int i = 0;
    while (i < size) {
      int end = i + 1;
      if (omit_missing) {
        while (end < size && m_offsets.count(end) != 0) ++end;
      } else {
        end = size;
      }
      m_data += std::to_string(i) + " " + std::to_string(end - i) + "\n";
      for (; i < end; ++i) {
        auto it = m_offsets.find(i);
        m_data += it == m_offsets.end() ? "0000000000 65535 f \n" : pdf_detail::ten_digits(it->second) + " 00000 n \n";
      }
      while (i < size && m_offsets.count(i) == 0) ++i;
    }
    m_data += "trailer\n<< /Size " + std::to_string(size) + " " + trailer_entries + " >>\nstartxref\n" +
              std::to_string(xref) + "\n%%EOF\n";
    return xref;
  }
  // The file so far; callers may edit it (hostile files), offsets are not recomputed.
  std::string& data() { return m_data; }

 private:
  std::string m_data;
  std::map<int, std::size_t> m_offsets;
};

// Writes objects 1..5 of a one-page document into `w`: catalog (with `catalog_extra` entries),
// pages, page, content stream showing `text` (a PDF literal string body: balance parentheses),
// Helvetica font. Callers add objects from 6 and call finish().
inline void minimal_document(PdfWriter& w, const std::string& text, const std::string& catalog_extra = "") {
  w.object(1, "<< /Type /Catalog /Pages 2 0 R " + catalog_extra + " >>");
  w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  w.object(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
              "/Resources << /Font << /F1 5 0 R >> >> >>");
  w.stream(4, "", "BT /F1 24 Tf 72 700 Td (" + text + ") Tj ET");
  w.object(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
}

namespace pdf_detail {

// A hybrid-reference file (ISO 32000-1 §7.5.8.4): the classic table lists objects 0-6 and 8 and
// leaves 7 out; the trailer's /XRefStm points to xref stream 8, which says that object 7 (the
// /Info dictionary) is object 0 of object stream 6. `claimed_objects` is that stream's /N.
inline std::string hybrid_document(long long claimed_objects) {
  PdfWriter w("1.5");
  minimal_document(w, "hybrid cross-reference");
  std::string header = "7 0 ";
  w.stream(6, "/Type /ObjStm /N " + std::to_string(claimed_objects) + " /First " + std::to_string(header.size()),
           header + "<< /Title (hybrid xref sample) /Producer (qualsig pdf_samples.h) >>");
  // /W [1 4 2]: type, field 2 (object stream number), field 3 (index in the stream), big-endian.
  std::string row{'\x02', '\0', '\0', '\0', '\x06', '\0', '\0'};
  w.stream(8, "/Type /XRef /Size 9 /Index [7 1] /W [1 4 2]", row);
  w.finish(9, "/Root 1 0 R /Info 7 0 R /XRefStm " + std::to_string(w.offset_of(8)), true);
  return w.data();
}

// The trailer of the last revision of `pdf`: startxref offset, /Size, /Root, /ID (classic trailer
// or xref-stream dictionary). Empty root when it cannot be found.
struct LastTrailer {
  std::size_t startxref = 0;
  long size = 0;
  std::string root, id;
  bool xref_stream = false;
};
inline LastTrailer last_trailer(const std::string& pdf) {
  LastTrailer t;
  std::size_t sx = pdf.rfind("startxref");
  if (sx == std::string::npos) return t;
  t.startxref = std::strtoull(pdf.c_str() + sx + 9, nullptr, 10);
  if (t.startxref >= sx) return t;
  std::string window = pdf.substr(t.startxref, sx - t.startxref);
  t.xref_stream = window.rfind("xref", 0) != 0;
  const std::size_t cut = window.find(t.xref_stream ? "stream" : "trailer");
  if (cut == std::string::npos) return t;
  window = t.xref_stream ? window.substr(0, cut) : window.substr(cut);
  std::smatch m;
  if (std::regex_search(window, m, std::regex(R"(/Size\s+(\d+))"))) t.size = std::stol(m[1]);
  if (std::regex_search(window, m, std::regex(R"(/Root\s+(\d+\s+\d+\s+R))"))) t.root = m[1];
  if (std::regex_search(window, m, std::regex(R"(/ID\s*\[[^\]]*\])"))) t.id = m[0];
  return t;
}

// Appends an incremental update (ISO 32000-1 §7.5.6) that replaces /Info with a new object, in
// the same cross-reference form as the previous revision. `prev_override` >= 0 replaces /Prev
// (hostile files). Returns the input unchanged when its trailer cannot be read.
inline std::string append_info_update(const std::string& pdf, const std::string& title, long prev_override = -1) {
  LastTrailer t = last_trailer(pdf);
  if (t.root.empty() || t.size <= 0) return pdf;
  std::string out = pdf;
  if (out.back() != '\n') out += '\n';
  const long info = t.size;
  const std::size_t info_offset = out.size();
  out += std::to_string(info) + " 0 obj\n<< /Title (" + title +
         ") /ModDate (D:20261126000000Z) /Producer (qualsig pdf_samples.h) >>\nendobj\n";
  const std::size_t xref = out.size();
  const std::string prev = std::to_string(prev_override >= 0 ? static_cast<std::size_t>(prev_override) : t.startxref);
  const std::string common = "/Root " + t.root + " /Info " + std::to_string(info) + " 0 R /Prev " + prev + " " + t.id;
  if (t.xref_stream) {
    // /W [1 4 2]; rows for the new /Info object and for this xref stream itself.
    std::string rows;
    for (std::size_t off : {info_offset, xref}) {
      rows += '\x01';
      for (int shift = 24; shift >= 0; shift -= 8) rows += static_cast<char>((off >> shift) & 0xff);
      rows += std::string(2, '\0');
    }
    out += std::to_string(info + 1) + " 0 obj\n<< /Type /XRef /Size " + std::to_string(info + 2) + " /Index [" +
           std::to_string(info) + " 2] /W [1 4 2] " + common + " /Length " + std::to_string(rows.size()) +
           " >>\nstream\n" + rows + "\nendstream\nendobj\n";
  } else {
    out += "xref\n" + std::to_string(info) + " 1\n" + ten_digits(info_offset) + " 00000 n \ntrailer\n<< /Size " +
           std::to_string(info + 1) + " " + common + " >>\n";
  }
  out += "startxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

// Three pages of text, filled vector paths and an 8-bit grey image, for Ghostscript's pdfwrite.
inline constexpr const char* kPostScript = R"(%!PS-Adobe-3.0
/Helvetica findfont 18 scalefont setfont
1 1 3 {
  /n exch def
  72 720 moveto (qualsig test document, page ) show n 3 string cvs show
  72 690 moveto (The quick brown fox jumps over the lazy dog. 0123456789) show
  0.2 0.4 0.8 setrgbcolor 72 400 moveto 300 400 lineto 300 600 lineto closepath fill 0 setgray
  gsave 100 100 translate 200 200 scale
  16 16 8 [16 0 0 16 0 0] { <000f1f2f3f4f5f6f7f8f9fafbfcfdfef> } image grestore
  showpage
} for
)";

inline bool ghostscript(const std::filesystem::path& dir, const std::string& level, const std::filesystem::path& out) {
  const std::filesystem::path ps = dir / "qualsig-sample.ps";
  if (!std::filesystem::exists(ps)) write(ps, kPostScript);
  return produce("gs -sDEVICE=pdfwrite -dCompatibilityLevel=" + level + " -dNOPAUSE -dBATCH -dSAFER -q -sOutputFile=" +
                     quote(out) + " " + quote(ps),
                 out);
}

}  // namespace pdf_detail

// A PDF of exactly `pages` pages: Ghostscript's three-page document repeated with
// `qpdf --empty --pages x.pdf 1-z x.pdf 1-z ...` and cut to size. Returns the path, or an empty
// path when gs or qpdf is missing or failed.
inline std::filesystem::path make_pages_pdf(const std::filesystem::path& dir, int pages) {
  using namespace pdf_detail;
  const std::filesystem::path base = dir / "pages-base.pdf", joined = dir / "pages-joined.pdf",
                              out = dir / ("pages-" + std::to_string(pages) + ".pdf");
  if (pages < 1 || !have_tool("qpdf") || !ghostscript(dir, "1.4", base)) return {};
  std::string cmd = "qpdf --empty --pages";
  for (int i = 0; i < (pages + 2) / 3; ++i) cmd += " " + quote(base) + " 1-z";
  if (!produce(cmd + " -- " + quote(joined), joined)) return {};
  if (!produce("qpdf " + quote(joined) + " --pages . 1-" + std::to_string(pages) + " -- " + quote(out), out)) return {};
  return out;
}

// A one-page PDF of at least `bytes` bytes (at most 4 KiB more): the page draws an uncompressed
// RGB image whose samples come from a fixed linear congruential generator, so the file is the
// same on every run and does not shrink under compression. Written directly (Ghostscript takes
// seconds for a large image). Returns an empty path when `bytes` is below 2 KiB.
inline std::filesystem::path make_large_pdf(const std::filesystem::path& dir, std::size_t bytes) {
  using namespace pdf_detail;
  if (bytes < 2048) return {};
  // The objects around the image take about 600 bytes; whole rows of 3 KiB round it up.
  const std::size_t width = 1024, height = (bytes - 512 + 3 * width - 1) / (3 * width);
  std::string data(width * height * 3, '\0');
  std::uint32_t x = 12345;
  for (char& c : data) { x = x * 1664525u + 1013904223u; c = static_cast<char>(x >> 24); }
  PdfWriter w("1.4");
  w.object(1, "<< /Type /Catalog /Pages 2 0 R >>");
  w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  w.object(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
              "/Resources << /XObject << /Im1 5 0 R >> >> >>");
  w.stream(4, "", "q 500 0 0 500 56 146 cm /Im1 Do Q");
  w.stream(5, "/Type /XObject /Subtype /Image /Width " + std::to_string(width) + " /Height " +
                  std::to_string(height) + " /ColorSpace /DeviceRGB /BitsPerComponent 8",
           data);
  w.finish(6, "/Root 1 0 R");
  const std::filesystem::path out = dir / ("large-" + std::to_string(bytes) + ".pdf");
  write(out, w.data());
  return out;
}

// Writes the real-world sample set into `dir` (which must exist) and returns what it made, in a
// fixed order; about two seconds with every producer installed. Samples whose producer or source
// file is absent are left out and described in `skipped` when given.
inline std::vector<PdfSample> make_pdf_samples(const std::filesystem::path& dir,
                                               std::vector<std::string>* skipped = nullptr) {
  using namespace pdf_detail;
  std::vector<PdfSample> out;
  auto skip = [&](const std::string& what) { if (skipped) skipped->push_back(what); };
  auto add = [&](const std::filesystem::path& p, std::string name, std::string producer, std::string features) {
    out.push_back(PdfSample{p, std::move(name), std::move(producer), std::move(features), false});
  };

  const bool gs = have_tool("gs"), qpdf = have_tool("qpdf");
  for (const char* level : {"1.3", "1.4", "1.5", "1.7", "2.0"}) {
    const std::filesystem::path p = dir / ("gs-pdf-" + std::string(level) + ".pdf");
    if (gs && ghostscript(dir, level, p))
      add(p, "gs-pdf-" + std::string(level), "GPL Ghostscript pdfwrite",
          "CompatibilityLevel " + std::string(level) + ", 3 pages, text, vector fill, image, classic xref");
    else skip("gs-pdf-" + std::string(level) + ": Ghostscript missing or failed");
  }

  const std::filesystem::path gs14 = dir / "gs-pdf-1.4.pdf", gs17 = dir / "gs-pdf-1.7.pdf";
  struct QpdfVariant { const char* name; std::string args; std::filesystem::path input; const char* features; };
  const std::vector<QpdfVariant> variants = {
      {"qpdf-merged", "--empty --pages " + quote(gs14) + " 1-z " + quote(gs17) + " 2-3 --", {},
       "qpdf --empty --pages: 5 pages taken from two files, shared resources renumbered"},
      {"qpdf-object-streams", "--object-streams=generate", gs17, "xref stream and object streams (PDF 1.5)"},
      {"qpdf-linearized", "--linearize", gs17, "linearized (ISO 32000-1 Annex F): two xref sections, hint stream"},
      {"qpdf-qdf", "--qdf", gs14, "QDF: uncompressed streams, comments, indirect /Length"},
      {"qpdf-no-object-streams", "--object-streams=disable", gs17, "classic xref table rewritten by qpdf"},
      {"qpdf-version-2.0", "--force-version=2.0 --object-streams=generate", gs14,
       "header %PDF-2.0 with object streams"},
  };
  for (const QpdfVariant& v : variants) {
    const std::filesystem::path p = dir / (std::string(v.name) + ".pdf");
    const std::string in = v.input.empty() ? std::string() : quote(v.input) + " ";
    if (qpdf && std::filesystem::exists(gs14) && std::filesystem::exists(gs17) &&
        produce("qpdf " + in + v.args + " " + quote(p), p))
      add(p, v.name, "qpdf 11", v.features);
    else skip(std::string(v.name) + ": qpdf or its Ghostscript input missing");
  }
  if (std::filesystem::path p = make_pages_pdf(dir, 100); !p.empty())
    add(p, "qpdf-100-pages", "qpdf 11 from Ghostscript pages", "100 pages, page tree built by qpdf --pages");
  else skip("qpdf-100-pages: gs or qpdf missing");

  // Incremental updates written here on top of real producers' files.
  if (std::filesystem::exists(gs14)) {
    const std::string two = append_info_update(slurp(gs14), "revision 2");
    write(dir / "incremental-2-revisions.pdf", two);
    add(dir / "incremental-2-revisions.pdf", "incremental-2-revisions", "Ghostscript + appended update",
        "2 revisions, classic xref sections chained by /Prev, new /Info");
    write(dir / "incremental-3-revisions.pdf", append_info_update(two, "revision 3"));
    add(dir / "incremental-3-revisions.pdf", "incremental-3-revisions", "Ghostscript + two appended updates",
        "3 revisions, classic xref sections chained by /Prev");
  } else skip("incremental-2/3-revisions: no Ghostscript base");
  if (std::filesystem::exists(dir / "qpdf-object-streams.pdf")) {
    write(dir / "incremental-xref-stream.pdf", append_info_update(slurp(dir / "qpdf-object-streams.pdf"), "rev 2"));
    add(dir / "incremental-xref-stream.pdf", "incremental-xref-stream", "qpdf + appended update",
        "2 revisions, both with cross-reference streams, /Prev to an xref stream");
  } else skip("incremental-xref-stream: no qpdf object-stream base");
  write(dir / "hybrid-xref.pdf", hybrid_document(1));
  add(dir / "hybrid-xref.pdf", "hybrid-xref", "hand-written (pdf_samples.h)",
      "hybrid-reference file: classic table + /XRefStm, /Info inside an object stream");
  {
    PdfWriter w("1.4");
    minimal_document(w, "minimal hand-written PDF");
    w.finish(6, "/Root 1 0 R");
    write(dir / "minimal.pdf", w.data());
    add(dir / "minimal.pdf", "minimal", "hand-written (pdf_samples.h)", "one page, five objects, classic xref");
  }

  if (have_tool("chromium")) {
    const std::filesystem::path html = dir / "chromium-sample.html", p = dir / "chromium-skia.pdf";
    write(html, "<!doctype html><html><head><meta charset=\"utf-8\"><title>qualsig sample</title></head><body>"
                "<h1>Invoice 42</h1><p>H\xC3\xA9llo w\xC3\xB6rld: UTF-8 text, a table and a link.</p>"
                "<table border=1><tr><td>a</td><td>b</td></tr></table><a href=\"https://example.org/\">link</a>"
                "<div style=\"page-break-before:always\">page two</div></body></html>");
    if (produce("timeout 60 chromium --headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir=" +
                    quote(dir / "chromium-profile") + " --print-to-pdf=" + quote(p) + " " +
                    quote("file://" + html.string()),
                p))
      add(p, "chromium-skia", "Skia/PDF (headless Chromium)", "2 pages, embedded subset fonts, link annotation");
    else skip("chromium-skia: chromium failed");
  } else skip("chromium-skia: chromium missing");

  // Debian documentation PDFs (packages libtasn1-doc, shared-mime-info, zlib1g-dev, valgrind).
  struct DocPdf { const char* name; const char* file; const char* producer; const char* features; };
  for (const DocPdf& d : {
           DocPdf{"debian-libtasn1", "/usr/share/doc/libtasn1-doc/libtasn1.pdf", "pdfTeX-1.40.24",
                  "36 pages, PDF 1.5 object streams, outlines"},
           DocPdf{"debian-shared-mime-info", "/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf",
                  "pdfTeX-1.40.22 (LaTeX hyperref)", "17 pages, hyperref link annotations and outlines"},
           DocPdf{"debian-zlib-crc-doc", "/usr/share/doc/zlib1g-dev/crc-doc.1.0.pdf.gz", "MiKTeX pdfTeX-1.40.10",
                  "29 pages, PDF 1.4 classic xref from a Windows TeX"},
           DocPdf{"debian-valgrind-manual", "/usr/share/doc/valgrind/valgrind_manual.pdf.gz", "Apache FOP 2.6",
                  "397 pages, about 2 MB, deep outline tree"},
       }) {
    const std::filesystem::path p = dir / (std::string(d.name) + ".pdf");
    const std::string src = d.file;
    const bool gz = src.size() > 3 && src.ends_with(".gz");
    if (std::filesystem::exists(src) &&
        produce(gz ? "gzip -dc " + quote(src) + " > " + quote(p) : "cp " + quote(src) + " " + quote(p), p))
      add(p, d.name, d.producer, d.features);
    else skip(std::string(d.name) + ": " + src + " not installed");
  }

  // Signed PDFs from the DSS project (../shared/corpus, absent in a user's clone).
  const std::filesystem::path corpus = std::filesystem::path(QUALSIG_CORPUS_DIR) / "dss" / "pades";
  std::vector<std::filesystem::path> signed_pdfs;
  if (std::filesystem::is_directory(corpus))
    for (const auto& e : std::filesystem::directory_iterator(corpus))
      if (e.path().extension() == ".pdf") signed_pdfs.push_back(e.path());
  std::sort(signed_pdfs.begin(), signed_pdfs.end());
  if (signed_pdfs.empty()) skip("dss-*: DSS corpus not found at " + corpus.string());
  for (const auto& src : signed_pdfs) {
    const std::filesystem::path p = dir / ("dss-" + src.filename().string());
    std::filesystem::copy_file(src, p, std::filesystem::copy_options::overwrite_existing);
    out.push_back(PdfSample{p, "dss-" + src.stem().string(), "DSS corpus (various signing products)",
                            "already signed PAdES; see ../shared/corpus/dss/MANIFEST.tsv", true});
  }
  return out;
}

// Writes hostile PDFs into `dir` (which must exist). Each is small and broken in one named way;
// a parser must reject it with an error (or, for "encrypted" and "no-pages", refuse to sign it),
// never crash or hang. "encrypted" needs qpdf and is left out without it.
inline std::vector<HostilePdf> make_hostile_pdfs(const std::filesystem::path& dir) {
  using namespace pdf_detail;
  std::vector<HostilePdf> out;
  auto add = [&](const std::string& name, const std::string& description, const std::string& data) {
    write(dir / (name + ".pdf"), data);
    out.push_back(HostilePdf{dir / (name + ".pdf"), name, description});
  };
  PdfWriter good("1.7");
  minimal_document(good, "hostile base");
  const std::size_t xref = good.finish(6, "/Root 1 0 R");
  const std::string base = good.data();

  std::string garbage(4096, '\0');
  std::uint32_t x = 0xC0FFEE;
  for (char& c : garbage) { x = x * 1103515245u + 12345u; c = static_cast<char>(x >> 16); }

  add("empty", "zero bytes", "");
  add("header-only", "the 9 bytes \"%PDF-1.7\\n\" and nothing else", "%PDF-1.7\n");
  add("truncated-middle", "a valid file cut in half (inside the objects)", base.substr(0, base.size() / 2));
  add("truncated-before-xref", "a valid file cut just before its \"xref\" keyword", base.substr(0, xref));
  add("missing-eof", "a valid file without its final \"%%EOF\" line", base.substr(0, base.rfind("%%EOF")));
  add("garbage", "4096 pseudo-random bytes, no PDF header", garbage);
  add("garbage-after-header", "a PDF header followed by 4096 pseudo-random bytes", "%PDF-1.7\n" + garbage);
  {
    // The update's xref offset does not depend on the /Prev value written after it.
    const std::string probe = append_info_update(base, "loop", 0);
    add("prev-loop", "an incremental update whose trailer /Prev points to its own xref section",
        append_info_update(base, "loop", static_cast<long>(probe.rfind("\nxref\n") + 1)));
  }
  {
    std::string huge = base;
    const std::string claim = "xref\n0 2147483647\n";
    huge.replace(xref, std::string("xref\n0 6\n").size(), claim);
    const std::size_t size_at = huge.find("/Size 6");
    huge.replace(size_at, 7, "/Size 2147483647");
    add("huge-xref-size", "xref subsection \"0 2147483647\" and trailer /Size 2147483647 over 6 real entries", huge);
  }
  {
    PdfWriter w("1.7");
    minimal_document(w, "nested", "/Nested 6 0 R");
    w.object(6, std::string(100000, '[') + std::string(100000, ']'));
    w.finish(7, "/Root 1 0 R");
    add("nested-arrays", "an array nested 100 000 levels deep, reachable from the catalog", w.data());
  }
  add("objstm-huge-count", "an object stream claiming /N 1000000000 objects (hybrid file, /Info inside it)",
      hybrid_document(1000000000));
  {
    PdfWriter w("1.7");
    minimal_document(w, "no root");
    w.finish(6, "");
    add("no-root", "a trailer without /Root", w.data());
  }
  {
    PdfWriter w("1.7");
    w.object(1, "<< /Type /Catalog /Pages 2 0 R >>");
    w.object(2, "<< /Type /Pages /Kids [] /Count 0 >>");
    w.finish(3, "/Root 1 0 R");
    add("no-pages", "a well-formed file whose page tree is empty (/Count 0)", w.data());
  }
  {
    std::string bad = base;
    const std::size_t sx = bad.rfind("startxref\n") + 10;
    bad.replace(sx, bad.find('\n', sx) - sx, "99999999");
    add("startxref-beyond-eof", "startxref points 99 999 999 bytes into a 1 KB file", bad);
  }
  if (have_tool("qpdf")) {
    write(dir / "encrypted-source.pdf", base);
    const std::filesystem::path p = dir / "encrypted.pdf";
    if (produce("qpdf --encrypt user owner 256 -- " + quote(dir / "encrypted-source.pdf") + " " + quote(p), p))
      out.push_back(HostilePdf{p, "encrypted", "AES-256 encrypted (user password \"user\", owner \"owner\")"});
  }
  return out;
}

}  // namespace qualsig::testing
