#pragma once
// Cloud Signature Consortium API v2 semantics (../shared/notes/csc-api-v2.md) on top of the
// sign-request flow: a CSC credential is an identity certificate (credentialID = its serial,
// hex) with its key in the token; credentials/authorize runs the identity's policy for every
// hash (one sign request each, format "raw" for signHash or the format asked for signDoc) and,
// once allowed or approved, returns one SAD covering all of them. SCAL "2": the SAD is bound to
// the exact hashes and their algorithm, each usable once; a hash outside it is refused before
// anything is consumed.
//
// CSC has no place for a document type or for policy attributes; a client that needs them
// (policies that match invoices, amounts...) sends clientData as a JSON object
//   {"qualsig":{"document_type":"invoice","attributes":{"amount":"120.00","currency":"EUR"},
//               "signature_format":"P","conformance_level":"Ades-B-T"}}
// and any other clientData is opaque (document type "csc-hash", no attributes).

#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/digest.h"
#include "core/secret.h"
#include "formats/cades.h"
#include "hsm/signer.h"
#include "service/credential.h"
#include "service/trust_service.h"

namespace qualsig::service {

// What a credential's key can do, in CSC terms (key.algo OIDs, len, curve).
struct CscKeyInfo {
  std::vector<std::string> algorithms;  // signature algorithm OIDs
  int bits = 0;
  std::string curve_oid;                // EC keys only
};
Result<CscKeyInfo> csc_key_info(TrustService& svc, const store::CertificateRecord& certificate);

// The identity's certificates as CSC credentials, newest first; only those that can sign now
// when `only_valid`.
Result<std::vector<store::CertificateRecord>> csc_credentials(TrustService& svc, const std::string& identity, bool only_valid,
                                                              TimePoint now);
// The identity's certificate `credential_id`. A credential of someone else is not_found (its
// existence is not disclosed).
Result<store::CertificateRecord> csc_credential(TrustService& svc, const std::string& identity, const std::string& credential_id);
// "valid" | "expired" | "revoked" | "suspended" (CSC cert.status).
std::string csc_certificate_status(const store::CertificateRecord& certificate, TimePoint now);

// The digest algorithm of a hashAlgorithmOID (NIST CSOR 2.16.840.1.101.3.4.2.x); invalid_input.
Result<core::DigestAlgorithm> digest_from_oid(std::string_view oid);
// A CSC conformance_level -> qualsig's level ("B-B", "B-T", "B-LT", "B-LTA"). Clients write
// Ades-… or AdES-… (notes §3.14: compared case-insensitively), and the older TS profiles' AdES-B,
// -T, -LT, -LTA are read as the baselines; anything else is invalid_input.
Result<std::string> csc_conformance_level(std::string_view text);
// A signAlgo OID (with the hash algorithm it needs) -> scheme; invalid_input when unknown or
// when the OID names a hash other than `digest`.
Result<hsm::SignatureScheme> scheme_from_sign_algo(std::string_view sign_algo, core::DigestAlgorithm digest);
// CSC signAlgoParams (DER) for `sign_algo`: for RSASSA-PSS an RSASSA-PSS-params (RFC 8017 App.
// A.2.3) naming `digest`, MGF1 with `digest` (the token's limit), a salt of 0 to 1024 bytes and trailerField 1,
// returned as hsm::PssParams; for every other signAlgo only DER NULL (nullopt). Anything else is
// invalid_input with what was asked, so that a client never gets a signature made with other
// parameters than the ones it will state. signHash signs with these parameters.
Result<std::optional<hsm::PssParams>> sign_algo_pss_params(std::string_view sign_algo, core::DigestAlgorithm digest,
                                                           ByteView params);
// As sign_algo_pss_params, and RSASSA-PSS-params must be the token's default (MGF1 with `digest`,
// a salt of the digest length): signDoc writes those into the signature it makes.
Result<void> check_sign_algo_params(std::string_view sign_algo, core::DigestAlgorithm digest, ByteView params);

struct CscAuthorizeInput {
  std::string credential_id;
  int num_signatures = 0;
  std::vector<Bytes> hashes;  // raw digests
  std::string hash_algorithm_oid;
  std::string description;
  std::string client_data;
  std::string requester;      // principal, for the record
};

struct CscAuthorization {
  // Exactly one of the two: the SAD (all requests allowed or approved) or a handle to poll
  // with credentials/authorizeCheck (approvals pending).
  std::optional<Secret> sad;
  std::chrono::seconds expires_in{0};
  std::string handle;
  std::vector<std::string> request_ids;
};

// credentials/authorize. denied names the policy decision's reason (or the rejection); an
// identity authorises only its own credentials.
Result<CscAuthorization> csc_authorize(TrustService& svc, const std::string& identity, const CscAuthorizeInput& input,
                                       TimePoint now);
// credentials/authorizeCheck for a handle csc_authorize returned.
Result<CscAuthorization> csc_authorize_check(TrustService& svc, const std::string& identity, const std::string& handle,
                                             TimePoint now);

// signatures/signHash: one signature value per hash, in the order given. Each hash must be one
// the SAD covers (checked before anything is consumed); each is then signed with sign_with_sad.
// `sign_algo_params` (signAlgoParams, DER) is checked with check_sign_algo_params.
Result<std::vector<Bytes>> csc_sign_hash(TrustService& svc, const std::string& identity, const std::string& credential_id,
                                         const Secret& sad, const std::vector<Bytes>& hashes,
                                         const std::string& hash_algorithm_oid, const std::string& sign_algo, TimePoint now,
                                         const std::optional<Bytes>& sign_algo_params = std::nullopt);

struct CscDocument {
  Bytes content;  // documents[i].document; empty for a hash of documentDigests
  // documentDigests[i].hashes[j]: only the document's hash, under `digest_algorithm`. The
  // signature made from it is detached (SignatureObject); an authorisation whose format, level
  // or packaging needs the content itself is refused before any SAD is consumed.
  std::optional<Bytes> digest;
  core::DigestAlgorithm digest_algorithm = core::DigestAlgorithm::sha256;
  std::string signature_format;   // "C" | "X" | "P" | "J"
  std::string conformance_level;  // "Ades-B-B" | "Ades-B-T" | "Ades-B-LT" | "Ades-B-LTA"
  // The scheme of the request's signAlgo, when given: it must fit the credential's key.
  std::optional<hsm::SignatureScheme> scheme = std::nullopt;
};
struct CscSignedDocument {
  Bytes bytes;          // the signed document (PAdES, enveloped/enveloping) or the signature
  bool attached = false;  // true: DocumentWithSignature; false: SignatureObject
};
// signatures/signDoc: each document's SHA-256 (or each given hash) must be covered by the SAD,
// and its format and level must be the ones the authorisation was made for.
Result<std::vector<CscSignedDocument>> csc_sign_doc(TrustService& svc, const std::string& identity,
                                                    const std::string& credential_id, const Secret& sad,
                                                    const std::vector<CscDocument>& documents, TimePoint now);

// signDoc's validationInfo (CSC API v2 signatures/signDoc, output "validationInfo"): the material a relying party needs
// to validate a signature of this credential later: the CA chain and the TSA certificate, an
// OCSP response of our responder for the credential's certificate and the current CRLs, each
// DER. The same material B-LT signatures embed (signer_validation_data), taken at `now`.
Result<formats::cades::ValidationData> csc_validation_info(TrustService& svc, const std::string& identity,
                                                           const std::string& credential_id, TimePoint now);

}  // namespace qualsig::service
