#pragma once
// CAdES digital signatures, ETSI EN 319 122-1 V1.1.1 baseline levels B-B, B-T, B-LT and B-LTA,
// detached and enveloping, on CMS SignedData (RFC 5652).
//
// * Signing goes through hsm::Signer::sign_digest: the key stays in the token. EC keys sign with
//   ECDSA, RSA keys with PKCS#1 v1.5 (RSASSA-PSS is not offered).
// * Time-stamps come from a TimestampFn (formats/ knows no TSA); the lead wires it to pki/tsa.
// * Extending (add_signature_timestamp, add_validation_data, add_archive_timestamp,
//   add_counter_signature) never changes the signed bytes: only SignedData.certificates,
//   SignedData.crls, SignedData.version and the SignerInfo's unsignedAttrs change, and everything
//   else is written back exactly as it was read (DER input byte for byte; BER input gets DER
//   framing around the same elements, see cms_structures.h).
// * One SignerInfo per SignedData: inputs with several parallel signers are refused by the
//   extension functions and reported with signer_count by inspect.
//
// Every function takes and returns whole DER buffers (BER is accepted on input; CMS inputs above
// 80 MiB are refused); nothing is kept between calls, and views are read only during the call.
// All functions are thread-safe. See README.md in this folder for the clauses and the limits.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/digest.h"
#include "core/openssl.h"
#include "core/result.h"
#include "core/time.h"
#include "hsm/signer.h"

