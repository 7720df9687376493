// Records step of verify_bundle: the request, policy, decision, approvals, SAD and signature
// records the bundle carries are claims; each is compared with the log entry that recorded it
// when it happened (service/sign_service.cpp, service/signature_service.cpp write them).
#include "core/canonical_json.h"
#include "evidence/verify_detail.h"
#include "policy/duration.h"
#include "policy/policy.h"

namespace qualsig::evidence::detail {
namespace {

std::string canonical(const nlohmann::json& j) {
  auto text = core::canonical_json(j);
  return text ? *text : std::string("<not canonicalisable: ") + text.error().message + ">";
}

std::string request_id(const Context& c) { return str(c.bundle.request, "id"); }

// The entries of `event` that belong to the bundle's request (details.request).
std::vector<const Entry*> of_request(const Context& c, std::string_view event) {
  std::vector<const Entry*> out;
  for (const Entry* e : c.of_event(event))
    if (str(e->parsed.details, "request") == request_id(c)) out.push_back(e);
  return out;
}

std::string ref(const Entry& e, const char* name) {
  auto it = e.parsed.refs.find(name);
  return it == e.parsed.refs.end() ? std::string() : it->second;
}

std::string seq_of(const Entry& e) { return "seq " + std::to_string(e.parsed.seq); }

// Accumulates the mismatches of one element; one check at the end.
struct Comparison {
  std::vector<std::string> problems;
  void same(const std::string& what, const std::string& bundle_value, const std::string& log_value) {
    if (bundle_value != log_value) problems.push_back(differs(what, bundle_value, log_value));
  }
  void require(bool condition, const std::string& problem) {
    if (!condition) problems.push_back(problem);
  }
  void report(Context& c, const std::string& element, const std::string& ok_detail) const {
    std::string detail;
    for (const auto& p : problems) detail += (detail.empty() ? "" : "; ") + p;
    c.check(element, problems.empty(), problems.empty() ? ok_detail : detail);
  }
};

const Entry* only(Context& c, const std::string& element, const std::vector<const Entry*>& found, const std::string& what) {
  if (found.size() == 1) return found.front();
  c.check(element, false, found.empty() ? "the bundle holds no " + what + " entry for request " + request_id(c)
                                        : "the bundle holds " + std::to_string(found.size()) + " " + what + " entries for request " + request_id(c));
  return nullptr;
}

void check_request_and_decision(Context& c, const Entry* decided) {
  const Bundle& b = c.bundle;
  const auto& d = decided->parsed.details;
  Comparison req;
  req.require(!request_id(c).empty(), "the request has no id");
  req.same("request.document_hash", str(b.request, "document_hash"), b.document_hash);
  req.same("document_hash", b.document_hash, str(d, "document_hash"));
  req.same("requester", str(b.request, "requester"), str(d, "requester"));
  req.same("document_type", str(b.request, "document_type"), str(d, "document_type"));
  req.same("format", str(b.request, "format"), str(d, "format"));
  req.same("level", str(b.request, "level"), str(d, "level"));
  req.same("document_name", b.document_name, str(d, "document_name"));
  req.same("attributes", canonical(member(b.request, "attributes")),
           canonical(member(d, "attributes")));
  req.same("identity", str(b.request, "identity"), decided->parsed.subject.rfind("identity:", 0) == 0 ? decided->parsed.subject.substr(9) : "");
  req.same("credential", c.signer_serial, str(d, "credential"));
  req.report(c, "request", "request " + request_id(c) + " by " + str(d, "requester") + " for " + b.document_hash +
                               " agrees with the policy.decided entry (" + seq_of(*decided) + ")");

  Comparison dec;
  dec.same("the decision (canonical JSON)", canonical(b.decision), canonical(member(d, "decision")));
  dec.require(str(b.decision, "outcome") == "allow" || str(b.decision, "outcome") == "needs_approval",
              "the decision's outcome '" + str(b.decision, "outcome") + "' does not permit signing");
  dec.report(c, "decision", "the decision and its trace are the ones logged at " + seq_of(*decided) + " (outcome " +
                                str(b.decision, "outcome") + ")");

  Comparison pol;
  std::string logged = ref(*decided, "policy");
  if (b.policy.is_null()) {
    pol.require(logged.empty(), "the bundle has no policy but the decision was logged under policy " + logged);
  } else {
    auto hash = b.policy.is_object() && b.policy.contains("document") ? policy::policy_hash(member(b.policy, "document"))
                                                                      : Result<std::string>(fail(ErrorCode::invalid_input, "no document"));
    pol.require(hash.has_value(), "the policy document cannot be hashed: " + (hash ? std::string() : hash.error().message));
    if (hash) pol.same("the policy document's hash", *hash, logged);
    pol.same("policy.hash", str(b.policy, "hash"), logged);
    const auto& dp = member(b.decision, "policy");
    pol.same("the decision's policy hash", str(dp, "hash"), logged);
    pol.same("policy.name", str(b.policy, "name"), str(dp, "name"));
    pol.require(member(b.policy, "version") == member(dp, "version"),
                "policy.version differs from the decision's policy version");
    // The policy text itself was logged when it was set (policy.changed, refs.policy).
    bool text_logged = false;
    for (const Entry* e : c.of_event("policy.changed"))
      if (ref(*e, "policy") == logged && canonical(member(e->parsed.details, "document")) == canonical(member(b.policy, "document")))
        text_logged = true;
    pol.require(text_logged, "no policy.changed entry in the bundle logs this policy text under " + logged);
  }
  pol.report(c, "policy", b.policy.is_null() ? "no policy (none was logged with the decision)"
                                             : "policy " + str(b.policy, "name") + " v" + canonical(member(b.policy, "version")) +
                                                   " has the hash " + logged + " logged with the decision");
}

void check_approvals(Context& c) {
  const Bundle& b = c.bundle;
  auto granted = of_request(c, "approval.granted");
  auto rejected = of_request(c, "approval.rejected");
  std::vector<const Entry*> logged = granted;
  logged.insert(logged.end(), rejected.begin(), rejected.end());
  if (!b.approvals.is_array()) {
    c.check("approvals", false, "approvals is not an array");
    return;
  }
  std::vector<bool> used(logged.size(), false);
  for (std::size_t i = 0; i < b.approvals.size(); ++i) {
    const auto& a = b.approvals[i];
    std::string element = "approvals[" + std::to_string(i) + "]";
    std::string approver = str(a, "approver");
    // The entry of this approver with the same decision; then every field must agree.
    const Entry* match = nullptr;
    std::size_t at = 0;
    for (std::size_t k = 0; k < logged.size(); ++k)
      if (!used[k] && logged[k]->parsed.actor == "person:" + approver && str(logged[k]->parsed.details, "decision") == str(a, "decision")) {
        match = logged[k];
        at = k;
        break;
      }
    if (!match) {
      c.check(element, false, "no approval entry in the log by person:" + approver + " with decision '" + str(a, "decision") + "'");
      continue;
    }
    used[at] = true;
    Comparison cmp;
    cmp.same("document_hash", str(a, "document_hash"), str(match->parsed.details, "document_hash"));
    cmp.same("time", str(a, "time"), to_rfc3339(match->parsed.time));
    cmp.require(str(a, "document_hash") == b.document_hash, "the approval is for " + str(a, "document_hash") + ", not the signed document");
    cmp.report(c, element, str(a, "decision") + " by " + approver + " at " + str(a, "time") + " for " + str(a, "document_hash") +
                               ", as logged at " + seq_of(*match));
  }
  // Every logged vote for the request is in the bundle, and the approvals the decision asked
  // for were there when the SAD was issued: from the group, not by the requester, still valid
  // (policy/approvals.h rules, judged again from the log).
  Comparison all;
  for (std::size_t k = 0; k < logged.size(); ++k)
    all.require(used[k], "the log holds a vote by " + logged[k]->parsed.actor + " at " + seq_of(*logged[k]) + " that the bundle omits");
  std::int64_t required = 0;
  std::string group;
  std::optional<std::chrono::seconds> valid_for;
  if (str(b.decision, "outcome") == "needs_approval") {
    const auto& requirement = member(b.decision, "approval");
    const auto& r = member(requirement, "required");
    required = r.is_number_integer() ? r.get<std::int64_t>() : 1;
    group = str(requirement, "group");
    if (auto d = policy::parse_duration(str(requirement, "valid_for"))) valid_for = *d;
    all.require(valid_for.has_value(), "the decision's approval validity '" + str(requirement, "valid_for") + "' does not parse");
  }
  auto issued = of_request(c, "sad.issued");
  std::optional<TimePoint> activated;
  if (!issued.empty()) activated = issued.front()->parsed.time;
  std::string requester = str(c.bundle.request, "requester");
  requester = requester.substr(requester.find(':') == std::string::npos ? 0 : requester.find(':') + 1);
  std::int64_t counted = 0;
  for (const Entry* e : granted) {
    std::string who = e->parsed.actor.rfind("person:", 0) == 0 ? e->parsed.actor.substr(7) : e->parsed.actor;
    if (str(e->parsed.details, "document_hash") != b.document_hash) continue;
    if (required > 0) {
      if (str(e->parsed.details, "group") != group) {
        all.require(false, "the approval at " + seq_of(*e) + " was given for group '" + str(e->parsed.details, "group") + "', not " + group);
        continue;
      }
      if (who == requester) {
        all.require(false, "the approval at " + seq_of(*e) + " is by the requester");
        continue;
      }
      if (valid_for && activated && e->parsed.time + *valid_for <= *activated) continue;  // expired before activation
    }
    ++counted;
  }
  all.require(counted >= required, "the decision asked for " + std::to_string(required) + " approvals from " + group +
                                       ", the log shows " + std::to_string(counted) + " valid at activation");
  all.report(c, "approvals", std::to_string(counted) + " approval(s) for the signed document valid at activation; " +
                                 std::to_string(required) + " required by the decision" + (group.empty() ? "" : " from " + group));
}

void check_sad(Context& c) {
  const Bundle& b = c.bundle;
  const Entry* issued = only(c, "sad", of_request(c, "sad.issued"), "sad.issued");
  const Entry* consumed = only(c, "sad", of_request(c, "sad.consumed"), "sad.consumed");
  if (!issued || !consumed) return;
  const auto& s = b.sad;
  Comparison cmp;
  for (const Entry* e : {issued, consumed}) {
    cmp.same(e->parsed.event + " token hash", str(s, "token_hash"), ref(*e, "sad"));
    cmp.same(e->parsed.event + " credential", c.signer_serial, str(e->parsed.details, "credential"));
    cmp.same(e->parsed.event + " document_hash", b.document_hash, str(e->parsed.details, "document_hash"));
  }
  cmp.same("sad.credential", str(s, "credential"), str(issued->parsed.details, "credential"));
  cmp.same("sad.issued_at", str(s, "issued_at"), to_rfc3339(issued->parsed.time));
  cmp.same("sad.consumed_at", str(s, "consumed_at"), to_rfc3339(consumed->parsed.time));
  cmp.same("sad.expires_at", str(s, "expires_at"), str(issued->parsed.details, "expires_at"));
  bool bound = false;
  if (s.is_object() && s.contains("document_hashes") && member(s, "document_hashes").is_array())
    for (const auto& h : member(s, "document_hashes")) bound = bound || (h.is_string() && h.get<std::string>() == b.document_hash);
  cmp.require(bound, "the SAD is not bound to the signed document hash");
  auto expires = parse_rfc3339(str(issued->parsed.details, "expires_at"));
  cmp.require(expires && consumed->parsed.time < *expires, "the SAD was consumed after it expired");
  cmp.report(c, "sad", "SAD " + str(s, "token_hash") + " for credential " + c.signer_serial + " issued at " + seq_of(*issued) +
                           ", consumed once at " + seq_of(*consumed) + " before it expired");
}

void check_signature_record(Context& c) {
  const Bundle& b = c.bundle;
  std::vector<const Entry*> found;
  for (const Entry* e : c.of_event("signature.produced"))
    if (str(e->parsed.details, "signature_id") == b.signature_id) found.push_back(e);
  const Entry* e = only(c, "signature", found, "signature.produced");
  if (!e) return;
  const auto& d = e->parsed.details;
  Comparison cmp;
  cmp.same("the signature's SHA-256", audit::sha256_ref(b.signature), ref(*e, "signature"));
  cmp.same("document_hash", b.document_hash, str(d, "document_hash"));
  cmp.same("credential", c.signer_serial, str(d, "credential"));
  cmp.same("request", request_id(c), str(d, "request"));
  cmp.same("format", b.format, str(d, "format"));
  cmp.same("level", b.level, str(d, "level"));
  cmp.require(member(d, "detached") == nlohmann::json(b.detached), "detached differs from the log");
  cmp.report(c, "signature", "signature " + b.signature_id + " (" + audit::sha256_ref(b.signature) + ") logged at " + seq_of(*e));
  c.report.log_seq = e->parsed.seq;
}

}  // namespace

void verify_records(Context& c) {
  if (const Entry* decided = only(c, "decision", of_request(c, "policy.decided"), "policy.decided"))
    check_request_and_decision(c, decided);
  check_approvals(c);
  check_sad(c);
  check_signature_record(c);
}

}  // namespace qualsig::evidence::detail
