// Cryptographic verification of a parsed JWS (RFC 7515 §5.2) and of its JAdES sigTst imprints
// (ETSI TS 119 182-1 V1.1.1 §5.3.4), with OpenSSL.
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>

#include <algorithm>

#include "formats/jades.h"

namespace qualsig::formats::jades {
namespace {

struct VerifyParams {
  const EVP_MD* md;
  bool pss;
  int ec_curve_nid;  // NID_undef for RSA
};

VerifyParams params_for(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::es256: return {EVP_sha256(), false, NID_X9_62_prime256v1};
    case JwsAlgorithm::es384: return {EVP_sha384(), false, NID_secp384r1};
    case JwsAlgorithm::ps256: return {EVP_sha256(), true, NID_undef};
    case JwsAlgorithm::rs256: return {EVP_sha256(), false, NID_undef};
  }
  return {EVP_sha256(), false, NID_undef};
}

int curve_nid(const EVP_PKEY* key) {
  char name[64] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, "group", name, sizeof(name), &len) != 1) return NID_undef;
  return OBJ_sn2nid(name) != NID_undef ? OBJ_sn2nid(name) : EC_curve_nist2nid(name);
}

// RFC 7515 §5.2 step 8: verify the signature over ASCII(protected '.' payload-part) with the key
// of x5c[0]. The JOSE ECDSA form r||s (RFC 7518 §3.4) is turned back into DER for OpenSSL.
Result<void> verify_signature(const JwsSignature& sig, std::string_view signing_input) {
  if (sig.x5c.empty()) return fail(ErrorCode::invalid_input, "JWS: no x5c certificate to verify the signature with");
  QS_TRY(auto cert, core::x509_from_der(sig.x5c.front()));
  // RFC 7515 §4.1.8: x5t#S256 is the SHA-256 thumbprint of the signer's DER certificate.
  if (sig.x5t_s256 && *sig.x5t_s256 != core::sha256(sig.x5c.front()))
    return fail(ErrorCode::denied, "JWS: x5t#S256 does not match the x5c signer certificate");
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key == nullptr) return core::openssl_error(ErrorCode::invalid_input, "JWS: the x5c certificate's key cannot be read");
  const VerifyParams p = params_for(sig.alg);
  Bytes sig_der = sig.signature;
  if (p.ec_curve_nid != NID_undef) {
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || curve_nid(key) != p.ec_curve_nid)
      return fail(ErrorCode::denied, std::string("JWS: the certificate's key does not fit alg ") + jws_algorithm_name(sig.alg));
    const std::size_t field = p.ec_curve_nid == NID_X9_62_prime256v1 ? 32 : 48;
    if (sig.signature.size() != 2 * field) return fail(ErrorCode::denied, "JWS: ECDSA signature value has the wrong length");
    QS_TRY(sig_der, hsm::ecdsa_raw_to_der(sig.signature));
  } else if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    return fail(ErrorCode::denied, std::string("JWS: the certificate's key does not fit alg ") + jws_algorithm_name(sig.alg));
  }
  auto ctx = core::wrap(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, p.md, nullptr, key) != 1)
    return core::openssl_error(ErrorCode::crypto, "JWS: cannot start verification");
  // RFC 7518 §3.5: PSS with MGF1 over the same hash and "a salt value of the same size as the hash".
  if (p.pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
                EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, p.md) != 1))
    return core::openssl_error(ErrorCode::crypto, "JWS: cannot set up RSASSA-PSS");
  int rc = EVP_DigestVerify(ctx.get(), sig_der.data(), sig_der.size(),
                            reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  if (rc != 1) {
    core::drain_openssl_errors();
    return fail(ErrorCode::denied, "JWS: the signature does not verify with the x5c certificate");
  }
  return ok();
}

