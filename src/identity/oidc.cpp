#include "identity/oidc.h"

#include <array>
#include <cmath>

#include "core/canonical_json.h"
#include "identity/printable.h"

namespace qualsig::identity {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxHeaderDepth = 8;
constexpr std::size_t kMaxPayloadDepth = 32;
// NumericDate values accepted: 1970-01-01 up to 9999-12-31T23:59:59Z.
constexpr double kMaxNumericDate = 253402300799.0;

Unexpected malformed(std::string message) { return fail(ErrorCode::invalid_input, std::move(message)); }
Unexpected refused(std::string message, std::string detail = {}) {
  return fail(ErrorCode::denied, std::move(message), std::move(detail));
}

struct CompactJws {
  std::string_view signing_input;  // ASCII(BASE64URL(header) '.' BASE64URL(payload))
  Bytes header, payload, signature;
};

// RFC 7515 §7.1 compact serialisation; §5.2 steps 1-3 and 6-7 (decoding).
Result<CompactJws> split_compact(std::string_view jwt) {
  if (jwt.size() > kMaxTokenSize) {
    return malformed("token is larger than " + std::to_string(kMaxTokenSize) + " bytes");
  }
  std::array<std::string_view, 3> parts;
  std::size_t count = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= jwt.size(); ++i) {
    if (i == jwt.size() || jwt[i] == '.') {
      if (count < parts.size()) parts[count] = jwt.substr(start, i - start);
      ++count;
      start = i + 1;
    }
  }
  if (count != 3) {
    return malformed("token must be three base64url parts separated by dots (compact JWS, "
                     "RFC 7515 §7.1); it has " + std::to_string(count));
  }
  if (parts[0].empty() || parts[1].empty()) return malformed("token header or payload part is empty");
  static constexpr const char* kNames[] = {"header", "payload", "signature"};
  std::array<Bytes, 3> decoded;
  for (std::size_t i = 0; i < 3; ++i) {
    auto bytes = base64url_decode(parts[i]);
    if (!bytes) {
      return malformed(std::string("token ") + kNames[i] +
                       " is not strict unpadded base64url (RFC 7515 §2)");
    }
    decoded[i] = std::move(*bytes);
  }
  CompactJws out;
  out.signing_input = jwt.substr(0, parts[0].size() + 1 + parts[1].size());
  out.header = std::move(decoded[0]);
  out.payload = std::move(decoded[1]);
  out.signature = std::move(decoded[2]);
  return out;
}

struct Header {
  JwsAlgorithm alg = JwsAlgorithm::rs256;
  std::optional<std::string> kid;
};

// RFC 7515 §4.1, RFC 8725 §3.1.
Result<Header> parse_header(const Bytes& bytes) {
  auto parsed = core::parse_json_strict(to_string(bytes), kMaxHeaderDepth);
  if (!parsed) return malformed("token header: " + parsed.error().message);
  const json& h = *parsed;
  if (!h.is_object()) return malformed("token header is not a JSON object");
  auto alg = h.find("alg");
  if (alg == h.end()) return malformed("token header has no \"alg\" (RFC 7515 §4.1.1)");
  if (!alg->is_string()) return malformed("token header \"alg\" is not a string");
  Header out;
  QS_TRY(out.alg, jws_algorithm_from_name(alg->get_ref<const std::string&>()));
  // §4.1.11: "If any of the listed extension Header Parameters are not understood and supported
  // by the recipient, then the JWS is invalid." This verifier understands none.
  if (h.contains("crit")) {
    return malformed("token header \"crit\" lists extensions this verifier does not support "
                     "(RFC 7515 §4.1.11)");
  }
  // RFC 7797 unencoded payloads and compressed payloads (RFC 8725 §3.6) are not supported.
  if (auto b64 = h.find("b64"); b64 != h.end() && *b64 != true) {
    return malformed("token header \"b64\" other than true is not supported (RFC 7797)");
  }
  if (h.contains("zip")) return malformed("token header \"zip\" is not supported for JWS");
  if (auto kid = h.find("kid"); kid != h.end()) {
    if (!kid->is_string()) return malformed("token header \"kid\" is not a string");
    out.kid = kid->get<std::string>();
  }
  // "jwk", "jku", "x5u", "x5c" would name a key the token brings itself: never read.
  return out;
}

