#include "service/governance.h"

#include <algorithm>
#include <set>

#include "service/identity_service.h"

namespace qualsig::service {
namespace {

// OWASP Non-Human Identities Top 10, 2025 edition.
constexpr const char* kNhi1 = "NHI1:2025 Improper Offboarding";
constexpr const char* kNhi4 = "NHI4:2025 Insecure Authentication";
constexpr const char* kNhi5 = "NHI5:2025 Overprivileged NHI";
constexpr const char* kNhi7 = "NHI7:2025 Long-Lived Secrets";
constexpr const char* kNhi9 = "NHI9:2025 NHI Reuse";
// NIST CSF 2.0, Protect / Identity Management, Authentication, and Access Control.
constexpr const char* kPrAa01 = "PR.AA-01 identities and credentials are managed";
constexpr const char* kPrAa02 = "PR.AA-02 identities are proofed and bound to credentials";
constexpr const char* kPrAa05 = "PR.AA-05 access permissions are managed (least privilege)";

long days_between(TimePoint a, TimePoint b) {
  return std::chrono::duration_cast<std::chrono::days>(b - a).count();
}

}  // namespace

Result<std::vector<std::string>> departed_people(TrustService& svc) {
  QS_TRY(auto value, svc.store().setting("governance.departed"));
  std::vector<std::string> out;
  if (!value) return out;
  auto j = nlohmann::json::parse(*value, nullptr, false);
  if (!j.is_array()) return fail(ErrorCode::database, "setting governance.departed is not a JSON array");
  for (const auto& p : j)
    if (p.is_string()) out.push_back(p.get<std::string>());
  return out;
}

Result<void> mark_departed(TrustService& svc, const std::string& person, const std::string& actor, TimePoint now) {
  if (person.empty() || person.size() > 128) return fail(ErrorCode::invalid_input, "person name must be 1..128 characters");
  QS_TRY(auto people, departed_people(svc));
  if (std::find(people.begin(), people.end(), person) != people.end()) return ok();
  people.push_back(person);
  QS_TRY_VOID(log_event(svc, audit::EventType::config_changed, actor, "governance:departed", {},
                        {{"added", person}}, now));
  return svc.store().set_setting("governance.departed", nlohmann::json(people).dump());
}

Result<GovernanceReport> governance_report(TrustService& svc, TimePoint now, const GovernanceThresholds& t) {
  GovernanceReport r;
  r.generated_at = now;
  QS_TRY(auto identities, svc.store().identities());
  QS_TRY(auto departed, departed_people(svc));
  const auto policy_days = static_cast<long>(svc.config().certificates.default_validity_days);
  r.identities = identities.size();
  for (const auto& id : identities) {
    if (id.state == "offboarded") continue;
    auto add = [&](const char* severity, const char* risk, const char* owasp, const char* csf, std::string detail) {
      r.findings.push_back(Finding{id.name, severity, risk, owasp, csf, std::move(detail)});
    };
    if (id.sponsor.empty()) {
      add("high", "no sponsor", kNhi1, kPrAa01, "no accountable human sponsor is recorded");
    } else if (std::find(departed.begin(), departed.end(), id.sponsor) != departed.end()) {
      add("high", "sponsor left", kNhi1, kPrAa01,
          "sponsor '" + id.sponsor + "' has left; the identity is " + id.state + " and not offboarded");
    }
    if (id.state == "pending-proofing" && days_between(id.created_at, now) > t.pending_proofing_days)
      add("medium", "never proofed", kNhi4, kPrAa02,
          "registered " + std::to_string(days_between(id.created_at, now)) + " days ago and still not proofed");

    QS_TRY(auto proofings, svc.store().proofings(id.id));
    std::set<std::string> workloads;
    for (const auto& p : proofings)
      if (p.method != "sponsor") workloads.insert(p.method + ":" + p.subject);
    if (workloads.size() > 1) {
      std::string list;
      for (const auto& w : workloads) list += (list.empty() ? "" : ", ") + w;
      add("high", "identity reused by several workloads", kNhi9, kPrAa02,
          std::to_string(workloads.size()) + " different workloads proofed as this identity: " + list);
    }

    QS_TRY(auto certs, svc.store().certificates(id.id));
    bool can_sign = false;
    for (const auto& c : certs) {
      if (c.status != "valid" || c.not_after <= now) continue;
      can_sign = true;
      long lifetime = days_between(c.not_before, c.not_after);
      if (lifetime > policy_days)
        add("medium", "long-lived certificate", kNhi7, kPrAa01,
            "certificate " + c.serial_hex + " is valid for " + std::to_string(lifetime) + " days; policy allows " +
                std::to_string(policy_days));
      long left = days_between(now, c.not_after);
      if (left < t.expiry_warning_days)
        add("low", "certificate about to expire", kNhi7, kPrAa01,
            "certificate " + c.serial_hex + " expires in " + std::to_string(left) + " days (" + to_rfc3339(c.not_after) +
                "); renew with a new key");
    }
    TimePoint last = id.last_used_at.value_or(id.created_at);
    long idle = days_between(last, now);
    if (can_sign && idle > t.unused_days)
      add("medium", "signing capability unused", kNhi5, kPrAa05,
          std::string(id.last_used_at ? "last signed " : "never signed; registered ") + std::to_string(idle) +
              " days ago while holding a valid qualified certificate");
    if (id.state == "active" && idle > t.idle_identity_days)
      add("medium", "unused identity", kNhi1, kPrAa01,
          "no use for " + std::to_string(idle) + " days: offboard it if it is no longer needed");
  }
  std::stable_sort(r.findings.begin(), r.findings.end(), [](const Finding& a, const Finding& b) {
    auto rank = [](const std::string& s) { return s == "high" ? 0 : s == "medium" ? 1 : 2; };
    return rank(a.severity) < rank(b.severity);
  });
  return r;
}

}  // namespace qualsig::service
