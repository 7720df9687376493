#include "policy/evaluate.h"

#include <algorithm>
#include <cstdio>

#include "core/canonical_json.h"
#include "policy/duration.h"
#include "policy/text.h"

namespace qualsig::policy {
namespace {

using nlohmann::json;

std::string list_text(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size() && i < 10; ++i) out += (i ? "," : "") + items[i];
  if (items.size() > 10) out += ",... (" + std::to_string(items.size()) + " in all)";
  return out + "]";
}

// A count supplied by the caller, kept within the canonical-JSON integer range for the trace.
json count_json(std::uint64_t n) {
  return static_cast<std::int64_t>(std::min<std::uint64_t>(n, static_cast<std::uint64_t>(core::kMaxSafeInteger)));
}

const std::string* attribute(const SignRequest& r, const char* name) {
  const auto it = r.attributes.find(name);
  return it == r.attributes.end() ? nullptr : &it->second;
}

json attribute_json(const std::string* value) { return value ? json(printable(*value)) : json(nullptr); }

// The request's amount and currency, read once for max_amount and approvals.
struct RequestAmount {
  json amount_seen;
  json currency_seen;
  std::optional<Amount> amount;
  std::string currency;
  std::string problem;  // why the amount cannot be used; empty when usable
};

RequestAmount read_amount(const SignRequest& r) {
  RequestAmount out;
  const std::string* amount = attribute(r, "amount");
  const std::string* currency = attribute(r, "currency");
  out.amount_seen = attribute_json(amount);
  out.currency_seen = attribute_json(currency);
  if (amount == nullptr) {
    out.problem = "the request has no amount attribute";
  } else if (currency == nullptr) {
    out.problem = "the request has no currency attribute";
  } else if (!is_currency_code(*currency)) {
    out.problem = "currency \"" + printable(*currency, 40) + "\" is not an ISO 4217 code";
  } else if (auto parsed = Amount::parse(*amount); !parsed) {
    out.problem = parsed.error().message;
  } else {
    out.amount = *parsed;
    out.currency = *currency;
  }
  return out;
}

// Sets outcome, approval and reason from the trace: deny if any step failed, else
// needs_approval if `requirement` is set, else allow.
void conclude(Decision& d, const Policy& p, const std::optional<ApprovalRequirement>& requirement);

TraceStep step(const char* rule, Verdict verdict, std::string detail, json seen) {
  return TraceStep{rule, verdict, std::move(detail), std::move(seen)};
}

TraceStep check_document_type(const Policy& p, const SignRequest& r) {
  const std::string type = printable(r.document_type, 64);
  const bool listed = std::find(p.document_types.begin(), p.document_types.end(), r.document_type) !=
                      p.document_types.end();
  json seen = {{"document_type", printable(r.document_type)}, {"allowed", p.document_types}};
  return step("document_types", listed ? Verdict::pass : Verdict::fail,
              type + (listed ? " is in " : " is not in ") + list_text(p.document_types), std::move(seen));
}

TraceStep check_max_amount(const std::map<std::string, Amount>& limits, const RequestAmount& a) {
  json seen = {{"amount", a.amount_seen}, {"currency", a.currency_seen}, {"limit", nullptr}};
  if (!a.problem.empty()) return step("max_amount", Verdict::fail, a.problem, std::move(seen));
  const auto limit = limits.find(a.currency);
  if (limit == limits.end()) {
    std::vector<std::string> listed;
    for (const auto& [code, amount] : limits) listed.push_back(code);
    return step("max_amount", Verdict::fail, "currency " + a.currency + " is not in " + list_text(listed),
                std::move(seen));
  }
  seen["limit"] = limit->second.to_string();
  const std::string what = a.amount->to_string() + " " + a.currency;
  const std::string cap = limit->second.to_string() + " " + a.currency;
  if (*a.amount > limit->second) {
    return step("max_amount", Verdict::fail, what + " is above the limit " + cap, std::move(seen));
  }
  return step("max_amount", Verdict::pass, what + " is within the limit " + cap, std::move(seen));
}

TraceStep check_counterparty(const std::vector<std::string>& listed, const SignRequest& r) {
  const std::string* cp = attribute(r, "counterparty");
  json seen = {{"counterparty", attribute_json(cp)}, {"listed", false}, {"list_size", listed.size()}};
  if (cp == nullptr) return step("counterparties", Verdict::fail, "the request has no counterparty attribute", seen);
  const bool found = std::find(listed.begin(), listed.end(), *cp) != listed.end();
  seen["listed"] = found;
  return step("counterparties", found ? Verdict::pass : Verdict::fail,
              printable(*cp, 80) + (found ? " is a listed counterparty" : " is not a listed counterparty"),
              std::move(seen));
}

std::string local_text(const LocalTime& t, std::chrono::minutes offset) {
  const long s = static_cast<long>(t.time_of_day.count());
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return std::string(day_name(t.day)) + " " + buf + " (" + format_utc_offset(offset) + ")";
}

TraceStep check_time_windows(const std::vector<TimeWindow>& windows, const SignRequest& r) {
  json seen_windows = json::array();
  std::optional<std::size_t> inside;
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const bool in = contains(windows[i], r.now);
    if (in && !inside) inside = i;
    seen_windows.push_back({{"window", describe(windows[i])},
                            {"local", local_text(local_time(r.now, windows[i].utc_offset), windows[i].utc_offset)},
                            {"inside", in}});
  }
  json seen = {{"time", to_rfc3339(r.now)}, {"windows", std::move(seen_windows)}};
  if (inside) {
    const TimeWindow& w = windows[*inside];
    return step("time_windows", Verdict::pass,
                local_text(local_time(r.now, w.utc_offset), w.utc_offset) + " is inside " + describe(w),
                std::move(seen));
  }
  const TimeWindow& w = windows.front();
  return step("time_windows", Verdict::fail,
              local_text(local_time(r.now, w.utc_offset), w.utc_offset) + " is outside " + describe(w) +
                  (windows.size() > 1 ? " and every other window" : ""),
              std::move(seen));
}

