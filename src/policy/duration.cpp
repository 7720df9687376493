#include "policy/duration.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

namespace qualsig::policy {
namespace {

constexpr std::array<std::pair<char, std::int64_t>, 4> kUnits = {{{'d', 86'400}, {'h', 3'600}, {'m', 60}, {'s', 1}}};

}  // namespace

Result<std::chrono::seconds> parse_duration(std::string_view text) {
  const auto bad = [&](const char* why) {
    return fail(ErrorCode::invalid_input,
                std::string("must be a duration like \"90s\", \"5m\", \"72h\" or \"30d\" (") + why + ")");
  };
  if (text.size() < 2 || text.size() > 7) return bad("1 to 6 digits and a unit s, m, h or d");
  const std::string_view number = text.substr(0, text.size() - 1);
  if (!std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bad("digits only before the unit");
  }
  if (number[0] == '0') return bad("positive, without a leading zero");
  const auto unit = std::find_if(kUnits.begin(), kUnits.end(), [&](const auto& u) { return u.first == text.back(); });
  if (unit == kUnits.end()) return bad("unit must be s, m, h or d");
  std::int64_t value = 0;
  for (char c : number) value = value * 10 + (c - '0');
  const std::chrono::seconds d(value * unit->second);  // <= 999,999 * 86,400: no overflow
  if (d > kMaxDuration) return bad("at most 366d");
  return d;
}

std::string format_duration(std::chrono::seconds d) {
  const std::int64_t s = d.count();
  for (const auto& [unit, size] : kUnits) {
    if (s % size == 0) return std::to_string(s / size) + unit;
  }
  return std::to_string(s) + "s";  // not reached: every count is a multiple of 1 s
}

}  // namespace qualsig::policy
