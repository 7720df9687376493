// Fuzz-style robustness: 5,000 random and mutated JWTs and 5,000 random and mutated JWKS
// documents, from a fixed seed. None may crash (the sanitizer build makes memory errors fatal),
// none may be accepted unless it is one of the genuine tokens, and no error may quote the token.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "core/bytes.h"
#include "identity/jwks.h"
#include "identity/oidc.h"
#include "jwt_vectors.h"

namespace qualsig::identity {
namespace {

using namespace qualsig::identity::test;

constexpr int kIterations = 5000;
constexpr std::string_view kB64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kNasty = ".=+/ \n\t\"\\{}[]:,\0\x7f\xc3\xff";

class Fuzzer {
 public:
  explicit Fuzzer(std::uint32_t seed) : m_rng(seed) {}
  std::size_t below(std::size_t n) { return n == 0 ? 0 : m_rng() % n; }
  bool coin() { return below(2) == 0; }
  char any_char() {
    switch (below(3)) {
      case 0: return kB64url[below(kB64url.size())];
      case 1: return kNasty[below(kNasty.size())];
      default: return static_cast<char>(m_rng());
    }
  }
  std::string random_text(std::size_t max_len) {
    std::string s(below(max_len + 1), '\0');
    for (auto& c : s) c = any_char();
    return s;
  }
  // 1-8 point mutations: replace, insert, delete, duplicate a slice, truncate.
  std::string mutate(std::string s) {
    const std::size_t rounds = 1 + below(8);
    for (std::size_t r = 0; r < rounds; ++r) {
      const std::size_t pos = below(s.size() + 1);
      switch (below(5)) {
        case 0: if (pos < s.size()) s[pos] = any_char(); break;
        case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), any_char()); break;
        case 2: if (pos < s.size()) s.erase(pos, 1 + below(4)); break;
        case 3: if (pos < s.size()) s.insert(pos, s.substr(pos, below(40))); break;
        default: s.resize(pos); break;
      }
    }
    return s;
  }
  json random_json(int depth) {
    switch (below(depth > 3 ? 5 : 7)) {
      case 0: return nullptr;
      case 1: return coin();
      case 2: return static_cast<std::int64_t>(m_rng()) - (1ll << 31);
      case 3: return static_cast<double>(m_rng()) / 7.0;
      case 4: return random_text(12);
      case 5: {
        json a = json::array();
        for (std::size_t i = below(4); i > 0; --i) a.push_back(random_json(depth + 1));
        return a;
      }
      default: {
        static const char* kNames[] = {"alg", "kid", "crit", "typ", "jwk", "b64", "zip", "iss", "sub",
                                       "aud", "exp", "nbf", "iat", "kty", "crv", "x", "y", "n", "e",
                                       "use", "key_ops", "keys", "d"};
        json o = json::object();
        for (std::size_t i = below(5); i > 0; --i) o[kNames[below(std::size(kNames))]] = random_json(depth + 1);
        return o;
      }
    }
  }
  std::mt19937& rng() { return m_rng; }

 private:
  std::mt19937 m_rng;
};

std::string b64(const std::string& s) { return base64url_encode(as_bytes(s)); }
// Random strings may hold invalid UTF-8, which nlohmann refuses to serialise: replace it (the
// byte-level mutations feed invalid UTF-8 to the parsers anyway).
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void check_error_hides_token(const Result<OidcClaims>& r, const std::string& token) {
  if (r || token.size() < 16) return;
  EXPECT_EQ(r.error().message.find(token), std::string::npos);
  EXPECT_EQ(r.error().detail.find(token), std::string::npos);
}