TraceStep check_rate_limits(const RateLimits& limits, const SignRequest& r) {
  json seen = json::object();
  std::string failed;
  std::string passed;
  const auto one = [&](const char* name, const char* window, std::optional<std::int64_t> limit, std::uint64_t count) {
    if (!limit) return;
    seen[name] = {{"count", count_json(count)}, {"limit", *limit}};
    const std::string text = std::string(name) + ": " + std::to_string(count) + " signatures in the last " + window;
    // The Nth signature is allowed, the (N+1)th denied: deny when the prior count reaches N.
    if (count >= static_cast<std::uint64_t>(*limit)) {
      failed += (failed.empty() ? "" : "; ") + text + ", limit " + std::to_string(*limit) + " reached";
    } else {
      passed += (passed.empty() ? "" : "; ") + text + ", below the limit " + std::to_string(*limit);
    }
  };
  one("per_hour", "hour", limits.per_hour, r.signatures_last_hour);
  one("per_day", "24 hours", limits.per_day, r.signatures_last_day);
  if (!failed.empty()) return step("rate_limits", Verdict::fail, failed, std::move(seen));
  return step("rate_limits", Verdict::pass, passed, std::move(seen));
}

TraceStep check_delegation(const DelegationRule& rule, const SignRequest& r) {
  json seen = {{"required", rule.required}, {"from", rule.from}, {"scope", rule.scope}, {"chain", nullptr}};
  if (!r.delegation) {
    if (rule.required) return step("delegation", Verdict::fail, "no delegation chain, but the policy requires one", seen);
    return step("delegation", Verdict::not_applicable, "the request is not made under a delegation", seen);
  }
  const ChainSummary& c = *r.delegation;
  seen["chain"] = to_json(c);
  const auto failed = [&](std::string why) { return step("delegation", Verdict::fail, std::move(why), seen); };
  if (c.identity != r.identity) {
    return failed("the chain delegates to " + printable(c.identity, 80) + ", not to " + printable(r.identity, 80));
  }
  if (std::find(rule.from.begin(), rule.from.end(), c.root_delegator) == rule.from.end()) {
    return failed("root delegator " + printable(c.root_delegator, 80) + " is not in " + list_text(rule.from));
  }
  if (c.scope != rule.scope || c.scopes.count(rule.scope) == 0) {
    return failed("the chain was verified for scope \"" + printable(c.scope, 80) + "\", the policy needs \"" +
                  rule.scope + "\"");
  }
  if (r.now < c.not_before || r.now >= c.expires_at) {
    return failed("the chain is valid from " + to_rfc3339(c.not_before) + " until " + to_rfc3339(c.expires_at) +
                  ", not at " + to_rfc3339(r.now));
  }
  return step("delegation", Verdict::pass,
              "scope " + rule.scope + " delegated by " + c.root_delegator + " through " +
                  std::to_string(c.link_ids.size()) + " link(s), valid until " + to_rfc3339(c.expires_at),
              std::move(seen));
}

