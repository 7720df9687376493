// Evaluation: for each rule a request just inside and one just outside its limit, default deny,
// a complete trace, deterministic JSON.

#include "policy/evaluate.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/canonical_json.h"
#include "policy_fixtures.h"

namespace qualsig::policy {
namespace {

using testing::at;
using testing::find_step;
using testing::good_request;

struct RuleCase {
  const char* name;
  std::function<void(SignRequest&)> mutate;
  const char* rule;        // the step to look at
  Verdict verdict;         // its verdict
  Outcome outcome;         // the decision
};

void set(SignRequest& r, const char* key, const char* value) { r.attributes[key] = value; }

ChainSummary chain(const std::string& root, const std::string& scope, const std::string& identity, TimePoint expires) {
  ChainSummary c;
  c.root_delegator = root;
  c.identity = identity;
  c.scope = scope;
  c.scopes = {scope};
  c.link_ids = {"dlg-1"};
  c.not_before = at("2026-10-01T00:00:00Z");
  c.expires_at = expires;
  c.verified_at = at("2026-11-25T09:00:00Z");
  return c;
}

void run_cases(const Policy& policy, const std::vector<RuleCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    SignRequest r = good_request();
    c.mutate(r);
    const Decision d = evaluate(&policy, r);
    const TraceStep* s = find_step(d, c.rule);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(verdict_name(s->verdict), std::string(verdict_name(c.verdict))) << s->detail;
    EXPECT_EQ(outcome_name(d.outcome), std::string(outcome_name(c.outcome))) << d.reason;
    EXPECT_FALSE(s->detail.empty());
    EXPECT_TRUE(s->seen.is_object());
  }
}

TEST(PolicyEvaluate, GoodRequestIsAllowedWithEveryRuleInTheTrace) {
  const Policy p = testing::parse_or_die(testing::full_policy_json());
  const Decision d = evaluate(&p, good_request());
  EXPECT_EQ(d.outcome, Outcome::allow) << d.reason;
  const std::vector<std::string> order = {"document_types", "max_amount", "counterparties", "time_windows",
                                          "rate_limits", "delegation", "approvals"};
  ASSERT_EQ(d.trace.size(), order.size());
  for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(d.trace[i].rule, order[i]);
  EXPECT_FALSE(d.approval.has_value());
  ASSERT_TRUE(d.activation.has_value());
  EXPECT_EQ(d.activation->sad_valid_for, std::chrono::minutes(5));
  EXPECT_EQ(d.policy_name, "test-all-rules");
  EXPECT_EQ(d.policy_version, 3);
  EXPECT_EQ(d.policy_hash, p.hash);
}

TEST(PolicyEvaluate, DocumentTypes) {
  const Policy p = testing::parse_or_die(testing::full_policy_json());
  run_cases(p, {
      {"listed-type", [](SignRequest& r) { r.document_type = "credit-note"; }, "document_types", Verdict::pass, Outcome::allow},
      {"unknown-type-default-deny", [](SignRequest& r) { r.document_type = "letter"; }, "document_types", Verdict::fail, Outcome::deny},
      {"type-other-case", [](SignRequest& r) { r.document_type = "Invoice"; }, "document_types", Verdict::fail, Outcome::deny},
      {"empty-type", [](SignRequest& r) { r.document_type = ""; }, "document_types", Verdict::fail, Outcome::deny},
  });
}

TEST(PolicyEvaluate, MaxAmountPerCurrency) {
  const Policy p = testing::parse_or_die(testing::full_policy_json());
  run_cases(p, {
      {"at-eur-limit", [](SignRequest& r) { set(r, "amount", "50000.00"); }, "max_amount", Verdict::pass, Outcome::needs_approval},
      {"one-cent-above-eur-limit", [](SignRequest& r) { set(r, "amount", "50000.01"); }, "max_amount", Verdict::fail, Outcome::deny},
      {"smallest-unit-above", [](SignRequest& r) { set(r, "amount", "50000.0001"); }, "max_amount", Verdict::fail, Outcome::deny},
      {"usd-at-integer-limit", [](SignRequest& r) { set(r, "amount", "20000"); set(r, "currency", "USD"); }, "max_amount", Verdict::pass, Outcome::needs_approval},
      {"usd-above-integer-limit", [](SignRequest& r) { set(r, "amount", "20000.0001"); set(r, "currency", "USD"); }, "max_amount", Verdict::fail, Outcome::deny},
      {"currency-not-listed", [](SignRequest& r) { set(r, "currency", "GBP"); }, "max_amount", Verdict::fail, Outcome::deny},
      {"currency-lower-case", [](SignRequest& r) { set(r, "currency", "eur"); }, "max_amount", Verdict::fail, Outcome::deny},
      {"no-amount", [](SignRequest& r) { r.attributes.erase("amount"); }, "max_amount", Verdict::fail, Outcome::deny},
      {"no-currency", [](SignRequest& r) { r.attributes.erase("currency"); }, "max_amount", Verdict::fail, Outcome::deny},
      {"exponent", [](SignRequest& r) { set(r, "amount", "1e3"); }, "max_amount", Verdict::fail, Outcome::deny},
      {"negative", [](SignRequest& r) { set(r, "amount", "-1.00"); }, "max_amount", Verdict::fail, Outcome::deny},
      {"five-decimals", [](SignRequest& r) { set(r, "amount", "100.00001"); }, "max_amount", Verdict::fail, Outcome::deny},
      {"nan", [](SignRequest& r) { set(r, "amount", "NaN"); }, "max_amount", Verdict::fail, Outcome::deny},
      {"padded", [](SignRequest& r) { set(r, "amount", " 100"); }, "max_amount", Verdict::fail, Outcome::deny},
  });
}

TEST(PolicyEvaluate, Counterparties) {
  const Policy p = testing::parse_or_die(testing::full_policy_json());
  run_cases(p, {
      {"listed", [](SignRequest& r) { set(r, "counterparty", "Globex GmbH"); }, "counterparties", Verdict::pass, Outcome::allow},
      {"not-listed", [](SignRequest& r) { set(r, "counterparty", "Initech BV"); }, "counterparties", Verdict::fail, Outcome::deny},
      {"other-case", [](SignRequest& r) { set(r, "counterparty", "globex gmbh"); }, "counterparties", Verdict::fail, Outcome::deny},
      {"trailing-space", [](SignRequest& r) { set(r, "counterparty", "ACME-SUPPLIES-BV "); }, "counterparties", Verdict::fail, Outcome::deny},
      {"missing", [](SignRequest& r) { r.attributes.erase("counterparty"); }, "counterparties", Verdict::fail, Outcome::deny},
  });
}

TEST(PolicyEvaluate, TimeWindowEdgesAtTheOffset) {
  const Policy p = testing::parse_or_die(testing::full_policy_json());
  const auto when = [](const char* t) { return [t](SignRequest& r) { r.now = at(t); }; };
  run_cases(p, {
      {"wed-08:00:00-opens", when("2026-11-25T08:00:00+01:00"), "time_windows", Verdict::pass, Outcome::allow},
      {"wed-07:59:59-before", when("2026-11-25T07:59:59+01:00"), "time_windows", Verdict::fail, Outcome::deny},
      {"wed-17:59:59-last-second", when("2026-11-25T17:59:59+01:00"), "time_windows", Verdict::pass, Outcome::allow},
      {"wed-18:00:00-closed", when("2026-11-25T18:00:00+01:00"), "time_windows", Verdict::fail, Outcome::deny},
      {"mon-07:00Z-is-08:00-local", when("2026-11-23T07:00:00Z"), "time_windows", Verdict::pass, Outcome::allow},
      {"mon-06:59:59Z-is-07:59:59-local", when("2026-11-23T06:59:59Z"), "time_windows", Verdict::fail, Outcome::deny},
      {"fri-16:59:59Z-is-17:59:59-local", when("2026-11-27T16:59:59Z"), "time_windows", Verdict::pass, Outcome::allow},
      {"fri-17:00Z-is-18:00-local", when("2026-11-27T17:00:00Z"), "time_windows", Verdict::fail, Outcome::deny},
      {"saturday-10:00", when("2026-11-28T10:00:00+01:00"), "time_windows", Verdict::fail, Outcome::deny},
  });
}

TEST(PolicyEvaluate, TimeWindowDayOfWeekFollowsTheOffset) {
  nlohmann::json doc = testing::full_policy_json();
  doc["time_windows"] = nlohmann::json::parse(R"([
      {"days": ["mon","tue","wed","thu","fri"], "from": "00:00", "to": "24:00", "utc_offset": "+01:00"}])");
  const Policy plus_one = testing::parse_or_die(doc);
  const auto when = [](const char* t) { return [t](SignRequest& r) { r.now = at(t); }; };
  run_cases(plus_one, {
      // Friday 23:30 UTC is already Saturday 00:30 at +01:00.
      {"fri-23:30Z-is-sat-local", when("2026-11-27T23:30:00Z"), "time_windows", Verdict::fail, Outcome::deny},
      {"fri-22:59:59Z-is-fri-23:59:59-local", when("2026-11-27T22:59:59Z"), "time_windows", Verdict::pass, Outcome::allow},
      // Sunday 23:30 UTC is already Monday 00:30 at +01:00.
      {"sun-23:30Z-is-mon-local", when("2026-11-29T23:30:00Z"), "time_windows", Verdict::pass, Outcome::allow},
      {"sun-22:59:59Z-is-sun-local", when("2026-11-29T22:59:59Z"), "time_windows", Verdict::fail, Outcome::deny},
  });
  doc["time_windows"][0]["utc_offset"] = "-05:00";
  const Policy minus_five = testing::parse_or_die(doc);
  run_cases(minus_five, {
      // Monday 03:00 UTC is still Sunday 22:00 at -05:00.
      {"mon-03:00Z-is-sun-local", when("2026-11-23T03:00:00Z"), "time_windows", Verdict::fail, Outcome::deny},
      {"mon-05:00Z-is-mon-00:00-local", when("2026-11-23T05:00:00Z"), "time_windows", Verdict::pass, Outcome::allow},
  });
}

