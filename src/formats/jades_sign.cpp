// JAdES signing and extension (ETSI TS 119 182-1 V1.1.1 §5, §6) on JWS (RFC 7515, RFC 7797).
#include "formats/jades.h"

#include "formats/cades_internal.h"

namespace qualsig::formats::jades {
namespace {

struct AlgorithmChoice {
  JwsAlgorithm alg;
  core::DigestAlgorithm digest;
  hsm::SignatureScheme scheme;
  std::size_t ec_field_size;  // 0 for RSA
};

Result<AlgorithmChoice> algorithm_for(hsm::KeyType type) {
  switch (type) {
    // RFC 7518 §3.4: ES256 is ECDSA P-256 with SHA-256, ES384 P-384 with SHA-384.
    case hsm::KeyType::ec_p256:
      return AlgorithmChoice{JwsAlgorithm::es256, core::DigestAlgorithm::sha256, hsm::SignatureScheme::ecdsa, 32};
    case hsm::KeyType::ec_p384:
      return AlgorithmChoice{JwsAlgorithm::es384, core::DigestAlgorithm::sha384, hsm::SignatureScheme::ecdsa, 48};
    // RFC 7518 §3.5: PS256 is RSASSA-PSS with SHA-256, MGF1 SHA-256, salt length 32.
    case hsm::KeyType::rsa_3072:
    case hsm::KeyType::rsa_4096:
      return AlgorithmChoice{JwsAlgorithm::ps256, core::DigestAlgorithm::sha256, hsm::SignatureScheme::rsa_pss, 0};
  }
  return fail(ErrorCode::usage, "JAdES: the key type has no JWS algorithm");
}


// The certificate's public key must be the signer's.
Result<void> check_key_matches(const X509* cert, const hsm::Signer& signer) {
  const EVP_PKEY* cert_key = X509_get0_pubkey(cert);
  if (cert_key == nullptr || EVP_PKEY_eq(cert_key, signer.public_key()) != 1)
    return fail(ErrorCode::usage, "JAdES: the certificate's public key is not the signer's key");
  return ok();
}

// TS 119 182-1 §5.2.1 sigT: "UTC time ... in the format YYYY-MM-DDThh:mm:ssZ".
std::string sigt_text(TimePoint t) { return to_rfc3339(t); }

// "S256" / "S384" / "S512" (TS 119 182-1 §5.2.8.3.3 hashM, RFC 7518 hash names).
Result<std::string> hash_m(core::DigestAlgorithm digest) {
  switch (digest) {
    case core::DigestAlgorithm::sha256: return std::string("S256");
    case core::DigestAlgorithm::sha384: return std::string("S384");
    case core::DigestAlgorithm::sha512: return std::string("S512");
    default: break;
  }
  return fail(ErrorCode::usage, "JAdES sigD: the digest algorithm must be SHA-256, SHA-384 or SHA-512");
}

// TS 119 182-1 §5.2.8.3.3: {"mId": ObjectIdByURIHash, "pars": [URI...], "hashM": "S256",
// "hashV": [base64url digest...]}.
Result<nlohmann::json> sigd_header(const DetachedObjects& objects) {
  if (objects.uris.empty() || objects.uris.size() > 64 || objects.uris.size() != objects.digests.size())
    return fail(ErrorCode::usage, "JAdES sigD: 1 to 64 objects, each with one digest");
  QS_TRY(std::string name, hash_m(objects.digest));
  nlohmann::json pars = nlohmann::json::array(), hash_v = nlohmann::json::array();
  for (std::size_t i = 0; i < objects.uris.size(); ++i) {
    if (objects.uris[i].empty()) return fail(ErrorCode::usage, "JAdES sigD: an object has no URI");
    if (objects.digests[i].size() != core::digest_size(objects.digest))
      return fail(ErrorCode::usage, "JAdES sigD: a digest has the wrong size for " + name);
    pars.push_back(objects.uris[i]);
    hash_v.push_back(base64url_encode(objects.digests[i]));
  }
  return nlohmann::json{{"mId", kObjectIdByUriHash}, {"pars", std::move(pars)}, {"hashM", name}, {"hashV", std::move(hash_v)}};
}

Result<nlohmann::json> protected_header(const X509* cert, const AlgorithmChoice& choice, const SignOptions& options,
                                        const DetachedObjects* by_reference) {
  QS_TRY(Bytes cert_der, core::x509_to_der(cert));
  nlohmann::json h = nlohmann::json::object();
  h["alg"] = jws_algorithm_name(choice.alg);
  // RFC 7515 §4.1.9: "JOSE" / "JOSE+JSON" tell the compact and the JSON serialisation apart
  // (lower case as JAdES implementations such as DSS write them).
  h["typ"] = options.serialization == Serialization::compact ? "jose" : "jose+json";
  if (!options.content_type.empty()) h["cty"] = options.content_type;
  // RFC 7515 §4.1.8: base64url SHA-256 of the DER certificate (TS 119 182-1 §5.1.7 signing cert).
  h["x5t#S256"] = base64url_encode(core::sha256(cert_der));
  // RFC 7515 §4.1.6: "Each string in the array is a base64-encoded (Section 4 of [RFC4648] --
  // not base64url-encoded) DER PKIX certificate value", the signer's first.
  nlohmann::json x5c = nlohmann::json::array();
  x5c.push_back(base64_encode(cert_der));
  for (const X509* c : options.chain) {
    if (c == nullptr) return fail(ErrorCode::usage, "JAdES: null certificate in the chain");
    QS_TRY(Bytes der, core::x509_to_der(c));
    x5c.push_back(base64_encode(der));
  }
  h["x5c"] = std::move(x5c);
  h["sigT"] = sigt_text(options.signing_time);
  // TS 119 182-1 §5.2.1: sigT "shall be ... a critical header parameter"; RFC 7797 §6: "b64" MUST
  // be listed in crit when used.
  nlohmann::json crit = nlohmann::json::array({"sigT"});
  if (options.detached || by_reference != nullptr) {
    h["b64"] = false;
    crit.push_back("b64");
  }
  if (by_reference != nullptr) {
    // TS 119 182-1 §5.2.8.1: sigD "shall be a critical header parameter".
    QS_TRY(h["sigD"], sigd_header(*by_reference));
    crit.push_back("sigD");
  }
  h["crit"] = std::move(crit);
  return h;
}

// TS 119 182-1 §5.3.4 sigTst: the message imprint is computed over the base64url-encoded JWS
// Signature Value (as DSS's JAdESTimestampSource does). The etsiU entry is the base64url of the
// JSON object {"sigTst": {"tstTokens": [{"val": base64(DER token)}]}} (§5.3.1, §5.3.4). verify_jws,
// run on the result, checks that the token's imprint is this one.
Result<std::string> signature_timestamp_entry(const std::string& encoded_signature, const cades::TimestampFn& timestamp,
                                              core::DigestAlgorithm digest) {
  Bytes imprint = core::digest(digest, as_bytes(encoded_signature));
  QS_TRY(Bytes token, timestamp(imprint, digest));
  nlohmann::json sig_tst = {{"sigTst", {{"tstTokens", nlohmann::json::array({{{"val", base64_encode(token)}}})}}}};
  return base64url_encode(as_bytes(sig_tst.dump()));
}

// TS 119 182-1 §5.3.6.2 arcTst with timeStamped absent ("all", as DSS writes it); §5.3.6.3.1: the
// message imprint input is the payload as signed (`payload_section`: the base64url payload, or
// the payload itself with b64 false), '.', the base64url protected header, '.', the base64url
// signature value, '.', and every etsiU entry before the arcTst as it appears (base64url text),
// concatenated. The token must time-stamp exactly that digest.
Result<std::string> archive_timestamp_entry(std::string_view payload_section, const std::string& encoded_protected,
                                            const std::string& encoded_signature, const nlohmann::json& etsi_u,
                                            const cades::TimestampFn& timestamp, core::DigestAlgorithm digest) {
  std::string preceding;
  for (const auto& entry : etsi_u) {
    if (!entry.is_string())
      return fail(ErrorCode::invalid_input,
                  "JAdES: an etsiU entry is clear JSON; an arcTst over it needs a canonicalisation TS 119 182-1 does not fix");
    preceding += entry.get<std::string>();
  }
  const std::string input = archive_timestamp_input(payload_section, encoded_protected, encoded_signature, preceding);
  QS_TRY(Bytes token, cades::detail::request_timestamp(timestamp, core::digest(digest, as_bytes(input)), digest));
  nlohmann::json arc_tst = {{"arcTst", {{"tstTokens", nlohmann::json::array({{{"val", base64_encode(token)}}})}}}};
  return base64url_encode(as_bytes(arc_tst.dump()));
}

// Checks `out` with the parser and verifier every reader will use.
Result<void> verify_own(const std::string& out, std::optional<ByteView> detached, const DetachedObjects* by_reference) {
  auto verified = by_reference != nullptr ? verify_jws_by_reference(out, *by_reference) : verify_jws(out, detached);
  if (!verified) {
    Error e = std::move(verified).error();
    // Malformed caller-supplied material (a time-stamp token, validation data) stays invalid_input.
    ErrorCode code = e.code == ErrorCode::invalid_input ? ErrorCode::invalid_input : ErrorCode::crypto;
    return fail(code, "JAdES: the new signature does not verify: " + e.message, e.detail);
  }
  return ok();
}

// {"val": base64 DER}: the pkiOb form of TS 119 182-1 §5.3.5.1 without encoding / specRef (DER).
nlohmann::json pki_objects(const std::vector<Bytes>& items) {
  nlohmann::json list = nlohmann::json::array();
  for (const Bytes& item : items) list.push_back({{"val", base64_encode(item)}});
  return list;
}

// TS 119 182-1 §5.3.5.1 xVals: [{"x509Cert": pkiOb}, ...]; §5.3.5.2 rVals: {"crlVals": [pkiOb],
// "ocspVals": [pkiOb]}. Each is one base64url etsiU entry after the sigTst, as DSS writes them.
void validation_data_entries(const cades::ValidationData& data, nlohmann::json& etsi_u) {
  if (!data.certificates.empty()) {
    nlohmann::json x_vals = nlohmann::json::array();
    for (const Bytes& cert : data.certificates) x_vals.push_back({{"x509Cert", {{"val", base64_encode(cert)}}}});
    etsi_u.push_back(base64url_encode(as_bytes(nlohmann::json{{"xVals", std::move(x_vals)}}.dump())));
  }
  nlohmann::json r_vals = nlohmann::json::object();
  if (!data.crls.empty()) r_vals["crlVals"] = pki_objects(data.crls);
  if (!data.ocsp_responses.empty()) r_vals["ocspVals"] = pki_objects(data.ocsp_responses);
  etsi_u.push_back(base64url_encode(as_bytes(nlohmann::json{{"rVals", std::move(r_vals)}}.dump())));
}

// sign_jws and sign_jws_by_reference: with `by_reference` the payload is empty and the header
// names the objects (the signing input is BASE64URL(protected) || '.').
Result<std::string> sign_impl(ByteView payload, const DetachedObjects* by_reference, const X509* signer_cert,
                              const hsm::Signer& signer, const SignOptions& options) {
  if (signer_cert == nullptr) return fail(ErrorCode::usage, "JAdES: no signer certificate");
  if (options.level != Level::b_b && options.serialization == Serialization::compact)
    return fail(ErrorCode::usage, "JAdES B-T and above need the JSON serialisation (the compact one has no unprotected header)");
  if (options.level != Level::b_b && !options.timestamp)
    return fail(ErrorCode::usage, "JAdES B-T and above need a time-stamp function");
  if (options.level >= Level::b_lt && options.validation_data.crls.empty() && options.validation_data.ocsp_responses.empty())
    return fail(ErrorCode::usage, "JAdES B-LT and B-LTA need at least one CRL or OCSP response");
  QS_TRY_VOID(check_key_matches(signer_cert, signer));
  QS_TRY(AlgorithmChoice choice, algorithm_for(signer.key_type()));
  QS_TRY(nlohmann::json header, protected_header(signer_cert, choice, options, by_reference));
  // With sigD the objects are outside the JWS and its payload is empty (TS 119 182-1 §5.2.8).
  const bool detached = options.detached || by_reference != nullptr;

  const std::string encoded_protected = base64url_encode(as_bytes(header.dump()));
  // RFC 7515 §5.1: signing input ASCII(BASE64URL(UTF8(protected)) || '.' || BASE64URL(payload));
  // RFC 7797 §3 with b64:false: the payload bytes themselves take the place of BASE64URL(payload).
  const std::string payload_part = detached ? std::string() : base64url_encode(payload);
  std::string signing_input = encoded_protected + ".";
  if (detached)
    signing_input.append(reinterpret_cast<const char*>(payload.data()), payload.size());
  else
    signing_input += payload_part;

  Bytes hash = core::digest(choice.digest, as_bytes(signing_input));
  QS_TRY(Bytes raw_sig, signer.sign_digest(hash, choice.digest, choice.scheme));
  Bytes jose_sig = std::move(raw_sig);
  if (choice.scheme == hsm::SignatureScheme::ecdsa) {
    QS_TRY(Bytes converted, core::ecdsa_der_to_raw(jose_sig, choice.ec_field_size));  // RFC 7518 §3.4: R || S
    jose_sig = std::move(converted);
  }
  const std::string encoded_signature = base64url_encode(jose_sig);

  std::string out;
  if (options.serialization == Serialization::compact) {
    // RFC 7515 §7.1; RFC 7515 Appendix F: a detached payload leaves the middle part empty.
    out = encoded_protected + "." + payload_part + "." + encoded_signature;
  } else {
    // RFC 7515 §7.2.2 flattened JSON; a detached JWS has no "payload" member (Appendix F).
    nlohmann::json jws = {{"protected", encoded_protected}, {"signature", encoded_signature}};
    if (!detached) jws["payload"] = payload_part;
    if (options.level != Level::b_b) {
      QS_TRY(std::string entry, signature_timestamp_entry(encoded_signature, options.timestamp, options.timestamp_digest));
      nlohmann::json etsi_u = nlohmann::json::array({entry});
      if (options.level >= Level::b_lt) validation_data_entries(options.validation_data, etsi_u);
      if (options.level == Level::b_lta) {
        // With b64 false the payload itself is the payload section (RFC 7797 §3).
        const std::string_view section = detached
                                             ? std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size())
                                             : std::string_view(payload_part);
        QS_TRY(std::string arc, archive_timestamp_entry(section, encoded_protected, encoded_signature, etsi_u,
                                                        options.timestamp, options.timestamp_digest));
        etsi_u.push_back(std::move(arc));
      }
      jws["header"] = {{"etsiU", std::move(etsi_u)}};
    }
    out = jws.dump();
  }

