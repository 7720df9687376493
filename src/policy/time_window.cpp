#include "policy/time_window.h"

#include <algorithm>
#include <cstdio>

namespace qualsig::policy {
namespace {

constexpr std::array<const char*, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

bool two_digits(std::string_view s, std::size_t at, int& out) {
  if (at + 2 > s.size()) return false;
  const char a = s[at];
  const char b = s[at + 1];
  if (a < '0' || a > '9' || b < '0' || b > '9') return false;
  out = (a - '0') * 10 + (b - '0');
  return true;
}

std::string two(long v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02ld", v);
  return buf;
}

}  // namespace

LocalTime local_time(TimePoint t, std::chrono::minutes utc_offset) {
  const TimePoint local = t + utc_offset;
  const auto day = std::chrono::floor<std::chrono::days>(local);  // floor: correct before 1970 too
  return LocalTime{std::chrono::weekday(day), local - day};
}

bool contains(const TimeWindow& window, TimePoint t) {
  const LocalTime lt = local_time(t, window.utc_offset);
  return window.days[lt.day.c_encoding()] && lt.time_of_day >= window.from && lt.time_of_day < window.to;
}

Result<std::chrono::weekday> parse_day(std::string_view text) {
  for (unsigned i = 0; i < kDayNames.size(); ++i) {
    if (text == kDayNames[i]) return std::chrono::weekday(i);
  }
  return fail(ErrorCode::invalid_input, "must be one of \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"");
}

const char* day_name(std::chrono::weekday day) { return kDayNames[day.c_encoding()]; }

Result<std::chrono::seconds> parse_time_of_day(std::string_view text, bool allow_24) {
  int h = 0;
  int m = 0;
  if (text.size() != 5 || text[2] != ':' || !two_digits(text, 0, h) || !two_digits(text, 3, m) || m > 59 ||
      h > 24 || (h == 24 && (m != 0 || !allow_24))) {
    return fail(ErrorCode::invalid_input,
                allow_24 ? "must be a time \"HH:MM\" from \"00:01\" to \"24:00\""
                         : "must be a time \"HH:MM\" from \"00:00\" to \"23:59\"");
  }
  return std::chrono::seconds(std::chrono::hours(h) + std::chrono::minutes(m));
}

std::string format_time_of_day(std::chrono::seconds t) {
  const long s = static_cast<long>(t.count());
  std::string out = two(s / 3600) + ":" + two(s / 60 % 60);
  if (s % 60 != 0) out += ":" + two(s % 60);
  return out;
}

Result<std::chrono::minutes> parse_utc_offset(std::string_view text) {
  int h = 0;
  int m = 0;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':' || !two_digits(text, 1, h) ||
      !two_digits(text, 4, m) || m > 59) {
    return fail(ErrorCode::invalid_input, "must be a UTC offset \"+HH:MM\" or \"-HH:MM\"");
  }
  const std::chrono::minutes offset = (text[0] == '-' ? -1 : 1) * (std::chrono::hours(h) + std::chrono::minutes(m));
  if (offset < -std::chrono::hours(12) || offset > std::chrono::hours(14)) {
    return fail(ErrorCode::invalid_input, "must be a UTC offset between -12:00 and +14:00");
  }
  return offset;
}

std::string format_utc_offset(std::chrono::minutes offset) {
  const long m = static_cast<long>(offset.count());
  const long a = m < 0 ? -m : m;
  return std::string(m < 0 ? "-" : "+") + two(a / 60) + ":" + two(a % 60);
}

std::string describe(const TimeWindow& window) {
  std::string days;
  // Monday first, as the documents list them.
  for (unsigned i = 1; i <= 7; ++i) {
    const unsigned d = i % 7;
    if (!window.days[d]) continue;
    if (!days.empty()) days += ",";
    days += kDayNames[d];
  }
  return days + " " + format_time_of_day(window.from) + "-" + format_time_of_day(window.to) + " " +
         format_utc_offset(window.utc_offset);
}

}  // namespace qualsig::policy
