#include "core/time.h"

#include <gtest/gtest.h>

namespace qualsig {
namespace {

TEST(Rfc3339, RoundTrip) {
  auto t = parse_rfc3339("2026-11-25T20:54:01Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(to_rfc3339(*t), "2026-11-25T20:54:01Z");
  EXPECT_EQ(t->time_since_epoch().count(), 1795640041);
}

TEST(Rfc3339, OffsetsAndFractions) {
  EXPECT_EQ(to_rfc3339(*parse_rfc3339("2026-11-25T21:54:01+01:00")), "2026-11-25T20:54:01Z");
  EXPECT_EQ(to_rfc3339(*parse_rfc3339("2026-11-25T20:54:01.999Z")), "2026-11-25T20:54:01Z");
}

TEST(Rfc3339, RejectsMalformed) {
  for (const char* bad : {"", "2026-11-25", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-11-25T24:00:00Z", "2026-11-25T20:54:01", "2026-11-25T20:54:01+0100",
                          "2026-11-25T20:54:01.Z", "2026-11-25T20:54:01Zjunk"})
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
}

}  // namespace
}  // namespace qualsig
