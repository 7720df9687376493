// Sign requests: submit (policy decision), approvals, activation (SAD). The signature itself is
// produced in signature_service.cpp.
#include "service/sign_service.h"

#include "audit/log_entry.h"
#include "core/fs.h"
#include "policy/approvals.h"
#include "policy/duration.h"
#include "policy/evaluate.h"
#include "policy/policy.h"
#include "service/credential.h"
#include "service/delegation_service.h"
#include "service/identity_service.h"
#include "service/people_service.h"

namespace qualsig::service {
namespace {

using namespace std::chrono_literals;

constexpr auto kPendingLifetime = std::chrono::hours(24 * 7);  // a pending request waits this long for approvals
constexpr auto kAllowedLifetime = std::chrono::hours(1);       // an allowed request must be activated within
constexpr auto kDefaultSadLifetime = std::chrono::minutes(5);  // CSC API v2: SAD is short-lived
constexpr std::size_t kMaxAttributes = 32;

const char* digest_prefix(core::DigestAlgorithm alg) {
  switch (alg) {
    case core::DigestAlgorithm::sha256: return "sha256";
    case core::DigestAlgorithm::sha384: return "sha384";
    case core::DigestAlgorithm::sha512: return "sha512";
  }
  return "sha256";
}

bool label_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'; }

Result<void> check_label(const std::string& what, const std::string& v) {
  if (v.empty() || v.size() > 64) return fail(ErrorCode::invalid_input, what + " must be 1 to 64 characters");
  for (char c : v)
    if (!label_char(c)) return fail(ErrorCode::invalid_input, what + " '" + v + "' may only hold a-z 0-9 - _ .");
  return ok();
}

Result<void> validate_input(const SignRequestInput& in) {
  QS_TRY_VOID(check_label("document type", in.document_type));
  if (in.attributes.size() > kMaxAttributes)
    return fail(ErrorCode::invalid_input, "at most " + std::to_string(kMaxAttributes) + " attributes");
  for (const auto& [k, v] : in.attributes) {
    QS_TRY_VOID(check_label("attribute name", k));
    if (v.size() > 256) return fail(ErrorCode::invalid_input, "attribute " + k + " is longer than 256 characters");
    for (unsigned char c : v)
      if (c < 0x20 || c == 0x7f) return fail(ErrorCode::invalid_input, "attribute " + k + " holds a control character");
  }
  if (in.document.value.size() != core::digest_size(in.document.alg))
    return fail(ErrorCode::invalid_input, std::string("document hash must be ") + std::to_string(core::digest_size(in.document.alg)) +
                                              " bytes for " + core::digest_name(in.document.alg));
  QS_TRY_VOID(check_format(in.format, in.level, in.detached, in.format_options));
  if (in.requester.empty()) return fail(ErrorCode::invalid_input, "the requester is missing");
  if (in.document.name.size() > 255) return fail(ErrorCode::invalid_input, "document name is longer than 255 characters");
  return ok();
}

// The principal compared with approvers: "operator:alice" and "person:alice" are both alice.
std::string requester_name(const std::string& requester) {
  for (const char* prefix : {"operator:", "person:"})
    if (requester.rfind(prefix, 0) == 0) return requester.substr(std::string_view(prefix).size());
  return requester;
}

// The policy attached to an identity, parsed, with the id of its stored version.
struct AttachedPolicy {
  std::int64_t id = 0;
  policy::Policy policy;
};

Result<std::optional<AttachedPolicy>> load_policy(TrustService& svc, std::int64_t identity_id) {
  QS_TRY(auto rec, svc.store().policy_of_identity(identity_id));
  if (!rec) return std::optional<AttachedPolicy>();
  auto parsed = policy::parse_policy(rec->document);
  if (!parsed) return fail(ErrorCode::database, "stored policy '" + rec->name + "' no longer parses: " + parsed.error().message);
  if (parsed->hash != rec->hash) return fail(ErrorCode::database, "stored policy '" + rec->name + "' does not match its hash");
  return std::optional<AttachedPolicy>(AttachedPolicy{rec->id, std::move(*parsed)});
}

struct Evaluated {
  policy::Decision decision;
  std::optional<policy::ChainSummary> chain;  // set when a chain verified
};

// The one evaluation path of submit and `policy test`: the delegation chain is taken from the
// store unless one is presented, and verified for the scope the policy's delegation rule names.
Result<Evaluated> evaluate(TrustService& svc, const policy::Policy* pol, policy::SignRequest req,
                           std::optional<std::vector<policy::Delegation>> chain,
                           const std::optional<std::string>& delegation_id) {
  Evaluated out;
  std::string scope = pol && pol->delegation ? pol->delegation->scope : req.document_type;
  if (!chain) {
    QS_TRY(chain, select_chain(svc, req.identity, scope, delegation_id, req.now));
  }
  if (!chain->empty())
    if (auto summary = policy::verify_chain(*chain, req.identity, scope, req.now)) out.chain = std::move(*summary);
  out.decision = policy::evaluate_chain(pol, std::move(req), *chain);
  return out;
}

Result<Evaluated> evaluate_request(TrustService& svc, const store::IdentityRecord& identity, const SignRequestInput& in,
                                   const policy::Policy* pol, TimePoint now) {
  policy::SignRequest req;
  req.identity = identity.name;
  req.document_type = in.document_type;
  req.attributes = in.attributes;
  req.now = now;
  // Counted only for a policy with rate limits, and only up to the limit: the count is an index
  // range scan, and an identity that signs all day must not pay for every earlier signature.
  if (pol && pol->rate_limits) {
    const auto& limits = *pol->rate_limits;
    if (limits.per_hour) {
      QS_TRY(auto hour, svc.store().count_signatures(identity.id, now - 1h, *limits.per_hour + 1));
      req.signatures_last_hour = static_cast<std::uint64_t>(hour);
    }
    if (limits.per_day) {
      QS_TRY(auto day, svc.store().count_signatures(identity.id, now - 24h, *limits.per_day + 1));
      req.signatures_last_day = static_cast<std::uint64_t>(day);
    }
  }
  return evaluate(svc, pol, std::move(req), std::nullopt, in.delegation_id);
}

Result<policy::ApprovalRequirement> requirement_from(const nlohmann::json& decision) {
  const auto& a = decision.at("approval");
  policy::ApprovalRequirement r;
  r.group = a.at("group").get<std::string>();
  r.required = a.at("required").get<std::int64_t>();
  QS_TRY(r.valid_for, policy::parse_duration(a.at("valid_for").get<std::string>()));
  r.currency = a.at("above").at("currency").get<std::string>();
  QS_TRY(r.above, policy::Amount::parse(a.at("above").at("amount").get<std::string>()));
  return r;
}

Result<policy::ApprovalTally> tally(TrustService& svc, const store::SignRequestRecord& req,
                                    const policy::ApprovalRequirement& requirement, TimePoint now) {
  QS_TRY(auto recorded, svc.store().approvals(req.id));
  std::vector<policy::ApprovalVote> votes;
  for (const auto& a : recorded) {
    policy::ApprovalVote v;
    v.approver = a.approver;
    auto person = svc.store().person(a.approver);
    if (person) v.approver_groups = person->groups;
    v.approver_kind = policy::PrincipalKind::person;
    v.decision = a.decision == "reject" ? policy::VoteChoice::reject : policy::VoteChoice::approve;
    v.document_hash = a.document_hash;
    v.time = a.time;
    votes.push_back(std::move(v));
  }
  return policy::check_approvals(requirement, votes,
                                 {requester_name(req.requester), req.document_hash, req.created_at, now});
}

Result<nlohmann::json> stored_decision(const store::SignRequestRecord& req) {
  auto j = nlohmann::json::parse(req.decision, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(ErrorCode::database, "stored decision of " + req.id + " is not JSON");
  return j;
}

}  // namespace

std::map<std::string, std::string> document_refs(const std::string& document_hash, std::map<std::string, std::string> more) {
  if (document_hash.rfind("sha256:", 0) == 0) more["document"] = document_hash;
  return more;
}

std::string document_hash_ref(const DocumentDigest& d) { return std::string(digest_prefix(d.alg)) + ":" + hex_encode(d.value); }

Result<SubmittedRequest> submit_sign_request(TrustService& svc, const SignRequestInput& in, TimePoint now) {
  QS_TRY_VOID(validate_input(in));
  QS_TRY(auto credential, in.credential ? check_credential(svc, in.identity, *in.credential, now)
                                         : usable_credential(svc, in.identity, now));
  QS_TRY(auto attached, load_policy(svc, credential.identity.id));
  const policy::Policy* pol = attached ? &attached->policy : nullptr;
  QS_TRY(auto evaluated, evaluate_request(svc, credential.identity, in, pol, now));
  const auto& decision = evaluated.decision;

  store::SignRequestRecord rec;
  rec.id = "req-" + hex_encode(core::random_bytes(8));
  rec.identity_id = credential.identity.id;
  rec.identity_name = credential.identity.name;
  rec.requester = in.requester;
  rec.document_type = in.document_type;
  rec.attributes = nlohmann::json(in.attributes).dump();
  rec.document_name = in.document.name;
  rec.document_hash = document_hash_ref(in.document);
  rec.document_size = in.document.size;
  rec.format = in.format;
  rec.level = in.level;
  rec.detached = in.detached;
  rec.format_options = to_json(in.format_options).dump();
  rec.credential = in.credential;
  rec.created_at = now;
  auto decision_json = policy::to_json(decision);
  if (evaluated.chain) decision_json["delegation"] = policy::to_json(*evaluated.chain);
  rec.decision = decision_json.dump();
  switch (decision.outcome) {
    case policy::Outcome::allow: rec.status = "allowed"; break;
    case policy::Outcome::deny: rec.status = "denied"; break;
    case policy::Outcome::needs_approval: rec.status = "pending"; break;
  }
  rec.expires_at = now + (rec.status == "pending" ? kPendingLifetime : kAllowedLifetime);
  if (decision.approval) {
    rec.approval_group = decision.approval->group;
    rec.approvals_required = decision.approval->required;
  }
  if (evaluated.chain && !evaluated.chain->link_ids.empty()) rec.delegation_id = evaluated.chain->link_ids.back();
  if (attached) rec.policy_id = attached->id;

  auto refs = document_refs(rec.document_hash);
  if (pol) refs["policy"] = pol->hash;
  nlohmann::json details = {{"request", rec.id},
                            {"document_hash", rec.document_hash},
                            {"credential", credential.certificate.serial_hex},
                            {"document_type", in.document_type},
                            {"attributes", in.attributes},
                            {"document_name", in.document.name},
                            {"format", in.format},
                            {"level", in.level},
                            {"requester", in.requester},
                            {"decision", decision_json}};
  QS_TRY_VOID(log_event(svc, audit::EventType::policy_decided, in.requester, "identity:" + in.identity, refs, details, now));
  QS_TRY_VOID(svc.store().create_sign_request(rec));
  return SubmittedRequest{std::move(rec), std::move(decision_json)};
}

Result<Decided> decide_request(TrustService& svc, const std::string& request_id, const store::PersonRecord& person,
                               bool approve, const std::optional<std::string>& document_hash, TimePoint now) {
  QS_TRY(auto req, svc.store().sign_request(request_id));
  if (req.status != "pending")
    return fail(ErrorCode::conflict, "sign request " + request_id + " is " + req.status + ", not pending");
  if (now >= req.expires_at) return fail(ErrorCode::denied, "sign request " + request_id + " expired at " + to_rfc3339(req.expires_at));
  QS_TRY(auto decision, stored_decision(req));
  QS_TRY(auto requirement, requirement_from(decision));
  policy::ApprovalVote vote;
  vote.approver = person.name;
  vote.approver_groups = person.groups;
  // add_person refuses names of identities, and identities have no person record: a
  // non-human principal never gets here. Checked again in case an identity was registered
  // under a person's name later.
  vote.approver_kind = svc.store().identity(person.name) ? policy::PrincipalKind::non_human : policy::PrincipalKind::person;
  vote.decision = approve ? policy::VoteChoice::approve : policy::VoteChoice::reject;
  vote.document_hash = document_hash.value_or(req.document_hash);
  vote.time = now;
  policy::ApprovalContext ctx{requester_name(req.requester), req.document_hash, req.created_at, now};
  QS_TRY_VOID(policy::vote_admissible(requirement, vote, ctx));

  QS_TRY_VOID(log_event(svc, approve ? audit::EventType::approval_granted : audit::EventType::approval_rejected,
                        "person:" + person.name, "request:" + req.id, document_refs(vote.document_hash),
                        {{"request", req.id}, {"document_hash", vote.document_hash}, {"identity", req.identity_name}, {"group", requirement.group},
                         {"decision", approve ? "approve" : "reject"}},
                        now));
  QS_TRY_VOID(svc.store().add_approval({req.id, person.name, approve ? "approve" : "reject", vote.document_hash, now}));
  QS_TRY(auto t, tally(svc, req, requirement, now));
  if (t.status == policy::ApprovalStatus::satisfied) {
    QS_TRY_VOID(svc.store().transition_sign_request(req.id, "pending", "approved", std::nullopt, std::nullopt));
    req.status = "approved";
    // Once approved, the request must be activated within the approvals' validity.
    req.expires_at = std::min(req.expires_at, now + requirement.valid_for);
  } else if (t.status == policy::ApprovalStatus::rejected) {
    QS_TRY_VOID(svc.store().transition_sign_request(req.id, "pending", "rejected", std::nullopt, now));
    req.status = "rejected";
  }
  return Decided{std::move(req), policy::to_json(t)};
}

Result<Activation> authorize_signature(TrustService& svc, const std::string& request_id,
                                       const std::optional<store::PersonRecord>& activator, TimePoint now,
                                       const Secret* preset) {
  QS_TRY(auto req, svc.store().sign_request(request_id));
  QS_TRY(auto decision, stored_decision(req));
  if (req.status == "approved") {
    // Approvals expire: tally again now.
    QS_TRY(auto requirement, requirement_from(decision));
    QS_TRY(auto t, tally(svc, req, requirement, now));
    if (t.status != policy::ApprovalStatus::satisfied)
      return fail(ErrorCode::pending, "sign request " + request_id + " no longer has its approvals: " + t.reason);
  } else if (req.status == "pending") {
    return fail(ErrorCode::pending, "sign request " + request_id + " waits for " + std::to_string(req.approvals_required) +
                                        " approvals from " + req.approval_group.value_or("?"));
  } else if (req.status != "allowed") {
    return fail(ErrorCode::denied, "sign request " + request_id + " is " + req.status);
  } else if (now >= req.expires_at) {
    return fail(ErrorCode::denied, "sign request " + request_id + " expired at " + to_rfc3339(req.expires_at));
  }
  auto sad_lifetime = std::chrono::seconds(kDefaultSadLifetime);
  if (decision.contains("activation")) {
    const auto& act = decision["activation"];
    if (act.contains("sad_valid_for")) {
      QS_TRY(sad_lifetime, policy::parse_duration(act["sad_valid_for"].get<std::string>()));
    }
    if (act.contains("by") && act["by"].is_string()) {
      auto by = act["by"].get<std::string>();
      if (!activator || "person:" + activator->name != by)
        return fail(ErrorCode::denied, "the policy requires activation of each use by " + by);
    }
  }
  QS_TRY_VOID(recheck_delegation(svc, req.identity_name, decision, now));
  QS_TRY(auto credential, req.credential ? check_credential(svc, req.identity_name, *req.credential, now)
                                          : usable_credential(svc, req.identity_name, now));
  Activation a{preset ? *preset : new_token("qsa_"), {}};
  a.record = store::SadRecord{token_hash(a.sad), req.id, credential.certificate.serial_hex, {req.document_hash},
                              now, now + sad_lifetime, std::nullopt};
  std::string actor = activator ? "person:" + activator->name : req.requester;
  QS_TRY_VOID(log_event(svc, audit::EventType::sad_issued, actor, "request:" + req.id,
                        document_refs(req.document_hash, {{"sad", a.record.token_hash}}),
                        {{"request", req.id}, {"document_hash", req.document_hash},
                         {"credential", credential.certificate.serial_hex}, {"expires_at", to_rfc3339(a.record.expires_at)}},
                        now));
  QS_TRY_VOID(svc.store().put_sad(a.record));
  return a;
}

Result<store::SignRequestRecord> find_sign_request(TrustService& svc, const std::string& id) { return svc.store().sign_request(id); }

Result<std::vector<store::SignRequestRecord>> list_sign_requests(TrustService& svc, const std::optional<std::string>& status,
                                                                 std::size_t limit) {
  return svc.store().sign_requests(status, limit);
}

Result<std::vector<store::ApprovalRecord>> request_approvals(TrustService& svc, const std::string& id) {
  return svc.store().approvals(id);
}

Result<nlohmann::json> test_policy(TrustService& svc, const policy::TestRequest& request,
                                   const std::optional<std::string>& policy_text) {
  QS_TRY(auto id, svc.store().identity(request.request.identity));
  std::optional<policy::Policy> pol;
  if (policy_text) {
    QS_TRY(pol, policy::parse_policy(*policy_text));
  } else {
    QS_TRY(auto attached, load_policy(svc, id.id));
    if (attached) pol = std::move(attached->policy);
  }
  std::optional<std::vector<policy::Delegation>> chain;
  if (!request.chain.empty()) chain = request.chain;
  QS_TRY(auto evaluated, evaluate(svc, pol ? &*pol : nullptr, request.request, chain, std::nullopt));
  auto j = policy::to_json(evaluated.decision);
  if (evaluated.chain) j["delegation"] = policy::to_json(*evaluated.chain);
  return j;
}

Result<store::PolicyRecord> set_policy(TrustService& svc, const std::vector<std::string>& identities,
                                       std::string_view policy_text, const std::string& actor, TimePoint now) {
  if (identities.empty()) return fail(ErrorCode::usage, "name at least one identity to attach the policy to");
  QS_TRY(auto pol, policy::parse_policy(policy_text));
  std::vector<store::IdentityRecord> targets;
  for (const auto& name : identities) {
    QS_TRY(auto id, svc.store().identity(name));
    targets.push_back(std::move(id));
  }
  store::PolicyRecord rec{0, pol.name, pol.version, pol.hash, pol.canonical, now, actor};
  // Versions are immutable: refuse before anything is logged.
  QS_TRY(auto stored, svc.store().policies());
  for (const auto& p : stored)
    if (p.name == pol.name && p.version == pol.version && p.hash != pol.hash)
      return fail(ErrorCode::already_exists, "policy '" + pol.name + "' version " + std::to_string(pol.version) +
                                                 " is already stored with other content: raise \"version\"");
  std::vector<std::string> names;
  for (const auto& t : targets) names.push_back(t.name);
  QS_TRY_VOID(log_event(svc, audit::EventType::policy_changed, actor, "policy:" + pol.name, {{"policy", pol.hash}},
                        {{"name", pol.name}, {"version", pol.version}, {"identities", names}, {"document", pol.document}}, now));
  QS_TRY(rec.id, svc.store().put_policy(rec));
  for (const auto& t : targets) QS_TRY_VOID(svc.store().attach_policy(t.id, rec.id, now));
  return rec;
}

Result<std::optional<store::PolicyRecord>> policy_of(TrustService& svc, const std::string& identity) {
  QS_TRY(auto id, svc.store().identity(identity));
  return svc.store().policy_of_identity(id.id);
}

}  // namespace qualsig::service
