// Strict, bounded parsing of JWS (RFC 7515 §7) carrying JAdES headers (ETSI TS 119 182-1 V1.1.1).
#include <algorithm>
#include <array>

#include "core/canonical_json.h"
#include "formats/jades.h"

namespace qualsig::formats::jades {
namespace {

// Header parameters this implementation understands when they are listed in "crit"
// (RFC 7515 §4.1.11: a recipient MUST reject a JWS whose crit names one it does not understand).
constexpr std::array<std::string_view, 3> kUnderstoodCritical = {"sigT", "b64", "sigD"};
// Bound on x5c entries and etsiU entries, far above any real chain or unsigned properties list.
constexpr std::size_t kMaxArrayEntries = 64;

Unexpected bad(std::string message) { return fail(ErrorCode::invalid_input, "JWS: " + std::move(message)); }

// RFC 4648 §5 base64url without padding, strictly: only the URL-safe alphabet, and the text must be
// the canonical encoding of what it decodes to (no stray low bits), so two readers cannot disagree.
Result<Bytes> base64url_decode_strict(std::string_view text, std::string_view what) {
  auto decoded = base64url_decode(text);
  if (!decoded) return bad(std::string(what) + " is not base64url (RFC 4648 §5: unpadded, canonical)");
  return std::move(*decoded);
}

Result<nlohmann::json> decode_json_object(std::string_view encoded, std::string_view what) {
  QS_TRY(Bytes raw, base64url_decode_strict(encoded, what));
  auto parsed = core::parse_json_strict(to_string(raw), kMaxJsonDepth);
  if (!parsed) return bad(std::string(what) + ": " + parsed.error().message);
  if (!parsed->is_object()) return bad(std::string(what) + " is not a JSON object");
  return std::move(*parsed);
}

const std::string* string_member(const nlohmann::json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

// TS 119 182-1 §5.2.1: sigT is "YYYY-MM-DDThh:mm:ssZ".
Result<TimePoint> parse_sigt(const nlohmann::json& value) {
  if (!value.is_string()) return bad("sigT is not a string");
  const auto& s = value.get_ref<const std::string&>();
  auto t = parse_rfc3339(s);
  if (s.size() != 20 || s.back() != 'Z' || !t) return bad("sigT is not of the form YYYY-MM-DDThh:mm:ssZ");
  return *t;
}

// TS 119 182-1 §5.2.8.3.3 (ObjectIdByURIHash): {"mId": ..., "pars": [URI...], "hashM": "S256",
// "hashV": [base64url digest...], "ctys": [...]}; ctys, when present, has one entry per URI.
Result<DetachedObjects> parse_sigd(const nlohmann::json& value) {
  if (!value.is_object()) return bad("sigD is not a JSON object");
  const std::string* mid = string_member(value, "mId");
  if (mid == nullptr) return bad("sigD has no mId");
  if (*mid != kObjectIdByUriHash)
    return bad("sigD mechanism \"" + mid->substr(0, 64) + "\" is not supported (only ObjectIdByURIHash)");
  auto pars = value.find("pars");
  auto hash_v = value.find("hashV");
  if (pars == value.end() || !pars->is_array() || pars->empty() || pars->size() > kMaxArrayEntries)
    return bad("sigD pars is not an array of 1 to 64 entries");
  if (hash_v == value.end() || !hash_v->is_array() || hash_v->size() != pars->size())
    return bad("sigD hashV does not have one entry per pars entry");
  if (auto ctys = value.find("ctys"); ctys != value.end() && (!ctys->is_array() || ctys->size() != pars->size()))
    return bad("sigD ctys does not have one entry per pars entry");
  const std::string* hash_m = string_member(value, "hashM");
  DetachedObjects out;
  if (hash_m != nullptr && *hash_m == "S256") out.digest = core::DigestAlgorithm::sha256;
  else if (hash_m != nullptr && *hash_m == "S384") out.digest = core::DigestAlgorithm::sha384;
  else if (hash_m != nullptr && *hash_m == "S512") out.digest = core::DigestAlgorithm::sha512;
  else return bad("sigD hashM is not S256, S384 or S512");
  for (std::size_t i = 0; i < pars->size(); ++i) {
    if (!(*pars)[i].is_string() || (*pars)[i].get_ref<const std::string&>().empty()) return bad("sigD pars entry is not a URI");
    if (!(*hash_v)[i].is_string()) return bad("sigD hashV entry is not a string");
    QS_TRY(Bytes digest, base64url_decode_strict((*hash_v)[i].get_ref<const std::string&>(), "sigD hashV entry"));
    if (digest.size() != core::digest_size(out.digest)) return bad("sigD hashV entry is not a digest of the hashM size");
    out.uris.push_back((*pars)[i].get<std::string>());
    out.digests.push_back(std::move(digest));
  }
  return out;
}

Result<void> check_crit(const nlohmann::json& header) {
  auto crit = header.find("crit");
  if (crit == header.end()) return ok();
  // RFC 7515 §4.1.11: an array, never empty, of names present in the protected header.
  if (!crit->is_array() || crit->empty()) return bad("crit is not a non-empty array");
  for (const auto& name : *crit) {
    if (!name.is_string()) return bad("crit holds a non-string");
    const auto& n = name.get_ref<const std::string&>();
    if (std::find(kUnderstoodCritical.begin(), kUnderstoodCritical.end(), n) == kUnderstoodCritical.end())
      return bad("critical header parameter \"" + n + "\" is not understood");
    if (!header.contains(n)) return bad("critical header parameter \"" + n + "\" is absent");
  }
  return ok();
}

// DER of the given kind, strictly: OpenSSL decodes it and nothing trails it.
template <typename T, T* (*D2i)(T**, const unsigned char**, long), void (*Free)(T*)>
bool is_strict_der(const Bytes& der) {
  const unsigned char* p = der.data();
  std::unique_ptr<T, decltype(Free)> obj(D2i(nullptr, &p, static_cast<long>(der.size())), Free);
  bool ok = obj != nullptr && p == der.data() + der.size();
  if (!ok) core::drain_openssl_errors();
  return ok;
}

// [{"val": base64 DER}, ...] (TS 119 182-1 §5.3.5 pkiOb without encoding/specRef; §5.3.4 tstTokens).
Result<std::vector<Bytes>> pki_objects(const nlohmann::json* list, std::string_view what, bool (*strict)(const Bytes&)) {
  if (list == nullptr || !list->is_array() || list->empty() || list->size() > kMaxArrayEntries)
    return bad(std::string(what) + " is not an array of 1 to 64 entries");
  std::vector<Bytes> out;
  for (const auto& item : *list) {
    const std::string* val = item.is_object() ? string_member(item, "val") : nullptr;
    auto der = val != nullptr ? base64_decode(*val) : std::nullopt;
    if (!der || der->empty()) return bad(std::string(what) + " entry is not base64 text");
    if (strict != nullptr && !strict(*der)) return bad(std::string(what) + " entry is not strict DER of its type");
    out.push_back(std::move(*der));
  }
  return out;
}

const nlohmann::json* find_member(const nlohmann::json& obj, const char* name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

void append(std::vector<Bytes>& to, std::vector<Bytes> from) {
  for (auto& b : from) to.push_back(std::move(b));
}

// TS 119 182-1 §5.3.1: each etsiU entry is a JSON object with one member, or its base64url text.
// Read here: sigTst (§5.3.4) {"tstTokens": [pkiOb]}, xVals (§5.3.5.1) [{"x509Cert": pkiOb}],
// rVals (§5.3.5.2) {"crlVals": [pkiOb], "ocspVals": [pkiOb]}, cSig (§5.3.2, kept as text); other
// entries are skipped.
Result<void> read_etsi_u(const nlohmann::json& unprotected, JwsSignature& sig) {
  auto etsi_u = unprotected.find("etsiU");
  if (etsi_u == unprotected.end()) return ok();
  if (!etsi_u->is_array() || etsi_u->size() > kMaxArrayEntries) return bad("etsiU is not an array of at most 64 entries");
  for (const auto& raw_entry : *etsi_u) {
    nlohmann::json entry;
    if (raw_entry.is_string()) {
      QS_TRY(entry, decode_json_object(raw_entry.get_ref<const std::string&>(), "etsiU entry"));
    } else if (raw_entry.is_object()) {
      entry = raw_entry;
      sig.clear_etsi_u = true;
    } else {
      return bad("etsiU entry is neither an object nor base64url text");
    }
    if (const auto* sig_tst = find_member(entry, "sigTst")) {
      QS_TRY(auto tokens, pki_objects(find_member(*sig_tst, "tstTokens"), "sigTst tstTokens", nullptr));
      append(sig.signature_timestamps, std::move(tokens));
    }
    if (find_member(entry, "arcTst") != nullptr) ++sig.archive_timestamps;
    if (const auto* c_sig = find_member(entry, "cSig")) {
      if (c_sig->is_string())
        sig.counter_signatures.push_back(c_sig->get<std::string>());
      else if (c_sig->is_object())
        sig.counter_signatures.push_back(c_sig->dump());
      else
        return bad("cSig is neither a JWS JSON object nor a compact JWS");
    }
    if (const auto* x_vals = find_member(entry, "xVals")) {
      if (!x_vals->is_array() || x_vals->empty() || x_vals->size() > kMaxArrayEntries) return bad("xVals is not an array of 1 to 64 entries");
      for (const auto& x : *x_vals) {
        const auto* cert = find_member(x, "x509Cert");
        nlohmann::json one = cert != nullptr ? nlohmann::json::array({*cert}) : nlohmann::json();
        QS_TRY(auto certs, pki_objects(cert != nullptr ? &one : nullptr, "xVals x509Cert",
                                       &is_strict_der<X509, d2i_X509, X509_free>));
        append(sig.certificate_values, std::move(certs));
      }
    }
    if (const auto* r_vals = find_member(entry, "rVals")) {
      if (!r_vals->is_object()) return bad("rVals is not an object");
      if (const auto* crls = find_member(*r_vals, "crlVals")) {
        QS_TRY(auto v, pki_objects(crls, "rVals crlVals", &is_strict_der<X509_CRL, d2i_X509_CRL, X509_CRL_free>));
        append(sig.crl_values, std::move(v));
      }
      if (const auto* ocsp = find_member(*r_vals, "ocspVals")) {
        QS_TRY(auto v, pki_objects(ocsp, "rVals ocspVals", &is_strict_der<OCSP_RESPONSE, d2i_OCSP_RESPONSE, OCSP_RESPONSE_free>));
        append(sig.ocsp_values, std::move(v));
      }
    }
  }
  return ok();
}

Result<JwsSignature> parse_signature(const nlohmann::json* encoded_protected, const nlohmann::json* unprotected,
                                     const nlohmann::json* encoded_signature) {
  if (encoded_protected == nullptr || !encoded_protected->is_string())
    return bad("no protected header (JAdES signs alg and the signing certificate in it)");
  if (encoded_signature == nullptr || !encoded_signature->is_string()) return bad("no signature value");
  JwsSignature sig;
  sig.encoded_protected = encoded_protected->get<std::string>();
  sig.encoded_signature = encoded_signature->get<std::string>();
  QS_TRY(sig.protected_header, decode_json_object(sig.encoded_protected, "protected header"));
  QS_TRY(sig.signature, base64url_decode_strict(sig.encoded_signature, "signature"));
  sig.unprotected_header = nlohmann::json::object();
  if (unprotected != nullptr) {
    if (!unprotected->is_object()) return bad("unprotected header is not a JSON object");
    sig.unprotected_header = *unprotected;
    // RFC 7515 §7.2.1: "The Header Parameter names in the two locations MUST be disjoint."
    for (const auto& [name, value] : unprotected->items())
      if (sig.protected_header.contains(name)) return bad("header parameter \"" + name + "\" is both protected and unprotected");
  }
  const nlohmann::json& h = sig.protected_header;
  const std::string* alg = string_member(h, "alg");
  if (alg == nullptr) return bad("protected header has no alg");
  QS_TRY(sig.alg, parse_jws_algorithm(*alg));
  QS_TRY_VOID(check_crit(h));
  if (auto b64 = h.find("b64"); b64 != h.end()) {
    if (!b64->is_boolean()) return bad("b64 is not a boolean");
    // RFC 7797 §6: b64 "MUST" be listed in crit.
    if (!h.contains("crit") || std::find(h["crit"].begin(), h["crit"].end(), "b64") == h["crit"].end())
      return bad("b64 is not listed in crit");
  }
  if (auto x5c = h.find("x5c"); x5c != h.end()) {
    if (!x5c->is_array() || x5c->empty() || x5c->size() > kMaxArrayEntries) return bad("x5c is not an array of 1 to 64 entries");
    for (const auto& entry : *x5c) {
      // RFC 7515 §4.1.6: base64 (not base64url) DER certificates.
      auto der = entry.is_string() ? base64_decode(entry.get_ref<const std::string&>()) : std::nullopt;
      if (!der) return bad("x5c entry is not base64 text");
      if (!core::x509_from_der(*der)) return bad("x5c entry is not a DER certificate");
      sig.x5c.push_back(std::move(*der));
    }
  }
  if (auto x5t = h.find("x5t#S256"); x5t != h.end()) {
    if (!x5t->is_string()) return bad("x5t#S256 is not a string");
    QS_TRY(Bytes thumb, base64url_decode_strict(x5t->get_ref<const std::string&>(), "x5t#S256"));
    if (thumb.size() != 32) return bad("x5t#S256 is not a SHA-256 digest");
    sig.x5t_s256 = std::move(thumb);
  }
  if (auto sigt = h.find("sigT"); sigt != h.end()) {
    QS_TRY(sig.signing_time, parse_sigt(*sigt));
  }
  if (auto sigd = h.find("sigD"); sigd != h.end()) {
    QS_TRY(sig.sigd, parse_sigd(*sigd));
  }
  QS_TRY_VOID(read_etsi_u(sig.unprotected_header, sig));
  return sig;
}

Result<JwsDocument> parse_json_serialization(std::string_view text) {
  auto parsed = core::parse_json_strict(text, kMaxJsonDepth);
  if (!parsed) return bad(parsed.error().message);
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return bad("JSON serialisation is not an object");
  auto member = [&](const nlohmann::json& obj, const char* name) -> const nlohmann::json* {
    auto it = obj.find(name);
    return it == obj.end() ? nullptr : &*it;
  };
  JwsDocument doc;
  doc.serialization = Serialization::json;
  if (const auto* sigs = member(j, "signatures")) {
    // RFC 7515 §7.2.1 general syntax; §7.2.2: flattened members MUST NOT appear with it.
    if (member(j, "signature") != nullptr || member(j, "protected") != nullptr) return bad("general and flattened syntax mixed");
    if (!sigs->is_array() || sigs->empty() || sigs->size() > kMaxArrayEntries) return bad("signatures is not an array of 1 to 64 entries");
    for (const auto& s : *sigs) {
      if (!s.is_object()) return bad("a signatures entry is not an object");
      QS_TRY(JwsSignature sig, parse_signature(member(s, "protected"), member(s, "header"), member(s, "signature")));
      doc.signatures.push_back(std::move(sig));
    }
  } else {
    QS_TRY(JwsSignature sig, parse_signature(member(j, "protected"), member(j, "header"), member(j, "signature")));
    doc.signatures.push_back(std::move(sig));
  }
  if (const auto* payload = member(j, "payload")) {
    if (!payload->is_string()) return bad("payload is not a string");
    doc.payload_part = payload->get<std::string>();
    doc.payload = Bytes{};
  }
  return doc;
}

Result<JwsDocument> parse_compact(std::string_view text) {
  auto first = text.find('.');
  auto second = first == std::string_view::npos ? first : text.find('.', first + 1);
  if (second == std::string_view::npos || text.find('.', second + 1) != std::string_view::npos)
    return bad("compact serialisation does not have exactly three parts");
  nlohmann::json prot = std::string(text.substr(0, first));
  nlohmann::json sig = std::string(text.substr(second + 1));
  JwsDocument doc;
  doc.serialization = Serialization::compact;
  QS_TRY(JwsSignature parsed, parse_signature(&prot, nullptr, &sig));
  doc.signatures.push_back(std::move(parsed));
  doc.payload_part = std::string(text.substr(first + 1, second - first - 1));
  // RFC 7515 Appendix F: an empty payload part means detached content.
  if (!doc.payload_part.empty()) doc.payload = Bytes{};
  return doc;
}

}  // namespace

const char* jws_algorithm_name(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::es256: return "ES256";
    case JwsAlgorithm::es384: return "ES384";
    case JwsAlgorithm::ps256: return "PS256";
    case JwsAlgorithm::rs256: return "RS256";
  }
  return "?";
}

Result<JwsAlgorithm> parse_jws_algorithm(std::string_view name) {
  for (JwsAlgorithm alg : {JwsAlgorithm::es256, JwsAlgorithm::es384, JwsAlgorithm::ps256, JwsAlgorithm::rs256})
    if (name == jws_algorithm_name(alg)) return alg;
  // RFC 7518 §3.6 "none" is an unsecured JWS: never a signature.
  return bad("unsupported alg \"" + std::string(name.substr(0, 32)) + "\"");
}

Result<JwsDocument> parse_jws(std::string_view text) {
  if (text.size() > kMaxJwsSize) return bad("larger than 16 MiB");
  auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return bad("empty input");
  // RFC 7515 §7: the JSON serialisations are objects; anything else that is JSON (an array) is
  // handed to the JSON parser too, so that it is refused as JSON, within the depth bound.
  const bool json = text[start] == '{' || text[start] == '[';
  QS_TRY(JwsDocument doc, json ? parse_json_serialization(text) : parse_compact(text));
  // RFC 7797 §3: b64 "MUST have the same value for all JWS Signature values" of a JWS.
  auto b64_of = [](const JwsSignature& s) { return s.protected_header.value("b64", true); };
  doc.b64 = b64_of(doc.signatures.front());
  for (const auto& s : doc.signatures)
    if (b64_of(s) != doc.b64) return bad("b64 differs between signatures");
  // TS 119 182-1 §5.2.8: with sigD the data objects are detached; the JWS payload is empty.
  for (const auto& s : doc.signatures)
    if (s.sigd && !doc.payload_part.empty()) return bad("sigD names detached objects but the payload is not empty");
  if (doc.payload) {
    if (doc.b64) {
      QS_TRY(doc.payload, base64url_decode_strict(doc.payload_part, "payload"));
    } else {
      doc.payload = to_bytes(doc.payload_part);
    }
  }
  return doc;
}

}  // namespace qualsig::formats::jades
