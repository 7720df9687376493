// PAdES validation (EN 319 102-1 over EN 319 142-1 signatures) of PDFs signed by qualsig's
// formats/pades; pdfsig (poppler) and `openssl ts -verify` are the independent verifiers.

#include <gtest/gtest.h>

#include "formats/pades_test_support.h"
#include "validation/validate.h"

namespace qualsig::validation {
namespace {

using namespace std::chrono_literals;
using formats::cades::Level;
using formats::pades::testing::PadesFixture;
using formats::pades::testing::kSigningTime;
using formats::cades::testing::must;
using qualsig::testing::PdfsigVerdict;

class ValidatePades : public PadesFixture {
 protected:
  // Our root as the trust anchor; revocation supplied from outside (the /DSS is not read).
  ValidationOptions validation_options() {
    ValidationOptions o;
    o.trust_anchors = {must(core::x509_to_der(pki.root.get()))};
    o.validation_time = kSigningTime + 24h;
    auto vd = pki.validation_data();
    o.extra_certificates = vd.certificates;
    o.extra_ocsp_responses = vd.ocsp_responses;
    o.extra_crls = vd.crls;
    return o;
  }
};

TEST_F(ValidatePades, EveryLevelPassesAndPdfsigAgrees) {
  for (Level level : {Level::b_b, Level::b_t, Level::b_lta}) {
    SCOPED_TRACE(formats::cades::level_name(level));
    Bytes pdf = sign_pdf(formats::pades::testing::minimal_pdf(), options(level));
    auto r = validate(pdf, validation_options());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->document_format, "PAdES");
    ASSERT_EQ(r->signatures.size(), 1u);
    const SignatureReport& s = r->signatures[0];
    EXPECT_EQ(s.format, "PAdES");
    EXPECT_EQ(s.indication, Indication::total_passed) << (s.reasons.empty() ? "" : s.reasons[0]);
    EXPECT_EQ(s.level, std::string("PAdES-BASELINE-") + (formats::cades::level_name(level) + 2));
    ASSERT_TRUE(s.claimed_signing_time);
    EXPECT_EQ(*s.claimed_signing_time, kSigningTime);  // from /M: PAdES has no signing-time attribute
    std::size_t expected_tsts = level == Level::b_b ? 0 : level == Level::b_t ? 1 : 2;
    ASSERT_EQ(s.timestamps.size(), expected_tsts);
    if (level == Level::b_lta) {
      EXPECT_EQ(s.timestamps[1].type, "document-time-stamp");
      EXPECT_EQ(s.timestamps[1].indication, Indication::passed) << (s.timestamps[1].reasons.empty() ? "" : s.timestamps[1].reasons[0]);
    }
    auto report = pdfsig(pdf);
    ASSERT_GE(report.signatures.size(), 1u) << report.output;
    EXPECT_EQ(report.signatures[0].verdict, PdfsigVerdict::valid) << report.output;
  }
}

// Past signature validation of time-stamps (EN 319 102-1 §5.6.2.4), as in CAdES: by 2030 the
// signer's certificate (to mid-2027) and the signature time-stamp's TSA certificate (to mid-2028)
// have expired; a document time-stamp made on 2028-01-01 covers the revision holding the
// signature and its time-stamp, is their POE, and the signature time-stamp then dates the
// signature to 2026. One made after the TSA certificate expired proves nothing for it.
TEST_F(ValidatePades, DocumentTimestampIsAPoeOfTheSignatureTimestampItCovers) {
  auto cert = pki.counter_cert_until(std::chrono::sys_days{std::chrono::June / 1 / 2027}, pki.signer->public_key());
  auto tsa1_cert = pki.tsa_cert_until(std::chrono::sys_days{std::chrono::June / 1 / 2028});
  formats::cades::testing::TestTsa tsa1(tsa1_cert.get(), pki.tsa_key.get());
  auto o = options(Level::b_lt);
  o.timestamp = tsa1.fn();
  o.validation_data.ocsp_responses = {pki.ocsp_good(cert.get())};
  const Bytes original = formats::pades::testing::minimal_pdf();
  const Bytes lt = formats::pades::testing::concat(original, must(formats::pades::sign_increment(original, cert.get(), *pki.signer, o)));
  auto with_document_timestamp_at = [&](TimePoint when) {
    formats::cades::testing::TestTsa tsa2(pki.tsa_cert.get(), pki.tsa_key.get(), when);
    Bytes pdf = formats::pades::testing::concat(
        lt, must(formats::pades::add_document_timestamp_increment(lt, tsa2.fn(), core::DigestAlgorithm::sha256)));
    auto report = pdfsig(pdf);  // the signature, independently
    EXPECT_GE(report.signatures.size(), 1u) << report.output;
    if (!report.signatures.empty()) {
      EXPECT_EQ(report.signatures[0].verdict, PdfsigVerdict::valid) << report.output;
    }
    return pdf;
  };
  ValidationOptions vo = validation_options();
  vo.validation_time = std::chrono::sys_days{std::chrono::January / 1 / 2030};

  ValidationReport renewed = must(validate(with_document_timestamp_at(std::chrono::sys_days{std::chrono::January / 1 / 2028}), vo));
  ASSERT_EQ(renewed.signatures.size(), 1u);
  const SignatureReport& s = renewed.signatures[0];
  EXPECT_EQ(s.indication, Indication::total_passed) << (s.reasons.empty() ? "" : s.reasons[0]);
  EXPECT_EQ(s.best_signature_time, kSigningTime + 1min);
  ASSERT_EQ(s.timestamps.size(), 2u);
  EXPECT_EQ(s.timestamps[0].indication, Indication::passed);
  EXPECT_EQ(s.timestamps[1].type, "document-time-stamp");
  EXPECT_EQ(s.timestamps[1].covers, std::vector<std::size_t>{0});

  ValidationReport late = must(validate(with_document_timestamp_at(std::chrono::sys_days{std::chrono::September / 1 / 2028}), vo));
  const SignatureReport& l = late.signatures[0];
  EXPECT_EQ(l.indication, Indication::indeterminate);
  ASSERT_EQ(l.timestamps.size(), 2u);
  EXPECT_EQ(l.timestamps[0].indication, Indication::indeterminate);
  EXPECT_EQ(l.timestamps[1].indication, Indication::passed);
}

TEST_F(ValidatePades, TamperedSignedBytesAreHashFailure) {
  Bytes original = formats::pades::testing::minimal_pdf();
  Bytes pdf = sign_pdf(original, options(Level::b_t));
  // A byte of the page content stream, inside the first signed range.
  std::string text(pdf.begin(), pdf.end());
  std::size_t at = text.find("qualsig PAdES test");
  ASSERT_NE(at, std::string::npos);
  pdf[at] = 'Q';
  auto r = validate(pdf, validation_options());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->signatures.size(), 1u);
  EXPECT_EQ(r->signatures[0].indication, Indication::total_failed);
  EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::hash_failure);
  auto report = pdfsig(pdf);
  ASSERT_GE(report.signatures.size(), 1u) << report.output;
  EXPECT_EQ(report.signatures[0].verdict, PdfsigVerdict::digest_mismatch) << report.output;
}