TEST(PolicyEvaluate, TimeWindowsAnyOfSeveral) {
  nlohmann::json doc = testing::full_policy_json();
  doc["time_windows"] = nlohmann::json::parse(R"([
      {"days": ["mon"], "from": "08:00", "to": "12:00", "utc_offset": "+00:00"},
      {"days": ["sat"], "from": "22:00", "to": "24:00", "utc_offset": "+00:00"}])");
  const Policy p = testing::parse_or_die(doc);
  const auto when = [](const char* t) { return [t](SignRequest& r) { r.now = at(t); }; };
  run_cases(p, {
      {"second-window-last-second", when("2026-11-28T23:59:59Z"), "time_windows", Verdict::pass, Outcome::allow},
      {"after-second-window", when("2026-11-29T00:00:00Z"), "time_windows", Verdict::fail, Outcome::deny},
      {"first-window", when("2026-11-23T11:59:59Z"), "time_windows", Verdict::pass, Outcome::allow},
      {"between", when("2026-11-23T12:00:00Z"), "time_windows", Verdict::fail, Outcome::deny},
  });
}

TEST(PolicyEvaluate, RateLimitsNthAllowedNPlusFirstDenied) {
  const Policy p = testing::parse_or_die(testing::full_policy_json());
  run_cases(p, {
      {"9-prior-this-hour", [](SignRequest& r) { r.signatures_last_hour = 9; r.signatures_last_day = 9; }, "rate_limits", Verdict::pass, Outcome::allow},
      {"10-prior-this-hour", [](SignRequest& r) { r.signatures_last_hour = 10; r.signatures_last_day = 10; }, "rate_limits", Verdict::fail, Outcome::deny},
      {"49-prior-today", [](SignRequest& r) { r.signatures_last_day = 49; }, "rate_limits", Verdict::pass, Outcome::allow},
      {"50-prior-today", [](SignRequest& r) { r.signatures_last_day = 50; }, "rate_limits", Verdict::fail, Outcome::deny},
      {"huge-count", [](SignRequest& r) { r.signatures_last_day = ~std::uint64_t{0}; }, "rate_limits", Verdict::fail, Outcome::deny},
  });
  SignRequest r = good_request();
  r.signatures_last_hour = 3;
  r.signatures_last_day = 50;
  const Decision d = evaluate(&p, r);
  const TraceStep* s = find_step(d, "rate_limits");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->seen["per_hour"]["count"], 3);
  EXPECT_EQ(s->seen["per_hour"]["limit"], 10);
  EXPECT_EQ(s->seen["per_day"]["count"], 50);
  EXPECT_EQ(s->seen["per_day"]["limit"], 50);
  EXPECT_NE(s->detail.find("per_day: 50 signatures"), std::string::npos) << s->detail;
}

