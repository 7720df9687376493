#pragma once
// The OCSP responder core (RFC 6960): DER OCSPRequest in, DER OCSPResponse out, built and signed
// with OpenSSL's OCSP API by a delegated responder (§4.2.2.2) whose key may sign in the token
// (hsm/openssl_bridge.h). Transport (RFC 6960 Appendix A, HTTP GET/POST) is server/'s job.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/openssl.h"
#include "core/result.h"
#include "core/time.h"
#include "pki/crl.h"

namespace qualsig::pki {

class OcspResponseCache;

// RFC 6960 §2.2 certificate status values.
enum class CertState { good, revoked, unknown };

struct CertStatus {
  CertState state = CertState::unknown;
  TimePoint revoked_at;                                      // revoked only
  RevocationReason reason = RevocationReason::unspecified;  // revoked only; certificate_hold = suspended
};

// Looks up a serial (upper-case hex exactly as core::serial_to_hex prints it) issued by the
// responder's CA. nullopt: never issued by this CA -> "unknown". An error (database down) makes
// the responder answer internalError. Called from several threads at once when the responder is.
using StatusLookup = std::function<Result<std::optional<CertStatus>>(const std::string& serial_hex)>;

// Borrowed pointers; they must outlive every respond call that uses them.
struct OcspResponderIdentity {
  const X509* ca;              // the CA whose certificates this responder answers for
  const X509* responder_cert;  // delegated responder certificate issued by `ca` (id-kp-OCSPSigning)
  EVP_PKEY* responder_key;     // its key; signs through the token in production
};

struct OcspOptions {
  std::chrono::seconds next_update{3600};  // nextUpdate = thisUpdate + next_update
  // RFC 6960 §4.4.4 archive cutoff, added to every SingleResponse when set. ETSI EN 319 411-2
  // requires status information to stay available after a certificate expired; the cutoff
  // tells relying parties from which date on that holds.
  std::optional<TimePoint> archive_cutoff;
  std::size_t max_request_certs = 16;  // more CertIDs in one request -> malformedRequest
};

// Answers one OCSP request; never fails and never throws for any input: the result is always a
// DER OCSPResponse (RFC 6960 §4.2.1):
//  * malformedRequest: undecodable DER, trailing data, no or more than max_request_certs
//    CertIDs, a nonce outside 1..32 octets or repeated (RFC 8954 §2.1), an unknown critical
//    extension in the request or in a single request (§4.4);
//  * unauthorized: a CertID whose issuerNameHash/issuerKeyHash do not match `identity.ca`
//    under its hash algorithm (SHA-1 and SHA-256 are supported; any other -> unauthorized);
//  * internalError: the lookup failed, or signing failed (logged with the reason);
//  * successful: a BasicOCSPResponse signed by identity.responder_key, responderID byKey, the
//    responder certificate in `certs`, producedAt = thisUpdate = now, nextUpdate = now +
//    next_update, one SingleResponse per CertID in request order (the CertID copied as sent),
//    revoked with revocationTime and revocationReason (absent when unspecified), the archive
//    cutoff when configured, and the request's nonce extension copied when present.
// Serials longer than 20 octets or not positive (RFC 5280 §4.1.2.2) are "unknown" without a
// lookup. An optional request signature is not checked (§4.1.2: responders MAY ignore it).
Bytes respond(ByteView request_der, const OcspResponderIdentity& identity, const StatusLookup& lookup,
              const OcspOptions& options, TimePoint now);

// respond() with the hot-path cache: a request without a nonce whose CertIDs (in order, as DER)
// have a fresh response in `cache` gets those exact bytes without a lookup or a signature.
// Otherwise the response is made by respond() and, if it is successful and says no "unknown",
// stored until thisUpdate + next_update/2. Requests with a nonce always get a fresh signature.
// Error responses and "unknown" answers are not cached (a certificate issued a moment later
// must not be reported unknown for half an hour).
Bytes respond_cached(ByteView request_der, const OcspResponderIdentity& identity, const StatusLookup& lookup,
                     const OcspOptions& options, OcspResponseCache& cache, TimePoint now);

}  // namespace qualsig::pki