TEST_F(ValidatePades, UnknownRootIsNoCertificateChainFound) {
  Bytes pdf = sign_pdf(formats::pades::testing::minimal_pdf(), options(Level::b_b));
  auto other_key = core::wrap(EVP_EC_gen("P-256"));
  auto other_root = formats::cades::testing::issue("Other Root CA", other_key.get(), nullptr, other_key.get(), true);
  ValidationOptions o = validation_options();
  o.trust_anchors = {must(core::x509_to_der(other_root.get()))};
  auto r = validate(pdf, o);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->signatures.size(), 1u);
  EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::no_certificate_chain_found);
}

TEST_F(ValidatePades, GarbageContentsIsFormatFailure) {
  Bytes pdf = sign_pdf(formats::pades::testing::minimal_pdf(), options(Level::b_b));
  auto scanned = formats::pades::testing::scan_signatures(pdf);
  ASSERT_EQ(scanned.size(), 1u);
  // Overwrite the hex digits of /Contents (unsigned bytes) with other hex digits.
  for (auto i = scanned[0].range[1] + 1; i + 1 < scanned[0].range[2]; ++i) pdf[static_cast<std::size_t>(i)] = "3a7f"[i % 4];
  auto r = validate(pdf, validation_options());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->signatures.size(), 1u);
  EXPECT_EQ(r->signatures[0].indication, Indication::total_failed);
  EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::format_failure);
  auto report = pdfsig(pdf);
  ASSERT_GE(report.signatures.size(), 1u) << report.output;
  EXPECT_NE(report.signatures[0].verdict, PdfsigVerdict::valid) << report.output;
}

TEST_F(ValidatePades, DamagedPdfIsAClearError) {
  Bytes pdf = sign_pdf(formats::pades::testing::minimal_pdf(), options(Level::b_b));
  Bytes truncated(pdf.begin(), pdf.begin() + static_cast<std::ptrdiff_t>(pdf.size() / 3));
  auto r = validate(truncated, validation_options());
  if (r) {
    // qpdf may recover a truncated file; then no signature may pass.
    for (const auto& s : r->signatures) EXPECT_NE(s.indication, Indication::total_passed);
  } else {
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  }
}

}  // namespace
}  // namespace qualsig::validation