TEST(PolicyEvaluate, ApprovalThresholds) {
  const Policy p = testing::parse_or_die(testing::full_policy_json());
  run_cases(p, {
      {"at-threshold-10000.00", [](SignRequest& r) { set(r, "amount", "10000.00"); }, "approvals", Verdict::pass, Outcome::allow},
      {"above-threshold-10000.01", [](SignRequest& r) { set(r, "amount", "10000.01"); }, "approvals", Verdict::needs_approval, Outcome::needs_approval},
      {"usd-at-threshold", [](SignRequest& r) { set(r, "amount", "5000"); set(r, "currency", "USD"); }, "approvals", Verdict::pass, Outcome::allow},
      {"usd-above-threshold", [](SignRequest& r) { set(r, "amount", "5000.0001"); set(r, "currency", "USD"); }, "approvals", Verdict::needs_approval, Outcome::needs_approval},
      {"no-amount", [](SignRequest& r) { r.attributes.erase("amount"); }, "approvals", Verdict::fail, Outcome::deny},
  });
  struct Tier { const char* amount; const char* group; std::int64_t required; std::size_t rule; };
  for (const Tier& t : {Tier{"10000.01", "finance-approvers", 2, 0}, Tier{"40000.00", "finance-approvers", 2, 0},
                        Tier{"40000.01", "board", 3, 1}, Tier{"50000.00", "board", 3, 1}}) {
    SCOPED_TRACE(t.amount);
    SignRequest r = good_request();
    set(r, "amount", t.amount);
    const Decision d = evaluate(&p, r);
    ASSERT_EQ(d.outcome, Outcome::needs_approval) << d.reason;
    ASSERT_TRUE(d.approval.has_value());
    EXPECT_EQ(d.approval->group, t.group);
    EXPECT_EQ(d.approval->required, t.required);
    EXPECT_EQ(d.approval->rule_index, t.rule);
    EXPECT_EQ(d.approval->currency, "EUR");
  }
}

