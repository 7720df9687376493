#include "service/init.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "core/openssl.h"
#include "hsm/pkcs11_error.h"
#include "service/status.h"
#include "service/trust_service.h"
#include "support/temp_dir.h"

namespace qualsig::service {
namespace {

using qualsig::testing::TempDir;

InitOptions options(const std::filesystem::path& dir) {
  InitOptions o;
  o.data_dir = dir;
  o.now = *parse_rfc3339("2026-11-25T12:00:00Z");
  return o;
}

TEST(Init, EveryServiceKeyIsInTheTokenAndUnreadable) {
  TempDir tmp;
  auto r = initialize(options(tmp.path() / "data"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->created);
  EXPECT_EQ(r->certificates.size(), 5u);
  auto svc = TrustService::open(tmp.path() / "data");
  ASSERT_TRUE(svc) << svc.error().message;
  auto token = (*svc)->token();
  ASSERT_TRUE(token) << token.error().message;
  auto st = status(**svc);
  ASSERT_TRUE(st);
  ASSERT_TRUE(st->token.has_value()) << st->token_error;
  ASSERT_EQ(st->token->keys.size(), 6u);
  for (const auto& k : st->token->keys) {
    SCOPED_TRACE(k.role);
    auto kp = (*token)->find_key(*hex_decode(k.id_hex));
    ASSERT_TRUE(kp);
    // PKCS#11 v2.40 §4.9: CKA_VALUE of a sensitive private key cannot be revealed.
    auto value = (*token)->read_attribute(kp->private_key, CKA_VALUE);
    ASSERT_FALSE(value);
    EXPECT_NE(value.error().message.find("CKR_ATTRIBUTE_SENSITIVE"), std::string::npos);
    EXPECT_TRUE(k.sensitive);
  }
}

TEST(Init, CertificatesMatchTheirTokenKeysAndTheClock) {
  TempDir tmp;
  auto o = options(tmp.path() / "data");
  ASSERT_TRUE(initialize(o));
  auto svc = std::move(*TrustService::open(o.data_dir));
  for (const char* role : {"root", "issuing", "tsa", "ocsp", "tls"}) {
    SCOPED_TRACE(role);
    auto rec = svc->store().ca_certificate(role);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->not_before, o.now);
    auto cert = core::x509_from_der(rec->der);
    ASSERT_TRUE(cert);
    auto signer = svc->signer(role);
    ASSERT_TRUE(signer) << signer.error().message;
    EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert->get()), (*signer)->public_key()), 1);
  }
}

TEST(Init, SecondInitChangesNothing) {
  TempDir tmp;
  auto o = options(tmp.path() / "data");
  auto first = initialize(o);
  ASSERT_TRUE(first);
  auto second = initialize(o);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_FALSE(second->created);
  ASSERT_EQ(second->certificates.size(), first->certificates.size());
  for (std::size_t i = 0; i < first->certificates.size(); ++i)
    EXPECT_EQ(second->certificates[i].der, first->certificates[i].der);
}

TEST(Init, BadInputCreatesNothing) {
  TempDir tmp;
  struct Case {
    const char* name;
    std::function<void(InitOptions&)> mutate;
    ErrorCode code;
  };
  const Case cases[] = {
      {"bad-country", [](InitOptions& o) { o.country = "nl"; }, ErrorCode::invalid_input},
      {"bad-org-id", [](InitOptions& o) { o.organization_identifier = "12345"; }, ErrorCode::invalid_input},
      {"bad-base-url", [](InitOptions& o) { o.base_url = "ftp://x"; }, ErrorCode::invalid_input},
      {"missing-module", [](InitOptions& o) { o.pkcs11_module = "/nonexistent/libp11.so"; }, ErrorCode::token},
      {"missing-template", [](InitOptions& o) { o.config_template = "/nonexistent.json"; }, ErrorCode::environment},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto o = options(tmp.path() / c.name);
    c.mutate(o);
    auto r = initialize(o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, c.code) << r.error().message;
    EXPECT_FALSE(std::filesystem::exists(o.data_dir));
  }
  // Nothing at all is left in the parent (no staging directory either).
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(tmp.path()), std::filesystem::directory_iterator()), 0);
}

TEST(Init, RefusesANonEmptyForeignDirectory) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.path() / "data");
  std::ofstream(tmp.path() / "data" / "precious.txt") << "keep me";
  auto r = initialize(options(tmp.path() / "data"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::environment);
  EXPECT_TRUE(std::filesystem::exists(tmp.path() / "data" / "precious.txt"));
}

}  // namespace
}  // namespace qualsig::service
