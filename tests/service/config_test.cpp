#include "service/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
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
      {"anchors-not-array", R"({"validation":{"trust_anchors":"root.pem"}})", "validation.trust_anchors must be an array of strings"},
      {"list-without-signer", R"({"validation":{"trusted_lists":["tl.xml"]}})", "validation.trusted_lists needs validation.trusted_list_signers"},
      {"lotl-without-signer", R"({"validation":{"lotl":"lotl.xml"}})", "validation.lotl needs validation.lotl_signers"},
      {"members-without-lotl", R"({"validation":{"member_state_lists":["de.xml"]}})", "validation.member_state_lists needs validation.lotl"},
      {"unknown-validation-key", R"({"validation":{"online":true}})", "unknown key 'validation.online'"},
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

TEST(ConfigOverrides, GoodValuesOverrideTheFile) {
  const std::string file = config_to_json(Config{});
  const Environment env = {
      {"QUALSIG_DATABASE_URL", "sqlite:/var/lib/qualsig/other.db"},
      {"QUALSIG_SERVER_HTTPS_LISTEN", "0.0.0.0:9443"},
      {"QUALSIG_SERVER_HTTP_LISTEN", ""},  // empty: disables the plain listener
      {"QUALSIG_SERVER_BODY_LIMIT", "4096"},
      {"QUALSIG_TOKEN_MODULE", "/usr/lib/vendor/p11.so"},
      {"QUALSIG_TOKEN_LABEL", "signing"},
      {"QUALSIG_TOKEN_POOL_SIZE", "16"},
      {"QUALSIG_AUDIT_CHECKPOINT_INTERVAL_SECONDS", "5"},
      {"QUALSIG_BASE_URL", "https://tsp.example"},
      {"QUALSIG_ORGANISATION_NAME", "Override BV"},
      // Not configuration: PIN variables and other QUALSIG_* variables are left alone.
      {"QUALSIG_TOKEN_PIN", "1234"},
      {"QUALSIG_TOKEN_SO_PIN", "5678"},
      {"QUALSIG_DATA", "/elsewhere"},
  };
  auto c = parse_config(file, env);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->database.url, "sqlite:/var/lib/qualsig/other.db");
  EXPECT_EQ(c->server.https_listen, "0.0.0.0:9443");
  EXPECT_EQ(c->server.http_listen, "");
  EXPECT_EQ(c->server.body_limit, 4096u);
  EXPECT_EQ(c->token.module, "/usr/lib/vendor/p11.so");
  EXPECT_EQ(c->token.label, "signing");
  EXPECT_EQ(c->token.pool_size, 16u);
  EXPECT_EQ(c->audit.checkpoint_interval_seconds, 5u);
  EXPECT_EQ(c->profile.base_url, "https://tsp.example");
  EXPECT_EQ(c->profile.organization, "Override BV");
  // Without variables the file is what counts.
  auto plain = parse_config(file, Environment{});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->server.body_limit, Config{}.server.body_limit);
}

