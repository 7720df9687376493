#pragma once
// NHI governance report: risks of the non-human identities, each finding mapped to the OWASP
// Non-Human Identities Top 10 (2025) and NIST CSF 2.0 (PR.AA).

#include <string>
#include <vector>

#include "service/trust_service.h"

namespace qualsig::service {

struct Finding {
  std::string identity;
  std::string severity;  // high | medium | low
  std::string risk;      // short name, e.g. "sponsor left"
  std::string owasp;     // e.g. "NHI1:2025 Improper Offboarding"
  std::string nist_csf;  // e.g. "PR.AA-01"
  std::string detail;    // what was seen, with values
};

struct GovernanceReport {
  TimePoint generated_at;
  std::size_t identities = 0;
  std::vector<Finding> findings;
};

// Thresholds (days) the report uses; sensible defaults for short-lived machine credentials.
struct GovernanceThresholds {
  int unused_days = 30;           // signing capability unused -> over-privileged
  int idle_identity_days = 90;    // identity never used / unused -> offboarding candidate
  int pending_proofing_days = 7;  // registered but never proofed
  int expiry_warning_days = 14;   // certificate about to expire
};

Result<GovernanceReport> governance_report(TrustService& svc, TimePoint now, const GovernanceThresholds& t = {});

// People who left the organisation: identities they sponsor are flagged (improper offboarding).
Result<std::vector<std::string>> departed_people(TrustService& svc);
Result<void> mark_departed(TrustService& svc, const std::string& person, const std::string& actor, TimePoint now);

}  // namespace qualsig::service