  std::optional<ByteView> detached_payload;
  if (options.detached && by_reference == nullptr) detached_payload = payload;
  QS_TRY_VOID(verify_own(out, detached_payload, by_reference));
  return out;
}

}  // namespace

Result<std::string> sign_jws(ByteView payload, const X509* signer_cert, const hsm::Signer& signer,
                             const SignOptions& options) {
  return sign_impl(payload, nullptr, signer_cert, signer, options);
}

Result<std::string> sign_jws_by_reference(const DetachedObjects& objects, const X509* signer_cert, const hsm::Signer& signer,
                                          const SignOptions& options) {
  if (options.level == Level::b_lta)
    return fail(ErrorCode::usage, "JAdES B-LTA with sigD: the arcTst over objects by reference is not computed here");
  return sign_impl(ByteView(), &objects, signer_cert, signer, options);
}

std::string archive_timestamp_input(std::string_view payload_section, std::string_view encoded_protected,
                                    std::string_view encoded_signature, std::string_view preceding_entries) {
  std::string input;
  input.reserve(payload_section.size() + encoded_protected.size() + encoded_signature.size() + preceding_entries.size() + 3);
  input.append(payload_section).append(".").append(encoded_protected).append(".").append(encoded_signature).append(".");
  input.append(preceding_entries);
  return input;
}

