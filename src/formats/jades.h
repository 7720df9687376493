#pragma once
// JAdES digital signatures, ETSI TS 119 182-1 V1.1.1 baseline levels B-B, B-T, B-LT and B-LTA, on
// JSON Web Signatures (RFC 7515), with unencoded detached payloads (RFC 7797).
//
// * Signing goes through hsm::Signer::sign_digest: the key stays in the token. P-256 keys sign
//   with ES256, P-384 keys with ES384, RSA keys with PS256 (RFC 7518 §3.4, §3.5).
// * The protected header holds alg, typ, cty (optional), x5t#S256, x5c, sigT and crit
//   (TS 119 182-1 §5.1, §5.2.1); a detached signature also holds b64:false (RFC 7797 §3).
// * B-T adds a sigTst (TS 119 182-1 §5.3.4) inside the unprotected etsiU header; the compact
//   serialisation has no unprotected header, so B-T needs the JSON serialisation. B-LT adds
//   xVals and rVals (§5.3.5.1, §5.3.5.2) to etsiU, B-LTA an arcTst (§5.3.6) over the payload, the
//   protected header, the signature value and every etsiU entry before it. Every etsiU entry
//   written here is base64url text, the form whose arcTst imprint §5.3.6.3.1 defines.
// * extend_jws raises an existing JAdES signature to B-T, B-LT or B-LTA.
// * Time-stamps come from a cades::TimestampFn (formats/ knows no TSA).
//
// Every function takes whole buffers, keeps nothing between calls and is thread-safe. Untrusted
// JWS text is bounded: at most kMaxJwsSize bytes and JSON nesting depth kMaxJsonDepth.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "core/digest.h"
#include "core/openssl.h"
#include "core/result.h"
#include "core/time.h"
#include "formats/cades.h"
#include "hsm/signer.h"

