#pragma once
// The life of a sign request (DESIGN.md "Life of a sign request"):
//   submit  -> identity + credential checked, policy evaluated (default deny), decision logged
//   decide  -> authenticated human approvals, N of M, bound to the document hash
//   authorize -> a one-time SAD bound to credential + document hash + expiry
//   sign    -> SAD consumed exactly once, credential re-checked, CAdES produced in the token,
//              the signature logged durably before it is returned.
// cli/ and server/ call these same functions.

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/secret.h"
#include "policy/request.h"
#include "service/signature_formats.h"
#include "service/trust_service.h"
#include "store/signing_records.h"

namespace qualsig::service {

// The document a request is about: its digest under the signing digest algorithm (the caller
// streams the file; a remote caller sends only the hash).
struct DocumentDigest {
  std::string name;  // file name for the record; "" for hash-only requests
  core::DigestAlgorithm alg = core::DigestAlgorithm::sha256;
  Bytes value;
  std::int64_t size = -1;  // -1 when unknown (hash-only)
};
// "sha256:<hex>" — the form approvals and SADs are bound to.
std::string document_hash_ref(const DocumentDigest& d);
// Audit-log refs naming a document: refs hold SHA-256 values only (audit/log_entry.h), so a
// SHA-384/512 document hash is named in the entry's details ("document_hash") alone; every
// signing entry carries details.document_hash whatever the algorithm.
std::map<std::string, std::string> document_refs(const std::string& document_hash,
                                                 std::map<std::string, std::string> more = {});
// Streams a file through the digest (bounded memory for any size).
Result<DocumentDigest> digest_document(const std::filesystem::path& path, core::DigestAlgorithm alg);

struct SignRequestInput {
  std::string identity;
  std::string document_type;
  std::map<std::string, std::string> attributes;  // amount, currency, counterparty, reference, ...
  DocumentDigest document;
  std::string format = kCades;  // service/signature_formats.h
  std::string level = "B-B";
  bool detached = false;
  FormatOptions format_options;
  std::optional<std::string> delegation_id;  // else the identity's first delegation that verifies
  std::string requester;                     // principal asking, e.g. "operator:alice"
  // The certificate (serial, hex) to sign with, as a CSC credentialID names it; its SAD is bound
  // to it. nullopt: the identity's newest usable certificate when the SAD is issued.
  std::optional<std::string> credential;
};

struct SubmittedRequest {
  store::SignRequestRecord request;  // status allowed | pending | denied
  nlohmann::json decision;           // policy decision with its trace
};

// Validates the request, checks the identity and its credential (a suspended identity or a
// revoked/expired/suspended certificate is refused naming which), evaluates the identity's
// policy, logs the decision (policy.decided) and stores the request. A policy denial is not an
// error: the request comes back with status "denied" and the decision says why. Errors:
// invalid_input (bad request fields), not_found (identity), denied (state, credential,
// delegation chain), database/unavailable.
Result<SubmittedRequest> submit_sign_request(TrustService& svc, const SignRequestInput& input, TimePoint now);

// Records an authenticated person's approval or rejection of a pending request, bound to the
// document hash they were shown (the request's, unless `document_hash` says otherwise — then it
// is refused). Refuses the requester, non-members of the group, expired or finished requests.
// Moves the request to approved when the quorum is met and to rejected on a rejection.
struct Decided {
  store::SignRequestRecord request;
  nlohmann::json tally;
};
Result<Decided> decide_request(TrustService& svc, const std::string& request_id, const store::PersonRecord& person,
                               bool approve, const std::optional<std::string>& document_hash, TimePoint now);

// Issues the one-time signature activation data for an allowed or approved request (approvals
// are re-tallied now: an expired approval no longer counts). When the policy names a person who
// must activate each use (activation.by), `activator` must be that authenticated person.
// The SAD is a fresh random "qsa_..." secret unless `preset` gives it (the CSC API derives the
// SADs of one authorisation from one secret; it must hold at least 256 bits of entropy).
struct Activation {
  Secret sad;  // bearer secret; only its hash is stored
  store::SadRecord record;
};
Result<Activation> authorize_signature(TrustService& svc, const std::string& request_id,
                                       const std::optional<store::PersonRecord>& activator, TimePoint now,
                                       const Secret* preset = nullptr);

// What is signed: the digest again (it must equal the one the SAD is bound to) and, when the
// format needs it (needs_content), the content itself (its digest must match too).
struct SignInput {
  Bytes digest;
  std::optional<ByteView> content;  // borrowed for the call (a PDF may be large: never copied)
  std::optional<hsm::SignatureScheme> scheme = std::nullopt;  // raw format only (CSC signAlgo)
  std::optional<hsm::PssParams> pss = std::nullopt;            // with scheme rsa_pss: CSC signAlgoParams
  // Remote callers: the SAD must be for a request of this identity and this credential
  // (certificate serial); checked right after it is consumed, before anything is signed.
  std::optional<std::string> identity = std::nullopt;
  std::optional<std::string> credential = std::nullopt;
};
struct SignOutput {
  store::SignatureRecord signature;
  std::uint64_t log_seq = 0;  // the signature.produced entry
  // PAdES: signature.signature is the incremental update; the signed file is the document's
  // content followed by it.
  bool appended_to_document = false;
};
// Consumes the SAD (exactly once, also under concurrency), re-checks the identity and the bound
// credential, produces the signature in the token at the request's level (B-T/LT/LTA with the
// service's own TSA and revocation data), logs signature.produced durably, stores it and marks
// the request signed. Errors: not_found/conflict/denied for a bad, used or expired SAD;
// invalid_input for a document that is not the bound one; denied for a credential that can no
// longer sign.
Result<SignOutput> sign_with_sad(TrustService& svc, const Secret& sad, const SignInput& input, TimePoint now);
// sign_with_sad after the SAD was consumed (store::Store::consume_sads, which consumes the SADs
// of one multi-hash call all or none): the same checks, signature, log entry and record.
Result<SignOutput> sign_with_consumed_sad(TrustService& svc, const store::SadRecord& activation, const SignInput& input,
                                          TimePoint now);

Result<store::SignRequestRecord> find_sign_request(TrustService& svc, const std::string& id);
Result<std::vector<store::SignRequestRecord>> list_sign_requests(TrustService& svc, const std::optional<std::string>& status,
                                                                 std::size_t limit);
Result<std::vector<store::ApprovalRecord>> request_approvals(TrustService& svc, const std::string& id);

// Evaluates a request (policy/request.h: `qualsig policy test` input, with its own time,
// signature counts and optionally a presented delegation chain) against the policy of its
// identity, or `policy_text` when given, without logging, storing or signing.
Result<nlohmann::json> test_policy(TrustService& svc, const policy::TestRequest& request,
                                   const std::optional<std::string>& policy_text);

// Stores a policy version (immutable per name+version) and attaches it to the identities.
Result<store::PolicyRecord> set_policy(TrustService& svc, const std::vector<std::string>& identities,
                                       std::string_view policy_text, const std::string& actor, TimePoint now);
Result<std::optional<store::PolicyRecord>> policy_of(TrustService& svc, const std::string& identity);

}  // namespace qualsig::service
