#pragma once
// An evidence bundle (issue: evidence bundles): everything needed to prove one signature
// offline, to someone who trusts nothing of ours — the signature and document, the certificate
// chain and revocation data, the identity and its proofing, the policy and the decision trace,
// approvals, delegation, SAD records, and every log entry involved with its inclusion proof to
// one signed checkpoint and the log's public key. One JSON document, "qualsig-evidence/1".
//
// The bundle's own fields are claims; verification (evidence/verify.h) checks each against the
// signed log entries, the certificates and the signature, so that changing any one of them
// is detected and named.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "core/result.h"
#include "core/time.h"

namespace qualsig::evidence {

inline constexpr std::string_view kBundleSchema = "qualsig-evidence/1";
// Bundles are read whole; this bounds the memory a hostile file can claim.
inline constexpr std::size_t kMaxBundleBytes = 256u << 20;

// One log entry exactly as logged (its canonical JSON text) with its RFC 9162 inclusion proof
// in the tree of the bundle's checkpoint.
struct LogEntryProof {
  std::uint64_t seq = 0;
  std::string entry;          // canonical JSON (audit/log_entry.h); leaf = SHA-256(0x00 || entry)
  std::vector<Bytes> proof;   // audit path, 32-byte hashes, leaf to root
};

struct Bundle {
  TimePoint created_at;

  // The signature.
  std::string signature_id;  // "sig-..."
  std::string format;        // "cades" | "cades-countersignature"
  std::string level;         // "B-B" | "B-T" | "B-LT" | "B-LTA"
  bool detached = false;
  Bytes signature;           // DER CMS as returned to the signer

  // The signed document.
  std::string document_name;
  std::string document_hash;            // "<sha256|sha384|sha512>:<hex>", what the signature covers
  std::int64_t document_size = -1;
  std::optional<Bytes> document;        // absent when exported --without-document

  // Certificates, DER: the signer's, its issuers up to the root (issuing CA, root), and the
  // service's TSA and OCSP responder certificates.
  Bytes signer_certificate;
  std::vector<Bytes> chain;
  std::vector<Bytes> service_certificates;

  // Revocation data for the signer's certificate valid at signing time, DER.
  std::vector<Bytes> ocsp_responses;
  std::vector<Bytes> crls;

  // Records as the trust service keeps them (the log entries below are what proves them).
  nlohmann::json identity;    // name, kind, organization, organization_identifier, sponsor, purpose, assurance_level, acts_for?
  nlohmann::json proofing;    // array: method, status, subject, evidence_hash, assurance_level, attested_by, confirmed_by, at
  nlohmann::json policy;      // {"name", "version", "hash", "document"} or null when none was attached
  nlohmann::json request;     // id, identity, requester, document_type, attributes, document_hash, format, level, detached, created_at
  nlohmann::json decision;    // the policy decision with its trace (policy/evaluate.h to_json)
  nlohmann::json approvals;   // array: approver, decision, document_hash, time
  nlohmann::json delegation;  // array of links (policy/delegation.h to_json), root first; empty when none
  nlohmann::json sad;         // {"token_hash", "credential", "document_hashes", "issued_at", "expires_at", "consumed_at"}

  // The log.
  std::string log_origin;       // checkpoint origin line
  Bytes log_public_key;         // SubjectPublicKeyInfo DER of the log's ECDSA P-256 key
  std::string checkpoint;       // C2SP signed note covering every entry below
  std::vector<LogEntryProof> entries;  // by seq
};

// The bundle as JSON text (binary fields base64, times RFC 3339). Deterministic.
std::string to_json_text(const Bundle& bundle);

// Parses a bundle strictly: kMaxBundleBytes at most, duplicate or unknown members refused,
// every field of the right type, base64 strict. Fails with invalid_input naming the member
// ("bundle: /entries/3/proof/0: not base64"). Does not verify anything.
Result<Bundle> parse_bundle(std::string_view text);

}  // namespace qualsig::evidence
