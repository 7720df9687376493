// JAdES signing (ETSI TS 119 182-1 V1.1.1 §5, §6) on JWS (RFC 7515, RFC 7797).
#include "formats/jades.h"

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

Result<nlohmann::json> protected_header(const X509* cert, const AlgorithmChoice& choice, const SignOptions& options) {
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
  if (options.detached) {
    h["b64"] = false;
    crit.push_back("b64");
  }
  h["crit"] = std::move(crit);
  return h;
}

// TS 119 182-1 §5.3.4 sigTst: the message imprint is computed over the base64url-encoded JWS
// Signature Value (as DSS's JAdESTimestampSource does). The etsiU entry is the base64url of the
// JSON object {"sigTst": {"tstTokens": [{"val": base64(DER token)}]}} (§5.3.1, §5.3.4). verify_jws,
// run on the result, checks that the token's imprint is this one.
Result<std::string> signature_timestamp_entry(const std::string& encoded_signature, const SignOptions& options) {
  Bytes imprint = core::digest(options.timestamp_digest, as_bytes(encoded_signature));
  QS_TRY(Bytes token, options.timestamp(imprint, options.timestamp_digest));
  nlohmann::json sig_tst = {{"sigTst", {{"tstTokens", nlohmann::json::array({{{"val", base64_encode(token)}}})}}}};
  return base64url_encode(as_bytes(sig_tst.dump()));
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

}  // namespace

Result<std::string> sign_jws(ByteView payload, const X509* signer_cert, const hsm::Signer& signer,
                             const SignOptions& options) {
  if (signer_cert == nullptr) return fail(ErrorCode::usage, "JAdES: no signer certificate");
  if (options.level != Level::b_b && options.serialization == Serialization::compact)
    return fail(ErrorCode::usage, "JAdES B-T and B-LT need the JSON serialisation (the compact one has no unprotected header)");
  if (options.level != Level::b_b && !options.timestamp)
    return fail(ErrorCode::usage, "JAdES B-T and B-LT need a time-stamp function");
  if (options.level == Level::b_lt && options.validation_data.crls.empty() && options.validation_data.ocsp_responses.empty())
    return fail(ErrorCode::usage, "JAdES B-LT needs at least one CRL or OCSP response");
  QS_TRY_VOID(check_key_matches(signer_cert, signer));
  QS_TRY(AlgorithmChoice choice, algorithm_for(signer.key_type()));
  QS_TRY(nlohmann::json header, protected_header(signer_cert, choice, options));

  const std::string encoded_protected = base64url_encode(as_bytes(header.dump()));
  // RFC 7515 §5.1: signing input ASCII(BASE64URL(UTF8(protected)) || '.' || BASE64URL(payload));
  // RFC 7797 §3 with b64:false: the payload bytes themselves take the place of BASE64URL(payload).
  const std::string payload_part = options.detached ? std::string() : base64url_encode(payload);
  std::string signing_input = encoded_protected + ".";
  if (options.detached)
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
    if (!options.detached) jws["payload"] = payload_part;
    if (options.level != Level::b_b) {
      QS_TRY(std::string entry, signature_timestamp_entry(encoded_signature, options));
      nlohmann::json etsi_u = nlohmann::json::array({entry});
      if (options.level == Level::b_lt) validation_data_entries(options.validation_data, etsi_u);
      jws["header"] = {{"etsiU", std::move(etsi_u)}};
    }
    out = jws.dump();
  }

  // Check our own output with the parser and verifier every reader will use.
  std::optional<ByteView> detached;
  if (options.detached) detached = payload;
  auto verified = verify_jws(out, detached);
  if (!verified) {
    Error e = std::move(verified).error();
    // Malformed caller-supplied material (a time-stamp token, validation data) stays invalid_input.
    ErrorCode code = e.code == ErrorCode::invalid_input ? ErrorCode::invalid_input : ErrorCode::crypto;
    return fail(code, "JAdES: the new signature does not verify: " + e.message, e.detail);
  }
  return out;
}

}  // namespace qualsig::formats::jades
