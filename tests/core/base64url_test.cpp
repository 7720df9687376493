// Strict base64url decoding: RFC 4648 §10 vectors (unpadded, §5 alphabet), refusals named
// after their mutation, and a round trip with the encoder.
#include "core/bytes.h"

#include <gtest/gtest.h>

#include <random>

namespace qualsig {
namespace {

TEST(Base64url, Rfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""}, {"Zg", "f"}, {"Zm8", "fo"}, {"Zm9v", "foo"},
      {"Zm9vYg", "foob"}, {"Zm9vYmE", "fooba"}, {"Zm9vYmFy", "foobar"},
      {"-_8", "\xfb\xff"}, {"_-8", "\xff\xef"},  // the two characters §5 changes
  };
  for (const auto& [encoded, decoded] : vectors) {
    SCOPED_TRACE(encoded);
    auto bytes = base64url_decode(encoded);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(to_string(*bytes), decoded);
  }
}

TEST(Base64url, RefusesEverythingButTheCanonicalForm) {
  const std::vector<std::pair<const char*, std::string>> refused = {
      {"padding", "Zg=="}, {"single-pad", "Zm8="}, {"pad-inside", "Zg==Zg"},
      {"plus", "+_8"}, {"slash", "-/8"}, {"space", "Zm9 v"}, {"newline", "Zm9v\n"},
      {"nul", std::string("Zm\0v", 4)}, {"length-1-mod-4", "Zm9vY"}, {"one-char", "Z"},
      {"unused-bits-set-2", "Zh"}, {"unused-bits-set-3", "Zm9"}, {"dot", "Zm.v"},
      {"non-ascii", "Zm9v\xc3\xa9"},
  };
  for (const auto& [name, text] : refused) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(base64url_decode(text));
  }
}

TEST(Base64url, RoundTripsWithCoreEncoder) {
  std::mt19937 rng(4648);
  for (int i = 0; i < 2000; ++i) {
    Bytes data(rng() % 70);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    const std::string text = base64url_encode(data);
    auto back = base64url_decode(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, data);
  }
}

}  // namespace
}  // namespace qualsig
