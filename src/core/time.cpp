#include "core/time.h"

#include <cstdio>
#include <ctime>

namespace qualsig {

TimePoint now_seconds() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string to_rfc3339(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
  int y, mo, d, h, mi, s;
  char rest[16] = {};
  std::string str(text);
  if (str.size() < 20 || str.size() > 32) return std::nullopt;
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%15s", &y, &mo, &d, &h, &mi, &s, rest) != 7)
    return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60 || h < 0 || mi < 0 || s < 0) return std::nullopt;
  std::string_view r(rest);
  if (!r.empty() && r[0] == '.') {  // fractional seconds are dropped
    std::size_t i = 1;
    while (i < r.size() && r[i] >= '0' && r[i] <= '9') ++i;
    if (i == 1) return std::nullopt;
    r.remove_prefix(i);
  }
  int offset = 0;
  if (r == "Z" || r == "z") {
    offset = 0;
  } else if (r.size() == 6 && (r[0] == '+' || r[0] == '-') && r[3] == ':') {
    int oh = (r[1] - '0') * 10 + (r[2] - '0');
    int om = (r[4] - '0') * 10 + (r[5] - '0');
    if (oh > 23 || om > 59) return std::nullopt;
    offset = (oh * 60 + om) * 60 * (r[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  auto tp = sys_days(ymd) + hours(h) + minutes(mi) + seconds(s) - seconds(offset);
  return TimePoint(tp);
}

}  // namespace qualsig
