#include "hsm/pkcs11_uri.h"

#include <charconv>

namespace qualsig::hsm {
namespace {

Result<std::string> percent_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return fail(ErrorCode::invalid_input, "PKCS#11 URI: truncated %-escape");
    auto b = hex_decode(in.substr(i + 1, 2));
    if (!b) return fail(ErrorCode::invalid_input, "PKCS#11 URI: bad %-escape");
    out += static_cast<char>((*b)[0]);
    i += 2;
  }
  return out;
}

template <typename F>
Result<void> for_each_pair(std::string_view list, char sep, F&& f) {
  while (!list.empty()) {
    auto end = list.find(sep);
    auto item = list.substr(0, end);
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string_view::npos)
      return fail(ErrorCode::invalid_input, "PKCS#11 URI: attribute without value: " + std::string(item));
    QS_TRY(auto value, percent_decode(item.substr(eq + 1)));
    QS_TRY_VOID(f(item.substr(0, eq), std::move(value)));
  }
  return ok();
}

}  // namespace

Result<Pkcs11Uri> parse_pkcs11_uri(std::string_view text) {
  constexpr std::string_view kScheme = "pkcs11:";
  if (text.substr(0, kScheme.size()) != kScheme)
    return fail(ErrorCode::invalid_input, "not a PKCS#11 URI (must start with 'pkcs11:')");
  text.remove_prefix(kScheme.size());
  auto q = text.find('?');
  std::string_view path = text.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : text.substr(q + 1);
  Pkcs11Uri uri;
  QS_TRY_VOID(for_each_pair(path, ';', [&](std::string_view name, std::string value) -> Result<void> {
    if (name == "token") uri.token = std::move(value);
    else if (name == "manufacturer") uri.manufacturer = std::move(value);
    else if (name == "serial") uri.serial = std::move(value);
    else if (name == "model") uri.model = std::move(value);
    else if (name == "object") uri.object = std::move(value);
    else if (name == "type") uri.type = std::move(value);
    else if (name == "id") uri.id = Bytes(value.begin(), value.end());
    else if (name == "slot-id") {
      unsigned long v = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || p != value.data() + value.size() || value.empty())
        return fail(ErrorCode::invalid_input, "PKCS#11 URI: slot-id is not a number");
      uri.slot_id = v;
    } else if (name.substr(0, 2) == "x-") {
      // vendor-specific: ignored
    } else if (name == "library-description" || name == "library-manufacturer" || name == "library-version" ||
               name == "slot-description" || name == "slot-manufacturer") {
      // informational attributes we do not select on
    } else {
      return fail(ErrorCode::invalid_input, "PKCS#11 URI: unknown attribute '" + std::string(name) + "'");
    }
    return ok();
  }));
  QS_TRY_VOID(for_each_pair(query, '&', [&](std::string_view name, std::string value) -> Result<void> {
    if (name == "module-path") uri.module_path = std::move(value);
    else if (name == "pin-source") uri.pin_source = std::move(value);
    else if (name == "pin-value")
      return fail(ErrorCode::invalid_input, "PKCS#11 URI: pin-value is refused; give the PIN through pin-source or the environment");
    else if (name == "module-name" || name.substr(0, 2) == "x-") {
    } else {
      return fail(ErrorCode::invalid_input, "PKCS#11 URI: unknown query attribute '" + std::string(name) + "'");
    }
    return ok();
  }));
  return uri;
}

}  // namespace qualsig::hsm
