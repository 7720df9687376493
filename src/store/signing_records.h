#pragma once
// Records of signing authorisation as the store keeps them: policies and their attachments,
// people (human approvers and delegators), delegations, sign requests, approvals, signature
// activation data (SAD) and produced signatures. Plain values; the rules live in policy/ and
// service/sign_service. JSON-valued fields are stored as canonical JSON text.

#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/time.h"

namespace qualsig::store {

// A signing policy document, stored once per (name, version) with the hash of its canonical
// form (policy/policy.h).
struct PolicyRecord {
  std::int64_t id = 0;
  std::string name;
  std::int64_t version = 0;
  std::string hash;      // "sha256:<hex>" of the canonical JSON
  std::string document;  // canonical JSON
  TimePoint created_at;
  std::string created_by;
};

// A human who approves sign requests or delegates authority. Authenticated by a random
// 256-bit token shown once at registration; only its SHA-256 is kept.
struct PersonRecord {
  std::int64_t id = 0;
  std::string name;   // e.g. "alice@acme.example"
  std::vector<std::string> groups;
  std::string token_hash;  // "sha256:<hex>"
  TimePoint created_at;
  std::optional<TimePoint> disabled_at;
};

struct DelegationRecord {
  std::string id;         // "dlg-<hex>"
  std::string delegator;  // "person:NAME", "organisation:ID" or "identity:NAME" (re-delegation)
  std::string delegate;   // identity name
  std::vector<std::string> scopes;
  TimePoint not_before;
  TimePoint expires_at;
  std::optional<TimePoint> revoked_at;
  std::optional<std::string> parent_id;
  TimePoint created_at;
  std::string created_by;
};

struct SignRequestRecord {
  std::string id;  // "req-<hex>"
  std::int64_t identity_id = 0;
  std::string identity_name;  // filled when read
  std::string requester;      // principal that asked ("identity:NAME via operator:USER", ...)
  std::string document_type;
  std::string attributes;     // JSON object of strings
  std::string document_name;
  std::string document_hash;  // "<alg>:<hex>", the digest the signature covers
  std::int64_t document_size = -1;  // -1 when only the hash was given
  std::string format;         // service/signature_formats.h: cades | pades | xades | jades | ...
  std::string level;          // B-B | B-T | B-LT | B-LTA
  bool detached = false;
  std::string format_options = "{}";  // JSON object (service/signature_formats.h FormatOptions)
  // The certificate (serial, hex) the request is for, as a CSC credentialID names it; nullopt:
  // the identity's newest usable certificate when the SAD is issued.
  std::optional<std::string> credential;
  std::optional<std::int64_t> policy_id;
  std::string decision;       // JSON: the policy decision with its trace
  std::string status;         // pending | approved | allowed | denied | rejected | signed
  std::optional<std::string> approval_group;
  std::int64_t approvals_required = 0;
  std::optional<std::string> delegation_id;
  TimePoint created_at;
  TimePoint expires_at;       // pending requests expire
  std::optional<std::string> signature_id;
  std::optional<TimePoint> completed_at;
};

struct ApprovalRecord {
  std::string request_id;
  std::string approver;       // person name
  std::string decision;       // approve | reject
  std::string document_hash;  // the hash the approver saw
  TimePoint time;
};

// Signature activation data (CSC API v2 "SAD", SCAL2): one use, bound to a credential,
// the document hashes and an expiry. Only the token's SHA-256 is kept.
struct SadRecord {
  std::string token_hash;  // "sha256:<hex>"
  std::string request_id;
  std::string credential;  // certificate serial (hex)
  std::vector<std::string> document_hashes;
  TimePoint issued_at;
  TimePoint expires_at;
  std::optional<TimePoint> consumed_at;
};

struct SignatureRecord {
  std::string id;  // "sig-<hex>"
  std::string request_id;
  std::int64_t identity_id = 0;
  std::string identity_name;  // filled when read
  std::string certificate_serial;
  std::string format;
  std::string level;
  std::string document_hash;
  std::string signature_hash;  // "sha256:<hex>" of the signature file
  Bytes signature;
  TimePoint created_at;
};

// The state a logged decision changes, written in the audit log's own transaction
// (Store::append_log_rows_after): a produced signature, stored as put_signature stores it.
// Written under a savepoint: if it fails (the request moved on), only its own writes are undone,
// and its entries are not appended.
struct LogCompanion {
  SignatureRecord signature;
  std::string request_status;
};

}  // namespace qualsig::store