TEST(PolicyEvaluate, ApprovalsForACurrencyTheyDoNotNameDeny) {
  nlohmann::json doc = testing::full_policy_json();
  doc.erase("max_amount");  // otherwise max_amount would already deny GBP
  const Policy p = testing::parse_or_die(doc);
  run_cases(p, {
      {"gbp-without-threshold", [](SignRequest& r) { set(r, "currency", "GBP"); }, "approvals", Verdict::fail, Outcome::deny},
  });
}

TEST(PolicyEvaluate, Delegation) {
  const Policy optional = testing::parse_or_die(testing::full_policy_json());
  const TimePoint end = at("2026-12-31T23:00:00Z");
  run_cases(optional, {
      {"no-chain-not-required", [](SignRequest& r) { r.delegation.reset(); }, "delegation", Verdict::not_applicable, Outcome::allow},
      {"chain-from-listed-person", [&](SignRequest& r) { r.delegation = chain("person:cfo@acme.example", "invoice", "invoice-bot", end); }, "delegation", Verdict::pass, Outcome::allow},
      {"chain-from-listed-organisation", [&](SignRequest& r) { r.delegation = chain("organisation:VATNL-123456789B01", "invoice", "invoice-bot", end); }, "delegation", Verdict::pass, Outcome::allow},
      {"chain-from-unlisted-person", [&](SignRequest& r) { r.delegation = chain("person:ceo@acme.example", "invoice", "invoice-bot", end); }, "delegation", Verdict::fail, Outcome::deny},
      {"chain-for-other-scope", [&](SignRequest& r) { r.delegation = chain("person:cfo@acme.example", "contract", "invoice-bot", end); }, "delegation", Verdict::fail, Outcome::deny},
      {"chain-for-other-identity", [&](SignRequest& r) { r.delegation = chain("person:cfo@acme.example", "invoice", "po-agent", end); }, "delegation", Verdict::fail, Outcome::deny},
      {"chain-expires-at-now", [&](SignRequest& r) { r.delegation = chain("person:cfo@acme.example", "invoice", "invoice-bot", r.now); }, "delegation", Verdict::fail, Outcome::deny},
      {"chain-expires-a-second-later", [&](SignRequest& r) { r.delegation = chain("person:cfo@acme.example", "invoice", "invoice-bot", r.now + std::chrono::seconds(1)); }, "delegation", Verdict::pass, Outcome::allow},
  });
  nlohmann::json doc = testing::full_policy_json();
  doc["delegation"]["required"] = true;
  const Policy required = testing::parse_or_die(doc);
  run_cases(required, {
      {"no-chain-required", [](SignRequest& r) { r.delegation.reset(); }, "delegation", Verdict::fail, Outcome::deny},
      {"chain-required-present", [&](SignRequest& r) { r.delegation = chain("person:cfo@acme.example", "invoice", "invoice-bot", end); }, "delegation", Verdict::pass, Outcome::allow},
  });
}