TraceStep check_thresholds(const std::vector<ApprovalRule>& rules, const RequestAmount& a,
                          std::optional<ApprovalRequirement>& requirement) {
  json seen = {{"amount", a.amount_seen}, {"currency", a.currency_seen}, {"threshold", nullptr}};
  if (!a.problem.empty()) return step("approvals", Verdict::fail, a.problem, std::move(seen));
  std::optional<std::size_t> chosen;     // the highest threshold the amount is above
  std::optional<Amount> lowest;          // the lowest threshold for this currency
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto t = rules[i].above.find(a.currency);
    if (t == rules[i].above.end()) continue;
    if (!lowest || t->second < *lowest) lowest = t->second;
    if (*a.amount > t->second && (!chosen || t->second > rules[*chosen].above.at(a.currency))) chosen = i;
  }
  const std::string what = a.amount->to_string() + " " + a.currency;
  if (!lowest) {
    return step("approvals", Verdict::fail,
                "no approval threshold for currency " + a.currency + " (a currency the approvals do not name is denied)",
                std::move(seen));
  }
  if (!chosen) {
    seen["threshold"] = lowest->to_string();
    return step("approvals", Verdict::pass,
                what + " is not above the lowest approval threshold " + lowest->to_string() + " " + a.currency,
                std::move(seen));
  }
  const ApprovalRule& rule = rules[*chosen];
  requirement = ApprovalRequirement{rule.group, rule.required, rule.valid_for, a.currency, rule.above.at(a.currency),
                                    *chosen};
  seen["threshold"] = requirement->above.to_string();
  seen["rule"] = "/approvals/" + std::to_string(*chosen);
  seen["group"] = rule.group;
  seen["required"] = rule.required;
  return step("approvals", Verdict::needs_approval,
              what + " is above " + requirement->above.to_string() + " " + a.currency + ": " +
                  std::to_string(rule.required) + " approval(s) from " + rule.group + ", each valid for " +
                  format_duration(rule.valid_for),
              std::move(seen));
}

}  // namespace

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::allow: return "allow";
    case Outcome::deny: return "deny";
    case Outcome::needs_approval: return "needs_approval";
  }
  return "deny";
}

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::needs_approval: return "needs_approval";
    case Verdict::not_applicable: return "not_applicable";
  }
  return "fail";
}

Decision evaluate(const Policy* policy, const SignRequest& request) {
  Decision d;
  if (policy == nullptr) {
    d.outcome = Outcome::deny;
    d.reason = "denied: no policy is attached to identity " + printable(request.identity, 80) + " (default deny)";
    d.trace.push_back(step("policy", Verdict::fail, "no policy attached (default deny)",
                           {{"identity", printable(request.identity)}, {"policy", nullptr}}));
    return d;
  }
  const Policy& p = *policy;
  d.policy_name = p.name;
  d.policy_version = p.version;
  d.policy_hash = p.hash;
  d.activation = p.activation;
  const RequestAmount amount = read_amount(request);
  d.trace.push_back(check_document_type(p, request));
  if (p.max_amount) d.trace.push_back(check_max_amount(*p.max_amount, amount));
  if (p.counterparties) d.trace.push_back(check_counterparty(*p.counterparties, request));
  if (p.time_windows) d.trace.push_back(check_time_windows(*p.time_windows, request));
  if (p.rate_limits) d.trace.push_back(check_rate_limits(*p.rate_limits, request));
  if (p.delegation) d.trace.push_back(check_delegation(*p.delegation, request));
  std::optional<ApprovalRequirement> requirement;
  if (p.approvals) d.trace.push_back(check_thresholds(*p.approvals, amount, requirement));
  conclude(d, p, requirement);
  return d;
}

