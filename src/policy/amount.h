#pragma once
// Monetary amounts and currency codes as signing policies compare them: exact decimal fixed
// point, never floating point (0.1 + 0.2 must not decide whether an invoice needs approval).

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace qualsig::policy {

// A non-negative amount with at most four decimal places, held as an integer count of
// 1/10,000 units. The largest amount is 99,999,999,999,999.9999 (14 integer digits), so the
// scaled value always fits in int64 and comparisons are exact.
class Amount final {
 public:
  static constexpr int kDecimals = 4;
  static constexpr std::int64_t kScale = 10'000;
  static constexpr int kMaxIntegerDigits = 14;
  static constexpr std::int64_t kMaxUnits = 99'999'999'999'999;  // largest integer part

  constexpr Amount() = default;

  // Parses the decimal text `digits [ "." 1*4digits ]`, e.g. "10000", "10000.01", "0.5".
  // Fails with invalid_input (message says why, without quoting more than 40 bytes of the
  // input) on: empty text, a sign, whitespace, an exponent, "NaN"/"Infinity", a leading zero
  // ("007"), a bare "." or "1.", more than 4 decimal places, more than 14 integer digits,
  // or any other character.
  static Result<Amount> parse(std::string_view text);

  // A whole number of units, 0..kMaxUnits; invalid_input outside that range.
  static Result<Amount> from_units(std::int64_t units);

  // The value in 1/10,000 units.
  constexpr std::int64_t scaled() const { return m_scaled; }

  // Decimal text with at least two decimals and no other trailing zeros: "10000.00",
  // "0.0001", "12.345". parse(to_string()) gives the same amount back.
  std::string to_string() const;

  friend constexpr auto operator<=>(const Amount&, const Amount&) = default;

 private:
  constexpr explicit Amount(std::int64_t scaled) : m_scaled(scaled) {}
  std::int64_t m_scaled = 0;
};

// True for an ISO 4217 alphabetic code's shape: exactly three ASCII capital letters ("EUR").
// Whether the code is assigned is not checked: a policy lists the currencies it allows, and
// any other currency is denied anyway.
bool is_currency_code(std::string_view text);

}  // namespace qualsig::policy