TEST(PolicyEvaluate, NoPolicyIsDefaultDeny) {
  const Decision d = evaluate(nullptr, good_request());
  EXPECT_EQ(d.outcome, Outcome::deny);
  ASSERT_EQ(d.trace.size(), 1u);
  EXPECT_EQ(d.trace[0].rule, "policy");
  EXPECT_EQ(d.trace[0].verdict, Verdict::fail);
  EXPECT_NE(d.reason.find("default deny"), std::string::npos);
  const nlohmann::json j = to_json(d);
  EXPECT_EQ(j["outcome"], "deny");
  EXPECT_TRUE(j["policy"].is_null());
}

TEST(PolicyEvaluate, MinimalPolicyHasOneStepAndDeniesOtherTypes) {
  const Policy p = testing::parse_or_die(
      nlohmann::json::parse(R"({"schema":"qualsig-policy/1","name":"min","version":1,"document_types":["invoice"]})"));
  SignRequest r = good_request();
  r.attributes.clear();
  Decision d = evaluate(&p, r);
  EXPECT_EQ(d.outcome, Outcome::allow);
  ASSERT_EQ(d.trace.size(), 1u);
  r.document_type = "purchase-order";
  d = evaluate(&p, r);
  EXPECT_EQ(d.outcome, Outcome::deny);
  EXPECT_EQ(d.reason, "denied by document_types: purchase-order is not in [invoice]");
}