namespace qualsig::formats::jades {

// Largest JWS text parse_jws accepts (16 MiB).
inline constexpr std::size_t kMaxJwsSize = 16u << 20;
// Deepest JSON nesting accepted in a JWS and in its headers (the top-level object is depth 1).
inline constexpr std::size_t kMaxJsonDepth = 32;

// TS 119 182-1 §6 baseline levels produced here.
enum class Level { b_b, b_t, b_lt, b_lta };

// RFC 7515 §7.1 compact or §7.2.2 flattened JSON serialisation.
enum class Serialization { compact, json };

// JWS "alg" values (RFC 7518 §3.1). Signing produces es256, es384 and ps256; verification also
// accepts rs256, which other JAdES products use.
enum class JwsAlgorithm { es256, es384, ps256, rs256 };
// "ES256", "ES384", "PS256", "RS256".
const char* jws_algorithm_name(JwsAlgorithm alg);
// Inverse of jws_algorithm_name (exact). Fails with invalid_input for "none" and anything else.
Result<JwsAlgorithm> parse_jws_algorithm(std::string_view name);

struct SignOptions {
  Level level = Level::b_b;
  Serialization serialization = Serialization::compact;
  // Detached: the payload is not in the JWS; the header carries b64:false and crit lists "b64"
  // (RFC 7797 §3, §6), so the signing input is BASE64URL(protected) || '.' || payload bytes.
  bool detached = false;
  TimePoint signing_time;           // required: the claimed signing time, written as sigT
  std::string content_type;         // "cty" (RFC 7515 §4.1.10); left out when empty
  std::vector<const X509*> chain;   // issuer certificates for x5c (issuing CA, root); borrowed
  cades::TimestampFn timestamp;     // required for B-T and above
  // For B-LT and B-LTA: certificates go to xVals, CRLs and OCSP responses to rVals (DER each); at
  // least one CRL or OCSP response is required.
  cades::ValidationData validation_data;
  core::DigestAlgorithm timestamp_digest = core::DigestAlgorithm::sha256;  // sigTst and arcTst imprint hash
};

// Signs `payload` with `signer`, whose certificate is `signer_cert`, and returns the JWS text in
// options.serialization. The result is verified with verify_jws before it is returned.
// Fails with usage (B-T and above with the compact serialisation or without a time-stamp
// function, B-LT and B-LTA without revocation data, a certificate whose key is not the signer's, a key type with no
// JAdES algorithm), token (the HSM refused), crypto (the signature does not verify, or the time-stamp token does not cover it),
// invalid_input (a validation data element or the time-stamp token does not decode strictly),
// or the TimestampFn's error. `signer_cert` and the chain are borrowed.
Result<std::string> sign_jws(ByteView payload, const X509* signer_cert, const hsm::Signer& signer,
                             const SignOptions& options);

// TS 119 182-1 §5.2.8.3.3: the sigD mechanism identifier (mId) of ObjectIdByURIHash.
inline constexpr std::string_view kObjectIdByUriHash = "http://uri.etsi.org/19182/ObjectIdByURIHash";

// TS 119 182-1 §5.2.8 sigD, mechanism ObjectIdByURIHash (§5.2.8.3.3): the signed data objects
// are detached and named by URI, each with its digest in the signed header; the JWS payload is
// empty. With b64 true (or absent) each digest is over the base64url encoding of the object,
// with b64 false over the object itself. Other mechanisms (ObjectIdByURI, HTTP headers) are
// refused by the parser.
struct DetachedObjects {
  core::DigestAlgorithm digest = core::DigestAlgorithm::sha256;  // hashM "S256", "S384" or "S512"
  std::vector<std::string> uris;                                  // pars
  std::vector<Bytes> digests;                                     // hashV, decoded; one per URI
};

// Signs data objects by reference (TS 119 182-1 §5.2.8.3.3, sigD ObjectIdByURIHash): the protected
// header names `objects` with their digests, carries b64:false (so each hashV is the digest of the
// object itself, not of its base64url form, and can be made from a digest alone) and lists sigD
// and b64 in crit; the JWS payload is empty (signing input BASE64URL(protected) || '.'). This is
// how a detached JAdES signature is made when only the document's digest is known. options as
// sign_jws; options.detached is ignored. B-LTA is refused (usage): the arcTst imprint over objects
// by reference is not computed by this implementation's validation either. The result is checked
// with verify_jws_by_reference. Fails as sign_jws, and with usage for 0 or more than 64 objects,
// an empty URI, a digest of the wrong size or another hash than SHA-256/384/512.
Result<std::string> sign_jws_by_reference(const DetachedObjects& objects, const X509* signer_cert, const hsm::Signer& signer,
                                          const SignOptions& options);

// One signature of a parsed JWS. Header objects are copies; nothing refers into the input.
struct JwsSignature {
  nlohmann::json protected_header;    // decoded JSON object
  nlohmann::json unprotected_header;  // JSON object; empty object when absent (always for compact)
  std::string encoded_protected;      // the BASE64URL(protected) text as received
  std::string encoded_signature;      // the BASE64URL(signature) text as received
  JwsAlgorithm alg = JwsAlgorithm::es256;
  Bytes signature;                    // JOSE form (ECDSA: r||s)
  std::vector<Bytes> x5c;             // DER certificates from x5c, signer first; may be empty
  std::optional<Bytes> x5t_s256;      // decoded x5t#S256
  std::optional<TimePoint> signing_time;  // sigT
  std::optional<DetachedObjects> sigd;    // sigD (then the JWS payload is empty)
  std::vector<Bytes> signature_timestamps;  // DER TimeStampTokens from etsiU sigTst entries
  std::vector<Bytes> certificate_values;    // DER certificates from etsiU xVals x509Cert entries
  std::vector<Bytes> crl_values;            // DER CRLs from etsiU rVals crlVals
  std::vector<Bytes> ocsp_values;           // DER OCSPResponses from etsiU rVals ocspVals
  std::size_t archive_timestamps = 0;       // etsiU arcTst entries (their tokens are validation/'s)
  bool clear_etsi_u = false;                // some etsiU entry is a JSON object, not base64url text
  // etsiU cSig entries (TS 119 182-1 §5.3.2): each countersignature as JWS text (a JSON
  // serialisation written back as JSON, or the compact string), not parsed here: validation/
  // reads each as a signature of its own, whose payload is this signature's value.
  std::vector<std::string> counter_signatures;
};

struct JwsDocument {
  Serialization serialization = Serialization::compact;
  bool b64 = true;                     // false: RFC 7797 unencoded payload
  std::optional<Bytes> payload;        // decoded payload; nullopt when detached
  std::string payload_part;            // the payload text as received (empty when detached)
  std::vector<JwsSignature> signatures;  // one for compact and flattened JSON; >= 1 for general
};

// Parses a JWS in compact, flattened JSON or general JSON serialisation without checking any
// signature. Fails with invalid_input (naming the problem) on input above kMaxJwsSize, JSON
// nested deeper than kMaxJsonDepth, bad base64url, a header that is not a JSON object, an
// unsupported alg (including "none"), a crit entry this implementation does not understand or
// that is absent from the protected header, a b64 that differs between signatures, overlapping
// protected and unprotected header names, malformed x5c / x5t#S256 / sigT / etsiU values
// (sigTst tokens must be base64; xVals, crlVals and ocspVals entries strict DER of their type),
// a sigD that is not a well-formed ObjectIdByURIHash (1 to 64 URIs, as many digests of the hashM
// size) or that comes with a non-empty payload.
Result<JwsDocument> parse_jws(std::string_view text);

// Parses `text` and verifies every signature with the public key of its x5c[0] certificate:
// x5t#S256, when present, must be the SHA-256 of that certificate, and every sigTst time-stamp's
// message imprint must be the digest of the ASCII base64url signature value (TS 119 182-1
// §5.3.4). `detached_payload` is required for a detached JWS and refused otherwise. The chain
// is not validated (that is validation/'s job). Fails as parse_jws, with usage for a missing or
// unexpected detached payload, invalid_input without x5c or with a sigD (detached objects by
// reference are checked by validation/, not here), denied when a signature, x5t#S256 or
// time-stamp imprint does not match.
Result<JwsDocument> verify_jws(std::string_view text, std::optional<ByteView> detached_payload = std::nullopt);

// verify_jws for a JWS that signs data objects by reference: every signature must carry a sigD
// naming exactly `expected` (hash algorithm, URIs and hashV digests as written), and verifies over
// the empty payload with its x5c[0] key, its sigTst imprints as verify_jws. Whether the digests are
// those of the data is the caller's to know (it chose `expected`). Fails as verify_jws, with
// invalid_input for a signature without sigD or a payload, and denied for another sigD.
Result<JwsDocument> verify_jws_by_reference(std::string_view text, const DetachedObjects& expected);

// The baseline level a signature's etsiU entries reach (TS 119 182-1 §6): B-LTA with an arcTst,
// B-LT with revocation values, B-T with a sigTst, else B-B.
Level level_of(const JwsSignature& signature);

// The same four baseline levels in formats::cades' enum, and back.
cades::Level to_cades_level(Level level);
Level from_cades_level(cades::Level level);

// TS 119 182-1 §5.3.6.3.1 (arcTst, timeStamped "all"): the message imprint input, i.e. the payload
// as signed (the base64url payload, or the payload itself with b64 false), '.', the base64url
// protected header, '.', the base64url signature value, '.', and the etsiU entries before the
// arcTst as they appear, concatenated (`preceding_entries`).
std::string archive_timestamp_input(std::string_view payload_section, std::string_view encoded_protected,
                                    std::string_view encoded_signature, std::string_view preceding_entries);

struct ExtendOptions {
  cades::TimestampFn timestamp;  // required
  core::DigestAlgorithm timestamp_digest = core::DigestAlgorithm::sha256;
  // For B-LT and B-LTA when the signature has no revocation values yet: as SignOptions'.
  cades::ValidationData validation_data;
};

struct Extended {
  std::string jws;  // flattened (or general, when the input was) JSON serialisation
  Level from;       // the level before
};

// Raises the JWS's one signature to `target` (B-T, B-LT or B-LTA) without changing what it signs,
// appending to etsiU what is missing: a sigTst when there is none, xVals and rVals when there are
// no revocation values, and for B-LTA an arcTst. A compact JWS becomes the flattened JSON
// serialisation of the same protected header, payload and signature (RFC 7515 §7.2.2); its "typ"
// stays as signed ("jose"), which RFC 7515 §4.1.9 leaves to applications. `detached_payload` as
// verify_jws. B-LTA asked of a B-LTA signature adds a further arcTst (archive time-stamp
// renewal). The result is verified with verify_jws. Fails as verify_jws, with usage (B-B asked,
// no time-stamp function, no revocation data when B-LT needs it), conflict (already at or above
// `target` below B-LTA), invalid_input (several signatures; for B-LTA, an etsiU entry in clear JSON, whose
// arcTst imprint needs a canonicalisation TS 119 182-1 does not fix) or the TimestampFn's error.
Result<Extended> extend_jws(std::string_view jws, Level target, std::optional<ByteView> detached_payload,
                            const ExtendOptions& options);

}  // namespace qualsig::formats::jades
