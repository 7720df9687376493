#pragma once
// Approval quorums: "needs N approvals from group G" for a pending sign request. Approvers are
// authenticated people; the requester never approves its own request, a non-human identity never
// approves, and an approval is bound to the exact document hash and expires.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/time.h"
#include "policy/amount.h"

namespace qualsig::policy {

// The approval a decision asks for: one entry of the policy's `approvals` list that applied.
struct ApprovalRequirement {
  std::string group;                 // approvers must be members of this group
  std::int64_t required = 1;         // distinct approvals needed, >= 1
  std::chrono::seconds valid_for{0}; // an approval counts for this long after it was cast
  std::string currency;              // the threshold that made it apply ...
  Amount above;                      // ... the request's amount was strictly above this
  std::size_t rule_index = 0;        // index in the policy's `approvals` list
};

enum class PrincipalKind { person, non_human };
enum class VoteChoice { approve, reject };

// One recorded vote on a sign request (store::ApprovalRecord plus what authentication said
// about the approver).
struct ApprovalVote {
  std::string approver;                  // authenticated principal name
  PrincipalKind approver_kind = PrincipalKind::person;
  std::vector<std::string> approver_groups;
  VoteChoice decision = VoteChoice::approve;
  std::string document_hash;             // the hash the approver saw: "sha256:<hex>" (or sha384/sha512)
  TimePoint time;                        // when the vote was cast
};

struct ApprovalContext {
  std::string requester;       // principal that made the request, named as approvers are
  std::string document_hash;   // the hash the signature will cover
  TimePoint request_created;
  TimePoint now;
};

enum class ApprovalStatus { satisfied, pending, rejected };
const char* approval_status_name(ApprovalStatus status);   // "satisfied", "pending", "rejected"
const char* vote_choice_name(VoteChoice choice);           // "approve", "reject"

// How one vote was judged.
struct VoteCheck {
  std::size_t index = 0;   // position in the votes given
  std::string approver;
  VoteChoice decision = VoteChoice::approve;
  bool counted = false;
  std::string reason;      // why it counted or not
};

struct ApprovalTally {
  ApprovalStatus status = ApprovalStatus::pending;
  std::int64_t approvals = 0;  // distinct approvers whose approval counted
  std::int64_t required = 0;
  std::vector<VoteCheck> votes;  // one per vote, in the order given
  std::string reason;
};

// Tallies `votes` (in the order they were cast) against `requirement`. A vote counts only if:
// its approver is not the requester, is a person, is a member of requirement.group; its
// document hash equals context.document_hash; it was cast at or after context.request_created
// and not after context.now. An approval also counts only while context.now < time + valid_for
// (approvals expire; a rejection is final and does not), and only once per approver. Principal
// names are compared ignoring ASCII case and a leading "person:", so "person:Alice@x" and
// "alice@x" are one approver. Status: rejected if any counted vote rejects; satisfied if at least
// `required` distinct approvals count; pending otherwise. Every vote gets a VoteCheck with its
// reason. Fails with invalid_input only when the context is malformed (empty requester, a
// document hash that is not "<alg>:<hex>", request_created after now) or required < 1.
Result<ApprovalTally> check_approvals(const ApprovalRequirement& requirement, const std::vector<ApprovalVote>& votes,
                                      const ApprovalContext& context);

// Called by the service before it records `vote`: fails with ErrorCode::denied and a clear
// message when the vote could never count: cast by the requester, by a non-human identity, by
// someone not in requirement.group, or for another document hash. invalid_input when the vote
// or context is malformed (empty approver, malformed hash). Expiry is not judged here: a vote
// being recorded is cast now.
Result<void> vote_admissible(const ApprovalRequirement& requirement, const ApprovalVote& vote,
                             const ApprovalContext& context);

// True for "<alg>:<hex>" with alg sha256, sha384 or sha512 and as many hex digits (either case)
// as that digest has.
bool is_document_hash(std::string_view text);

nlohmann::json to_json(const ApprovalRequirement& requirement);
nlohmann::json to_json(const ApprovalTally& tally);

}  // namespace qualsig::policy
