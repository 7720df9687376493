#include "core/bytes.h"

#include <gtest/gtest.h>

namespace qualsig {
namespace {

// RFC 4648 §10 test vectors.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(as_bytes(plain)), encoded);
    auto back = base64_decode(encoded);
    ASSERT_TRUE(back.has_value()) << encoded;
    EXPECT_EQ(to_string(*back), plain);
  }
}

TEST(Base64, RejectsMalformed) {
  for (const char* bad : {"Zg=", "Zg===", "Z===", "Zm9v\n", "Zm9v YmFy", "Zh==", "Zm9=", "=Zm9", "Zm=v", "Zm9v!A=="})
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
}

TEST(Base64Url, NoPaddingUrlAlphabet) {
  const Bytes data{0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64url_encode(data), "-_-_");
  EXPECT_EQ(base64url_encode(as_bytes("f")), "Zg");
}

TEST(Hex, RoundTripAndRejects) {
  const Bytes data{0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(hex_encode(data), "0001abff");
  EXPECT_EQ(*hex_decode("0001ABff"), data);
  EXPECT_FALSE(hex_decode("abc").has_value());
  EXPECT_FALSE(hex_decode("zz").has_value());
}

}  // namespace
}  // namespace qualsig
