#include "policy/approvals.h"

#include <algorithm>
#include <set>

#include "policy/duration.h"
#include "policy/text.h"

namespace qualsig::policy {
namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

// The key two principal names are compared by: one person appears as "alice@x" in the approver
// table and as "person:alice@x" in delegations, and e-mail addresses are typed in any case.
std::string principal_key(std::string_view name) {
  std::string key = lower_ascii(name);
  constexpr std::string_view kPerson = "person:";
  if (std::string_view(key).substr(0, kPerson.size()) == kPerson) key.erase(0, kPerson.size());
  return key;
}

// At most 80 bytes of a name or hash for a message.
std::string shown(std::string_view s) { return printable(s, 80); }

// Why `vote` can never count for this request, or empty if it might.
std::string inadmissible(const ApprovalRequirement& requirement, const ApprovalVote& vote,
                         const ApprovalContext& context) {
  if (principal_key(vote.approver) == principal_key(context.requester)) {
    return "the requester cannot approve or reject its own request";
  }
  if (vote.approver_kind != PrincipalKind::person) return "a non-human identity cannot approve or reject";
  if (std::find(vote.approver_groups.begin(), vote.approver_groups.end(), requirement.group) ==
      vote.approver_groups.end()) {
    return "not a member of group " + requirement.group;
  }
  if (!is_document_hash(vote.document_hash) || lower_ascii(vote.document_hash) != lower_ascii(context.document_hash)) {
    return "cast for document " + shown(vote.document_hash) + ", not for this request's " +
           shown(context.document_hash);
  }
  return {};
}

Result<void> check_context(const ApprovalRequirement& requirement, const ApprovalContext& context) {
  if (context.requester.empty() || !is_printable_utf8(context.requester)) {
    return fail(ErrorCode::invalid_input, "approval check: the requester is empty or not printable UTF-8");
  }
  if (!is_document_hash(context.document_hash)) {
    return fail(ErrorCode::invalid_input, "approval check: the request's document hash is not \"<alg>:<hex>\"");
  }
  if (context.request_created > context.now) {
    return fail(ErrorCode::invalid_input, "approval check: the request was created after now");
  }
  if (requirement.required < 1) return fail(ErrorCode::invalid_input, "approval check: required must be >= 1");
  return ok();
}

}  // namespace

const char* approval_status_name(ApprovalStatus status) {
  switch (status) {
    case ApprovalStatus::satisfied: return "satisfied";
    case ApprovalStatus::pending: return "pending";
    case ApprovalStatus::rejected: return "rejected";
  }
  return "pending";
}

const char* vote_choice_name(VoteChoice choice) { return choice == VoteChoice::approve ? "approve" : "reject"; }

bool is_document_hash(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view alg = text.substr(0, colon);
  const std::string_view hex = text.substr(colon + 1);
  const std::size_t want = alg == "sha256" ? 64 : alg == "sha384" ? 96 : alg == "sha512" ? 128 : 0;
  return want != 0 && hex.size() == want && std::all_of(hex.begin(), hex.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

Result<ApprovalTally> check_approvals(const ApprovalRequirement& requirement, const std::vector<ApprovalVote>& votes,
                                      const ApprovalContext& context) {
  QS_TRY_VOID(check_context(requirement, context));
  ApprovalTally tally;
  tally.required = requirement.required;
  std::set<std::string> approved_by;
  std::set<std::string> rejected_by;
  for (std::size_t i = 0; i < votes.size(); ++i) {
    const ApprovalVote& vote = votes[i];
    VoteCheck check{i, printable(vote.approver), vote.decision, false, {}};
    const std::string key = principal_key(vote.approver);
    if (vote.approver.empty() || !is_printable_utf8(vote.approver)) {
      check.reason = "no approver named, or a name that is not printable UTF-8";
    } else if (std::string why = inadmissible(requirement, vote, context); !why.empty()) {
      check.reason = std::move(why);
    } else if (vote.time < context.request_created) {
      check.reason = "cast at " + to_rfc3339(vote.time) + ", before the request was created";
    } else if (vote.time > context.now) {
      check.reason = "dated " + to_rfc3339(vote.time) + ", after now";
    } else if (vote.decision == VoteChoice::reject) {
      // A rejection is final: it does not expire, and it stands even if the same person
      // approved earlier.
      if (!rejected_by.insert(key).second) {
        check.reason = "a second rejection by the same approver";
      } else {
        check.counted = true;
        check.reason = "rejection by a member of " + requirement.group;
      }
    } else if (context.now >= vote.time + requirement.valid_for) {
      check.reason = "expired: cast at " + to_rfc3339(vote.time) + ", valid for " +
                     format_duration(requirement.valid_for);
    } else if (!approved_by.insert(key).second) {
      check.reason = "a second approval by the same approver counts once";
    } else {
      check.counted = true;
      check.reason = "approval by a member of " + requirement.group;
    }
    tally.votes.push_back(std::move(check));
  }
  tally.approvals = static_cast<std::int64_t>(approved_by.size());
  const std::string count = std::to_string(tally.approvals) + " of " + std::to_string(requirement.required) +
                            " approvals from " + requirement.group;
  if (!rejected_by.empty()) {
    tally.status = ApprovalStatus::rejected;
    tally.reason = "rejected by " + shown(*rejected_by.begin()) + (rejected_by.size() > 1 ? " and others" : "") +
                   " (" + count + ")";
  } else if (tally.approvals >= requirement.required) {
    tally.status = ApprovalStatus::satisfied;
    tally.reason = count;
  } else {
    tally.status = ApprovalStatus::pending;
    tally.reason = count;
  }
  return tally;
}

Result<void> vote_admissible(const ApprovalRequirement& requirement, const ApprovalVote& vote,
                             const ApprovalContext& context) {
  QS_TRY_VOID(check_context(requirement, context));
  if (vote.approver.empty() || !is_printable_utf8(vote.approver)) {
    return fail(ErrorCode::invalid_input, "approval: no approver named, or a name that is not printable UTF-8");
  }
  if (!is_document_hash(vote.document_hash)) {
    return fail(ErrorCode::invalid_input, "approval: the document hash is not \"<alg>:<hex>\"");
  }
  if (std::string why = inadmissible(requirement, vote, context); !why.empty()) {
    return fail(ErrorCode::denied, "approval refused: " + why);
  }
  return ok();
}

nlohmann::json to_json(const ApprovalRequirement& requirement) {
  return {{"group", requirement.group},
          {"required", requirement.required},
          {"valid_for", format_duration(requirement.valid_for)},
          {"above", {{"currency", requirement.currency}, {"amount", requirement.above.to_string()}}},
          {"rule", "/approvals/" + std::to_string(requirement.rule_index)}};
}

nlohmann::json to_json(const ApprovalTally& tally) {
  nlohmann::json votes = nlohmann::json::array();
  for (const auto& v : tally.votes) {
    votes.push_back({{"index", v.index},
                     {"approver", v.approver},
                     {"decision", vote_choice_name(v.decision)},
                     {"counted", v.counted},
                     {"reason", v.reason}});
  }
  return {{"status", approval_status_name(tally.status)},
          {"approvals", tally.approvals},
          {"required", tally.required},
          {"reason", tally.reason},
          {"votes", std::move(votes)}};
}

}  // namespace qualsig::policy
