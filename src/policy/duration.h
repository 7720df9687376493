#pragma once
// Durations as policy documents write them: "90s", "5m", "72h", "30d".

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.h"

namespace qualsig::policy {

// Longest duration a policy may state: 366 days.
inline constexpr std::chrono::seconds kMaxDuration = std::chrono::hours(24 * 366);

// Parses `1*6digit unit` with unit s (seconds), m (minutes), h (hours) or d (days of 86,400 s;
// no calendar or daylight-saving arithmetic). The number has no sign and no leading zero; the
// result is at least 1 s and at most kMaxDuration. Fails with invalid_input (message says why)
// otherwise, e.g. on "0s", "1.5h", "5 m", "5M", "1w", "" or "400d".
Result<std::chrono::seconds> parse_duration(std::string_view text);

// The shortest text parse_duration() reads back as `d`: the largest unit that divides it
// ("72h", "90s", "2d"). `d` must be positive.
std::string format_duration(std::chrono::seconds d);

}  // namespace qualsig::policy
