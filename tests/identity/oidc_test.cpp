// OIDC workload token verification against tokens made by npm `jose` (jwt_vectors.h), plus
// mutations of them named after what they change.
#include "identity/oidc.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/bytes.h"
#include "jwt_vectors.h"

namespace qualsig::identity {
namespace {

using namespace qualsig::identity::test;

OidcExpectations expectations(std::optional<std::string> subject = std::nullopt) {
  OidcExpectations e;
  e.issuer = kIssuer;
  e.audience = kAudience;
  e.subject = std::move(subject);
  return e;
}

std::vector<std::string> split(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot; (dot = token.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(token.substr(start, dot - start));
  }
  parts.push_back(token.substr(start));
  return parts;
}

// "every failure ... NEVER contains the token itself", nor one of its encoded parts.
void expect_no_token_in(const Error& error, const std::string& token) {
  for (const std::string* text : {&error.message, &error.detail}) {
    if (token.size() >= 12) {
      EXPECT_EQ(text->find(token), std::string::npos) << "token leaked into: " << *text;
    }
    for (const auto& part : split(token)) {
      if (part.size() >= 12) {
        EXPECT_EQ(text->find(part), std::string::npos) << "token part leaked into: " << *text;
      }
    }
  }
}

void expect_outcome(const Result<OidcClaims>& r, const Outcome& outcome, const std::string& token) {
  if (outcome.accepted) {
    EXPECT_TRUE(r) << (r ? "" : r.error().message + " | " + r.error().detail);
    return;
  }
  ASSERT_FALSE(r) << "accepted, but should be refused with: " << outcome.message_part;
  EXPECT_EQ(r.error().code, outcome.code) << error_code_name(r.error().code) << ": " << r.error().message;
  EXPECT_NE(r.error().message.find(outcome.message_part), std::string::npos)
      << "message: " << r.error().message << "\nexpected to contain: " << outcome.message_part;
  expect_no_token_in(r.error(), token);
}

TEST(OidcJose, EveryVectorHasItsOutcome) {
  QS_REQUIRE_JWT_VECTORS(v);
  std::map<std::string, Jwks> sets;
  for (const auto& [name, text] : v.jwks) {
    auto jwks = parse_jwks(text);
    ASSERT_TRUE(jwks) << name << ": " << jwks.error().message;
    sets.emplace(name, std::move(*jwks));
  }
  EXPECT_EQ(sets.at("main").keys.size(), kAlgs.size());
  EXPECT_EQ(sets.at("with-weak").ignored.size(), 1u);  // the 1024-bit RSA key
  const auto vectors = token_vectors();
  EXPECT_GE(vectors.size(), 50u);
  for (const auto& t : vectors) {
    SCOPED_TRACE(t.name);
    const std::string& token = v.tokens.at(t.name);
    expect_outcome(verify_oidc_token(token, sets.at(t.set), expectations(t.subject), kNow), t.outcome, token);
  }
}

TEST(OidcJose, ValidTokensOfEveryAlgorithmCarryTheirClaims) {
  QS_REQUIRE_JWT_VECTORS(v);
  auto jwks = parse_jwks(v.jwks.at("main"));
  ASSERT_TRUE(jwks) << jwks.error().message;
  for (const auto& alg : kAlgs) {
    SCOPED_TRACE(alg);
    auto claims = verify_oidc_token(v.tokens.at("valid-" + alg), *jwks, expectations(kSubject), kNow);
    ASSERT_TRUE(claims) << claims.error().message;
    EXPECT_EQ(claims->issuer, kIssuer);
    EXPECT_EQ(claims->subject, kSubject);
    EXPECT_EQ(claims->audience, std::vector<std::string>{kAudience});
    EXPECT_EQ(claims->issued_at.time_since_epoch().count(), at(-60));
    EXPECT_EQ(claims->not_before.time_since_epoch().count(), at(-60));
    EXPECT_EQ(claims->expires_at.time_since_epoch().count(), at(540));
    EXPECT_EQ(claims->jwt_id, "jti-0001");
    EXPECT_EQ(claims->key_id, kid_for(alg));
    EXPECT_EQ(claims->algorithm, alg);
    EXPECT_EQ(claims->claims.at("repository"), "acme/release");
    EXPECT_EQ(claims->claims.at("kubernetes.io").at("serviceaccount").at("name"), "release");
  }
  auto array = verify_oidc_token(v.tokens.at("valid-aud-array"), *jwks, expectations(), kNow);
  ASSERT_TRUE(array) << array.error().message;
  EXPECT_EQ(array->audience, (std::vector<std::string>{"someone-else", kAudience}));

  auto no_nbf = verify_oidc_token(v.tokens.at("valid-without-nbf-and-jti"), *jwks, expectations(), kNow);
  ASSERT_TRUE(no_nbf) << no_nbf.error().message;
  EXPECT_EQ(no_nbf->not_before, no_nbf->issued_at);
  EXPECT_EQ(no_nbf->jwt_id, "");

  auto single = parse_jwks(v.jwks.at("single"));
  ASSERT_TRUE(single) << single.error().message;
  auto no_kid = verify_oidc_token(v.tokens.at("valid-no-kid-single-key"), *single, expectations(), kNow);
  ASSERT_TRUE(no_kid) << no_kid.error().message;
  EXPECT_EQ(no_kid->key_id, "");
}

TEST(OidcJose, LeewayAndLifetimeAreTheCallers) {
  QS_REQUIRE_JWT_VECTORS(v);
  auto jwks = parse_jwks(v.jwks.at("main"));
  ASSERT_TRUE(jwks);
  auto strict = expectations();
  strict.leeway = std::chrono::seconds(0);
  auto r = verify_oidc_token(v.tokens.at("valid-expired-within-leeway"), *jwks, strict, kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("token expired at"), std::string::npos);
  // exp is exclusive: at exactly exp + leeway the token has expired (RFC 7519 §4.1.4).
  auto token = v.tokens.at("valid-ES256");
  EXPECT_TRUE(verify_oidc_token(token, *jwks, expectations(), TimePoint(std::chrono::seconds(at(540 + 59)))));
  EXPECT_FALSE(verify_oidc_token(token, *jwks, expectations(), TimePoint(std::chrono::seconds(at(540 + 60)))));
  auto short_life = expectations();
  short_life.max_lifetime = std::chrono::seconds(599);
  r = verify_oidc_token(token, *jwks, short_life, kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("lifetime of 600s exceeds the maximum of 599s"), std::string::npos);
}

// Concatenation by appending: `"." + s` and std::string::insert trip GCC 12's -Wrestrict false
// positive (GCC bug 105329) in optimised builds.
std::string cat(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (auto piece : pieces) out.append(piece);
  return out;
}

struct Mutation {
  const char* name;
  std::function<std::string(const std::vector<std::string>& parts)> make;
  Outcome outcome;
};

TEST(OidcShape, MutationsOfAValidTokenAreRefused) {
  QS_REQUIRE_JWT_VECTORS(v);
  auto jwks = parse_jwks(v.jwks.at("main"));
  ASSERT_TRUE(jwks);
  const std::string token = v.tokens.at("valid-ES256");
  ASSERT_TRUE(verify_oidc_token(token, *jwks, expectations(), kNow));
  using E = ErrorCode;
  auto join = [](const std::vector<std::string>& p) {
    std::string out;
    for (std::size_t i = 0; i < p.size(); ++i) out += (i ? "." : "") + p[i];
    return out;
  };
  // ES256: 64 signature bytes are 86 base64url characters with 4 unused bits in the last one.
  const std::vector<Mutation> mutations = {
      {"trailing-dot", [&](auto p) { return join(p) + "."; }, refused(E::invalid_input, "three base64url parts")},
      {"four-parts", [&](auto p) { return join(p) + ".AAAA"; }, refused(E::invalid_input, "it has 4")},
      {"two-parts", [&](auto p) { return p[0] + "." + p[1]; }, refused(E::invalid_input, "it has 2")},
      {"one-part", [&](auto p) { return p[0]; }, refused(E::invalid_input, "it has 1")},
      {"empty-string", [&](auto) { return std::string(); }, refused(E::invalid_input, "it has 1")},
      {"leading-dot", [&](auto p) { return cat({".", join(p)}); }, refused(E::invalid_input, "it has 4")},
      {"empty-header", [&](auto p) { return cat({".", p[1], ".", p[2]}); }, refused(E::invalid_input, "header or payload part is empty")},
      {"empty-payload", [&](auto p) { return p[0] + ".." + p[2]; }, refused(E::invalid_input, "header or payload part is empty")},
      {"empty-signature", [&](auto p) { return p[0] + "." + p[1] + "."; }, refused(E::denied, "empty signature")},
      {"padding-on-signature", [&](auto p) { return p[0] + "." + p[1] + "." + p[2] + "=="; }, refused(E::invalid_input, "signature is not strict")},
      {"padding-on-header", [&](auto p) { return p[0] + "=." + p[1] + "." + p[2]; }, refused(E::invalid_input, "header is not strict")},
      {"padding-on-payload", [&](auto p) { return p[0] + "." + p[1] + "=." + p[2]; }, refused(E::invalid_input, "payload is not strict")},
      {"plus-instead-of-dash", [&](auto p) { p[2][0] = '+'; return join(p); }, refused(E::invalid_input, "signature is not strict")},
      {"slash-instead-of-underscore", [&](auto p) { p[1][0] = '/'; return join(p); }, refused(E::invalid_input, "payload is not strict")},
      {"space-in-payload", [&](auto p) { p[1] = cat({p[1].substr(0, 4), " ", p[1].substr(4)}); return join(p); }, refused(E::invalid_input, "payload is not strict")},
      {"newline-in-signature", [&](auto p) { p[2] = cat({p[2].substr(0, 40), "\n", p[2].substr(40)}); return join(p); }, refused(E::invalid_input, "signature is not strict")},
      {"nul-in-header", [&](auto p) { p[0] = cat({p[0].substr(0, 2), std::string_view("\0", 1), p[0].substr(2)}); return join(p); }, refused(E::invalid_input, "header is not strict")},
      {"non-canonical-last-signature-char", [&](auto p) {
         // 'A' = 000000; the last character carries 2 data bits and 4 must-be-zero bits.
         char& c = p[2].back();
         c = c == 'B' ? 'C' : 'B';
         return join(p);
       }, refused(E::invalid_input, "signature is not strict")},
      {"signature-length-1-mod-4", [&](auto p) { p[2] += "AAA"; return join(p); }, refused(E::invalid_input, "signature is not strict")},
      {"signature-truncated-to-63-bytes", [&](auto p) { p[2].resize(84); return join(p); }, refused(E::denied, "must be 64 bytes")},
      {"signature-bit-flipped-at-10", [&](auto p) { p[2][10] = p[2][10] == 'A' ? 'B' : 'A'; return join(p); }, refused(E::denied, "signature does not verify")},
      {"header-swapped-for-es384", [&](auto p) {
         p[0] = base64url_encode(as_bytes(R"({"alg":"ES384","kid":"ES384-key"})"));
         return join(p);
       }, refused(E::denied, "must be 96 bytes")},
      {"payload-re-encoded-with-spaces", [&](auto p) {
         p[1] = base64url_encode(as_bytes(base_claims().dump(1)));
         return join(p);
       }, refused(E::denied, "signature does not verify")},
  };
  for (const auto& m : mutations) {
    SCOPED_TRACE(m.name);
    const std::string mutated = m.make(split(token));
    ASSERT_NE(mutated, token);
    expect_outcome(verify_oidc_token(mutated, *jwks, expectations(), kNow), m.outcome, mutated);
  }
}

TEST(OidcShape, SizeLimitIs64KiB) {
  QS_REQUIRE_JWT_VECTORS(v);
  auto jwks = parse_jwks(v.jwks.at("main"));
  ASSERT_TRUE(jwks);
  const auto parts = split(v.tokens.at("valid-ES256"));
  auto with_payload_length = [&](std::size_t total) {
    const std::size_t payload = total - parts[0].size() - parts[2].size() - 2;
    return parts[0] + "." + std::string(payload, 'A') + "." + parts[2];
  };
  const std::string one_mb = with_payload_length(1u << 20);
  ASSERT_EQ(one_mb.size(), 1u << 20);
  expect_outcome(verify_oidc_token(one_mb, *jwks, expectations(), kNow),
                 refused(ErrorCode::invalid_input, "larger than 65536 bytes"), one_mb);
  const std::string over = with_payload_length(kMaxTokenSize + 1);
  expect_outcome(verify_oidc_token(over, *jwks, expectations(), kNow),
                 refused(ErrorCode::invalid_input, "larger than 65536 bytes"), over);
  // At the limit the size is fine, and the (forged) token fails on its signature instead.
  std::string at_limit = with_payload_length(kMaxTokenSize);
  if (split(at_limit)[1].size() % 4 == 1) at_limit = with_payload_length(kMaxTokenSize - 1);
  expect_outcome(verify_oidc_token(at_limit, *jwks, expectations(), kNow),
                 refused(ErrorCode::denied, "signature does not verify"), at_limit);
}

// Headers that are refused before any key is chosen: crafted here (no signature is needed to
// reach the check), with 64 bytes of zeros as the signature.
TEST(OidcHeader, CraftedHeadersAreRefused) {
  QS_REQUIRE_JWT_VECTORS(v);
  auto jwks = parse_jwks(v.jwks.at("main"));
  ASSERT_TRUE(jwks);
  using E = ErrorCode;
  const std::vector<std::pair<std::string, Outcome>> headers = {
      {R"({"alg":"none"})", refused(E::denied, "alg none is refused")},
      {R"({"alg":"HS384","kid":"RS256-key"})", refused(E::denied, "alg HS384 is refused")},
      {R"({"alg":"HS512"})", refused(E::denied, "alg HS512 is refused")},
      {R"({"alg":"None"})", refused(E::denied, "is not accepted")},
      {R"({"alg":"es256"})", refused(E::denied, "is not accepted")},
      {R"({"alg":"ES512"})", refused(E::denied, "is not accepted")},
      {R"({"alg":"EdDSA"})", refused(E::denied, "is not accepted")},
      {R"({"alg":"RS256 "})", refused(E::denied, "is not accepted")},
      {R"({"alg":""})", refused(E::denied, "is not accepted")},
      {R"({"kid":"ES256-key"})", refused(E::invalid_input, "no \"alg\"")},
      {R"({"alg":256})", refused(E::invalid_input, "\"alg\" is not a string")},
      {R"({"alg":["ES256"]})", refused(E::invalid_input, "\"alg\" is not a string")},
      {R"({"alg":"ES256","alg":"none"})", refused(E::invalid_input, "duplicate member name")},
      {R"({"alg":"ES256","kid":"ES256-key","kid":"RS256-key"})", refused(E::invalid_input, "duplicate member name")},
      {R"({"alg":"ES256","kid":7})", refused(E::invalid_input, "\"kid\" is not a string")},
      {R"({"alg":"ES256","crit":[]})", refused(E::invalid_input, "\"crit\"")},
      {R"({"alg":"ES256","crit":["exp"],"exp":1})", refused(E::invalid_input, "\"crit\"")},
      {R"({"alg":"ES256","b64":false,"crit":["b64"]})", refused(E::invalid_input, "\"crit\"")},
      {R"({"alg":"ES256","b64":false})", refused(E::invalid_input, "\"b64\"")},
      {R"({"alg":"ES256","zip":"DEF"})", refused(E::invalid_input, "\"zip\"")},
      {R"(["alg","ES256"])", refused(E::invalid_input, "not a JSON object")},
      {R"({"alg":"ES256")", refused(E::invalid_input, "token header: invalid JSON")},
      {"\xEF\xBB\xBF{\"alg\":\"ES256\"}", refused(E::invalid_input, "byte order mark")},
      {"{\"alg\":\"ES256\",\"x\":\"\xC3\x28\"}", refused(E::invalid_input, "token header: invalid JSON")},
      {R"({"alg":"ES256","kid":"ES256-key","x":[[[[[[[[[[1]]]]]]]]]]})", refused(E::invalid_input, "token header: invalid JSON")},
      {R"({"alg":"ES256","kid":"ES256-key","jwk":{"kty":"oct","k":"AAAA"}})", refused(E::denied, "signature does not verify")},
  };
  const std::string payload = base64url_encode(as_bytes(base_claims().dump()));
  const std::string signature = base64url_encode(Bytes(64, 0));
  for (const auto& [header, outcome] : headers) {
    SCOPED_TRACE(header);
    const std::string token = base64url_encode(as_bytes(header)) + "." + payload + "." + signature;
    expect_outcome(verify_oidc_token(token, *jwks, expectations(), kNow), outcome, token);
  }
}

TEST(OidcExpectationsTest, UnusableExpectationsAreUsageErrors) {
  QS_REQUIRE_JWT_VECTORS(v);
  auto jwks = parse_jwks(v.jwks.at("main"));
  ASSERT_TRUE(jwks);
  const std::string token = v.tokens.at("valid-ES256");
  std::vector<std::pair<const char*, std::function<void(OidcExpectations&)>>> cases = {
      {"empty-issuer", [](auto& e) { e.issuer.clear(); }},
      {"empty-audience", [](auto& e) { e.audience.clear(); }},
      {"empty-subject", [](auto& e) { e.subject = ""; }},
      {"negative-leeway", [](auto& e) { e.leeway = std::chrono::seconds(-1); }},
      {"zero-lifetime", [](auto& e) { e.max_lifetime = std::chrono::seconds(0); }},
  };
  for (const auto& [name, change] : cases) {
    SCOPED_TRACE(name);
    auto e = expectations();
    change(e);
    auto r = verify_oidc_token(token, *jwks, e, kNow);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::usage);
  }
}

}  // namespace
}  // namespace qualsig::identity