// RFC 8725 §3.1: "each key MUST be used with exactly one algorithm".
Result<void> check_key_fits(const Jwk& key, JwsAlgorithm alg) {
  const std::string name = key.key_id.empty() ? "the key" : "key id " + quote_untrusted(key.key_id);
  if (key.key_type != key_type_for(alg)) {
    return refused(name + " is an " + jwk_key_type_name(key.key_type) + " key; alg " +
                   jws_algorithm_name(alg) + " needs an " + jwk_key_type_name(key_type_for(alg)) + " key");
  }
  if (key.algorithm && *key.algorithm != jws_algorithm_name(alg)) {
    return refused(name + " is restricted to alg " + quote_untrusted(*key.algorithm) + ", the token uses " +
                   jws_algorithm_name(alg));
  }
  return ok();
}

Result<const Jwk*> select_key(const Jwks& jwks, const Header& header) {
  if (header.kid) {
    const Jwk* key = jwks.find(*header.kid);
    if (key == nullptr) {
      std::string detail;
      if (const IgnoredJwk* skipped = jwks.find_ignored(*header.kid)) {
        detail = "the JWKS entry with this kid was ignored: " + skipped->reason;
      }
      return refused("unknown key id " + quote_untrusted(*header.kid), std::move(detail));
    }
    QS_TRY_VOID(check_key_fits(*key, header.alg));
    return key;
  }
  const Jwk* found = nullptr;
  std::size_t fitting = 0;
  for (const auto& key : jwks.keys) {
    if (check_key_fits(key, header.alg)) {
      found = &key;
      ++fitting;
    }
  }
  if (fitting == 0) {
    return refused(std::string("token has no kid and no JWKS key fits alg ") + jws_algorithm_name(header.alg));
  }
  if (fitting > 1) {
    return refused("token has no kid and " + std::to_string(fitting) + " JWKS keys fit alg " +
                   jws_algorithm_name(header.alg) + "; a kid is needed to choose");
  }
  return found;
}

enum class Rounding { down, up };

// RFC 7519 §2 NumericDate: seconds since the epoch, "non-integer values can be represented".
// Fractions are rounded in the direction that makes the check stricter.
Result<std::optional<TimePoint>> numeric_date(const json& payload, const char* name, Rounding rounding) {
  auto it = payload.find(name);
  if (it == payload.end()) return std::optional<TimePoint>{};
  if (!it->is_number()) return malformed(std::string("claim \"") + name + "\" is not a NumericDate");
  double value = it->get<double>();
  if (!std::isfinite(value) || value < 0 || value > kMaxNumericDate) {
    return malformed(std::string("claim \"") + name + "\" is out of range");
  }
  value = rounding == Rounding::down ? std::floor(value) : std::ceil(value);
  return std::optional<TimePoint>{TimePoint(std::chrono::seconds(static_cast<std::int64_t>(value)))};
}

Result<std::string> required_string(const json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end()) return malformed(std::string("claim \"") + name + "\" is missing");
  if (!it->is_string()) return malformed(std::string("claim \"") + name + "\" is not a string");
  return it->get<std::string>();
}

