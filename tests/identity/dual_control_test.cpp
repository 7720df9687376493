#include "identity/dual_control.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qualsig::identity {
namespace {

struct ConfirmationCase {
  const char* name;
  std::string attested_by, confirmed_by;
  bool accepted;
  ErrorCode code;
};

TEST(DualControl, ConfirmationTable) {
  const std::vector<ConfirmationCase> cases = {
      {"two-administrators", "alice", "bob", true, ErrorCode::internal},
      {"same-name", "alice", "alice", false, ErrorCode::denied},
      {"same-name-other-case", "Alice", "aLICE", false, ErrorCode::denied},
      {"same-name-padded", "  alice\t", "\nALICE ", false, ErrorCode::denied},
      {"same-email-other-case", "Alice@Example.ORG", "alice@example.org", false, ErrorCode::denied},
      {"prefix-is-not-same", "alice", "alice2", true, ErrorCode::internal},
      {"inner-space-kept", "alice b", "aliceb", true, ErrorCode::internal},
      {"empty-attester", "", "bob", false, ErrorCode::invalid_input},
      {"blank-attester", " \t\r\n", "bob", false, ErrorCode::invalid_input},
      {"empty-confirmer", "alice", "", false, ErrorCode::invalid_input},
      {"blank-confirmer", "alice", "   ", false, ErrorCode::invalid_input},
      {"both-empty", "", "", false, ErrorCode::invalid_input},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = check_confirmation(c.attested_by, c.confirmed_by);
    EXPECT_EQ(r.has_value(), c.accepted);
    if (!c.accepted && !r) {
      EXPECT_EQ(r.error().code, c.code) << r.error().message;
      if (c.code == ErrorCode::denied) {
        EXPECT_EQ(r.error().message, "the same administrator cannot attest and confirm (dual control)");
      }
    }
  }
}

TEST(DualControl, AssuranceLevelNames) {
  EXPECT_STREQ(assurance_level_name(AssuranceLevel::ial1), "IAL1");
  EXPECT_STREQ(assurance_level_name(AssuranceLevel::ial2), "IAL2");
  EXPECT_STREQ(assurance_level_name(AssuranceLevel::ial3), "IAL3");
}

TEST(DualControl, EveryProofingMethodReachesIal2AndNoneIal3) {
  for (auto method : {ProofingMethod::sponsor_attestation_dual_control, ProofingMethod::oidc_workload_token,
                      ProofingMethod::spiffe_x509_svid}) {
    SCOPED_TRACE(proofing_method_name(method));
    EXPECT_EQ(assurance_level_for(method), AssuranceLevel::ial2);
  }
}

}  // namespace
}  // namespace qualsig::identity
