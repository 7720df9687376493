// `qualsig policy test` input: the request document, and evaluation with a delegation chain.

#include "policy/request.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy_fixtures.h"

namespace qualsig::policy {
namespace {

using nlohmann::json;
using testing::at;
using testing::find_step;

json contract_request() {
  return json::parse(R"({
    "identity": "cfo-assistant",
    "document_type": "contract",
    "attributes": {"reference": "MSA-2026-7"},
    "time": "2026-11-25T10:00:00+01:00",
    "signatures_last_day": 3,
    "delegation_chain": [
      {"id": "dlg-q4", "delegator": "person:cfo@acme.example", "delegate": "cfo-assistant",
       "scopes": ["contract", "nda"], "not_before": "2026-10-01T00:00:00Z", "expires_at": "2026-12-31T23:00:00Z"}
    ]
  })");
}

Policy contracts_policy() {
  return testing::parse_or_die(json::parse(R"({
    "schema": "qualsig-policy/1", "name": "contracts", "version": 1, "document_types": ["contract"],
    "rate_limits": {"per_day": 20},
    "delegation": {"required": true, "from": ["person:cfo@acme.example"], "scope": "contract"}})"));
}

TEST(PolicyTestRequest, ParsesAndEvaluatesWithItsChain) {
  auto t = parse_test_request(contract_request().dump());
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(t->request.identity, "cfo-assistant");
  EXPECT_EQ(t->request.now, at("2026-11-25T09:00:00Z"));
  EXPECT_EQ(t->request.signatures_last_day, 3u);
  EXPECT_EQ(t->request.signatures_last_hour, 0u);
  EXPECT_EQ(t->request.attributes.at("reference"), "MSA-2026-7");
  ASSERT_EQ(t->chain.size(), 1u);
  EXPECT_EQ(t->chain[0].scopes, (std::set<std::string>{"contract", "nda"}));
  const Policy p = contracts_policy();
  const Decision d = evaluate_chain(&p, t->request, t->chain);
  EXPECT_EQ(d.outcome, Outcome::allow) << d.reason;
  const TraceStep* s = find_step(d, "delegation");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->seen["chain"]["root_delegator"], "person:cfo@acme.example");
  EXPECT_EQ(s->seen["chain"]["links"], json::array({"dlg-q4"}));
}

TEST(PolicyTestRequest, ChainThatDoesNotVerifyFailsTheDelegationStep) {
  const Policy p = contracts_policy();
  struct Case { const char* name; std::function<void(json&)> mutate; std::string detail; };
  const std::vector<Case> cases = {
      {"expired", [](json& r) { r["time"] = "2026-12-31T23:00:00Z"; },
       "delegation chain: link 1 (dlg-q4): expired at 2026-12-31T23:00:00Z"},
      {"revoked", [](json& r) { r["delegation_chain"][0]["revoked_at"] = "2026-11-20T00:00:00Z"; },
       "delegation chain: link 1 (dlg-q4): revoked at 2026-11-20T00:00:00Z"},
      {"scope-not-granted", [](json& r) { r["delegation_chain"][0]["scopes"] = {"nda"}; },
       "delegation chain: link 1 (dlg-q4): does not grant scope \"contract\" (grants [nda])"},
      {"widened-re-delegation", [](json& r) {
         r["delegation_chain"].push_back(json::parse(R"({"id": "dlg-x", "delegator": "identity:cfo-assistant",
           "delegate": "contract-bot", "scopes": ["contract", "payment"], "not_before": "2026-11-01T00:00:00Z",
           "expires_at": "2026-12-01T00:00:00Z", "parent_id": "dlg-q4"})"));
         r["identity"] = "contract-bot"; },
       "delegation chain: link 2 (dlg-x): scope \"payment\" widens link 1 (dlg-q4), which grants only [contract,nda]"},
      {"other-identity", [](json& r) { r["identity"] = "po-agent"; },
       "delegation chain: link 1 (dlg-q4): delegates to cfo-assistant, not to po-agent"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    json doc = contract_request();
    c.mutate(doc);
    auto t = parse_test_request(doc.dump());
    ASSERT_TRUE(t.has_value()) << t.error().message;
    const Decision d = evaluate_chain(&p, t->request, t->chain);
    EXPECT_EQ(d.outcome, Outcome::deny);
    const TraceStep* s = find_step(d, "delegation");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->verdict, Verdict::fail);
    EXPECT_EQ(s->detail, c.detail);
    EXPECT_TRUE(s->seen["presented"].is_array());
    EXPECT_EQ(d.reason, "denied by delegation: " + c.detail);
  }
}