Decision evaluate_chain(const Policy* policy, SignRequest request, const std::vector<Delegation>& chain) {
  request.delegation.reset();
  if (policy == nullptr || !policy->delegation || chain.empty()) return evaluate(policy, request);
  auto summary = verify_chain(chain, request.identity, policy->delegation->scope, request.now);
  if (summary) {
    request.delegation = std::move(summary).value();
    return evaluate(policy, request);
  }
  // A chain was presented and does not verify: the delegation step fails with the reason,
  // whether or not the policy requires a delegation.
  Decision d = evaluate(policy, request);
  const auto it = std::find_if(d.trace.begin(), d.trace.end(), [](const TraceStep& s) { return s.rule == "delegation"; });
  if (it == d.trace.end()) return d;  // not reached: the policy has a delegation rule
  json links = json::array();
  for (const auto& link : chain) links.push_back(to_json(link));
  it->verdict = Verdict::fail;
  it->detail = summary.error().message;
  it->seen["chain"] = nullptr;
  it->seen["presented"] = std::move(links);
  std::optional<ApprovalRequirement> requirement = d.approval;
  d.approval.reset();
  conclude(d, *policy, requirement);
  return d;
}

namespace {

void conclude(Decision& d, const Policy& p, const std::optional<ApprovalRequirement>& requirement) {
  const auto failing = std::count_if(d.trace.begin(), d.trace.end(),
                                     [](const TraceStep& s) { return s.verdict == Verdict::fail; });
  if (failing > 0) {
    const TraceStep& first = *std::find_if(d.trace.begin(), d.trace.end(),
                                           [](const TraceStep& s) { return s.verdict == Verdict::fail; });
    d.outcome = Outcome::deny;
    d.reason = "denied by " + first.rule + ": " + first.detail;
    if (failing > 1) d.reason += " (and " + std::to_string(failing - 1) + " more failing rule(s))";
  } else if (requirement) {
    d.outcome = Outcome::needs_approval;
    d.approval = requirement;
    d.reason = "needs " + std::to_string(requirement->required) + " approval(s) from " + requirement->group +
               " (amount above " + requirement->above.to_string() + " " + requirement->currency + ")";
  } else {
    d.outcome = Outcome::allow;
    d.reason = "allowed by policy " + p.name + " v" + std::to_string(p.version) + ": all " +
               std::to_string(d.trace.size()) + " rule(s) passed";
  }
}

}  // namespace

json to_json(const Decision& decision) {
  json trace = json::array();
  for (const auto& s : decision.trace) {
    trace.push_back({{"rule", s.rule}, {"verdict", verdict_name(s.verdict)}, {"detail", s.detail}, {"seen", s.seen}});
  }
  json j = {{"outcome", outcome_name(decision.outcome)}, {"reason", decision.reason}, {"trace", std::move(trace)}};
  j["policy"] = decision.policy_name.empty()
                    ? json(nullptr)
                    : json{{"name", decision.policy_name},
                           {"version", decision.policy_version},
                           {"hash", decision.policy_hash}};
  if (decision.approval) j["approval"] = to_json(*decision.approval);
  if (decision.activation) {
    j["activation"] = {{"sad_valid_for", format_duration(decision.activation->sad_valid_for)}};
    if (decision.activation->by) j["activation"]["by"] = *decision.activation->by;
  }
  return j;
}

}  // namespace qualsig::policy