TEST(OidcFuzz, RandomAndMutatedTokensNeverCrashOrPass) {
  QS_REQUIRE_JWT_VECTORS(v);
  auto jwks = parse_jwks(v.jwks.at("main"));
  ASSERT_TRUE(jwks);
  std::vector<std::string> tokens;
  // Signing inputs (header.payload) of the tokens that verify. Two tokens over the same input
  // exist (ECDSA signatures are randomised), so a splice of one's input and the other's
  // signature is genuine too; what must never verify is content nobody signed.
  std::set<std::string> genuine;
  OidcExpectations expected{kIssuer, kAudience, std::nullopt};
  for (const auto& [name, token] : v.tokens) {
    tokens.push_back(token);
    if (verify_oidc_token(token, *jwks, expected, kNow)) genuine.insert(token.substr(0, token.rfind('.')));
  }
  ASSERT_GE(genuine.size(), kAlgs.size());
  const std::vector<std::string> algs = {"ES256", "ES384", "RS256", "PS512", "none", "HS256", "", "es256"};
  Fuzzer f(20260101);
  int accepted = 0;
  for (int i = 0; i < kIterations; ++i) {
    std::string token;
    const std::string& base = tokens[f.below(tokens.size())];
    switch (f.below(5)) {
      case 0: token = f.mutate(base); break;
      case 1: {  // splice the parts of three tokens
        auto part = [&](int k) {
          const std::string& t = tokens[f.below(tokens.size())];
          std::size_t start = 0;
          for (int j = 0; j < k; ++j) start = t.find('.', start) + 1;
          return t.substr(start, t.find('.', start) - start);
        };
        token = part(0) + "." + part(1) + "." + part(2);
        break;
      }
      case 2: token = f.random_text(200); break;
      case 3: {  // a well-formed shape with hostile JSON inside
        json header = f.random_json(0);
        if (f.coin()) header = json{{"alg", algs[f.below(algs.size())]}, {"kid", kid_for(kAlgs[f.below(kAlgs.size())])}};
        std::string signature(f.below(3) == 0 ? 64 : f.below(600), '\0');
        for (auto& c : signature) c = static_cast<char>(f.rng()());
        token = b64(dump(header)) + "." + b64(dump(f.random_json(0))) + "." + b64(signature);
        break;
      }
      default: {  // a genuine header and signature around a mutated payload
        const auto first = base.find('.');
        const auto last = base.rfind('.');
        token = base.substr(0, first + 1) + f.mutate(base.substr(first + 1, last - first - 1)) + base.substr(last);
        break;
      }
    }
    auto r = verify_oidc_token(token, *jwks, expected, kNow);
    if (r) {
      ++accepted;
      EXPECT_TRUE(genuine.count(token.substr(0, token.rfind('.'))))
          << "a token over content nobody signed was accepted (iteration " << i << ")";
    } else {
      EXPECT_TRUE(r.error().code == ErrorCode::invalid_input || r.error().code == ErrorCode::denied)
          << error_code_name(r.error().code) << ": " << r.error().message;
    }
    check_error_hides_token(r, token);
  }
  EXPECT_LT(accepted, kIterations / 10);  // a mutation that changes nothing is rare
}

TEST(OidcFuzz, RandomAndMutatedKeySetsNeverCrash) {
  QS_REQUIRE_JWT_VECTORS(v);
  // Structural mutations start from the small sets: each RSA import costs real time.
  std::vector<json> bases;
  for (const char* name : {"single", "two-rsa", "with-weak"}) bases.push_back(json::parse(v.jwks.at(name)));
  const std::vector<std::string> texts = {v.jwks.at("main"), v.jwks.at("single"), v.jwks.at("with-weak")};
  OidcExpectations expected{kIssuer, kAudience, std::nullopt};
  const std::string token = v.tokens.at("valid-ES256");
  Fuzzer f(7517);
  int parsed = 0;
  for (int i = 0; i < kIterations; ++i) {
    std::string text;
    switch (f.below(4)) {
      case 0: text = f.mutate(texts[f.below(texts.size())]); break;
      case 1: text = dump(f.random_json(0)); break;
      case 2: text = dump(json{{"keys", json::array({f.random_json(1), f.random_json(1)})}}); break;
      default: {  // one member of one key replaced, removed or corrupted
        json doc = bases[f.below(bases.size())];
        json& key = doc["keys"][f.below(doc["keys"].size())];
        static const char* kMembers[] = {"kty", "crv", "x", "y", "n", "e", "kid", "alg", "use", "key_ops", "d"};
        const char* member = kMembers[f.below(std::size(kMembers))];
        switch (f.below(3)) {
          case 0: key.erase(member); break;
          case 1: key[member] = f.random_json(2); break;
          default:
            if (key.contains(member) && key[member].is_string()) key[member] = f.mutate(key[member].get<std::string>());
            break;
        }
        text = dump(doc);
        break;
      }
    }
    auto jwks = parse_jwks(text);
    if (!jwks) {
      EXPECT_EQ(jwks.error().code, ErrorCode::invalid_input) << jwks.error().message;
      continue;
    }
    ++parsed;
    for (const auto& key : jwks->keys) ASSERT_NE(key.public_key, nullptr);
    (void)verify_oidc_token(token, *jwks, expected, kNow);  // must not crash with any parsed set
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace qualsig::identity
