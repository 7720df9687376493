#pragma once
// The time-stamping unit (RFC 3161, with the ESSCertIDv2 update of RFC 5816, as profiled by
// ETSI EN 319 422): DER TimeStampReq in, DER TimeStampResp out, built and signed by OpenSSL's
// TS_RESP_CTX with a key that signs in the token (hsm/openssl_bridge.h). The transport (RFC 3161
// §3.4, HTTP POST of application/timestamp-query) is server/'s job. The service's own signature
// and archive timestamps take the same path through timestamp_digest().

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/digest.h"
#include "core/openssl.h"
#include "core/result.h"
#include "core/time.h"
#include "pki/oids.h"

namespace qualsig::pki {

// RFC 3161 §2.4.2 PKIStatus.
enum class TsaStatus {
  granted = 0,
  granted_with_mods = 1,
  rejection = 2,
  waiting = 3,
  revocation_warning = 4,
  revocation_notification = 5,
};

// RFC 3161 §2.4.2 PKIFailureInfo; the value is the bit number in the BIT STRING.
enum class TsaFailure {
  bad_alg = 0,                  // unrecognized or unsupported Algorithm Identifier
  bad_request = 2,              // transaction not permitted or supported
  bad_data_format = 5,          // the data submitted has the wrong format
  time_not_available = 14,      // the TSA's time source is not available
  unaccepted_policy = 15,       // the requested TSA policy is not supported by the TSA
  unaccepted_extension = 16,    // the requested extension is not supported by the TSA
  add_info_not_available = 17,  // the additional information requested could not be understood
  system_failure = 25,          // the request cannot be handled due to system failure
};

// The identifier RFC 3161 §2.4.2 gives the bit ("badAlg", "systemFailure", ...).
const char* tsa_failure_name(TsaFailure failure);

// Gives the serial number of the next token. The caller backs it with the database so that
// serials are unique and strictly increasing across processes and nodes (RFC 3161 §2.4.2: "unique
// for each TimeStampToken issued by a given TSA"); the value is used verbatim. It is called only
// for a request that passed every check, once, just before the token is signed; if signing then
// fails the serial stays unused (a gap, never a duplicate). An error (or an exception) makes the
// answer systemFailure. Called from several threads at once when timestamp_respond is.
using TsaSerialSource = std::function<Result<std::uint64_t>()>;

// Borrowed pointers; they must outlive every call that uses them. Shared by concurrent calls.
struct TsaIdentity {
  const X509* certificate = nullptr;  // TSA certificate: only id-kp-timeStamping, critical EKU (RFC 3161 §2.3)
  EVP_PKEY* key = nullptr;            // its key; signs in the token in production
  std::vector<const X509*> chain;     // issuing CA (and root), sent after the TSA certificate on certReq
};

struct TsaOptions {
  // TSTInfo.policy, the only policy accepted in reqPolicy (numeric dotted form).
  std::string policy_oid = oid::kTsPolicyBestPractices;
  // TSTInfo.accuracy (RFC 3161 §2.4.2), seconds and millis; zero leaves the field out.
  std::chrono::milliseconds accuracy{1000};
  // Digest of the token signature and of the ESSCertIDv2 certHash (RFC 5816 §2, RFC 5035 §4).
  core::DigestAlgorithm signing_digest = core::DigestAlgorithm::sha256;
};

// Answers one time-stamp request at `now` (which becomes genTime, in whole seconds). Never fails
// and never throws for any input: the result is always one DER TimeStampResp (RFC 3161 §2.4.2).
// Checks, in this order, each a rejection with the failInfo named:
//  * systemFailure: the identity or options are unusable (null pointers, a certificate without
//    the time-stamping purpose, a key that does not match it, a bad policy OID) — logged;
//  * badDataFormat: the input is not exactly one DER TimeStampReq (undecodable, truncated,
//    trailing data, a BER-only encoding, larger than 8 KiB);
//  * unacceptedExtension: any request extension (§2.4.1: a server that does not recognise one
//    "SHALL not issue a token");
//  * badRequest: a nonce longer than 32 octets (see tsa.cpp: it would be signed verbatim);
//  * timeNotAvailable: `now` outside the TSA certificate's validity;
//  * then OpenSSL's own checks: version other than 1 (badRequest); an imprint algorithm other
//    than SHA-256/384/512, SHA-1 included, or with parameters other than NULL (badAlg); an
//    imprint whose length is not the hash length (badDataFormat); a reqPolicy other than
//    options.policy_oid (unacceptedPolicy);
//  * systemFailure: the serial source failed, or signing failed (logged with the reason).
// A granted token has version 1, options.policy_oid, the request's messageImprint, the serial from
// `serials`, genTime = now, the accuracy, ordering false, the request's nonce when sent, no tsa
// name, and a signing-certificate-v2 attribute naming identity.certificate; certReq true puts
// identity.certificate and then identity.chain in `certificates`, certReq false puts none.
Bytes timestamp_respond(ByteView request_der, const TsaIdentity& identity, const TsaOptions& options,
                        const TsaSerialSource& serials, TimePoint now);

// The service's own timestamps (signature and archive timestamps, DESIGN.md step 7): builds a
// TimeStampReq for `digest` under `alg` (certReq true, a fresh random 8-octet nonce), answers it
// with timestamp_respond (the same code path as external requests), checks that it was granted
// and that the TSTInfo carries our nonce, imprint and policy, and returns the DER TimeStampToken
// (the ContentInfo holding the SignedData). Fails with:
//  * invalid_input: digest.size() is not the length of `alg`;
//  * unavailable: the TSA answered systemFailure (serial source or token down; logged there);
//  * conflict: timeNotAvailable (`now` outside the TSA certificate's validity);
//  * internal: any other rejection, or a token that does not match the request.
// `requested_nonce` (big-endian octets, 1 to kMaxNonceOctets) replaces the random nonce when a
// caller brings its own (CSC signatures/timestamp); it must then appear in the token.
//
// RFC 3161 sets no bound on the nonce ("a large random number with a high probability that it is
// generated by the client only once"); 64 bits is what `openssl ts` sends. The TSA copies it into
// the TSTInfo it signs, so an unbounded nonce would let anyone have the TSA sign arbitrary data
// of their choosing. 32 octets (256 bits) is ample, and is the bound RFC 8954 §2.1 sets for the
// OCSP nonce. Requests with a longer one are rejected (badRequest).
inline constexpr std::size_t kMaxNonceOctets = 32;
Result<Bytes> timestamp_digest(ByteView digest, core::DigestAlgorithm alg, const TsaIdentity& identity,
                               const TsaOptions& options, const TsaSerialSource& serials, TimePoint now,
                               std::optional<ByteView> requested_nonce = std::nullopt);

// A TimeStampResp taken apart, for callers that need the status (tests, diagnostics).
struct TimestampResponse {
  TsaStatus status = TsaStatus::rejection;
  std::string status_text;          // the PKIFreeText strings joined with "; ", empty when absent
  std::vector<TsaFailure> failures;  // failInfo bits set, in bit order
  Bytes token_der;                  // the TimeStampToken exactly as sent; empty when absent
};

// Parses one DER TimeStampResp (RFC 3161 §2.4.2). Fails with invalid_input on undecodable
// input, trailing data, an indefinite length in the outer SEQUENCE or the PKIStatusInfo, an unknown
// status or failInfo bit, or a token present with a status other than granted/grantedWithMods
// or missing with one of them ("When the status contains the value zero or one, a
// TimeStampToken MUST be present"). The token's signature is not checked here.
Result<TimestampResponse> parse_timestamp_response(ByteView der);

}  // namespace qualsig::pki
