#include "service/delegation_service.h"

#include <nlohmann/json.hpp>

#include "audit/log_entry.h"
#include "core/fs.h"
#include "service/identity_service.h"

namespace qualsig::service {

policy::Delegation to_policy(const store::DelegationRecord& r) {
  return policy::Delegation{r.id, r.delegator, r.delegate, std::set<std::string>(r.scopes.begin(), r.scopes.end()),
                            r.not_before, r.expires_at, r.revoked_at, r.parent_id};
}

namespace {

nlohmann::json delegation_json(const store::DelegationRecord& d) {
  nlohmann::json j = {{"id", d.id}, {"delegator", d.delegator}, {"delegate", d.delegate}, {"scopes", d.scopes},
                      {"not_before", to_rfc3339(d.not_before)}, {"expires_at", to_rfc3339(d.expires_at)}};
  if (d.parent_id) j["parent"] = *d.parent_id;
  return j;
}

}  // namespace

Result<store::DelegationRecord> grant_delegation(TrustService& svc, const DelegationGrant& g, const std::string& actor,
                                                 TimePoint now) {
  store::DelegationRecord rec;
  rec.id = "dlg-" + hex_encode(core::random_bytes(8));
  rec.delegator = g.delegator;
  rec.delegate = g.delegate;
  rec.scopes = g.scopes;
  std::sort(rec.scopes.begin(), rec.scopes.end());
  rec.scopes.erase(std::unique(rec.scopes.begin(), rec.scopes.end()), rec.scopes.end());
  rec.not_before = g.not_before.value_or(now);
  rec.expires_at = g.expires_at;
  rec.parent_id = g.parent;
  rec.created_at = now;
  rec.created_by = actor;

  std::optional<policy::Delegation> parent;
  if (g.parent) {
    QS_TRY(auto p, svc.store().delegation(*g.parent));
    parent = to_policy(p);
  }
  QS_TRY_VOID(policy::validate_grant(to_policy(rec), parent ? &*parent : nullptr, now));
  QS_TRY(auto delegate, svc.store().identity(g.delegate));
  if (delegate.state == "offboarded")
    return fail(ErrorCode::denied, "identity '" + g.delegate + "' is offboarded: nothing can be delegated to it");
  if (g.delegator.rfind("person:", 0) == 0) {
    auto person = svc.store().person(g.delegator.substr(7));
    if (!person) return fail(ErrorCode::invalid_input, "delegator " + g.delegator + " is not a registered person (qualsig person add)");
  } else if (g.delegator.rfind("organisation:", 0) == 0) {
    QS_TRY(auto org_id, svc.store().setting("organisation.identifier"));
    if (!org_id || g.delegator != "organisation:" + *org_id)
      return fail(ErrorCode::denied, "only this trust service's organisation (organisation:" + org_id.value_or("?") +
                                         ") can delegate as an organisation");
  }
  QS_TRY_VOID(log_event(svc, audit::EventType::delegation_granted, actor, "delegation:" + rec.id, {},
                        delegation_json(rec), now));
  QS_TRY_VOID(svc.store().put_delegation(rec));
  return rec;
}

Result<store::DelegationRecord> revoke_delegation(TrustService& svc, const std::string& id, const std::string& actor,
                                                  TimePoint now) {
  QS_TRY(auto rec, svc.store().delegation(id));
  if (rec.revoked_at) return fail(ErrorCode::conflict, "delegation '" + id + "' is already revoked");
  QS_TRY_VOID(log_event(svc, audit::EventType::delegation_revoked, actor, "delegation:" + id, {},
                        {{"revoked_at", to_rfc3339(now)}}, now));
  QS_TRY_VOID(svc.store().revoke_delegation(id, now));
  rec.revoked_at = now;
  return rec;
}

Result<std::vector<store::DelegationRecord>> list_delegations(TrustService& svc, const std::optional<std::string>& delegate) {
  return svc.store().delegations(delegate);
}

Result<std::vector<policy::Delegation>> delegation_chain(TrustService& svc, const std::string& leaf_id) {
  std::vector<policy::Delegation> chain;
  std::optional<std::string> next = leaf_id;
  while (next) {
    if (chain.size() >= policy::kMaxDelegationChain)
      return fail(ErrorCode::denied, "delegation chain of " + leaf_id + " is longer than " +
                                         std::to_string(policy::kMaxDelegationChain) + " links");
    QS_TRY(auto rec, svc.store().delegation(*next));
    next = rec.parent_id;
    chain.insert(chain.begin(), to_policy(rec));
  }
  return chain;
}

Result<void> recheck_delegation(TrustService& svc, const std::string& identity, const nlohmann::json& decision,
                                TimePoint now) {
  if (!decision.contains("delegation")) return ok();
  const auto& d = decision["delegation"];
  if (!d.contains("links") || !d["links"].is_array() || d["links"].empty() || !d.contains("scope"))
    return fail(ErrorCode::database, "stored delegation summary is incomplete");
  QS_TRY(auto chain, delegation_chain(svc, d["links"].back().get<std::string>()));
  auto verified = policy::verify_chain(chain, identity, d["scope"].get<std::string>(), now);
  if (!verified) return fail(ErrorCode::denied, "the delegation no longer holds: " + verified.error().message);
  return ok();
}

Result<std::vector<policy::Delegation>> select_chain(TrustService& svc, const std::string& identity, const std::string& scope,
                                                     const std::optional<std::string>& delegation_id, TimePoint now) {
  if (delegation_id) return delegation_chain(svc, *delegation_id);
  QS_TRY(auto mine, svc.store().delegations(identity));
  std::vector<policy::Delegation> first_failing;
  for (const auto& d : mine) {
    QS_TRY(auto chain, delegation_chain(svc, d.id));
    if (policy::verify_chain(chain, identity, scope, now)) return chain;
    if (first_failing.empty()) first_failing = std::move(chain);
  }
  return first_failing;
}

}  // namespace qualsig::service