cades::Level to_cades_level(Level level) {
  switch (level) {
    case Level::b_b: return cades::Level::b_b;
    case Level::b_t: return cades::Level::b_t;
    case Level::b_lt: return cades::Level::b_lt;
    case Level::b_lta: return cades::Level::b_lta;
  }
  return cades::Level::b_b;
}

Level from_cades_level(cades::Level level) {
  switch (level) {
    case cades::Level::b_b: return Level::b_b;
    case cades::Level::b_t: return Level::b_t;
    case cades::Level::b_lt: return Level::b_lt;
    case cades::Level::b_lta: return Level::b_lta;
  }
  return Level::b_b;
}

Level level_of(const JwsSignature& s) {
  if (s.archive_timestamps > 0) return Level::b_lta;
  if (!s.crl_values.empty() || !s.ocsp_values.empty()) return Level::b_lt;
  if (!s.signature_timestamps.empty()) return Level::b_t;
  return Level::b_b;
}

Result<Extended> extend_jws(std::string_view text, Level target, std::optional<ByteView> detached_payload,
                            const ExtendOptions& options) {
  if (target == Level::b_b) return fail(ErrorCode::usage, "JAdES: a signature is extended to B-T, B-LT or B-LTA");
  if (!options.timestamp) return fail(ErrorCode::usage, "JAdES: extending needs a time-stamp function");
  QS_TRY(JwsDocument doc, verify_jws(text, detached_payload));
  if (doc.signatures.size() != 1)
    return fail(ErrorCode::invalid_input, "JAdES: the JWS holds " + std::to_string(doc.signatures.size()) +
                                              " signatures; one is extended at a time");
  const JwsSignature& s = doc.signatures.front();
  const Level from = level_of(s);
  // B-LTA again adds a further arcTst over everything before it, the earlier ones included
  // (§5.3.6.3.1): the renewal of an archive time-stamp before its algorithms or TSA expire.
  if (from >= target && target != Level::b_lta)
    return fail(ErrorCode::conflict, "JAdES: the signature is already at or above the level asked for");
  if (target >= Level::b_lt && from < Level::b_lt && options.validation_data.crls.empty() &&
      options.validation_data.ocsp_responses.empty())
    return fail(ErrorCode::usage, "JAdES B-LT and B-LTA need at least one CRL or OCSP response");
  if (target == Level::b_lta && s.clear_etsi_u)
    return fail(ErrorCode::invalid_input,
                "JAdES: an etsiU entry is clear JSON; an arcTst over it needs a canonicalisation TS 119 182-1 does not fix");

  // The same protected header, payload and signature text; the unprotected header grows.
  nlohmann::json jws;
  nlohmann::json* sig = &jws;
  if (doc.serialization == Serialization::compact) {
    jws = {{"protected", s.encoded_protected}, {"signature", s.encoded_signature}};
    if (doc.payload) jws["payload"] = doc.payload_part;
  } else {
    jws = nlohmann::json::parse(text);  // parsed once already by verify_jws
    if (jws.contains("signatures")) sig = &jws["signatures"][0];
  }
  nlohmann::json& header = (*sig)["header"];
  if (!header.is_object()) header = nlohmann::json::object();
  nlohmann::json& etsi_u = header["etsiU"];
  if (!etsi_u.is_array()) etsi_u = nlohmann::json::array();
  if (from < Level::b_t) {
    QS_TRY(std::string entry, signature_timestamp_entry(s.encoded_signature, options.timestamp, options.timestamp_digest));
    etsi_u.push_back(std::move(entry));
  }
  if (target >= Level::b_lt && from < Level::b_lt) validation_data_entries(options.validation_data, etsi_u);
  if (target == Level::b_lta) {
    std::string section;
    if (doc.payload)
      section = doc.payload_part;
    else if (detached_payload)  // verify_jws required it for a detached JWS
      section = doc.b64 ? base64url_encode(*detached_payload) : to_string(*detached_payload);
    QS_TRY(std::string arc, archive_timestamp_entry(section, s.encoded_protected, s.encoded_signature, etsi_u,
                                                    options.timestamp, options.timestamp_digest));
    etsi_u.push_back(std::move(arc));
  }
  Extended out{jws.dump(), from};
  QS_TRY_VOID(verify_own(out.jws, detached_payload, nullptr));
  return out;
}

}  // namespace qualsig::formats::jades
