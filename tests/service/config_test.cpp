#include "service/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "core/fs.h"
#include "support/temp_dir.h"

namespace qualsig::service {
namespace {

TEST(Config, RoundTrip) {
  Config c;
  c.profile.organization = "Acme";
  c.profile.organization_identifier = "VATNL-1";
  c.token.pool_size = 7;
  auto back = parse_config(config_to_json(c));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->profile.organization, "Acme");
  EXPECT_EQ(back->token.pool_size, 7u);
  EXPECT_EQ(back->database.url, "sqlite:qualsig.db");
}

TEST(Config, RefusesUnknownKeysWrongTypesAndJunk) {
  struct Case {
    const char* name;
    const char* json;
    const char* message_part;
  };
  const Case cases[] = {
      {"unknown-top-level-key", R"({"version":1,"frobnicate":1})", "unknown key 'frobnicate'"},
      {"unknown-nested-key", R"({"token":{"modul":"x"}})", "unknown key 'token.modul'"},
      {"wrong-type", R"({"token":{"pool_size":"4"}})", "token.pool_size must be a non-negative integer"},
      {"negative", R"({"token":{"pool_size":-1}})", "token.pool_size must be a non-negative integer"},
      {"zero-pool", R"({"token":{"pool_size":0}})", "pool_size must be 1..256"},
      {"section-not-object", R"({"server":[]})", "'server' must be an object"},
      {"not-json", "{version: 1", "not valid JSON"},
      {"not-object", "[1,2]", "must be an object"},
      {"future-version", R"({"version":2})", "unsupported version 2"},
      {"huge-number", R"({"server":{"body_limit":1e400}})", "not valid JSON"},
      {"array-of-non-strings", R"({"tls":{"dns_names":[1]}})", "tls.dns_names must be an array of strings"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = parse_config(c.json);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
    EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << r.error().message;
  }
}

TEST(Config, PinFromEnvironmentThenPrivateFileNeverInMessages) {
  qualsig::testing::TempDir dir;
  TokenConfig t;
  t.pin_env = "QUALSIG_TEST_PIN_ENV";
  ::unsetenv("QUALSIG_TEST_PIN_ENV");
  auto missing = read_user_pin(dir.path(), t);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("QUALSIG_TEST_PIN_ENV"), std::string::npos);

  ASSERT_TRUE(core::write_file_atomic(dir.path() / t.pin_file, "s3cret-pin\n", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  auto from_file = read_user_pin(dir.path(), t);
  ASSERT_TRUE(from_file);
  EXPECT_TRUE(from_file->equals("s3cret-pin"));

  std::filesystem::permissions(dir.path() / t.pin_file, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  auto open_file = read_user_pin(dir.path(), t);
  ASSERT_FALSE(open_file);
  EXPECT_NE(open_file.error().message.find("readable by others"), std::string::npos);
  EXPECT_EQ(open_file.error().message.find("s3cret"), std::string::npos);

  ::setenv("QUALSIG_TEST_PIN_ENV", "from-env", 1);
  auto from_env = read_user_pin(dir.path(), t);
  ASSERT_TRUE(from_env);
  EXPECT_TRUE(from_env->equals("from-env"));
  ::unsetenv("QUALSIG_TEST_PIN_ENV");
}

}  // namespace
}  // namespace qualsig::service
