#include "policy/amount.h"

#include <algorithm>

namespace qualsig::policy {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// At most 40 bytes of untrusted text for an error message, with non-printable bytes replaced.
std::string excerpt(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7F ? c : '?');
  }
  if (text.size() > 40) out += "...";
  return out;
}

Unexpected bad_amount(std::string_view text, const std::string& why) {
  return fail(ErrorCode::invalid_input, "amount \"" + excerpt(text) + "\": " + why);
}

}  // namespace

Result<Amount> Amount::parse(std::string_view text) {
  if (text.empty()) return bad_amount(text, "empty");
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  const bool all_digits = std::all_of(whole.begin(), whole.end(), is_digit) &&
                          std::all_of(fraction.begin(), fraction.end(), is_digit);
  if (!all_digits) {
    return bad_amount(text, "must be a decimal number of digits with an optional '.' (no sign, exponent or spaces)");
  }
  if (whole.empty()) return bad_amount(text, "needs at least one digit before the '.'");
  if (dot != std::string_view::npos && fraction.empty()) return bad_amount(text, "needs digits after the '.'");
  if (whole.size() > 1 && whole[0] == '0') return bad_amount(text, "has a leading zero");
  if (whole.size() > static_cast<std::size_t>(kMaxIntegerDigits)) {
    return bad_amount(text, "is larger than 99999999999999.9999");
  }
  if (fraction.size() > static_cast<std::size_t>(kDecimals)) {
    return bad_amount(text, "has more than 4 decimal places");
  }
  std::int64_t scaled = 0;
  for (char c : whole) scaled = scaled * 10 + (c - '0');
  for (int i = 0; i < kDecimals; ++i) {
    scaled = scaled * 10 + (static_cast<std::size_t>(i) < fraction.size() ? fraction[i] - '0' : 0);
  }
  return Amount(scaled);
}

Result<Amount> Amount::from_units(std::int64_t units) {
  if (units < 0 || units > kMaxUnits) {
    return fail(ErrorCode::invalid_input, "amount " + std::to_string(units) + " is outside 0..99999999999999");
  }
  return Amount(units * kScale);
}

std::string Amount::to_string() const {
  std::string fraction = std::to_string(m_scaled % kScale);
  fraction.insert(0, static_cast<std::size_t>(kDecimals) - fraction.size(), '0');
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  return std::to_string(m_scaled / kScale) + "." + fraction;
}

bool is_currency_code(std::string_view text) {
  return text.size() == 3 && std::all_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace qualsig::policy
