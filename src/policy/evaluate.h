#pragma once
// Evaluation of a sign request against a policy: allow, deny or needs_approval, with a trace of
// every rule and the values it compared. Default deny: no policy, an unknown document type or
// any failing rule denies. Pure: the caller supplies the time and the signature counts.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/time.h"
#include "policy/approvals.h"
#include "policy/delegation.h"
#include "policy/policy.h"

namespace qualsig::policy {

// What the service knows about a sign request when it asks for a decision.
struct SignRequest {
  std::string identity;       // the identity that would sign
  std::string document_type;  // e.g. "invoice"
  // Request attributes the rules read: "amount" (decimal text, see Amount::parse), "currency"
  // (ISO 4217), "counterparty"; others (e.g. "reference") are carried but not read.
  std::map<std::string, std::string> attributes;
  TimePoint now;
  // Signatures this identity made in the hour / 24 hours before `now` (counted by the caller).
  std::uint64_t signatures_last_hour = 0;
  std::uint64_t signatures_last_day = 0;
  // The delegation chain the request is made under, already checked by verify_chain() with the
  // policy's delegation scope; nullopt when the request is not made under a delegation.
  std::optional<ChainSummary> delegation;
};

enum class Outcome { allow, deny, needs_approval };
enum class Verdict { pass, fail, needs_approval, not_applicable };
const char* outcome_name(Outcome outcome);  // "allow", "deny", "needs_approval"
const char* verdict_name(Verdict verdict);  // "pass", "fail", "needs_approval", "not_applicable"

// One rule's judgement.
struct TraceStep {
  std::string rule;     // "document_types", "max_amount", ... or "policy" when there is none
  Verdict verdict = Verdict::fail;
  std::string detail;   // for people: "invoice is in [invoice]"
  nlohmann::json seen;  // the values compared (an object; strings and integers only)
};

struct Decision {
  Outcome outcome = Outcome::deny;
  std::vector<TraceStep> trace;               // one step per rule present, in evaluation order
  std::optional<ApprovalRequirement> approval;  // set exactly when outcome is needs_approval
  std::optional<ActivationRule> activation;   // the policy's activation parameters, if any
  std::string reason;                         // one line: the first failing rule, or why allowed
  std::string policy_name;                    // empty when there was no policy
  std::int64_t policy_version = 0;
  std::string policy_hash;
};

// Evaluates `request` against `policy` (borrowed for the call; nullptr means no policy is
// attached, which denies with a single "policy" trace step). Rules are evaluated in the order
// document_types, max_amount, counterparties, time_windows, rate_limits, delegation,
// approvals; every rule present produces exactly one step, even after an earlier failure, so
// the trace is complete. Outcome: deny if any step fails; otherwise needs_approval if the
// approvals step asks for approval; otherwise allow. Never fails: malformed request values
// (an unparsable amount, a missing attribute) make the rule that reads them fail.
// Deterministic: the same policy and request give the same decision, byte for byte in JSON.
Decision evaluate(const Policy* policy, const SignRequest& request);

// evaluate() for a request presented with the delegation `chain` it is made under (root first,
// as the store returns it; empty when none). When the policy has a `delegation` rule and the
// chain is not empty, the chain is verified with verify_chain() for request.identity, the rule's
// scope and request.now; its summary replaces request.delegation, and a chain that does not
// verify makes the delegation step fail with verify_chain()'s message, naming the failing link
// (the presented links are then in the step's `seen`). Without a delegation rule the chain is
// not consulted. request.delegation as passed in is ignored.
Decision evaluate_chain(const Policy* policy, SignRequest request, const std::vector<Delegation>& chain);

// The decision as JSON for the audit log, the evidence bundle and `qualsig policy test`:
// {"outcome", "reason", "policy": {"name","version","hash"} | null, "trace": [{"rule",
// "verdict","detail","seen"}], "approval"?: {...}, "activation"?: {...}}. Holds only strings,
// integers, booleans and null, so it has an RFC 8785 canonical form.
nlohmann::json to_json(const Decision& decision);

}  // namespace qualsig::policy
