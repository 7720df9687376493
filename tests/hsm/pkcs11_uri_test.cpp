#include "hsm/pkcs11_uri.h"

#include <gtest/gtest.h>

namespace qualsig::hsm {
namespace {

TEST(Pkcs11Uri, ParsesRfc7512Examples) {
  // RFC 7512 §3 style example.
  auto uri = parse_pkcs11_uri(
      "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;"
      "object=my-key;id=%01%ff;type=private;slot-id=3?module-path=/usr/lib/softhsm/libsofthsm2.so");
  ASSERT_TRUE(uri) << uri.error().message;
  EXPECT_EQ(*uri->token, "The Software PKCS#11 Softtoken");
  EXPECT_EQ(*uri->manufacturer, "Snake Oil, Inc.");
  EXPECT_EQ(*uri->object, "my-key");
  EXPECT_EQ(*uri->id, (Bytes{0x01, 0xff}));
  EXPECT_EQ(*uri->slot_id, 3u);
  EXPECT_EQ(*uri->module_path, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_TRUE(parse_pkcs11_uri("pkcs11:"));
}

TEST(Pkcs11Uri, RejectsHostileInput) {
  const char* bad[] = {
      "pkcs12:token=x",                  // wrong-scheme
      "pkcs11:token",                    // attribute-without-value
      "pkcs11:token=%4",                 // truncated-escape
      "pkcs11:token=%zz",                // bad-escape
      "pkcs11:slot-id=abc",              // slot-id-not-a-number
      "pkcs11:slot-id=",                 // slot-id-empty
      "pkcs11:frobnicate=1",             // unknown-attribute
      "pkcs11:token=x?pin-value=1234",   // pin-in-uri
      "pkcs11:token=x?bogus=1",          // unknown-query
  };
  for (const char* b : bad) {
    auto r = parse_pkcs11_uri(b);
    EXPECT_FALSE(r) << b;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
    }
  }
  auto pin = parse_pkcs11_uri("pkcs11:token=x?pin-value=1234");
  EXPECT_EQ(pin.error().message.find("1234"), std::string::npos) << "the PIN must not be echoed";
}

}  // namespace
}  // namespace qualsig::hsm