// RFC 7519 §4.1.3: "the "aud" value MAY be a single case-sensitive string" or an array of them.
Result<std::vector<std::string>> audience_list(const json& payload) {
  auto it = payload.find("aud");
  if (it == payload.end()) return malformed("claim \"aud\" is missing");
  std::vector<std::string> out;
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
    return out;
  }
  if (!it->is_array()) return malformed("claim \"aud\" is neither a string nor an array");
  for (const auto& v : *it) {
    if (!v.is_string()) return malformed("claim \"aud\" holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<void> check_times(OidcClaims& claims, const json& payload, const OidcExpectations& expected,
                         TimePoint now) {
  QS_TRY(auto exp, numeric_date(payload, "exp", Rounding::down));
  QS_TRY(auto iat, numeric_date(payload, "iat", Rounding::up));
  QS_TRY(auto nbf, numeric_date(payload, "nbf", Rounding::up));
  if (!exp) return malformed("claim \"exp\" is missing (a workload token must expire)");
  if (!iat) return malformed("claim \"iat\" is missing (needed to bound the token lifetime)");
  claims.expires_at = *exp;
  claims.issued_at = *iat;
  claims.not_before = nbf.value_or(*iat);
  // §4.1.4: "the current date/time MUST be before the expiration date/time".
  if (now >= claims.expires_at + expected.leeway) {
    return refused("token expired at " + to_rfc3339(claims.expires_at) + " (checked at " +
                   to_rfc3339(now) + " with " + std::to_string(expected.leeway.count()) + "s leeway)");
  }
  // §4.1.5: "the current date/time MUST be after or equal to the not-before date/time".
  if (nbf && claims.not_before > now + expected.leeway) {
    return refused("token is not valid before " + to_rfc3339(claims.not_before) + " (checked at " +
                   to_rfc3339(now) + ")");
  }
  if (claims.issued_at > now + expected.leeway) {
    return refused("token is issued in the future, at " + to_rfc3339(claims.issued_at) +
                   " (checked at " + to_rfc3339(now) + ")");
  }
  if (claims.expires_at <= claims.issued_at) return refused("token expires before it is issued");
  const auto lifetime = claims.expires_at - claims.issued_at;
  if (lifetime > expected.max_lifetime) {
    return refused("token lifetime of " + std::to_string(lifetime.count()) + "s exceeds the maximum of " +
                   std::to_string(expected.max_lifetime.count()) + "s");
  }
  return ok();
}

Result<void> check_expectations(const OidcExpectations& expected) {
  if (expected.issuer.empty() || expected.audience.empty()) {
    return fail(ErrorCode::usage, "expected issuer and audience must not be empty");
  }
  if (expected.subject && expected.subject->empty()) {
    return fail(ErrorCode::usage, "expected subject, when given, must not be empty");
  }
  if (expected.leeway.count() < 0 || expected.max_lifetime.count() <= 0) {
    return fail(ErrorCode::usage, "leeway must not be negative and max_lifetime must be positive");
  }
  return ok();
}

}  // namespace

Result<OidcClaims> verify_oidc_token(std::string_view jwt, const Jwks& jwks,
                                     const OidcExpectations& expected, TimePoint now) {
  QS_TRY_VOID(check_expectations(expected));
  QS_TRY(CompactJws jws, split_compact(jwt));
  QS_TRY(Header header, parse_header(jws.header));
  if (jws.signature.empty()) return refused("token has an empty signature (unsecured JWT)");
  QS_TRY(const Jwk* key, select_key(jwks, header));
  QS_TRY_VOID(verify_jws_signature(header.alg, key->public_key.get(), jws.signing_input, jws.signature));

  // Only now, with the signature verified, is the payload read (RFC 7519 §7.2 steps 7-10).
  auto parsed = core::parse_json_strict(to_string(jws.payload), kMaxPayloadDepth);
  if (!parsed) return malformed("token payload: " + parsed.error().message);
  if (!parsed->is_object()) return malformed("token payload is not a JSON object");
  const json& payload = *parsed;

  OidcClaims claims;
  QS_TRY(claims.issuer, required_string(payload, "iss"));
  QS_TRY(claims.subject, required_string(payload, "sub"));
  QS_TRY(claims.audience, audience_list(payload));
  if (auto jti = payload.find("jti"); jti != payload.end()) {
    if (!jti->is_string()) return malformed("claim \"jti\" is not a string");
    claims.jwt_id = jti->get<std::string>();
  }
  // §4.1.1: "The "iss" value is a case-sensitive string".
  if (claims.issuer != expected.issuer) {
    return refused("issuer mismatch: expected " + quote_untrusted(expected.issuer) + ", token has " +
                   quote_untrusted(claims.issuer));
  }
  bool for_us = false;
  for (const auto& aud : claims.audience) for_us = for_us || aud == expected.audience;
  if (!for_us) return refused("audience mismatch: the token is not for " + quote_untrusted(expected.audience));
  if (expected.subject && claims.subject != *expected.subject) {
    return refused("subject mismatch: expected " + quote_untrusted(*expected.subject) + ", token has " +
                   quote_untrusted(claims.subject));
  }
  QS_TRY_VOID(check_times(claims, payload, expected, now));

  claims.claims = std::move(*parsed);
  claims.key_id = key->key_id;
  claims.algorithm = jws_algorithm_name(header.alg);
  return claims;
}

}  // namespace qualsig::identity
