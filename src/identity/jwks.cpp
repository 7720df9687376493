#include "identity/jwks.h"

#include <openssl/core_names.h>

#include <set>

#include "core/canonical_json.h"
#include "identity/openssl_ext.h"
#include "identity/printable.h"

namespace qualsig::identity {
namespace {

using nlohmann::json;

// A JWKS nests three levels deep ({"keys":[{"key_ops":[...]}]}); allow some room for members
// the verifier ignores.
constexpr std::size_t kMaxJwksDepth = 8;

Unexpected skip(std::string reason) { return fail(ErrorCode::invalid_input, std::move(reason)); }

// Reads an optional string member: nullopt when absent, an error when of another type.
Result<std::optional<std::string>> optional_string(const json& entry, const char* name) {
  auto it = entry.find(name);
  if (it == entry.end()) return std::optional<std::string>{};
  if (!it->is_string()) return skip(std::string("\"") + name + "\" is not a string");
  return std::optional<std::string>{it->get<std::string>()};
}

// A required base64url member (RFC 7518 §6.2.1, §6.3.1: "Base64urlUInt" or fixed-size octets).
Result<Bytes> base64url_member(const json& entry, const char* name) {
  auto it = entry.find(name);
  if (it == entry.end()) return skip(std::string("member \"") + name + "\" is missing");
  if (!it->is_string()) return skip(std::string("member \"") + name + "\" is not a string");
  auto bytes = base64url_decode(it->get_ref<const std::string&>());
  if (!bytes) return skip(std::string("member \"") + name + "\" is not strict unpadded base64url");
  return std::move(*bytes);
}

// Imports a public key. EC keys also pass OpenSSL's public key check (SP 800-56A §5.6.2.3.3:
// on the curve, not the point at infinity). RSA keys get the cheap checks of parse_rsa() only:
// SP 800-56B's primality and small-factor tests cost milliseconds per key and protect nothing
// here, since whoever controls the issuer's JWKS can publish a sound key of their own.
Result<core::UniquePtr<EVP_PKEY>> key_from_params(const char* type, OSSL_PARAM_BLD* bld, bool check) {
  auto params = core::wrap(OSSL_PARAM_BLD_to_param(bld));
  auto ctx = core::wrap(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return fail(core::openssl_error(ErrorCode::crypto, "cannot prepare key import"));
  }
  EVP_PKEY* raw = nullptr;
  const int rc = EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get());
  auto key = core::wrap(raw);
  if (rc != 1 || !key) {
    core::drain_openssl_errors();
    return skip("OpenSSL refuses the public key");
  }
  if (!check) return key;
  auto checker = core::wrap(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!checker) return fail(core::openssl_error(ErrorCode::crypto, "out of memory"));
  if (EVP_PKEY_public_check(checker.get()) != 1) {
    core::drain_openssl_errors();
    return skip("the public key fails OpenSSL's public key check");
  }
  return key;
}

// RFC 7518 §6.3.1: "n" and "e" are Base64urlUInt; §2 "The octet sequence MUST utilize the
// minimum number of octets needed to represent the value".
Result<void> check_uint(const Bytes& value, const char* name) {
  if (value.empty()) return skip(std::string("member \"") + name + "\" is empty");
  if (value.front() == 0) return skip(std::string("member \"") + name + "\" has a leading zero octet");
  return ok();
}

Result<Jwk> parse_rsa(const json& entry, Jwk jwk) {
  QS_TRY(Bytes n, base64url_member(entry, "n"));
  QS_TRY(Bytes e, base64url_member(entry, "e"));
  QS_TRY_VOID(check_uint(n, "n"));
  QS_TRY_VOID(check_uint(e, "e"));
  if (n.size() > static_cast<std::size_t>(kMaxRsaBits / 8)) {
    return skip("RSA key larger than " + std::to_string(kMaxRsaBits) + " bits");
  }
  if (e.size() > 8) return skip("RSA public exponent longer than 64 bits");
  // RFC 8017 §3.1: n is a product of odd primes; e is odd and 3 <= e < n.
  if ((n.back() & 1) == 0) return skip("RSA modulus is even");
  if ((e.back() & 1) == 0 || (e.size() == 1 && e[0] < 3)) return skip("RSA public exponent must be odd and at least 3");
  auto n_bn = core::wrap(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  auto e_bn = core::wrap(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
  if (!n_bn || !e_bn) return fail(core::openssl_error(ErrorCode::crypto, "out of memory"));
  jwk.bits = BN_num_bits(n_bn.get());
  if (jwk.bits < kMinRsaBits) {
    return skip("RSA key of " + std::to_string(jwk.bits) + " bits; at least " +
                std::to_string(kMinRsaBits) + " required (RFC 7518 §3.3)");
  }
  auto bld = core::wrap(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n_bn.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e_bn.get()) != 1) {
    return fail(core::openssl_error(ErrorCode::crypto, "cannot build RSA key parameters"));
  }
  QS_TRY(jwk.public_key, key_from_params("RSA", bld.get(), /*check=*/false));
  jwk.key_type = JwkKeyType::rsa;
  return jwk;
}

Result<Jwk> parse_ec(const json& entry, Jwk jwk) {
  QS_TRY(auto crv, optional_string(entry, "crv"));
  if (!crv) return skip("member \"crv\" is missing");
  std::size_t field = 0;
  if (*crv == "P-256") {
    jwk.key_type = JwkKeyType::ec_p256;
    field = 32;
  } else if (*crv == "P-384") {
    jwk.key_type = JwkKeyType::ec_p384;
    field = 48;
  } else {
    return skip("curve " + quote_untrusted(*crv) + " is not supported (P-256 and P-384 are)");
  }
  QS_TRY(Bytes x, base64url_member(entry, "x"));
  QS_TRY(Bytes y, base64url_member(entry, "y"));
  // RFC 7518 §6.2.1.2: "The length of this octet string MUST be the full size of a coordinate
  // for the curve specified in the "crv" parameter."
  if (x.size() != field || y.size() != field) {
    return skip("\"x\" and \"y\" must be " + std::to_string(field) + " bytes each for " + *crv);
  }
  Bytes point;  // SEC 1 §2.3.3 uncompressed form 04 || X || Y
  point.reserve(1 + 2 * field);
  point.push_back(0x04);
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());
  auto bld = core::wrap(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, crv->c_str(), 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    return fail(core::openssl_error(ErrorCode::crypto, "cannot build EC key parameters"));
  }
  QS_TRY(jwk.public_key, key_from_params("EC", bld.get(), /*check=*/true));
  jwk.bits = static_cast<int>(field * 8);
  return jwk;
}

// Parses one entry of "keys"; an error is a reason to skip it (or, for ErrorCode::crypto, an
// OpenSSL failure that is no fault of the entry).
Result<Jwk> parse_entry(const json& entry) {
  Jwk jwk;
  QS_TRY(auto kid, optional_string(entry, "kid"));
  jwk.key_id = kid.value_or("");
  QS_TRY(auto kty, optional_string(entry, "kty"));
  if (!kty) return skip("member \"kty\" is missing");
  if (*kty != "RSA" && *kty != "EC") return skip("kty " + quote_untrusted(*kty) + " is not supported");

  // RFC 7518 §6.3.2 / §6.2.2: private key members. A verification key set has no business
  // holding them, and a key whose private half is published is compromised.
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    if (entry.contains(member)) {
      return skip(std::string("holds private key member \"") + member + "\"; a published private key is compromised");
    }
  }
  QS_TRY(jwk.use, optional_string(entry, "use"));
  if (jwk.use && *jwk.use != "sig") return skip("\"use\" is " + quote_untrusted(*jwk.use) + ", not \"sig\"");
  if (auto ops = entry.find("key_ops"); ops != entry.end()) {
    bool verify = false;
    if (!ops->is_array()) return skip("\"key_ops\" is not an array");
    for (const auto& op : *ops) {
      if (!op.is_string()) return skip("\"key_ops\" holds a non-string");
      if (op.get_ref<const std::string&>() == "verify") verify = true;
    }
    if (!verify) return skip("\"key_ops\" does not include \"verify\"");
  }
  QS_TRY(jwk.algorithm, optional_string(entry, "alg"));
  std::optional<JwsAlgorithm> alg;
  if (jwk.algorithm) {
    auto parsed = jws_algorithm_from_name(*jwk.algorithm);
    if (!parsed) return skip("alg " + quote_untrusted(*jwk.algorithm) + " is not accepted by this verifier");
    alg = *parsed;
  }

