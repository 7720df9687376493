#pragma once
// Time windows of a signing policy: days of the week and a time of day, at a fixed UTC offset.
//
// libstdc++ 12 (Debian 12) has no time-zone database behind <chrono> (std::chrono::zoned_time
// and tzdb arrive in GCC 14), so a window names a fixed offset ("+01:00") rather than a zone
// ("Europe/Amsterdam"). A window meant for local business hours must be adjusted when daylight
// saving time starts or ends; docs/policy.md explains why this is the safer failure.

#include <array>
#include <chrono>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"

namespace qualsig::policy {

struct TimeWindow {
  // days[d] for d = weekday::c_encoding() (0 = Sunday ... 6 = Saturday), in local time.
  std::array<bool, 7> days{};
  std::chrono::seconds from{0};         // local time of day, inclusive, 00:00..23:59
  std::chrono::seconds to{0};           // local time of day, exclusive, 00:01..24:00, > from
  std::chrono::minutes utc_offset{0};   // local = UTC + utc_offset, -12:00..+14:00
};

// A UTC instant seen at a fixed offset.
struct LocalTime {
  std::chrono::weekday day;
  std::chrono::seconds time_of_day;  // 0 .. 86399
};

// `t` shifted by `utc_offset`, split into the local day of the week and time of day.
LocalTime local_time(TimePoint t, std::chrono::minutes utc_offset);

// True when `t`, seen at the window's offset, falls on one of its days and in [from, to).
// "from 08:00 to 18:00" therefore admits 08:00:00 and 17:59:59 but not 18:00:00.
bool contains(const TimeWindow& window, TimePoint t);

// "mon".."sun" (the spelling policy documents use) -> weekday; invalid_input otherwise.
Result<std::chrono::weekday> parse_day(std::string_view text);
const char* day_name(std::chrono::weekday day);

// "HH:MM" with HH 00..24 and MM 00..59, "24:00" only when `allow_24` -> seconds since midnight.
Result<std::chrono::seconds> parse_time_of_day(std::string_view text, bool allow_24);
// "HH:MM" or "HH:MM:SS" when the seconds are not zero.
std::string format_time_of_day(std::chrono::seconds t);

// "+HH:MM" or "-HH:MM" within -12:00..+14:00 (the offsets in use worldwide); "Z" is refused so
// that every window spells its offset the same way.
Result<std::chrono::minutes> parse_utc_offset(std::string_view text);
std::string format_utc_offset(std::chrono::minutes offset);

// A window as text, e.g. "mon,tue,wed,thu,fri 08:00-18:00 +01:00".
std::string describe(const TimeWindow& window);

}  // namespace qualsig::policy