namespace qualsig::formats::cades {

// EN 319 122-1 §6 baseline levels.
enum class Level { b_b, b_t, b_lt, b_lta };
// "B-B", "B-T", "B-LT", "B-LTA".
const char* level_name(Level level);
// Inverse of level_name (exact); nullopt for anything else.
std::optional<Level> parse_level(std::string_view name);

// Asks a TSA (RFC 3161) for a time-stamp token over `digest`, the output of `alg`. Returns the DER
// TimeStampToken (a ContentInfo holding SignedData with TSTInfo, RFC 3161 §2.4.2). The token is
// checked after the call: its messageImprint must be exactly (alg, digest).
using TimestampFn = std::function<Result<Bytes>(ByteView digest, core::DigestAlgorithm alg)>;

// Validation material for B-LT (EN 319 122-1 §6: the certificates and revocation data needed to
// validate the signature, in SignedData.certificates and SignedData.crls). DER each.
struct ValidationData {
  std::vector<Bytes> certificates;    // X.509 certificates: signer chain, TSA chain, OCSP responders
  std::vector<Bytes> ocsp_responses;  // OCSPResponse (RFC 6960 §4.2.1), stored per RFC 5940 §4.1
  std::vector<Bytes> crls;            // CertificateList (RFC 5280 §5.1)
};

struct SignOptions {
  Level level = Level::b_b;
  core::DigestAlgorithm digest = core::DigestAlgorithm::sha256;
  TimePoint signing_time;              // required: the claimed signing time (RFC 5652 §11.3)
  std::vector<const X509*> chain;      // issuer certificates to include (issuing CA, root); borrowed
  TimestampFn timestamp;               // required for B-T and higher
  ValidationData validation_data;      // for B-LT and higher: at least one OCSP response or CRL
  // Whether the signing-time signed attribute (RFC 5652 §11.3) is written. PAdES baseline
  // signatures leave it out (EN 319 142-1 §5.4, §6.3): their claimed signing time is the PDF
  // signature dictionary's /M entry.
  bool signing_time_attribute = true;
};

// The largest content sign_enveloping accepts; larger documents are signed detached.
inline constexpr std::size_t kMaxEnvelopedContent = 64u << 20;

// Digest of a file, read in 1 MiB chunks (memory stays bounded for any size). Fails with
// not_found if the file does not exist, environment if it cannot be read.
Result<Bytes> digest_file(const std::filesystem::path& path, core::DigestAlgorithm alg);

// A detached CAdES signature (no eContent) over a document whose `options.digest` digest is
// `content_digest`. Signed attributes (EN 319 122-1 §5.2): content-type (id-data), message-digest,
// signing-time, signing-certificate-v2 (ESSCertIDv2 over `signer_cert` with `options.digest`, with
// issuerSerial). SignedData.certificates holds `signer_cert` and `options.chain`. Levels above B-B
// are reached through the add_* functions below. The new signature is verified with the
// certificate's key before it is returned.
// Fails with usage (missing time-stamp function or validation data for the level, a digest of the
// wrong length, a certificate whose key is not the signer's), token (the HSM refused), crypto (the
// token's signature does not verify), or the errors of the add_* functions.
// `signer_cert` and the chain are borrowed for the call.
Result<Bytes> sign_detached(ByteView content_digest, const X509* signer_cert, const hsm::Signer& signer,
                            const SignOptions& options);

// As sign_detached, with `content` as eContent. Fails with invalid_input above kMaxEnvelopedContent.
Result<Bytes> sign_enveloping(ByteView content, const X509* signer_cert, const hsm::Signer& signer,
                              const SignOptions& options);

// B-B -> B-T: adds a signature-time-stamp (EN 319 122-1 §5.3) over the SignerInfo's signature
// value ("the hash of the value octets of the signature field"), with the signer's digest
// algorithm. May be applied more than once. Fails with invalid_input for a malformed CMS or a
// token that does not time-stamp that imprint, usage for several signers, or the TimestampFn's
// error.
Result<Bytes> add_signature_timestamp(ByteView cms, const TimestampFn& timestamp);

// B-T -> B-LT: adds certificates to SignedData.certificates, CRLs to SignedData.crls and OCSP
// responses to SignedData.crls as OtherRevocationInfoFormat {id-ri-ocsp-response, OCSPResponse}
// (RFC 5940 §4.1); sets SignedData.version to 5 when that happens (RFC 5652 §5.1). Elements
// already present (same DER) are not added twice. Fails with conflict if the signature has no
// signature-time-stamp, usage if `data` is empty, invalid_input if an element does not decode
// strictly (an OCSP response must also have status successful).
Result<Bytes> add_validation_data(ByteView cms, const ValidationData& data);

// B-LT -> B-LTA: adds an archive-time-stamp-v3 (EN 319 122-1 §5.5.3) whose token carries an
// ats-hash-index-v3 (§5.5.2) as an unsigned attribute, hashing with the signer's digest
// algorithm. May be applied again later for a further archive time-stamp. A detached signature
// needs the document's digest (same algorithm as the signature); it must match the signed
// message-digest. Fails with conflict below B-LT (no signature-time-stamp or no revocation data),
// usage if a digest is given for an enveloping signature or missing for a detached one,
// invalid_input if the digest does not match, or as add_signature_timestamp.
Result<Bytes> add_archive_timestamp(ByteView cms, std::optional<ByteView> detached_content_digest,
                                    const TimestampFn& timestamp);

// Adds a countersignature (RFC 5652 §11.4) by `cert`/`signer` over the
// signature value of the SignerInfo: its signed attributes are message-digest, signing-time and
// signing-certificate-v2 ("countersignature ... MUST NOT contain a content-type attribute").
// `cert` and options.chain are added to SignedData.certificates. options.level must be B-B
// (counter-signatures are not time-stamped here). Fails as sign_detached.
Result<Bytes> add_counter_signature(ByteView cms, const X509* cert, const hsm::Signer& signer,
                                    const SignOptions& options);

// The message imprint an archive-time-stamp-v3 token must carry for `cms` (EN 319 122-1 §5.5.3),
// computed with the token's own ats-hash-index-v3 and with the hash algorithm of the token's
// TSTInfo.messageImprint. `detached_content_digest` is the document digest under that algorithm
// (detached signatures only). Fails with invalid_input if the token has no ats-hash-index-v3 or is
// malformed, denied if the index names a certificate, CRL/OCSP response or unsigned attribute
// value that the signature does not hold (§5.5.2: the index "is invalid if it contains a
// reference for which the original value is not found"), usage as add_archive_timestamp.
Result<Bytes> archive_timestamp_imprint(ByteView cms, ByteView archive_timestamp_token,
                                        std::optional<ByteView> detached_content_digest);

// Which countersignatures of the sole signer an archive-time-stamp-v3 token protects: the
// positions (CounterSignature::path[0]) of the countersignature attribute values whose hash
// (attrType || AttributeValue) its ats-hash-index-v3 lists (EN 319 122-1 §5.5.2). Those values
// existed, byte for byte, when the token was made, with every countersignature nested in them; a
// countersignature added later, or one of its children added later, changed or added a value the
// index does not list. Fails as archive_timestamp_imprint does for the token; does not check the
// imprint (validation does).
Result<std::vector<std::size_t>> archived_counter_signatures(ByteView cms, ByteView archive_timestamp_token);

// As archived_counter_signatures, over every unsigned attribute value of the sole signer: the
// positions, counting each value of each attribute in stored order, of those the token's
// ats-hash-index-v3 lists (the time-stamps it protects among them).
Result<std::vector<std::size_t>> archived_unsigned_values(ByteView cms, ByteView archive_timestamp_token);

// The message imprint of a time-stamp of a form EN 319 122-1 replaced, found by its token among
// the sole signer's unsigned attributes, hashed with `md` (the token's own imprint algorithm,
// SHA-1 included: judging it is validation's cryptographic constraints):
// * archive-time-stamp-v2 (RFC 5126 §6.4.1): the encapContentInfo, the detached content (needed
//   when eContent is absent: not_found without it), SignedData.certificates and .crls, and every
//   SignerInfo field with the unsignedAttrs that existed when the token was made;
// * esc-time-stamp (RFC 5126 §6.3.5): the signature value and the signature time-stamps and
//   complete references, each attribute's attrType and attrValues, in stored order;
// * cert-crl-time-stamp (RFC 5126 §6.3.6): the complete references only, likewise.
// archive-time-stamp (v1) is not computed (usage). Fails with invalid_input if the token is not a
// value of one of those attributes or is malformed, usage as add_archive_timestamp.
Result<Bytes> legacy_timestamp_imprint(ByteView cms, ByteView token, std::optional<ByteView> detached_content,
                                       const EVP_MD* md);

// A countersignature (RFC 5652 §11.4) of one SignerInfo, made readable by any CMS validator: a
// ContentInfo/SignedData whose eContent (id-data) is the contents octets of the countersigned
// SignerInfo's signature value (what the countersignature's message-digest covers, §11.4), whose
// certificates and crls are those of the signature, and whose only SignerInfo is the
// countersignature, its bytes unchanged.
struct CounterSignature {
  // From the top-level SignerInfo down, 0-based: {0} its first countersignature, {0, 1} the second
  // countersignature of that one.
  std::vector<std::size_t> path;
  Bytes signed_data;  // DER
};

// Every countersignature of SignerInfo `signer` (0-based) of `cms`, depth first (a
// countersignature's own countersignatures follow it). Fails with invalid_input when `cms` is not
// a SignedData with that SignerInfo, when a countersignature is not a SignerInfo (RFC 5652 §5.3),
// and when there are more than `max` (a hostile nesting).
Result<std::vector<CounterSignature>> counter_signatures(ByteView cms, std::size_t signer, std::size_t max);

struct SignatureInfo {
  Level level = Level::b_b;   // structural: what is present, not whether it validates
  bool detached = false;      // no eContent
  std::size_t signer_count = 0;  // SignerInfos; every other field describes the first
  std::optional<core::DigestAlgorithm> digest;  // nullopt: not SHA-256/384/512
  std::optional<TimePoint> signing_time;
  Bytes signer_certificate;   // DER; empty if the SignedData does not hold it
  std::vector<Bytes> signature_timestamps;  // TimeStampToken DER, in stored order
  std::vector<Bytes> archive_timestamps;    // archive-time-stamp-v3 tokens, in stored order
  std::size_t counter_signatures = 0;
  std::size_t certificates = 0;             // SignedData.certificates elements
  std::size_t revocation_values = 0;        // SignedData.crls elements (CRLs and OCSP responses)
};

// Reads a CAdES signature. Level: B-LTA with an archive-time-stamp-v3, else B-LT with a
// signature-time-stamp and at least one revocation value, else B-T with a signature-time-stamp,
// else B-B. Fails with invalid_input on anything that is not exactly one DER/BER ContentInfo with
// SignedData and at least one SignerInfo, or whose attributes, signing time or time-stamp tokens
// are malformed.
Result<SignatureInfo> inspect(ByteView cms);

}  // namespace qualsig::formats::cades