  QS_TRY(jwk, *kty == "RSA" ? parse_rsa(entry, std::move(jwk)) : parse_ec(entry, std::move(jwk)));
  if (alg && key_type_for(*alg) != jwk.key_type) {
    return skip("alg " + std::string(jws_algorithm_name(*alg)) + " does not fit a " +
                jwk_key_type_name(jwk.key_type) + " key");
  }
  return jwk;
}

}  // namespace

const Jwk* Jwks::find(std::string_view key_id) const {
  if (key_id.empty()) return nullptr;  // a kid-less key is never chosen by name
  for (const auto& key : keys) {
    if (key.key_id == key_id) return &key;
  }
  return nullptr;
}

const IgnoredJwk* Jwks::find_ignored(std::string_view key_id) const {
  if (key_id.empty()) return nullptr;
  for (const auto& entry : ignored) {
    if (entry.key_id == key_id) return &entry;
  }
  return nullptr;
}

Result<Jwks> parse_jwks(std::string_view text) {
  if (text.size() > kMaxJwksSize) {
    return fail(ErrorCode::invalid_input, "JWKS larger than " + std::to_string(kMaxJwksSize) + " bytes");
  }
  auto parsed = core::parse_json_strict(text, kMaxJwksDepth);
  if (!parsed) return fail(ErrorCode::invalid_input, "JWKS: " + parsed.error().message);
  const json& doc = *parsed;
  if (!doc.is_object()) return fail(ErrorCode::invalid_input, "JWKS is not a JSON object");
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) {
    return fail(ErrorCode::invalid_input, "JWKS has no \"keys\" array (RFC 7517 §5.1)");
  }
  if (keys->size() > kMaxJwksKeys) {
    return fail(ErrorCode::invalid_input, "JWKS has more than " + std::to_string(kMaxJwksKeys) + " keys");
  }

  Jwks out;
  std::set<std::string> kids;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const json& entry = (*keys)[i];
    if (!entry.is_object()) {
      return fail(ErrorCode::invalid_input, "JWKS keys[" + std::to_string(i) + "] is not a JSON object");
    }
    auto jwk = parse_entry(entry);
    if (!jwk) {
      if (jwk.error().code != ErrorCode::invalid_input) return fail(std::move(jwk).error());
      IgnoredJwk skipped{i, {}, jwk.error().message};
      if (auto kid = entry.find("kid"); kid != entry.end() && kid->is_string()) skipped.key_id = *kid;
      out.ignored.push_back(std::move(skipped));
      continue;
    }
    if (!jwk->key_id.empty() && !kids.insert(jwk->key_id).second) {
      return fail(ErrorCode::invalid_input,
                  "JWKS has two keys with kid " + quote_untrusted(jwk->key_id) + " (RFC 7517 §4.5)");
    }
    out.keys.push_back(std::move(*jwk));
  }
  if (out.keys.empty()) {
    std::string why;
    for (const auto& skipped : out.ignored) {
      if (why.size() > 400) break;
      why += "; keys[" + std::to_string(skipped.index) + "]: " + skipped.reason;
    }
    return fail(ErrorCode::invalid_input, "JWKS holds no usable key" + why);
  }
  return out;
}

}  // namespace qualsig::identity