// TS 119 182-1 §5.3.4: the sigTst message imprint is over the base64url JWS Signature Value.
Result<void> verify_timestamp_imprint(const Bytes& token, const std::string& encoded_signature) {
  const unsigned char* p = token.data();
  std::unique_ptr<PKCS7, decltype(&PKCS7_free)> p7(d2i_PKCS7(nullptr, &p, static_cast<long>(token.size())), &PKCS7_free);
  if (!p7 || p != token.data() + token.size())
    return core::openssl_error(ErrorCode::invalid_input, "JWS: a sigTst token is not a DER CMS ContentInfo");
  std::unique_ptr<TS_TST_INFO, decltype(&TS_TST_INFO_free)> info(PKCS7_to_TS_TST_INFO(p7.get()), &TS_TST_INFO_free);
  if (!info) return core::openssl_error(ErrorCode::invalid_input, "JWS: a sigTst token holds no TSTInfo");
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info.get());
  const EVP_MD* md = EVP_get_digestbyobj(TS_MSG_IMPRINT_get_algo(imprint)->algorithm);
  if (md == nullptr) return fail(ErrorCode::invalid_input, "JWS: a sigTst token uses an unknown digest algorithm");
  unsigned char expected[EVP_MAX_MD_SIZE];
  unsigned int expected_len = 0;
  if (EVP_Digest(encoded_signature.data(), encoded_signature.size(), expected, &expected_len, md, nullptr) != 1)
    return core::openssl_error(ErrorCode::crypto, "JWS: cannot hash the signature value");
  const ASN1_OCTET_STRING* msg = TS_MSG_IMPRINT_get_msg(imprint);
  if (static_cast<unsigned int>(ASN1_STRING_length(msg)) != expected_len ||
      !std::equal(expected, expected + expected_len, ASN1_STRING_get0_data(msg)))
    return fail(ErrorCode::denied, "JWS: a sigTst time-stamp does not cover the signature value");
  return ok();
}

}  // namespace

Result<JwsDocument> verify_jws(std::string_view text, std::optional<ByteView> detached_payload) {
  QS_TRY(JwsDocument doc, parse_jws(text));
  for (const auto& s : doc.signatures)
    if (s.sigd)
      return fail(ErrorCode::invalid_input, "JWS: sigD (detached objects by reference) is checked by qualsig verify only");
  if (!doc.payload && !detached_payload) return fail(ErrorCode::usage, "JWS: detached payload needed to verify");
  if (doc.payload && detached_payload) return fail(ErrorCode::usage, "JWS: the payload is attached; no detached payload expected");
  // RFC 7515 §5.1 step 5 / RFC 7797 §3: with b64 the payload part is BASE64URL(payload), without
  // it the payload bytes themselves.
  std::string payload_input;
  if (doc.payload) {
    payload_input = doc.payload_part;
  } else if (doc.b64) {
    payload_input = base64url_encode(*detached_payload);
  } else {
    payload_input = to_string(*detached_payload);
  }
  for (const JwsSignature& sig : doc.signatures) {
    QS_TRY_VOID(verify_signature(sig, sig.encoded_protected + "." + payload_input));
    for (const Bytes& token : sig.signature_timestamps) QS_TRY_VOID(verify_timestamp_imprint(token, sig.encoded_signature));
  }
  return doc;
}

Result<JwsDocument> verify_jws_by_reference(std::string_view text, const DetachedObjects& expected) {
  QS_TRY(JwsDocument doc, parse_jws(text));
  // parse_jws refuses a sigD with a non-empty payload; a JWS without sigD signs its payload.
  for (const JwsSignature& sig : doc.signatures) {
    if (!sig.sigd) return fail(ErrorCode::invalid_input, "JWS: a signature has no sigD (it does not sign objects by reference)");
    if (sig.sigd->digest != expected.digest || sig.sigd->uris != expected.uris || sig.sigd->digests != expected.digests)
      return fail(ErrorCode::denied, "JWS: sigD does not name the expected objects and digests");
    // TS 119 182-1 §5.2.8: with sigD the JWS Payload is empty.
    QS_TRY_VOID(verify_signature(sig, sig.encoded_protected + "."));
    for (const Bytes& token : sig.signature_timestamps) QS_TRY_VOID(verify_timestamp_imprint(token, sig.encoded_signature));
  }
  return doc;
}

}  // namespace qualsig::formats::jades
