#pragma once
// Signing policy documents ("qualsig-policy/1"): strict JSON, schema-checked, identified by the
// SHA-256 of their RFC 8785 canonical form. The format and every rule are described in
// docs/policy.md; evaluation is in policy/evaluate.h.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "policy/amount.h"
#include "policy/time_window.h"

namespace qualsig::policy {

// The value of the required `schema` member. A document with any other value is refused, so a
// future format cannot be read with this version's meaning.
inline constexpr std::string_view kPolicySchema = "qualsig-policy/1";

// Bounds on untrusted policy text.
inline constexpr std::size_t kMaxPolicyBytes = 256 * 1024;
inline constexpr std::size_t kMaxListEntries = 1000;   // array elements and object members
inline constexpr std::size_t kMaxStringBytes = 256;    // any string value or member name
inline constexpr std::size_t kMaxPolicyDepth = 8;      // nesting of arrays and objects

// `approvals` entry: when the request's amount is strictly above `above[currency]`, the request
// needs `required` distinct approvals from members of `group`, each valid for `valid_for`.
struct ApprovalRule {
  std::map<std::string, Amount> above;  // ISO 4217 code -> threshold
  std::int64_t required = 1;
  std::string group;
  std::chrono::seconds valid_for{0};
};

// `rate_limits`: at least one of the two is set. The Nth signature in the window is allowed,
// the (N+1)th denied.
struct RateLimits {
  std::optional<std::int64_t> per_hour;
  std::optional<std::int64_t> per_day;
};

// `delegation`: the request must (required) or may (not required) be made under a delegation
// chain whose root delegator is listed in `from` and which grants `scope`.
struct DelegationRule {
  bool required = true;
  std::vector<std::string> from;  // "person:..." / "organisation:..."
  std::string scope;
};

// `activation`: parameters of the signature activation data (SAD) issued for an allowed
// request. Not a rule that allows or denies; carried into the Decision.
struct ActivationRule {
  std::chrono::seconds sad_valid_for{0};  // 1 s .. 1 h
  std::optional<std::string> by;          // "person:..." who must activate each use
};

// A parsed, schema-checked policy. Absent optional rules are not evaluated.
struct Policy {
  std::string name;         // [a-z0-9-]{1,64}
  std::int64_t version = 0; // >= 1
  std::string description;
  std::vector<std::string> document_types;  // non-empty; anything else is denied
  std::optional<std::map<std::string, Amount>> max_amount;
  std::optional<std::vector<std::string>> counterparties;
  std::optional<std::vector<TimeWindow>> time_windows;
  std::optional<RateLimits> rate_limits;
  std::optional<std::vector<ApprovalRule>> approvals;
  std::optional<DelegationRule> delegation;
  std::optional<ActivationRule> activation;

  nlohmann::json document;  // the document as parsed
  std::string canonical;    // its RFC 8785 canonical text (what the store keeps)
  std::string hash;         // "sha256:<64 lowercase hex>" of `canonical`
};

// Parses and checks one policy document. Fails with ErrorCode::invalid_input and a message
// starting "policy: " on:
//  * text larger than kMaxPolicyBytes, invalid JSON, invalid UTF-8, trailing data, nesting
//    deeper than kMaxPolicyDepth (message from core::parse_json_strict, with line and column);
//  * a duplicate member name, an unknown member, a missing required member, a value of the
//    wrong type or out of range, an empty or too long list, a duplicate list entry, a string
//    longer than kMaxStringBytes or holding a control character.
// Schema errors name the offending value as an RFC 6901 JSON Pointer, e.g.
// "policy: /approvals/0/required: must be an integer >= 1" ("(root)" for the document itself).
// The result owns all its data.
Result<Policy> parse_policy(std::string_view text);

// "sha256:<hex>" of the RFC 8785 canonical form of `document`: the same for any whitespace or
// member order, different for any changed value. Fails (invalid_input) when `document` holds a
// value canonical JSON refuses (floating-point numbers, invalid UTF-8).
Result<std::string> policy_hash(const nlohmann::json& document);

}  // namespace qualsig::policy
