#pragma once
// Dual control for sponsor attestations, and the assurance level each proofing method reaches
// (NIST SP 800-63A identity assurance levels, DESIGN.md "proofing").

#include <string>

#include "core/result.h"

namespace qualsig::identity {

// Refuses a confirmation by the administrator who made the attestation: a sponsor attestation
// counts as proofing only when a second administrator confirms it (four-eyes principle).
// Names are compared after trimming ASCII whitespace, ignoring ASCII case; non-ASCII bytes are
// compared exactly, so callers must pass the authenticated principal identifiers, not display
// names typed by a person. Fails with invalid_input when either name is empty after trimming,
// and with denied "the same administrator cannot attest and confirm (dual control)".
Result<void> check_confirmation(const std::string& attested_by, const std::string& confirmed_by);

// NIST SP 800-63A identity assurance levels.
enum class AssuranceLevel { ial1, ial2, ial3 };

// "IAL1", "IAL2", "IAL3".
const char* assurance_level_name(AssuranceLevel level);

// How an identity was proofed.
enum class ProofingMethod {
  sponsor_attestation_dual_control,  // an accountable sponsor's attestation, confirmed by a second administrator
  oidc_workload_token,               // verify_oidc_token() accepted a token from a configured issuer
  spiffe_x509_svid,                  // verify_x509_svid() accepted an SVID of a configured trust domain
};

const char* proofing_method_name(ProofingMethod method);

// The assurance level a successful proofing by `method` reaches. Every method yields IAL2; no
// method yields IAL3 (see dual_control.cpp for the reasoning).
AssuranceLevel assurance_level_for(ProofingMethod method);

}  // namespace qualsig::identity