TEST(ConfigOverrides, EveryScalarKeyHasAVariable) {
  const auto names = override_variables();
  for (const char* expected : {"QUALSIG_DATABASE_URL", "QUALSIG_SERVER_HTTPS_LISTEN", "QUALSIG_SERVER_HTTP_LISTEN",
                               "QUALSIG_SERVER_BODY_LIMIT", "QUALSIG_TOKEN_MODULE", "QUALSIG_TOKEN_LABEL",
                               "QUALSIG_AUDIT_CHECKPOINT_INTERVAL_SECONDS", "QUALSIG_CERTIFICATES_PDS_URL",
                               "QUALSIG_PROOFING_OIDC_ISSUER"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  // Arrays and the version are not overridable.
  EXPECT_EQ(std::find(names.begin(), names.end(), "QUALSIG_TLS_DNS_NAMES"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "QUALSIG_VERSION"), names.end());
}

TEST(ConfigOverrides, BadAndUnknownVariablesAreRefusedByName) {
  struct Case {
    const char* name;
    const char* variable;
    const char* value;
    const char* message_part;
  };
  const Case cases[] = {
      {"not-a-number", "QUALSIG_SERVER_BODY_LIMIT", "lots", "QUALSIG_SERVER_BODY_LIMIT: must be a non-negative integer"},
      {"negative", "QUALSIG_SERVER_BODY_LIMIT", "-1", "QUALSIG_SERVER_BODY_LIMIT: must be a non-negative integer"},
      {"plus-sign", "QUALSIG_TOKEN_POOL_SIZE", "+4", "QUALSIG_TOKEN_POOL_SIZE: must be a non-negative integer"},
      {"spaces", "QUALSIG_TOKEN_POOL_SIZE", " 4", "QUALSIG_TOKEN_POOL_SIZE: must be a non-negative integer"},
      {"trailing-garbage", "QUALSIG_TOKEN_POOL_SIZE", "4x", "QUALSIG_TOKEN_POOL_SIZE: must be a non-negative integer"},
      {"empty-number", "QUALSIG_TOKEN_POOL_SIZE", "", "QUALSIG_TOKEN_POOL_SIZE: must be a non-negative integer"},
      {"overflow", "QUALSIG_SERVER_BODY_LIMIT", "99999999999999999999999", "QUALSIG_SERVER_BODY_LIMIT: must be a non-negative integer"},
      {"too-large-for-type", "QUALSIG_TOKEN_POOL_SIZE", "4294967296", "QUALSIG_TOKEN_POOL_SIZE: token.pool_size is too large"},
      {"out-of-range", "QUALSIG_TOKEN_POOL_SIZE", "0", "QUALSIG_TOKEN_POOL_SIZE: token.pool_size must be 1..256"},
      {"interval-zero", "QUALSIG_AUDIT_CHECKPOINT_INTERVAL_SECONDS", "0", "QUALSIG_AUDIT_CHECKPOINT_INTERVAL_SECONDS: audit."},
      {"unknown-key", "QUALSIG_SERVER_LISTEN", "1.2.3.4:1", "unknown configuration variable QUALSIG_SERVER_LISTEN"},
      {"array-key", "QUALSIG_TLS_DNS_NAMES", "a,b", "unknown configuration variable QUALSIG_TLS_DNS_NAMES"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = parse_config(config_to_json(Config{}), Environment{{c.variable, c.value}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
    EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << r.error().message;
  }
  // Two variables valid only together are accepted together...
  auto both = parse_config(config_to_json(Config{}), Environment{{"QUALSIG_CERTIFICATES_DEFAULT_VALIDITY_DAYS", "500"},
                                                                  {"QUALSIG_CERTIFICATES_MAX_VALIDITY_DAYS", "600"}});
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_EQ(both->certificates.default_validity_days, 500u);
  // ... and a file error is still reported as the file's.
  auto file_error = parse_config(R"({"token":{"modul":"x"}})", Environment{{"QUALSIG_TOKEN_LABEL", "x"}});
  ASSERT_FALSE(file_error);
  EXPECT_NE(file_error.error().message.find("unknown key 'token.modul'"), std::string::npos);
}

TEST(ConfigOverrides, ValuesNeverAppearInErrors) {
  auto r = parse_config(config_to_json(Config{}), Environment{{"QUALSIG_SERVER_BODY_LIMIT", "s3cret-value"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("s3cret"), std::string::npos) << r.error().message;
}

TEST(ConfigOverrides, LoadConfigReadsTheProcessEnvironment) {
  qualsig::testing::TempDir dir;
  ASSERT_TRUE(core::write_file_atomic(dir.path() / kConfigFile, config_to_json(Config{}),
                                      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  ::setenv("QUALSIG_SERVER_BODY_LIMIT", "2048", 1);
  auto c = load_config(dir.path());
  ::setenv("QUALSIG_SERVER_BODY_LIMIT", "x", 1);
  auto bad = load_config(dir.path());
  ::unsetenv("QUALSIG_SERVER_BODY_LIMIT");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->server.body_limit, 2048u);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::environment);
  EXPECT_NE(bad.error().message.find("QUALSIG_SERVER_BODY_LIMIT"), std::string::npos);
}

TEST(RedactUrlCredentials, PasswordsAreReplaced) {
  const std::pair<const char*, const char*> cases[] = {
      {"postgresql://app:s3cret@db.example:5432/qualsig", "postgresql://app:***@db.example:5432/qualsig"},
      {"got 'postgres://u:p%40ss@h/q' here", "got 'postgres://u:***@h/q' here"},
      {"postgresql://app@db/q", "postgresql://app@db/q"},  // no password
      {"sqlite:qualsig.db", "sqlite:qualsig.db"},
      {"https://host/path?x=a:b@c", "https://host/path?x=a:b@c"},  // '@' after the authority
      {"a://u:1@h and b://v:2@k", "a://u:***@h and b://v:***@k"},
      {"://", "://"},
      {"", ""},
  };
  for (const auto& [in, want] : cases) {
    EXPECT_EQ(redact_url_credentials(in), want) << in;
  }
}

}  // namespace
}  // namespace qualsig::service
