#pragma once
// The JSON form of a sign request for `qualsig policy test`: a request evaluated against a
// policy without signing (docs/policy.md "Testing a policy").

#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/delegation.h"
#include "policy/evaluate.h"

namespace qualsig::policy {

// A request read from a file, and the delegation chain it is made under (empty when none).
struct TestRequest {
  SignRequest request;
  std::vector<Delegation> chain;  // root first; verify with evaluate_chain()
};

// Parses one request document (strict JSON, at most kMaxPolicyBytes, same bounds and error
// style as parse_policy(), messages start with "request: "):
//   {"identity": "po-agent",                       identity name, required
//    "document_type": "purchase-order",            printable text, required
//    "attributes": {"amount": "48000.00", ...},    strings, optional
//    "time": "2026-11-25T10:00:00+01:00",          RFC 3339, required (time is a parameter)
//    "signatures_last_hour": 0, "signatures_last_day": 0,   integers >= 0, default 0
//    "delegation_chain": [{"id", "delegator", "delegate", "scopes", "not_before",
//                          "expires_at", "revoked_at"?, "parent_id"?}, ...]}   optional
// Fails with invalid_input naming the offending value by JSON Pointer. Links are only parsed
// here; evaluate_chain() judges them.
Result<TestRequest> parse_test_request(std::string_view text);

}  // namespace qualsig::policy
