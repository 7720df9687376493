// The visible appearance of a signature widget: a Form XObject (ISO 32000-1 §8.10) with text in
// Helvetica (a standard 14 font, §9.6.2.2, WinAnsiEncoding, Annex D) and an optional JPEG image
// (DCTDecode, §7.4.8).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "formats/pdf_signature.h"

namespace qualsig::formats::pdf {
namespace {

constexpr double kMaxFontSize = 10.0;
constexpr double kLineSpacing = 1.2;
constexpr double kPadding = 2.0;
// Helvetica's average glyph width is a little above half an em; used to fit the longest line.
constexpr double kAverageGlyphWidth = 0.55;

struct JpegFrame {
  int width = 0, height = 0, components = 0;
};

// Reads the frame header (SOFn, ITU T.81 §B.2.2) of a JPEG: walks the marker segments, bounded
// by the buffer. nullopt if there is none.
std::optional<JpegFrame> jpeg_frame(ByteView jpeg) {
  if (jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return std::nullopt;
  std::size_t p = 2;
  while (p + 4 <= jpeg.size()) {
    if (jpeg[p] != 0xFF) return std::nullopt;
    std::uint8_t marker = jpeg[p + 1];
    if (marker == 0xFF) {
      ++p;
      continue;
    }
    std::size_t length = static_cast<std::size_t>(jpeg[p + 2]) << 8 | jpeg[p + 3];
    if (length < 2 || p + 2 + length > jpeg.size()) return std::nullopt;
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (length < 8) return std::nullopt;
      JpegFrame f;
      f.height = jpeg[p + 5] << 8 | jpeg[p + 6];
      f.width = jpeg[p + 7] << 8 | jpeg[p + 8];
      f.components = jpeg[p + 9];
      if (f.width == 0 || f.height == 0 || (f.components != 1 && f.components != 3 && f.components != 4))
        return std::nullopt;
      return f;
    }
    if (marker == 0xDA || marker == 0xD9) return std::nullopt;  // scan data before a frame header
    p += 2 + length;
  }
  return std::nullopt;
}

// UTF-8 -> WinAnsiEncoding bytes for the code points it shares with Latin-1; others become '?'.
std::string to_win_ansi(std::string_view utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    std::uint32_t cp = 0;
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (n == 1) {
      cp = c < 0x80 ? c : '?';
    } else if (i + n <= utf8.size()) {
      cp = c & (0x7F >> n);
      for (std::size_t k = 1; k < n; ++k) cp = cp << 6 | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    } else {
      cp = '?';
      n = utf8.size() - i;
    }
    i += n;
    if ((cp >= 0x20 && cp < 0x7F) || (cp >= 0xA0 && cp <= 0xFF))
      out.push_back(static_cast<char>(cp));
    else
      out.push_back('?');
  }
  return out;
}

// A PDF literal string (ISO 32000-1 §7.3.4.2) with (, ) and \ escaped.
std::string literal(const std::string& bytes) {
  std::string out = "(";
  for (char c : bytes) {
    if (c == '(' || c == ')' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + ")";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

}  // namespace

Result<QPDFObjGen> write_appearance(Document& doc, UpdateWriter& writer, const pades::VisibleSignature& visible) {
  const double width = visible.urx - visible.llx, height = visible.ury - visible.lly;
  if (!std::isfinite(width) || !std::isfinite(height) || width < 1 || height < 1 || width > 14400 || height > 14400)
    return fail(ErrorCode::usage, "the visible signature's rectangle is empty, inverted or too large");
  QPDF& q = *doc.qpdf;
  std::string content = "q\n";
  QPDFObjectHandle resources = QPDFObjectHandle::newDictionary();
  double text_x = kPadding;
  if (visible.jpeg) {
    std::optional<JpegFrame> frame = jpeg_frame(*visible.jpeg);
    if (!frame)
      return fail(ErrorCode::usage, "the visible signature's image is not a JPEG with a readable frame header");
    QPDFObjGen image_id = writer.new_object();
    QPDFObjectHandle image = QPDFObjectHandle::newDictionary();
    image.replaceKey("/Type", QPDFObjectHandle::newName("/XObject"));
    image.replaceKey("/Subtype", QPDFObjectHandle::newName("/Image"));
    image.replaceKey("/Width", QPDFObjectHandle::newInteger(frame->width));
    image.replaceKey("/Height", QPDFObjectHandle::newInteger(frame->height));
    image.replaceKey("/ColorSpace", QPDFObjectHandle::newName(frame->components == 1   ? "/DeviceGray"
                                                              : frame->components == 3 ? "/DeviceRGB"
                                                                                       : "/DeviceCMYK"));
    image.replaceKey("/BitsPerComponent", QPDFObjectHandle::newInteger(8));
    image.replaceKey("/Filter", QPDFObjectHandle::newName("/DCTDecode"));
    writer.add(image_id, stream_body(image, *visible.jpeg));
    QPDFObjectHandle xobjects = QPDFObjectHandle::newDictionary();
    xobjects.replaceKey("/Im1", reference(q, image_id));
    resources.replaceKey("/XObject", xobjects);
    // The image fills the left part of the box (at most 40% of it) keeping its aspect ratio.
    double box_h = height - 2 * kPadding, box_w = width * 0.4 - kPadding;
    double scale = std::min(box_w / frame->width, box_h / frame->height);
    if (scale > 0) {
      double w = frame->width * scale, h = frame->height * scale;
      content += "q " + number(w) + " 0 0 " + number(h) + " " + number(kPadding) + " " + number((height - h) / 2) +
                 " cm /Im1 Do Q\n";
      text_x = kPadding + w + kPadding;
    }
  }
  std::vector<std::string> lines;
  std::istringstream in(visible.text);
  for (std::string line; std::getline(in, line);) lines.push_back(to_win_ansi(line));
  if (!lines.empty()) {
    std::size_t longest = 1;
    for (const std::string& l : lines) longest = std::max(longest, l.size());
    double size = std::min({kMaxFontSize, (height - 2 * kPadding) / (kLineSpacing * static_cast<double>(lines.size())),
                            (width - text_x - kPadding) / (kAverageGlyphWidth * static_cast<double>(longest))});
    if (size > 0.5) {
      QPDFObjGen font_id = writer.new_object();
      writer.add(font_id, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
      QPDFObjectHandle fonts = QPDFObjectHandle::newDictionary();
      fonts.replaceKey("/F1", reference(q, font_id));
      resources.replaceKey("/Font", fonts);
      content += "BT\n/F1 " + number(size) + " Tf\n" + number(size * kLineSpacing) + " TL\n" + number(text_x) + " " +
                 number(height - kPadding - size) + " Td\n";
      for (const std::string& l : lines) content += literal(l) + " Tj T*\n";
      content += "ET\n";
    }
  }
  content += "Q\n";
  QPDFObjGen form_id = writer.new_object();
  QPDFObjectHandle form = QPDFObjectHandle::newDictionary();
  form.replaceKey("/Type", QPDFObjectHandle::newName("/XObject"));
  form.replaceKey("/Subtype", QPDFObjectHandle::newName("/Form"));
  form.replaceKey("/BBox", QPDFObjectHandle::newArray(std::vector<QPDFObjectHandle>{
                               QPDFObjectHandle::newInteger(0), QPDFObjectHandle::newInteger(0),
                               QPDFObjectHandle::newReal(width, 2), QPDFObjectHandle::newReal(height, 2)}));
  form.replaceKey("/Resources", resources);
  writer.add(form_id, stream_body(form, as_bytes(content)));
  return form_id;
}

}  // namespace qualsig::formats::pdf
