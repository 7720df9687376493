#include "identity/dual_control.h"

#include <string_view>

namespace qualsig::identity {
namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace

Result<void> check_confirmation(const std::string& attested_by, const std::string& confirmed_by) {
  const std::string_view attester = trim(attested_by);
  const std::string_view confirmer = trim(confirmed_by);
  if (attester.empty()) return fail(ErrorCode::invalid_input, "the attesting administrator is not named");
  if (confirmer.empty()) return fail(ErrorCode::invalid_input, "the confirming administrator is not named");
  if (same_name(attester, confirmer)) {
    return fail(ErrorCode::denied, "the same administrator cannot attest and confirm (dual control)");
  }
  return ok();
}

const char* assurance_level_name(AssuranceLevel level) {
  switch (level) {
    case AssuranceLevel::ial1: return "IAL1";
    case AssuranceLevel::ial2: return "IAL2";
    case AssuranceLevel::ial3: return "IAL3";
  }
  return "?";
}

const char* proofing_method_name(ProofingMethod method) {
  switch (method) {
    case ProofingMethod::sponsor_attestation_dual_control: return "sponsor-attestation-dual-control";
    case ProofingMethod::oidc_workload_token: return "oidc-workload-token";
    case ProofingMethod::spiffe_x509_svid: return "spiffe-x509-svid";
  }
  return "?";
}

// Why IAL2 and never IAL3 (NIST SP 800-63A):
//  - IAL3 requires physical presence: in-person proofing, or supervised remote proofing, with an
//    authorised proofing agent examining the applicant and collecting a biometric. A service
//    account, workload or AI agent has no body to present; there is no in-person step to
//    perform, so no method can reach IAL3, however strong its cryptography (DESIGN.md:
//    identities are non-human).
//  - IAL2 asks for evidence that is validated against its issuing or an authoritative source and
//    verified as bound to the claimant. Each method here does that:
//      * an OIDC workload token is signed by the platform that runs the workload (the CI system,
//        the Kubernetes API server) and checked against that issuer's published keys; the
//        platform is the authoritative source of the workload's identity;
//      * a SPIFFE X.509-SVID chains to the trust domain's CA, the authoritative source, and
//        binds the SPIFFE ID to a key the workload holds;
//      * a sponsor attestation is a named, accountable human's statement, and dual control makes
//        a second administrator verify it, so no single person can register an identity alone.
//        Without the confirmation it would be a self-assertion (IAL1), which is why only the
//        confirmed form is a ProofingMethod.
//  - The sponsor who answers for the identity was proofed as a natural person elsewhere; that
//    person's own IAL does not pass to the machine identity.
AssuranceLevel assurance_level_for(ProofingMethod method) {
  switch (method) {
    case ProofingMethod::sponsor_attestation_dual_control:
    case ProofingMethod::oidc_workload_token:
    case ProofingMethod::spiffe_x509_svid:
      return AssuranceLevel::ial2;
  }
  return AssuranceLevel::ial1;
}

}  // namespace qualsig::identity
