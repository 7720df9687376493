// SPIFFE ID syntax (SPIFFE-ID spec §2): table of IDs and outcomes.
#include "identity/spiffe_id.h"

#include <gtest/gtest.h>

namespace qualsig::identity {
namespace {

struct IdCase {
  const char* name;
  std::string id;
  bool valid;
  std::string part;  // expected trust domain (valid) or a substring of the message (invalid)
};

TEST(SpiffeId, Table) {
  const std::vector<IdCase> cases = {
      {"workload", "spiffe://example.org/ns/ci/sa/release", true, "example.org"},
      {"trust-domain-only", "spiffe://example.org", true, "example.org"},
      {"all-allowed-domain-chars", "spiffe://a-b_c.0-9.example/x", true, "a-b_c.0-9.example"},
      {"all-allowed-path-chars", "spiffe://td/AZaz09.-_/.hidden/..x", true, "td"},
      {"uppercase-scheme", "SPIFFE://example.org/a", false, "scheme"},
      {"http-scheme", "http://example.org/a", false, "scheme"},
      {"missing-slashes", "spiffe:example.org/a", false, "scheme"},
      {"empty", "", false, "scheme"},
      {"uppercase-domain", "spiffe://Example.org/a", false, "lowercase"},
      {"empty-domain", "spiffe:///a", false, "trust domain is empty"},
      {"port", "spiffe://example.org:8443/a", false, "port"},
      {"userinfo", "spiffe://user@example.org/a", false, "userinfo"},
      {"query", "spiffe://example.org/a?x=1", false, "query"},
      {"fragment", "spiffe://example.org/a#frag", false, "fragment"},
      {"percent-encoded-domain", "spiffe://ex%41mple.org/a", false, "percent"},
      {"space-in-domain", "spiffe://exa mple.org/a", false, "trust domain may hold only"},
      {"dot-dot-segment", "spiffe://example.org/ns/../sa", false, "\"..\""},
      {"dot-segment", "spiffe://example.org/./sa", false, "\".\""},
      {"trailing-slash", "spiffe://example.org/ns/ci/", false, "must not end with '/'"},
      {"root-slash", "spiffe://example.org/", false, "must not end with '/'"},
      {"double-slash", "spiffe://example.org/ns//ci", false, "empty segment"},
      {"percent-in-path", "spiffe://example.org/a%20b", false, "path segments may hold only"},
      {"colon-in-path", "spiffe://example.org/a:b", false, "path segments may hold only"},
      {"non-ascii-path", "spiffe://example.org/caf\xc3\xa9", false, "path segments may hold only"},
      {"nul-in-path", std::string("spiffe://example.org/a\0b", 24), false, "path segments may hold only"},
      {"domain-256-bytes", "spiffe://" + std::string(256, 'a') + "/x", false, "longer than 255"},
      {"domain-255-bytes", "spiffe://" + std::string(255, 'a') + "/x", true, std::string(255, 'a')},
      {"id-2049-bytes", "spiffe://td/" + std::string(2049 - 12, 'p'), false, "longer than 2048"},
      {"id-2048-bytes", "spiffe://td/" + std::string(2048 - 12, 'p'), true, "td"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = parse_spiffe_id(c.id);
    ASSERT_EQ(r.has_value(), c.valid) << (r ? r->to_string() : r.error().message);
    if (r) {
      EXPECT_EQ(r->trust_domain, c.part);
      EXPECT_EQ(r->to_string(), c.id);
    } else {
      EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
      EXPECT_NE(r.error().message.find(c.part), std::string::npos) << r.error().message;
    }
  }
}

TEST(SpiffeId, PathIsKept) {
  auto id = parse_spiffe_id("spiffe://example.org/ns/ci/sa/release");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->path, "/ns/ci/sa/release");
  EXPECT_EQ(parse_spiffe_id("spiffe://example.org")->path, "");
}

}  // namespace
}  // namespace qualsig::identity
