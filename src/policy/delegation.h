#pragma once
// Delegation of signing authority: a person or organisation grants an identity a subset of its
// scopes until an expiry; the identity may re-delegate a narrower subset to another identity.
// The chain is checked at signing time (verify_chain) and its summary is recorded with the
// decision; each link is checked when granted (validate_grant).

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/time.h"

namespace qualsig::policy {

// Longest chain verify_chain() accepts: the root grant and up to seven re-delegations.
inline constexpr std::size_t kMaxDelegationChain = 8;

// One link, as the store keeps it (store::DelegationRecord).
struct Delegation {
  std::string id;
  // Who grants: "person:NAME" or "organisation:ID" for a root grant, "identity:NAME" for a
  // re-delegation by the previous link's delegate.
  std::string delegator;
  std::string delegate;          // identity name: letters, digits, '-', '_', '.', at most 64
  std::set<std::string> scopes;  // e.g. "contract", "purchase-order"; [a-z0-9][a-z0-9._-]{0,63}
  TimePoint not_before;          // valid from this instant (inclusive)
  TimePoint expires_at;          // valid until this instant (exclusive)
  std::optional<TimePoint> revoked_at;   // revoked from this instant on
  std::optional<std::string> parent_id;  // the link this one re-delegates; none for a root grant
};

// What a verified chain established; recorded with the decision and read by the policy's
// `delegation` rule.
struct ChainSummary {
  std::string root_delegator;         // "person:..." or "organisation:..."
  std::string identity;               // the last delegate
  std::string scope;                  // the scope that was asked for and found
  std::set<std::string> scopes;       // everything the last link grants
  std::vector<std::string> link_ids;  // root first
  TimePoint not_before;               // the latest not_before of any link
  TimePoint expires_at;               // the earliest expires_at of any link
  TimePoint verified_at;              // the `now` of verify_chain()
};

// Verifies `chain` (root grant first) for `identity` needing `needed_scope` at `now`:
//  * 1 to kMaxDelegationChain links, with distinct non-empty ids;
//  * the root's delegator is "person:NAME" or "organisation:ID" and it has no parent;
//  * every later link's delegator is "identity:" + the previous link's delegate, and its
//    parent_id is the previous link's id;
//  * every link names a valid delegate that is not its own delegator, at least one valid
//    scope, and not_before < expires_at;
//  * every link's scopes are a subset of the previous link's (a widening names the scope),
//    and its expires_at is not later than the previous link's;
//  * at `now` every link is valid: not_before <= now < expires_at, and not revoked
//    (revoked_at absent or later than now);
//  * the last delegate is `identity` and the last link grants `needed_scope`.
// Fails with ErrorCode::denied and a message naming the first failing link ("link 2 (dlg-b):
// ...") and why. Nothing is retained from the arguments.
Result<ChainSummary> verify_chain(const std::vector<Delegation>& chain, const std::string& identity,
                                  const std::string& needed_scope, TimePoint now);

// Checks a delegation about to be granted. `parent` is the link it re-delegates (borrowed for
// the call; nullptr for a root grant by a person or organisation). Fails with invalid_input
// when the link itself is malformed (empty id, bad delegator or delegate, no or bad scopes,
// not_before >= expires_at, expires_at <= now, revoked_at set), and with denied when it would
// exceed its parent's authority: a root grant by an identity, a delegator that is not
// "identity:" + the parent's delegate, a parent_id that is not the parent's id, a scope the
// parent does not grant (named), an expiry after the parent's, or a parent that is expired,
// not yet valid or revoked at `now`. The chain length is checked by verify_chain() only.
Result<void> validate_grant(const Delegation& link, const Delegation* parent, TimePoint now);

// True for "person:NAME" / "organisation:ID" (root delegators) and, with `allow_identity`,
// "identity:NAME": a known prefix, then 1..240 printable ASCII characters without spaces.
bool is_principal(std::string_view text, bool allow_identity);
// True for an identity name as service/ registers them: 1..64 of [A-Za-z0-9._-].
bool is_identity_name(std::string_view text);
// True for a scope or other policy identifier: [a-z0-9][a-z0-9._-]{0,63}.
bool is_identifier(std::string_view text);

// JSON forms for the evidence and the trace; times as RFC 3339 UTC.
nlohmann::json to_json(const Delegation& link);
nlohmann::json to_json(const ChainSummary& summary);

}  // namespace qualsig::policy
