// JWKS parsing (RFC 7517 §5, RFC 7518 §6) on key sets exported by npm `jose`, mutated here.
#include "identity/jwks.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/bytes.h"
#include "jwt_vectors.h"

namespace qualsig::identity {
namespace {

using namespace qualsig::identity::test;

json entry_with_kid(const json& jwks, const std::string& kid) {
  for (const auto& k : jwks.at("keys")) {
    if (k.value("kid", "") == kid) return k;
  }
  ADD_FAILURE() << "no key " << kid;
  return json::object();
}

// Re-encodes a base64url member after changing its bytes.
std::string reencoded(const std::string& b64, const std::function<void(Bytes&)>& change) {
  Bytes bytes = base64url_decode(b64).value();
  change(bytes);
  return base64url_encode(bytes);
}

struct JwksCase {
  const char* name;
  std::function<std::string(const json& main)> make;  // JWKS text from the jose-made "main" set
  bool parses;
  std::size_t keys;            // when it parses
  std::string reason_part;     // ignored reason (parses) or error message (does not)
};

// Adds one entry (a changed copy of the ES256 or RS256 key under a fresh kid) to the set.
std::function<std::string(const json&)> add(const std::string& from_kid, std::function<void(json&)> change) {
  return [from_kid, change](const json& main) {
    json doc = main;
    json entry = entry_with_kid(main, from_kid);
    entry["kid"] = "changed";
    change(entry);
    doc["keys"].push_back(entry);
    return doc.dump();
  };
}
std::function<std::string(const json&)> add_raw(json entry) {
  return [entry](const json& main) {
    json doc = main;
    doc["keys"].push_back(entry);
    return doc.dump();
  };
}
std::function<std::string(const json&)> text(std::string t) {
  return [t](const json&) { return t; };
}

TEST(Jwks, KeySetTable) {
  QS_REQUIRE_JWT_VECTORS(v);
  const json main = json::parse(v.jwks.at("main"));
  const std::size_t n = kAlgs.size();
  const std::string ec = "ES256-key", rsa = "RS256-key";
  const std::vector<JwksCase> cases = {
      {"as-made-by-jose", [](const json& m) { return m.dump(); }, true, n, ""},
      {"oct-key-ignored", add_raw({{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "hmac"}}), true, n, "kty \"oct\" is not supported"},
      {"okp-ed25519-ignored", add_raw({{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}}), true, n, "kty \"OKP\""},
      {"kty-lowercase-ignored", add(ec, [](json& e) { e["kty"] = "ec"; }), true, n, "kty \"ec\""},
      {"kty-missing-ignored", add(ec, [](json& e) { e.erase("kty"); }), true, n, "\"kty\" is missing"},
      {"p521-ignored", add(ec, [](json& e) { e["crv"] = "P-521"; }), true, n, "curve \"P-521\" is not supported"},
      {"secp256k1-ignored", add(ec, [](json& e) { e["crv"] = "secp256k1"; }), true, n, "curve \"secp256k1\""},
      {"use-enc-ignored", add(ec, [](json& e) { e["use"] = "enc"; }), true, n, "\"use\" is \"enc\""},
      {"key-ops-without-verify-ignored", add(ec, [](json& e) { e["key_ops"] = {"sign"}; }), true, n, "\"key_ops\" does not include \"verify\""},
      {"key-ops-with-verify-kept", add(ec, [](json& e) { e["key_ops"] = {"verify"}; }), true, n + 1, ""},
      {"alg-hs256-ignored", add(rsa, [](json& e) { e["alg"] = "HS256"; }), true, n, "alg \"HS256\" is not accepted"},
      {"alg-none-ignored", add(rsa, [](json& e) { e["alg"] = "none"; }), true, n, "alg \"none\" is not accepted"},
      {"alg-of-other-key-type-ignored", add(ec, [](json& e) { e["alg"] = "RS256"; }), true, n, "alg RS256 does not fit a EC P-256 key"},
      {"alg-of-other-curve-ignored", add(ec, [](json& e) { e["alg"] = "ES384"; }), true, n, "alg ES384 does not fit"},
      {"private-member-d-ignored", add(ec, [](json& e) { e["d"] = "AAAA"; }), true, n, "private key member \"d\""},
      {"x-one-byte-short-ignored", add(ec, [](json& e) { e["x"] = reencoded(e["x"], [](Bytes& b) { b.erase(b.begin()); }); }), true, n, "must be 32 bytes each"},
      {"x-padded-ignored", add(ec, [](json& e) { e["x"] = e["x"].get<std::string>() + "="; }), true, n, "\"x\" is not strict"},
      {"x-standard-base64-ignored", add(ec, [](json& e) { auto x = e["x"].get<std::string>(); x[0] = '+'; e["x"] = x; }), true, n, "\"x\" is not strict"},
      {"x-missing-ignored", add(ec, [](json& e) { e.erase("x"); }), true, n, "member \"x\" is missing"},
      {"point-not-on-curve-ignored", add(ec, [](json& e) { e["y"] = reencoded(e["y"], [](Bytes& b) { b.back() ^= 1; }); }), true, n, "public key"},
      {"point-all-zero-ignored", add(ec, [](json& e) { e["x"] = base64url_encode(Bytes(32, 0)); e["y"] = base64url_encode(Bytes(32, 0)); }), true, n, ""},
      {"n-leading-zero-ignored", add(rsa, [](json& e) { e["n"] = reencoded(e["n"], [](Bytes& b) { b.insert(b.begin(), 0); }); }), true, n, "\"n\" has a leading zero octet"},
      {"e-leading-zero-ignored", add(rsa, [](json& e) { e["e"] = reencoded(e["e"], [](Bytes& b) { b.insert(b.begin(), 0); }); }), true, n, "\"e\" has a leading zero octet"},
      {"e-even-ignored", add(rsa, [](json& e) { e["e"] = base64url_encode(Bytes{1, 0, 0}); }), true, n, "exponent must be odd"},
      {"e-one-ignored", add(rsa, [](json& e) { e["e"] = base64url_encode(Bytes{1}); }), true, n, "at least 3"},
      {"n-even-ignored", add(rsa, [](json& e) { e["n"] = reencoded(e["n"], [](Bytes& b) { b.back() &= 0xfe; }); }), true, n, "modulus is even"},
      {"n-2047-bits-ignored", add(rsa, [](json& e) { e["n"] = reencoded(e["n"], [](Bytes& b) { b[0] = 0x40 | (b[0] & 0x3f); }); }), true, n, "RSA key of 2047 bits"},
      {"n-8200-bits-ignored", add(rsa, [](json& e) { e["n"] = base64url_encode(Bytes(1025, 0xff)); }), true, n, "larger than 8192 bits"},
      {"n-missing-ignored", add(rsa, [](json& e) { e.erase("n"); }), true, n, "member \"n\" is missing"},
      {"n-number-ignored", add(rsa, [](json& e) { e["n"] = 65537; }), true, n, "\"n\" is not a string"},
      {"kid-number-ignored", add(rsa, [](json& e) { e["kid"] = 5; }), true, n, "\"kid\" is not a string"},
      {"x5c-is-not-read", add(ec, [](json& e) { e["x5c"] = {"not a certificate"}; }), true, n + 1, ""},
      {"duplicate-kid-refused", add(ec, [&](json& e) { e["kid"] = ec; }), false, 0, "two keys with kid \"ES256-key\""},
      {"duplicate-member-refused", text(R"({"keys":[],"keys":[]})"), false, 0, "duplicate member name \"keys\""},
      {"keys-missing", text(R"({"key":[]})"), false, 0, "no \"keys\" array"},
      {"keys-not-array", text(R"({"keys":{}})"), false, 0, "no \"keys\" array"},
      {"top-level-array", text(R"([{"keys":[]}])"), false, 0, "not a JSON object"},
      {"entry-not-object", text(R"({"keys":[1]})"), false, 0, "keys[0] is not a JSON object"},
      {"empty-keys", text(R"({"keys":[]})"), false, 0, "no usable key"},
      {"only-unusable-keys", text(R"({"keys":[{"kty":"oct","k":"AAAA"}]})"), false, 0, "no usable key; keys[0]: kty \"oct\""},
      {"not-json", text("keys"), false, 0, "JWKS: invalid JSON"},
      {"trailing-garbage", [](const json& m) { return m.dump() + "x"; }, false, 0, "JWKS: invalid JSON"},
      {"too-deep", text(R"({"keys":[],"x":[[[[[[[[[[]]]]]]]]]]})"), false, 0, "nesting deeper"},
      {"too-many-keys", [](const json&) {
         json doc = {{"keys", json::array()}};
         for (int i = 0; i < 257; ++i) doc["keys"].push_back({{"kty", "oct"}});
         return doc.dump();
       }, false, 0, "more than 256 keys"},
      {"larger-than-1-mib", [](const json& m) { return m.dump() + std::string(kMaxJwksSize, ' '); }, false, 0, "larger than 1048576 bytes"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = parse_jwks(c.make(main));
    ASSERT_EQ(r.has_value(), c.parses) << (r ? "" : r.error().message);
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
      EXPECT_NE(r.error().message.find(c.reason_part), std::string::npos) << r.error().message;
      continue;
    }
    EXPECT_EQ(r->keys.size(), c.keys);
    for (const auto& key : r->keys) EXPECT_NE(key.public_key, nullptr);
    if (c.keys == n) {
      ASSERT_EQ(r->ignored.size(), c.name == std::string("as-made-by-jose") ? 0u : 1u);
      if (!r->ignored.empty()) {
        EXPECT_NE(r->ignored[0].reason.find(c.reason_part), std::string::npos) << r->ignored[0].reason;
        EXPECT_EQ(r->ignored[0].index, n);
      }
    }
  }
}

TEST(Jwks, KeysKeepTheirMembers) {
  QS_REQUIRE_JWT_VECTORS(v);
  auto jwks = parse_jwks(v.jwks.at("main"));
  ASSERT_TRUE(jwks) << jwks.error().message;
  for (const auto& alg : kAlgs) {
    SCOPED_TRACE(alg);
    const Jwk* key = jwks->find(kid_for(alg));
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(key->algorithm, alg);
    EXPECT_EQ(key->use, "sig");
    EXPECT_EQ(key->key_type, key_type_for(jws_algorithm_from_name(alg).value()));
    EXPECT_EQ(key->bits, alg == "ES256" ? 256 : alg == "ES384" ? 384 : 2048);
  }
  EXPECT_EQ(jwks->find("no-such-key"), nullptr);
  auto weak = parse_jwks(v.jwks.at("with-weak"));
  ASSERT_TRUE(weak);
  const IgnoredJwk* skipped = weak->find_ignored("weak-key");
  ASSERT_NE(skipped, nullptr);
  EXPECT_EQ(skipped->index, 0u);
  EXPECT_NE(skipped->reason.find("1024 bits"), std::string::npos);
  EXPECT_EQ(weak->find_ignored(""), nullptr);
}

}  // namespace
}  // namespace qualsig::identity