TEST(PolicyEvaluate, EveryRuleIsJudgedEvenAfterAFailure) {
  const Policy p = testing::parse_or_die(testing::full_policy_json());
  SignRequest r = good_request();
  r.document_type = "letter";
  set(r, "amount", "60000.00");
  set(r, "counterparty", "Nobody");
  r.now = at("2026-11-28T03:00:00Z");
  r.signatures_last_hour = 10;
  r.delegation = chain("person:mallory@evil.example", "invoice", "invoice-bot", at("2027-01-01T00:00:00Z"));
  const Decision d = evaluate(&p, r);
  EXPECT_EQ(d.outcome, Outcome::deny);
  ASSERT_EQ(d.trace.size(), 7u);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(d.trace[i].verdict, Verdict::fail) << d.trace[i].rule;
  // 60000.00 EUR is above both approval thresholds: the trace still says what would be needed.
  EXPECT_EQ(d.trace[6].verdict, Verdict::needs_approval);
  EXPECT_FALSE(d.approval.has_value()) << "a denied request carries no approval requirement";
  EXPECT_EQ(d.reason.rfind("denied by document_types: letter is not in [invoice,credit-note]", 0), 0u) << d.reason;
  EXPECT_NE(d.reason.find("(and 5 more failing rule(s))"), std::string::npos) << d.reason;
  EXPECT_EQ(d.trace[1].seen["amount"], "60000.00");
  EXPECT_EQ(d.trace[1].seen["limit"], "50000.00");
}

TEST(PolicyEvaluate, JsonIsDeterministicAndCanonicalisable) {
  const Policy p = testing::parse_or_die(testing::full_policy_json());
  SignRequest r = good_request();
  set(r, "amount", "12000.5");
  const nlohmann::json a = to_json(evaluate(&p, r));
  const nlohmann::json b = to_json(evaluate(&p, r));
  auto ca = core::canonical_json(a);
  auto cb = core::canonical_json(b);
  ASSERT_TRUE(ca.has_value()) << ca.error().message;
  ASSERT_TRUE(cb.has_value());
  EXPECT_EQ(*ca, *cb);
  EXPECT_EQ(a["outcome"], "needs_approval");
  EXPECT_EQ(a["approval"]["group"], "finance-approvers");
  EXPECT_EQ(a["approval"]["required"], 2);
  EXPECT_EQ(a["approval"]["valid_for"], "3d");  // 72h in the largest whole unit
  EXPECT_EQ(a["approval"]["above"]["amount"], "10000.00");
  EXPECT_EQ(a["activation"]["sad_valid_for"], "5m");
  EXPECT_EQ(a["policy"]["hash"], p.hash);
  EXPECT_EQ(a["trace"].size(), 7u);
  EXPECT_EQ(a["trace"][1]["seen"]["amount"], "12000.5");
  EXPECT_EQ(a["trace"][6]["detail"], "12000.50 EUR is above 10000.00 EUR: 2 approval(s) from finance-approvers, each valid for 3d");
}

TEST(PolicyEvaluate, HostileRequestValuesStaySerialisable) {
  const Policy p = testing::parse_or_die(testing::full_policy_json());
  SignRequest r = good_request();
  r.identity = std::string("bot\xff\n", 5);
  r.document_type = std::string("inv\0oice\xc3", 9);
  r.attributes["amount"] = std::string(100000, '9');
  r.attributes["currency"] = "\xe2\x82";
  r.attributes["counterparty"] = std::string("ACME\x1b[31m", 9);
  r.delegation = chain(std::string("person:\xff"), "invoice", "x\xfe", at("2027-01-01T00:00:00Z"));
  const Decision d = evaluate(&p, r);
  EXPECT_EQ(d.outcome, Outcome::deny);
  const nlohmann::json j = to_json(d);
  std::string text;
  EXPECT_NO_THROW(text = j.dump());
  EXPECT_LT(text.size(), 16000u) << "untrusted values are cut in the trace";
  EXPECT_TRUE(core::canonical_json(j).has_value());
  EXPECT_EQ(evaluate(nullptr, r).outcome, Outcome::deny);
  EXPECT_NO_THROW((void)to_json(evaluate(nullptr, r)).dump());
}

}  // namespace
}  // namespace qualsig::policy
