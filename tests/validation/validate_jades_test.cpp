// JAdES validation (EN 319 102-1 over TS 119 182-1 signatures) of JWS made by qualsig's
// formats/jades; jose (tests/interop/jades_check.mjs) is the independent verifier.

#include <gtest/gtest.h>

#include "formats/cades_test_support.h"
#include "formats/jades.h"
#include "validation/validate.h"

namespace qualsig::validation {
namespace {

using namespace std::chrono_literals;
using formats::cades::testing::CadesPki;
using formats::cades::testing::kSigningTime;
using formats::cades::testing::must;
using formats::cades::testing::write_file;
namespace jades = formats::jades;

const Bytes kPayload = to_bytes("{\"invoice\":42}");

class ValidateJades : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s_pki = new CadesPki(); }
  static void TearDownTestSuite() {
    delete s_pki;
    s_pki = nullptr;
  }
  CadesPki& pki() { return *s_pki; }

  std::string sign(jades::Level level, jades::Serialization serialization) {
    jades::SignOptions o;
    o.level = level;
    o.serialization = serialization;
    o.signing_time = kSigningTime;
    o.chain = {pki().issuing.get(), pki().root.get()};
    o.timestamp = pki().tsa.fn();
    o.validation_data = pki().validation_data();
    return must(jades::sign_jws(kPayload, pki().signer_cert.get(), *pki().signer, o));
  }

  ValidationOptions options() {
    ValidationOptions o;
    o.trust_anchors = {must(core::x509_to_der(pki().root.get()))};
    o.validation_time = kSigningTime + 24h;
    auto vd = pki().validation_data();
    o.extra_certificates = vd.certificates;
    o.extra_ocsp_responses = vd.ocsp_responses;
    o.extra_crls = vd.crls;
    return o;
  }

  // jose's verdict on the JWS (exit status 0: verified).
  int jose(const std::string& jws) {
    write_file(pki().path("sig.jws"), to_bytes(jws));
    return qualsig::testing::run("node " QUALSIG_SOURCE_DIR "/tests/interop/jades_check.mjs " + pki().path("sig.jws") + " " +
                                 pki().path("signer.pem") + " ES256")
        .status;
  }

  static CadesPki* s_pki;
};
CadesPki* ValidateJades::s_pki = nullptr;

TEST_F(ValidateJades, EveryLevelPassesAndJoseAgrees) {
  const std::pair<jades::Level, jades::Serialization> cases[] = {
      {jades::Level::b_b, jades::Serialization::compact},
      {jades::Level::b_t, jades::Serialization::json},
      {jades::Level::b_lt, jades::Serialization::json},
  };
  const char* names[] = {"JAdES-BASELINE-B", "JAdES-BASELINE-T", "JAdES-BASELINE-LT"};
  for (std::size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(names[i]);
    std::string jws = sign(cases[i].first, cases[i].second);
    ValidationOptions o = options();
    if (cases[i].first == jades::Level::b_lt) {  // its own xVals / rVals must suffice
      o.extra_certificates.clear();
      o.extra_ocsp_responses.clear();
      o.extra_crls.clear();
    }
    auto r = validate(to_bytes(jws), o);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->document_format, "JAdES");
    ASSERT_EQ(r->signatures.size(), 1u);
    const SignatureReport& s = r->signatures[0];
    EXPECT_EQ(s.indication, Indication::total_passed) << (s.reasons.empty() ? "" : s.reasons[0]);
    EXPECT_EQ(s.level, names[i]);
    ASSERT_TRUE(s.claimed_signing_time);
    EXPECT_EQ(*s.claimed_signing_time, kSigningTime);
    EXPECT_EQ(s.timestamps.size(), cases[i].first == jades::Level::b_b ? 0u : 1u);
    for (const auto& t : s.timestamps) EXPECT_EQ(t.indication, Indication::passed) << (t.reasons.empty() ? "" : t.reasons[0]);
    EXPECT_EQ(s.chain.size(), 3u);
    EXPECT_EQ(jose(jws), 0);
  }
}

TEST_F(ValidateJades, ChangedSignatureIsSigCryptoFailure) {
  std::string jws = sign(jades::Level::b_b, jades::Serialization::compact);
  // A character inside the base64url signature (not the last, whose low bits may be unused).
  std::size_t at = jws.rfind('.') + 5;
  jws[at] = jws[at] == 'A' ? 'B' : 'A';
  auto r = validate(to_bytes(jws), options());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->signatures.size(), 1u);
  EXPECT_EQ(r->signatures[0].indication, Indication::total_failed);
  EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::sig_crypto_failure);
  EXPECT_NE(jose(jws), 0);
}

TEST_F(ValidateJades, HostileInputIsAClearError) {
  std::string jws = sign(jades::Level::b_t, jades::Serialization::json);
  for (std::size_t n : {std::size_t{1}, jws.size() / 3, jws.size() / 2, jws.size() - 1}) {
    auto r = validate(to_bytes(jws.substr(0, n)), options());
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  }
  std::string nested(100, '[');
  EXPECT_EQ(validate(to_bytes("{\"payload\":" + nested), options()).error().code, ErrorCode::invalid_input);
}

TEST_F(ValidateJades, UnknownRootIsNoCertificateChainFound) {
  std::string jws = sign(jades::Level::b_b, jades::Serialization::compact);
  ValidationOptions o = options();
  o.trust_anchors = {must(core::x509_to_der(pki().tsa_cert.get()))};  // a certificate that anchors nothing here
  auto r = validate(to_bytes(jws), o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::no_certificate_chain_found);
}

}  // namespace
}  // namespace qualsig::validation
