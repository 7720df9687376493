#pragma once
// Shared fixtures for the policy tests: a policy with every rule, requests that satisfy it, and
// pinned instants (2026-11-23 is a Monday, 2026-11-27 a Friday).

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "core/time.h"
#include "policy/evaluate.h"
#include "policy/policy.h"

namespace qualsig::policy::testing {

// An instant from RFC 3339 text; fails the test on a typo.
inline TimePoint at(const std::string& rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(TimePoint{});
}

// Every rule, with limits the tests probe at their edges.
inline nlohmann::json full_policy_json() {
  return nlohmann::json::parse(R"({
    "schema": "qualsig-policy/1",
    "name": "test-all-rules",
    "version": 3,
    "description": "every rule once",
    "document_types": ["invoice", "credit-note"],
    "max_amount": {"EUR": "50000.00", "USD": 20000},
    "counterparties": ["ACME-SUPPLIES-BV", "Globex GmbH"],
    "time_windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "18:00",
                      "utc_offset": "+01:00"}],
    "rate_limits": {"per_hour": 10, "per_day": 50},
    "approvals": [{"above": {"EUR": "10000.00", "USD": "5000"}, "required": 2, "group": "finance-approvers",
                   "valid_for": "72h"},
                  {"above": {"EUR": "40000.00"}, "required": 3, "group": "board", "valid_for": "24h"}],
    "delegation": {"required": false, "from": ["person:cfo@acme.example", "organisation:VATNL-123456789B01"],
                   "scope": "invoice"},
    "activation": {"sad_valid_for": "5m"}
  })");
}

inline Policy parse_or_die(const nlohmann::json& doc) {
  auto p = parse_policy(doc.dump());
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message);
  return p ? std::move(p).value() : Policy{};
}

// A request every rule of full_policy_json() allows without approval: Wednesday 10:00 at +01:00.
inline SignRequest good_request() {
  SignRequest r;
  r.identity = "invoice-bot";
  r.document_type = "invoice";
  r.attributes = {{"amount", "9999.00"}, {"currency", "EUR"}, {"counterparty", "ACME-SUPPLIES-BV"},
                  {"reference", "INV-2026-0042"}};
  r.now = at("2026-11-25T10:00:00+01:00");
  r.signatures_last_hour = 0;
  r.signatures_last_day = 0;
  return r;
}

// The step for `rule`, or nullptr.
inline const TraceStep* find_step(const Decision& d, const std::string& rule) {
  for (const auto& s : d.trace) {
    if (s.rule == rule) return &s;
  }
  return nullptr;
}

}  // namespace qualsig::policy::testing
