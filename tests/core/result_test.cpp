#include "core/result.h"
#include "core/secret.h"

#include <gtest/gtest.h>

namespace qualsig {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return fail(ErrorCode::invalid_input, "not positive");
  return v;
}

Result<int> twice(int v) {
  QS_TRY(int x, parse_positive(v));
  return 2 * x;
}

TEST(Result, PropagatesErrors) {
  auto good = twice(4);
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 8);
  auto bad = twice(-1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(bad.error().message, "not positive");
}

TEST(Secret, MovedFromIsEmptyAndComparesInConstantTime) {
  Secret a(std::string("1234"));
  EXPECT_TRUE(a.equals("1234"));
  EXPECT_FALSE(a.equals("1235"));
  EXPECT_FALSE(a.equals("123"));
  Secret b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): wiping is the contract
  EXPECT_EQ(b.reveal(), "1234");
}

}  // namespace
}  // namespace qualsig
