// validate(): format detection and dispatch (EN 319 102-1 processes per format); see validate.h.

#include "validation/validate.h"

#include <algorithm>
#include <cctype>

#include "validation/path.h"

namespace qualsig::validation {
namespace {

enum class Detected { pdf, xml, json, compact_jws, other };

Detected detect(ByteView file) {
  std::size_t i = 0;
  while (i < file.size() && std::isspace(file[i]) != 0) ++i;
  ByteView rest = file.subspan(i);
  auto starts = [&](std::string_view prefix) {
    return rest.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), rest.begin());
  };
  // ISO 32000-1 §7.5.2: a PDF file begins with "%PDF-" (readers allow leading bytes; DER never
  // starts with '%').
  if (starts("%PDF-")) return Detected::pdf;
  if (starts("<")) return Detected::xml;
  if (starts("{")) return Detected::json;
  // RFC 7515 §7.1: BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature).
  if (!rest.empty() && std::count(rest.begin(), rest.end(), '.') == 2 &&
      std::all_of(rest.begin(), rest.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || std::isspace(c) != 0;
      }))
    return Detected::compact_jws;
  return Detected::other;
}

}  // namespace

Result<ValidationReport> validate(ByteView file, const ValidationOptions& options) {
  TimePoint at = options.validation_time ? *options.validation_time : now_seconds();
  switch (detect(file)) {
    case Detected::pdf: return detail::validate_pdf(file, options, at);
    case Detected::xml: return detail::validate_xml(file, options, at);
    case Detected::json:
    case Detected::compact_jws: return detail::validate_jws(file, options, at);
    case Detected::other: break;
  }
  return detail::validate_cms(file, options, at);
}

}  // namespace qualsig::validation
