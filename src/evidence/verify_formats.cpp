// Signature step of verify_bundle for the formats other than CAdES: the signature over the
// document, the signer's chain and the time-stamps, each in the form its standard defines.
//   JAdES (ETSI TS 119 182-1): the JWS verifies with x5c[0], which is the bundle's signer; every
//   sigTst token time-stamps the ASCII base64url signature value (§5.3.4).
#include "core/digest.h"
#include "evidence/verify_detail.h"
#include "formats/jades.h"

namespace qualsig::evidence::detail {
namespace {

namespace jades = formats::jades;

const char* jades_level(const jades::JwsSignature& s) {
  if (s.signature_timestamps.empty()) return "B-B";
  return s.crl_values.empty() && s.ocsp_values.empty() ? "B-T" : "B-LT";
}

void verify_jades(Context& c, const std::optional<Bytes>& content, const std::optional<DocumentHash>& hash) {
  const Bundle& b = c.bundle;
  std::string_view text(reinterpret_cast<const char*>(b.signature.data()), b.signature.size());
  auto parsed = jades::parse_jws(text);
  if (!parsed || parsed->signatures.size() != 1) {
    find_signing_time(c, std::nullopt);
    c.check("signature", false, parsed ? "the JWS has " + std::to_string(parsed->signatures.size()) + " signatures, not one"
                                       : "the signature is not a JAdES signature: " + parsed.error().message);
    check_chain(c, nullptr);
    c.check("timestamps", false, "the signature does not parse, so its time-stamps cannot be checked");
    return;
  }
  const jades::JwsSignature& sig = parsed->signatures.front();
  find_signing_time(c, sig.signing_time);
  bool detached = !parsed->payload.has_value();
  std::optional<ByteView> payload;
  if (detached && content) payload = ByteView(*content);
  bool ok = false;
  std::string detail;
  if (detached && !content) {
    detail = "the payload is detached and the document is not included: the JWS cannot be verified";
  } else if (auto verified = jades::verify_jws(text, payload); !verified) {
    detail = "the JWS does not verify: " + verified.error().message;
  } else if (!detached && content && *parsed->payload != *content) {
    detail = "the JWS payload is not the bundled document";
  } else if (!detached && !content && (!hash || core::digest(hash->alg, *parsed->payload) != hash->value)) {
    detail = "the JWS payload does not have the document hash " + b.document_hash;
  } else if (detached != b.detached) {
    detail = std::string("the JWS is ") + (detached ? "detached" : "attached") + ", the bundle says otherwise";
  } else if (jades_level(sig) != b.level) {
    detail = std::string("the JWS is at level ") + jades_level(sig) + ", the bundle says " + b.level;
  } else if (sig.signing_time && c.signing_time && *sig.signing_time != *c.signing_time) {
    detail = "sigT " + to_rfc3339(*sig.signing_time) + " is not the time of the signature.produced entry " + to_rfc3339(*c.signing_time);
  } else {
    ok = true;
    detail = std::string("the JWS (") + jades::jws_algorithm_name(sig.alg) + ") verifies over the " +
             (detached ? "detached payload" : "payload") + " with x5c[0]; " + jades_level(sig) + ", sigT " +
             (sig.signing_time ? to_rfc3339(*sig.signing_time) : std::string("absent"));
  }
  c.check("signature", ok, detail);
  check_chain(c, sig.x5c.empty() ? nullptr : &sig.x5c.front());
  if (sig.signature_timestamps.empty()) {
    bool none_ok = b.level == "B-B";
    c.check("timestamps", none_ok, none_ok ? "none (level B-B)" : "the bundle says " + b.level + " but the JWS has no sigTst");
    return;
  }
  for (std::size_t k = 0; k < sig.signature_timestamps.size(); ++k) {
    // TS 119 182-1 §5.3.4: the imprint is over the base64url-encoded JWS signature value.
    check_token(c, "sigTst[" + std::to_string(k) + "]", sig.signature_timestamps[k], [&](core::DigestAlgorithm alg) -> Result<Bytes> {
      return core::digest(alg, ByteView(reinterpret_cast<const unsigned char*>(sig.encoded_signature.data()), sig.encoded_signature.size()));
    });
  }
}

}  // namespace

void verify_other_format(Context& c, const std::optional<Bytes>& content, const std::optional<DocumentHash>& hash) {
  const Bundle& b = c.bundle;
  if (b.format == "jades") {
    verify_jades(c, content, hash);
    return;
  }
  find_signing_time(c, std::nullopt);
  c.check("signature", false, "format '" + b.format + "' is not verified by this version");
  check_chain(c, nullptr);
  c.check("timestamps", false, "format '" + b.format + "' is not verified by this version");
}

}  // namespace qualsig::evidence::detail
