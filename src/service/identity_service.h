#pragma once
// Use cases of non-human identities: register, proof (SPIFFE SVID, OIDC workload token,
// sponsor attestation under dual control), confirm, suspend, resume, offboard. Every change is
// logged in the audit log before it is reported as done.

#include <optional>
#include <string>
#include <vector>

#include "service/trust_service.h"
#include "store/records.h"

namespace qualsig::service {

// The identity kinds of DESIGN.md.
inline constexpr const char* kIdentityKinds[] = {"service-account", "workload", "ai-agent", "delegated-agent"};

struct NaturalPerson {  // whom a delegated agent acts for (EN 319 412-2 subject)
  std::string given_name;
  std::string surname;
  std::string identifier;  // e.g. PNONL-123456789 (EN 319 412-1 §5.1.3), optional
};

struct RegisterRequest {
  std::string name;
  std::string kind;
  std::string sponsor;
  std::string purpose;
  std::optional<NaturalPerson> acts_for;  // required for delegated-agent, refused otherwise
};

Result<store::IdentityRecord> register_identity(TrustService& svc, const RegisterRequest& request,
                                                const std::string& actor, TimePoint now);

enum class ProofingMethod { spiffe, oidc, sponsor };
Result<ProofingMethod> parse_proofing_method(std::string_view name);

struct ProofRequest {
  std::string identity;
  ProofingMethod method = ProofingMethod::sponsor;
  std::string evidence;        // SVID PEM chain (spiffe) or the JWT (oidc); unused for sponsor
  std::string by;              // administrator who records it (required for sponsor)
  std::optional<std::string> expected_subject;  // oidc: the token's sub must be this
};

struct ProofResult {
  store::IdentityRecord identity;
  store::ProofingRecord proofing;
};

// spiffe/oidc: verified now against the configured trust bundle / JWKS; the identity becomes
// active at IAL2. sponsor: the attestation is recorded and waits for confirm_identity.
Result<ProofResult> proof_identity(TrustService& svc, const ProofRequest& request, const std::string& actor,
                                   TimePoint now);

// The second administrator confirms a sponsor attestation (never the one who attested).
Result<ProofResult> confirm_identity(TrustService& svc, const std::string& identity, const std::string& by,
                                     TimePoint now);

struct IdentityView {
  store::IdentityRecord identity;
  std::vector<store::ProofingRecord> proofings;
  std::vector<store::CertificateRecord> certificates;
};
Result<IdentityView> show_identity(TrustService& svc, const std::string& name);
Result<std::vector<store::IdentityRecord>> list_identities(TrustService& svc);

Result<store::IdentityRecord> suspend_identity(TrustService& svc, const std::string& name, const std::string& actor, TimePoint now);
Result<store::IdentityRecord> resume_identity(TrustService& svc, const std::string& name, const std::string& actor, TimePoint now);
// Revokes every certificate of the identity (cessationOfOperation) and disables it for good.
Result<store::IdentityRecord> offboard_identity(TrustService& svc, const std::string& name, const std::string& actor, TimePoint now);

// Appends one event to the audit log (durably) — the one path every use case logs through.
// Returns the entry's sequence number.
Result<std::uint64_t> log_event(TrustService& svc, audit::EventType event, const std::string& actor, const std::string& subject,
                       std::map<std::string, std::string> refs, nlohmann::json details, TimePoint now);

}  // namespace qualsig::service
