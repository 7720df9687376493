#pragma once
// Delegated signing authority (policy/delegation.h holds the rules): grant, revoke, list, and
// the chain of an identity that service/sign_service checks at signing time. Every change is
// logged before it is stored.

#include <optional>
#include <string>
#include <vector>

#include "policy/delegation.h"
#include "service/trust_service.h"
#include "store/signing_records.h"

namespace qualsig::service {

struct DelegationGrant {
  std::string delegator;  // "person:NAME", "organisation:ID", or "identity:NAME" with a parent
  std::string delegate;   // a registered identity
  std::vector<std::string> scopes;
  std::optional<TimePoint> not_before;  // default: now
  TimePoint expires_at;
  std::optional<std::string> parent;    // the delegation this one narrows
};

// Checks the grant with policy::validate_grant (no widening, no longer expiry than the
// parent), that the delegate is a registered identity, that a person delegator is a
// registered person (authenticated by the caller) and that an organisation delegator is the
// service's own organisation (organisation:<organisationIdentifier>).
Result<store::DelegationRecord> grant_delegation(TrustService& svc, const DelegationGrant& grant, const std::string& actor,
                                                 TimePoint now);
Result<store::DelegationRecord> revoke_delegation(TrustService& svc, const std::string& id, const std::string& actor,
                                                  TimePoint now);
Result<std::vector<store::DelegationRecord>> list_delegations(TrustService& svc, const std::optional<std::string>& delegate);

// The chain from a root grant to `leaf_id` (root first), read from the store.
Result<std::vector<policy::Delegation>> delegation_chain(TrustService& svc, const std::string& leaf_id);

// The delegation chain (root first) a request of `identity` for `scope` is made under at `now`:
// the given delegation's chain when `delegation_id` is set, else the first of the identity's
// delegations whose chain verifies, else the first one that does not (so that the decision's
// trace says why). Empty when the identity has no delegation and none was asked for.
Result<std::vector<policy::Delegation>> select_chain(TrustService& svc, const std::string& identity, const std::string& scope,
                                                     const std::optional<std::string>& delegation_id, TimePoint now);

// The chain a request was decided under, verified again at `now` (activation and signing time:
// a delegation revoked or expired after the decision stops the signature). `decision` is the
// stored decision JSON; without a "delegation" member there is nothing to check.
Result<void> recheck_delegation(TrustService& svc, const std::string& identity, const nlohmann::json& decision,
                                TimePoint now);

policy::Delegation to_policy(const store::DelegationRecord& r);

}  // namespace qualsig::service
