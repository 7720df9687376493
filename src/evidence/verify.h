#pragma once
// Offline verification of an evidence bundle (evidence/bundle.h): no database, no network, no
// clock other than the times in the bundle. Every check is reported with the element it is
// about, so that a change to any single element is detected and named; and the facts an
// auditor needs are extracted for the text and HTML reports (evidence/report.h).

#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "evidence/bundle.h"

namespace qualsig::evidence {

// One check. `element` names what it is about, as a path into the bundle: "document",
// "signature", "chain", "revocation", "timestamps", "log.checkpoint", "log.entries[5]",
// "policy", "decision", "approvals[1]", "delegation", "sad", "identity", "proofing",
// "sequence".
struct Check {
  std::string element;
  bool ok = false;
  std::string detail;  // for people: what was compared and found
};

struct TimelineEvent {
  TimePoint time;
  std::uint64_t seq = 0;
  std::string event;    // "identity.proofed", "policy.decided", "approval.granted", ...
  std::string summary;  // one line for people
};

struct Approver {
  std::string name;
  std::string decision;  // approve | reject
  TimePoint time;
  std::string document_hash;
};

struct Report {
  bool verified = false;       // every check ok
  std::vector<Check> checks;   // in the order they ran
  // Facts (filled as far as the bundle allows, also when checks fail).
  std::string signature_id;
  std::string document_name;
  std::string document_hash;
  std::string identity;        // name
  std::string identity_kind;
  std::string organization;
  std::string sponsor;
  std::string assurance_level;
  std::vector<std::string> proofing;  // "sponsor attestation by alice, confirmed by bob (IAL2)"
  std::string policy;          // "invoices v1 (sha256:...)"
  std::string decision;        // outcome and reason, e.g. "allow: ... "
  std::vector<std::string> rules;  // one line per trace step
  std::vector<Approver> approvers;
  std::vector<std::string> delegation;  // one line per link
  std::string certificate;     // subject, serial, validity
  std::string qualification;   // what the certificate claims and on what it rests, with reasons
  std::optional<TimePoint> signed_at;
  std::uint64_t log_seq = 0;   // the signature.produced entry
  std::uint64_t log_size = 0;  // tree size of the checkpoint
  std::string root_fingerprint;     // SHA-256 of the root certificate (hex), for comparison with a published one
  std::string log_key_fingerprint;  // SHA-256 of the log's public key (hex)
  std::vector<TimelineEvent> timeline;  // by seq, from registration to signature
};

struct VerifyOptions {
  // Pin the trust anchors instead of taking them from the bundle (DER). Without them the
  // report shows the fingerprints the auditor must compare with published ones.
  std::optional<Bytes> trusted_root;
  std::optional<Bytes> trusted_log_key;  // SubjectPublicKeyInfo
};

// Verifies everything offline. Never fails: malformed or altered content gives failing checks.
Report verify_bundle(const Bundle& bundle, const VerifyOptions& options);

}  // namespace qualsig::evidence