TEST(PolicyTestRequest, ChainIgnoredWithoutDelegationRuleAndNoPolicyDenies) {
  const Policy p = testing::parse_or_die(json::parse(
      R"({"schema":"qualsig-policy/1","name":"c","version":1,"document_types":["contract"]})"));
  auto t = parse_test_request(contract_request().dump());
  ASSERT_TRUE(t.has_value());
  t->chain[0].scopes.clear();  // would not verify; not consulted
  EXPECT_EQ(evaluate_chain(&p, t->request, t->chain).outcome, Outcome::allow);
  EXPECT_EQ(evaluate_chain(nullptr, t->request, t->chain).outcome, Outcome::deny);
}

TEST(PolicyTestRequest, MalformedRequestsNameTheField) {
  struct Case { const char* name; std::function<void(json&)> mutate; std::string message; };
  const std::vector<Case> cases = {
      {"no-time", [](json& r) { r.erase("time"); }, "request: /time: required member missing"},
      {"time-without-zone", [](json& r) { r["time"] = "2026-11-25T10:00:00"; },
       "request: /time: must be an RFC 3339 time like \"2026-11-25T10:00:00+01:00\""},
      {"bad-identity", [](json& r) { r["identity"] = "cfo assistant"; },
       "request: /identity: must be an identity name (letters, digits, '-', '_', '.')"},
      {"attribute-number", [](json& r) { r["attributes"]["amount"] = 48000; },
       "request: /attributes/amount: must be a string: printable text"},
      {"attributes-array", [](json& r) { r["attributes"] = json::array(); }, "request: /attributes: must be an object of strings"},
      {"negative-count", [](json& r) { r["signatures_last_day"] = -1; },
       "request: /signatures_last_day: must be an integer from 0 to 9007199254740991"},
      {"unknown-member", [](json& r) { r["now"] = "x"; }, "request: /now: unknown member (allowed: identity, document_type, attributes, time, signatures_last_hour, signatures_last_day, delegation_chain)"},
      {"link-missing-expiry", [](json& r) { r["delegation_chain"][0].erase("expires_at"); },
       "request: /delegation_chain/0/expires_at: required member missing"},
      {"link-bad-time", [](json& r) { r["delegation_chain"][0]["not_before"] = 0; },
       "request: /delegation_chain/0/not_before: must be an RFC 3339 time like \"2026-11-25T10:00:00+01:00\""},
      {"chain-not-array", [](json& r) { r["delegation_chain"] = json::object(); },
       "request: /delegation_chain: must be an array of delegations"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    json doc = contract_request();
    c.mutate(doc);
    auto t = parse_test_request(doc.dump());
    ASSERT_FALSE(t.has_value());
    EXPECT_EQ(t.error().code, ErrorCode::invalid_input);
    EXPECT_EQ(t.error().message, c.message);
  }
  auto dup = parse_test_request(R"({"identity":"a","identity":"b"})");
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().message, "request: /identity: duplicate member name");
  auto trailing = parse_test_request(contract_request().dump() + "]");
  ASSERT_FALSE(trailing.has_value());
  EXPECT_EQ(trailing.error().message.rfind("request: invalid JSON", 0), 0u);
}

}  // namespace
}  // namespace qualsig::policy
