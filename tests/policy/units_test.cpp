// Amounts, durations, times of day and UTC offsets; local time checked against GNU date.

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "policy/amount.h"
#include "policy/duration.h"
#include "policy/time_window.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

namespace qualsig::policy {
namespace {

struct AmountCase {
  const char* name;
  std::string text;
  bool ok;
  std::int64_t scaled;   // when ok
  const char* printed;   // when ok
  const char* why;       // part of the error message when not ok
};

TEST(PolicyAmount, ParseTable) {
  const std::vector<AmountCase> cases = {
      {"integer", "10000", true, 100000000, "10000.00", ""},
      {"two-decimals", "10000.01", true, 100000100, "10000.01", ""},
      {"four-decimals", "0.0001", true, 1, "0.0001", ""},
      {"one-decimal", "12.5", true, 125000, "12.50", ""},
      {"zero", "0", true, 0, "0.00", ""},
      {"zero-decimals", "0.00", true, 0, "0.00", ""},
      {"largest", "99999999999999.9999", true, 999999999999999999, "99999999999999.9999", ""},
      {"empty", "", false, 0, "", "empty"},
      {"five-decimals", "1.00001", false, 0, "", "more than 4 decimal places"},
      {"fifteen-digits", "100000000000000", false, 0, "", "larger than"},
      {"negative", "-1", false, 0, "", "no sign"},
      {"plus", "+1", false, 0, "", "no sign"},
      {"exponent", "1e3", false, 0, "", "no sign, exponent"},
      {"upper-exponent", "1E3", false, 0, "", "exponent"},
      {"nan", "NaN", false, 0, "", "exponent"},
      {"infinity", "Infinity", false, 0, "", "exponent"},
      {"leading-zero", "007", false, 0, "", "leading zero"},
      {"bare-dot", ".5", false, 0, "", "before the '.'"},
      {"trailing-dot", "1.", false, 0, "", "after the '.'"},
      {"two-dots", "1.2.3", false, 0, "", "digits"},
      {"comma", "1,00", false, 0, "", "digits"},
      {"space", "1 000", false, 0, "", "spaces"},
      {"leading-space", " 1", false, 0, "", "spaces"},
      {"trailing-newline", "1\n", false, 0, "", "digits"},
      {"nul", std::string("1\0", 2), false, 0, "", "digits"},
      {"hex", "0x10", false, 0, "", "digits"},
      {"arabic-digit", "\xd9\xa1", false, 0, "", "digits"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto a = Amount::parse(c.text);
    ASSERT_EQ(a.has_value(), c.ok) << (a ? a->to_string() : a.error().message);
    if (c.ok) {
      EXPECT_EQ(a->scaled(), c.scaled);
      EXPECT_EQ(a->to_string(), c.printed);
      auto again = Amount::parse(a->to_string());
      ASSERT_TRUE(again.has_value());
      EXPECT_EQ(*again, *a);
    } else {
      EXPECT_EQ(a.error().code, ErrorCode::invalid_input);
      EXPECT_NE(a.error().message.find(c.why), std::string::npos) << a.error().message;
    }
  }
}

TEST(PolicyAmount, OrderIsExact) {
  auto limit = Amount::parse("10000.00");
  auto at = Amount::parse("10000");
  auto above = Amount::parse("10000.0001");
  ASSERT_TRUE(limit && at && above);
  EXPECT_EQ(*at, *limit);
  EXPECT_GT(*above, *limit);
  // 0.1 + 0.2 is exactly 0.3 here (it is not in binary floating point).
  EXPECT_EQ(Amount::parse("0.1")->scaled() + Amount::parse("0.2")->scaled(), Amount::parse("0.3")->scaled());
}

TEST(PolicyAmount, FromUnitsBounds) {
  EXPECT_TRUE(Amount::from_units(0).has_value());
  EXPECT_EQ(Amount::from_units(Amount::kMaxUnits)->to_string(), "99999999999999.00");
  EXPECT_FALSE(Amount::from_units(Amount::kMaxUnits + 1).has_value());
  EXPECT_FALSE(Amount::from_units(-1).has_value());
}

TEST(PolicyAmount, CurrencyCodes) {
  EXPECT_TRUE(is_currency_code("EUR"));
  EXPECT_TRUE(is_currency_code("USD"));
  for (const char* bad : {"eur", "EU", "EURO", "E1R", "", "\xc3\x89UR"}) EXPECT_FALSE(is_currency_code(bad)) << bad;
}

TEST(PolicyDuration, ParseTable) {
  struct Case { const char* text; long long seconds; };  // -1: refused
  const std::vector<Case> cases = {
      {"90s", 90}, {"5m", 300}, {"72h", 259200}, {"30d", 2592000}, {"366d", 31622400}, {"1s", 1},
      {"367d", -1}, {"0s", -1}, {"05m", -1}, {"1.5h", -1}, {"5 m", -1}, {"5M", -1}, {"1w", -1}, {"", -1},
      {"h", -1}, {"-5m", -1}, {"+5m", -1}, {"1234567s", -1}, {"72h ", -1}, {"9999999d", -1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto d = parse_duration(c.text);
    ASSERT_EQ(d.has_value(), c.seconds >= 0);
    if (d) {
      EXPECT_EQ(d->count(), c.seconds);
      EXPECT_EQ(parse_duration(format_duration(*d))->count(), c.seconds);
    }
  }
  EXPECT_EQ(format_duration(std::chrono::hours(72)), "3d");
  EXPECT_EQ(format_duration(std::chrono::minutes(90)), "90m");
  EXPECT_EQ(format_duration(std::chrono::seconds(61)), "61s");
}

TEST(PolicyTimeWindow, TimesOfDayAndOffsets) {
  EXPECT_EQ(parse_time_of_day("08:00", false)->count(), 8 * 3600);
  EXPECT_EQ(parse_time_of_day("23:59", false)->count(), 23 * 3600 + 59 * 60);
  EXPECT_EQ(parse_time_of_day("24:00", true)->count(), 24 * 3600);
  for (const char* bad : {"24:00", "8:00", "08:0", "08-00", "25:00", "12:60", "0800", "08:00:00", ""}) {
    EXPECT_FALSE(parse_time_of_day(bad, false).has_value()) << bad;
  }
  EXPECT_FALSE(parse_time_of_day("24:01", true).has_value());
  EXPECT_EQ(parse_utc_offset("+01:00")->count(), 60);
  EXPECT_EQ(parse_utc_offset("-03:30")->count(), -210);
  EXPECT_EQ(parse_utc_offset("+14:00")->count(), 840);
  EXPECT_EQ(parse_utc_offset("-12:00")->count(), -720);
  for (const char* bad : {"Z", "+1:00", "01:00", "+01", "+0100", "+14:01", "-12:01", "+01:60", "UTC"}) {
    EXPECT_FALSE(parse_utc_offset(bad).has_value()) << bad;
  }
  EXPECT_EQ(format_utc_offset(std::chrono::minutes(-210)), "-03:30");
  for (const char* d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) EXPECT_EQ(day_name(*parse_day(d)), std::string(d));
  for (const char* bad : {"Mon", "monday", "", "mo"}) EXPECT_FALSE(parse_day(bad).has_value()) << bad;
}

// The POSIX TZ string for a fixed offset: its sign is inverted ("XXX-01:00" is UTC+1).
std::string posix_tz(int offset_minutes) {
  const int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "XXX%c%02d:%02d", offset_minutes > 0 ? '-' : '+', a / 60, a % 60);
  return buf;
}

TEST(PolicyTimeWindowInterop, LocalTimeMatchesGnuDate) {
  if (qualsig::testing::run("date --version").output.find("GNU coreutils") == std::string::npos) {
    GTEST_SKIP() << "GNU date not available";
  }
  std::mt19937_64 rng(20261125);
  std::vector<long long> instants = {0, -1, 86399, 86400, 951782400 /* 2000-02-29 */, 4102444799 /* 2099-12-31T23:59:59Z */,
                                     1795647600 /* 2026-11-25T23:00:00Z */};
  std::uniform_int_distribution<long long> pick(-2'000'000'000LL, 4'102'444'800LL);
  while (instants.size() < 300) instants.push_back(pick(rng));
  qualsig::testing::TempDir dir;
  const auto input = dir.path() / "instants.txt";
  {
    std::ofstream out(input);
    for (long long t : instants) out << "@" << t << "\n";
  }
  for (int offset : {-720, -300, -210, 0, 60, 345, 840}) {
    SCOPED_TRACE(offset);
    const auto r = qualsig::testing::run("LC_ALL=C TZ='" + posix_tz(offset) + "' date -f " + input.string() +
                                         " '+%a %H:%M:%S'");
    ASSERT_EQ(r.status, 0) << r.output;
    std::istringstream lines(r.output);
    for (long long t : instants) {
      std::string day;
      std::string hms;
      ASSERT_TRUE(lines >> day >> hms) << "date printed fewer lines";
      for (auto& c : day) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const LocalTime lt = local_time(TimePoint(std::chrono::seconds(t)), std::chrono::minutes(offset));
      const long s = static_cast<long>(lt.time_of_day.count());
      char mine[64];
      std::snprintf(mine, sizeof(mine), "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
      EXPECT_EQ(day_name(lt.day), day) << "@" << t;
      EXPECT_EQ(mine, hms) << "@" << t;
    }
  }
}

}  // namespace
}  // namespace qualsig::policy
