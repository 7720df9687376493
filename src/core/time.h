#pragma once
// Time is a parameter (STYLE.md §7): domain functions take a TimePoint; only entry points
// (cli/, server/) read the clock, through a Clock they can replace in tests.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace qualsig {

using TimePoint = std::chrono::sys_seconds;

// The system clock, truncated to seconds.
TimePoint now_seconds();

// RFC 3339 in UTC with 'Z' ("2026-11-25T20:54:01Z").
std::string to_rfc3339(TimePoint t);
// Parses RFC 3339 with 'Z' or a numeric offset; nullopt if malformed.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace qualsig
