#pragma once
// Token and JWKS vectors made by an independent JOSE implementation (npm `jose`, through
// tests/interop/make_jwt.mjs), shared by the OIDC tests. Keys are fresh on every run; every
// time in a token is relative to the pinned kNow, so outcomes are deterministic.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/time.h"
#include "test_support.h"

namespace qualsig::identity::test {

using nlohmann::json;

inline const TimePoint kNow{std::chrono::seconds(1767225600)};  // 2026-01-01T00:00:00Z
inline const std::string kIssuer = "https://token.actions.example.org";
inline const std::string kAudience = "qualsig";
inline const std::string kSubject = "repo:acme/release:ref:refs/heads/main";
inline const std::vector<std::string> kAlgs = {"RS256", "RS384", "RS512", "PS256",
                                               "PS384", "PS512", "ES256", "ES384"};

inline std::int64_t at(std::int64_t offset_seconds) {
  return kNow.time_since_epoch().count() + offset_seconds;
}

// A workload token's claims as a CI system issues them, valid at kNow.
inline json base_claims() {
  return json{{"iss", kIssuer},
              {"sub", kSubject},
              {"aud", kAudience},
              {"iat", at(-60)},
              {"nbf", at(-60)},
              {"exp", at(540)},
              {"jti", "jti-0001"},
              {"repository", "acme/release"},
              {"kubernetes.io", {{"namespace", "ci"}, {"serviceaccount", {{"name", "release"}}}}}};
}

inline json with(json claims, const json& changes) {
  for (const auto& [k, v] : changes.items()) {
    if (v.is_null()) {
      claims.erase(k);
    } else {
      claims[k] = v;
    }
  }
  return claims;
}

struct Outcome {
  bool accepted = false;
  ErrorCode code = ErrorCode::internal;
  std::string message_part;  // a substring the error message must contain
};
inline Outcome accepted() { return {true, ErrorCode::internal, {}}; }
inline Outcome refused(ErrorCode code, std::string part) { return {false, code, std::move(part)}; }

struct TokenVector {
  std::string name;                    // the mutation it tests
  json spec;                           // make_jwt.mjs token spec (without "name")
  std::string set = "main";            // which JWKS it is verified against
  std::optional<std::string> subject;  // OidcExpectations::subject
  Outcome outcome;
};

inline std::string key_for(const std::string& alg) {
  std::string id;
  for (char c : alg) id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return id;
}
inline std::string kid_for(const std::string& alg) { return alg + "-key"; }

inline json signed_by(const std::string& alg, json claims = base_claims()) {
  return json{{"key", key_for(alg)}, {"kid", kid_for(alg)}, {"claims", std::move(claims)}};
}
inline json patched(json spec, const json& changes) {
  spec.update(changes);
  return spec;
}

inline std::vector<TokenVector> token_vectors() {
  using E = ErrorCode;
  std::vector<TokenVector> v;
  for (const auto& alg : kAlgs) v.push_back({"valid-" + alg, signed_by(alg), "main", std::nullopt, accepted()});
  const json es = signed_by("ES256");
  auto claims = [](const json& changes) { return with(base_claims(), changes); };
  v.push_back({"valid-aud-array", signed_by("ES256", claims({{"aud", {"someone-else", kAudience}}})), "main", {}, accepted()});
  v.push_back({"valid-subject-expected", es, "main", kSubject, accepted()});
  v.push_back({"valid-no-kid-single-key", patched(es, {{"kid", nullptr}}), "single", {}, accepted()});
  v.push_back({"valid-expired-within-leeway", signed_by("ES256", claims({{"exp", at(-30)}, {"iat", at(-600)}, {"nbf", at(-600)}})), "main", {}, accepted()});
  v.push_back({"valid-nbf-within-leeway", signed_by("ES256", claims({{"nbf", at(30)}})), "main", {}, accepted()});
  v.push_back({"valid-without-nbf-and-jti", signed_by("ES256", claims({{"nbf", nullptr}, {"jti", nullptr}})), "main", {}, accepted()});
  v.push_back({"valid-jku-x5u-headers-ignored", patched(es, {{"header", {{"jku", "https://evil.example/jwks"}, {"x5u", "https://evil.example/cert"}, {"typ", "JWT"}}}}), "main", {}, accepted()});

  v.push_back({"wrong-key-same-kid", {{"key", "attacker-es256"}, {"kid", kid_for("ES256")}, {"claims", base_claims()}}, "main", {}, refused(E::denied, "signature does not verify")});
  v.push_back({"embedded-jwk-of-attacker", {{"key", "attacker-es256"}, {"kid", kid_for("ES256")}, {"embedJwkOf", "attacker-es256"}, {"claims", base_claims()}}, "main", {}, refused(E::denied, "signature does not verify")});
  v.push_back({"embedded-jwk-no-kid", {{"key", "attacker-es256"}, {"kid", nullptr}, {"embedJwkOf", "attacker-es256"}, {"claims", base_claims()}}, "single", {}, refused(E::denied, "signature does not verify")});
  v.push_back({"tampered-payload", patched(es, {{"mode", "tamper-payload"}, {"tamperedClaims", claims({{"sub", "repo:acme/evil"}})}}), "main", {}, refused(E::denied, "signature does not verify")});
  v.push_back({"tampered-payload-rs256", patched(signed_by("RS256"), {{"mode", "tamper-payload"}, {"tamperedClaims", claims({{"aud", "other"}})}}), "main", {}, refused(E::denied, "signature does not verify")});
  v.push_back({"wrong-audience", signed_by("ES256", claims({{"aud", "other-service"}})), "main", {}, refused(E::denied, "audience mismatch")});
  v.push_back({"wrong-audience-array", signed_by("ES256", claims({{"aud", {"a", "b"}}})), "main", {}, refused(E::denied, "audience mismatch")});
  v.push_back({"wrong-issuer", signed_by("ES256", claims({{"iss", "https://evil.example"}})), "main", {}, refused(E::denied, "issuer mismatch")});
  v.push_back({"issuer-case-differs", signed_by("ES256", claims({{"iss", "https://TOKEN.actions.example.org"}})), "main", {}, refused(E::denied, "issuer mismatch")});
  v.push_back({"wrong-subject", signed_by("ES256", claims({{"sub", "repo:acme/other:ref:refs/heads/main"}})), "main", kSubject, refused(E::denied, "subject mismatch")});
  v.push_back({"expired", signed_by("ES256", claims({{"exp", at(-120)}, {"iat", at(-600)}, {"nbf", at(-600)}})), "main", {}, refused(E::denied, "token expired at 2025-12-31T23:58:00Z")});
  v.push_back({"nbf-in-future", signed_by("ES256", claims({{"nbf", at(600)}})), "main", {}, refused(E::denied, "not valid before 2026-01-01T00:10:00Z")});
  v.push_back({"iat-in-future", signed_by("ES256", claims({{"iat", at(600)}, {"nbf", nullptr}, {"exp", at(1200)}})), "main", {}, refused(E::denied, "issued in the future")});
  v.push_back({"lifetime-too-long", signed_by("ES256", claims({{"exp", at(2 * 86400)}})), "main", {}, refused(E::denied, "lifetime of 172860s exceeds the maximum of 86400s")});
  v.push_back({"exp-before-iat", signed_by("ES256", claims({{"exp", at(30)}, {"iat", at(40)}, {"nbf", nullptr}})), "main", {}, refused(E::denied, "expires before it is issued")});
  v.push_back({"missing-exp", signed_by("ES256", claims({{"exp", nullptr}})), "main", {}, refused(E::invalid_input, "\"exp\" is missing")});
  v.push_back({"missing-iat", signed_by("ES256", claims({{"iat", nullptr}})), "main", {}, refused(E::invalid_input, "\"iat\" is missing")});
  v.push_back({"missing-sub", signed_by("ES256", claims({{"sub", nullptr}})), "main", {}, refused(E::invalid_input, "\"sub\" is missing")});
  v.push_back({"exp-is-string", signed_by("ES256", claims({{"exp", "tomorrow"}})), "main", {}, refused(E::invalid_input, "not a NumericDate")});
  v.push_back({"exp-is-bool", signed_by("ES256", claims({{"exp", true}})), "main", {}, refused(E::invalid_input, "not a NumericDate")});
  v.push_back({"exp-negative", signed_by("ES256", claims({{"exp", -1}})), "main", {}, refused(E::invalid_input, "out of range")});
  v.push_back({"aud-is-number", signed_by("ES256", claims({{"aud", 7}})), "main", {}, refused(E::invalid_input, "\"aud\"")});
  v.push_back({"aud-array-with-number", signed_by("ES256", claims({{"aud", {kAudience, 7}}})), "main", {}, refused(E::invalid_input, "\"aud\" holds a non-string")});
  v.push_back({"alg-none", {{"mode", "none"}, {"claims", base_claims()}}, "main", {}, refused(E::denied, "alg none is refused")});
  v.push_back({"hs256-key-confusion", patched(signed_by("RS256"), {{"mode", "hs256-confusion"}}), "main", {}, refused(E::denied, "alg HS256 is refused")});
  v.push_back({"unknown-kid", patched(es, {{"kid", "no-such-key"}}), "main", {}, refused(E::denied, "unknown key id \"no-such-key\"")});
  v.push_back({"kid-of-rsa-key-for-es256", patched(es, {{"kid", kid_for("RS256")}}), "main", {}, refused(E::denied, "is an RSA key; alg ES256 needs an EC P-256 key")});
  v.push_back({"kid-of-p384-key-for-es256", patched(es, {{"kid", kid_for("ES384")}}), "main", {}, refused(E::denied, "is an EC P-384 key")});
  v.push_back({"kid-of-ec-key-for-rs256", patched(signed_by("RS256"), {{"kid", kid_for("ES256")}}), "main", {}, refused(E::denied, "is an EC P-256 key; alg RS256 needs an RSA key")});
  v.push_back({"key-restricted-to-other-alg", patched(signed_by("RS256"), {{"alg", "RS384"}}), "main", {}, refused(E::denied, "restricted to alg \"RS256\"")});
  v.push_back({"es256-der-signature", patched(es, {{"mode", "der-signature"}}), "main", {}, refused(E::denied, "must be 64 bytes of raw R || S")});
  v.push_back({"es384-der-signature", patched(signed_by("ES384"), {{"mode", "der-signature"}}), "main", {}, refused(E::denied, "must be 96 bytes of raw R || S")});
  v.push_back({"crit-header", patched(es, {{"header", {{"crit", {"urn:example:ext"}}, {"urn:example:ext", 1}}}, {"crit", {"urn:example:ext"}}}), "main", {}, refused(E::invalid_input, "\"crit\"")});
  v.push_back({"duplicate-sub-in-payload", {{"key", "es256"}, {"kid", kid_for("ES256")}, {"payload", "{\"iss\":\"" + kIssuer + "\",\"sub\":\"" + kSubject + "\",\"sub\":\"repo:acme/evil\",\"aud\":\"qualsig\",\"iat\":" + std::to_string(at(-60)) + ",\"exp\":" + std::to_string(at(540)) + "}"}}, "main", {}, refused(E::invalid_input, "duplicate member name")});
  v.push_back({"payload-not-object", {{"key", "es256"}, {"kid", kid_for("ES256")}, {"payload", "[1,2,3]"}}, "main", {}, refused(E::invalid_input, "not a JSON object")});
  v.push_back({"payload-not-json", {{"key", "es256"}, {"kid", kid_for("ES256")}, {"payload", "hello"}}, "main", {}, refused(E::invalid_input, "token payload: invalid JSON")});
  v.push_back({"no-kid-two-rsa-keys-fit", patched(signed_by("RS256"), {{"kid", nullptr}}), "two-rsa", {}, refused(E::denied, "a kid is needed")});
  v.push_back({"no-kid-no-key-fits", patched(signed_by("ES384"), {{"kid", nullptr}}), "single", {}, refused(E::denied, "no JWKS key fits alg ES384")});
  v.push_back({"empty-kid", patched(es, {{"kid", ""}}), "single", {}, refused(E::denied, "unknown key id \"\"")});
  v.push_back({"kid-of-ignored-weak-key", patched(signed_by("RS256"), {{"kid", "weak-key"}}), "with-weak", {}, refused(E::denied, "unknown key id \"weak-key\"")});
  return v;
}

struct JwtVectors {
  std::optional<std::string> unavailable;  // node or jose missing: tests skip with this message
  std::optional<std::string> error;        // make_jwt.mjs failed: tests fail with this message
  std::map<std::string, std::string> jwks; // set name -> JWKS text
  std::map<std::string, std::string> tokens;
};

inline json make_jwt_request() {
  json keys = json::array();
  for (const auto& alg : kAlgs) keys.push_back({{"id", key_for(alg)}, {"alg", alg}});
  keys.push_back({{"id", "attacker-es256"}, {"alg", "ES256"}});
  keys.push_back({{"id", "rs256-b"}, {"alg", "RS256"}});
  keys.push_back({{"id", "weak-rsa"}, {"alg", "RS256"}, {"modulusLength", 1024}});
  json main = json::array();
  for (const auto& alg : kAlgs) main.push_back({{"key", key_for(alg)}, {"kid", kid_for(alg)}, {"alg", true}});
  json sets = {{"main", main},
               {"single", json::array({{{"key", "es256"}, {"kid", nullptr}, {"alg", false}}})},
               {"two-rsa", json::array({{{"key", "rs256"}, {"kid", nullptr}, {"alg", false}},
                                        {{"key", "rs256-b"}, {"kid", nullptr}, {"alg", false}}})},
               {"with-weak", json::array({{{"key", "weak-rsa"}, {"kid", "weak-key"}, {"alg", true}},
                                          {{"key", "rs256"}, {"kid", kid_for("RS256")}, {"alg", true}}})}};
  json tokens = json::array();
  for (const auto& t : token_vectors()) tokens.push_back(patched(t.spec, {{"name", t.name}}));
  return json{{"keys", keys}, {"sets", sets}, {"tokens", tokens}};
}

// Runs make_jwt.mjs once per process and keeps the result.
inline const JwtVectors& jwt_vectors() {
  static const JwtVectors vectors = [] {
    JwtVectors out;
    if (auto why = node_interop_unavailable()) {
      out.unavailable = *why;
      return out;
    }
    TempDir dir("qualsig-jwt");
    write_text(dir / "request.json", make_jwt_request().dump());
    const auto result = run_command("node " + shell_quote((interop_dir() / "make_jwt.mjs").string()) + " < " +
                                    shell_quote((dir / "request.json").string()) + " 2> " +
                                    shell_quote((dir / "stderr").string()));
    if (result.exit_status != 0) {
      out.error = "make_jwt.mjs failed: " + read_text(dir / "stderr");
      return out;
    }
    const json answer = json::parse(result.out);
    for (const auto& [name, set] : answer.at("sets").items()) out.jwks[name] = set.dump();
    for (const auto& [name, token] : answer.at("tokens").items()) out.tokens[name] = token.get<std::string>();
    return out;
  }();
  return vectors;
}

}  // namespace qualsig::identity::test

// In a TEST: binds `v` to the vectors; skips (never passes silently) without node or jose, fails
// when make_jwt.mjs fails.
#define QS_REQUIRE_JWT_VECTORS(v)                                   \
  const auto& v = ::qualsig::identity::test::jwt_vectors();         \
  if (v.unavailable) GTEST_SKIP() << "SKIPPED: " << *v.unavailable; \
  ASSERT_FALSE(v.error) << *v.error
