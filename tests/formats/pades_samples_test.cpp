// The real-world set of support/pdf_samples.h: every PDF signs, pdfsig validates the new signature,
// qpdf --check still passes where it passed before, and signatures already in the file keep the
// verdict pdfsig gave them before.
#include "pades_test_support.h"

namespace qualsig::formats::pades::testing {
namespace {

using qualsig::testing::PdfsigVerdict;

class PadesSamples : public PadesFixture {};

TEST_F(PadesSamples, EverySampleSignsAndValidates) {
  std::vector<std::string> skipped;
  auto samples = qualsig::testing::make_pdf_samples(pki.dir.path(), &skipped);
  for (const auto& s : skipped) std::cout << "[ sample skipped ] " << s << "\n";
  ASSERT_GE(samples.size(), 20u);
  std::size_t signed_count = 0;
  for (const auto& sample : samples) {
    SCOPED_TRACE(sample.name + " (" + sample.features + ")");
    Bytes pdf = read_file(sample.path);
    auto before = pdfsig(pdf, "before.pdf");
    bool check_before = qpdf_check(pdf).status == 0;
    // Alternate levels so every level meets every kind of file at least once across the set.
    cades::Level level = signed_count % 2 == 0 ? cades::Level::b_t : cades::Level::b_b;
    auto increment = sign_increment(pdf, pki.signer_cert.get(), *pki.signer, options(level));
    ASSERT_TRUE(increment) << increment.error().message << " / " << increment.error().detail;
    ++signed_count;
    Bytes out = concat(pdf, *increment);
    auto after = pdfsig(out, "after.pdf");
    ASSERT_EQ(after.signatures.size(), before.signatures.size() + 1) << after.output;
    const auto& ours = after.signatures.back();
    EXPECT_EQ(ours.verdict, PdfsigVerdict::valid) << after.output;
    EXPECT_TRUE(ours.total_document_signed) << after.output;
    EXPECT_EQ(ours.type, "ETSI.CAdES.detached");
    for (std::size_t i = 0; i < before.signatures.size(); ++i)
      EXPECT_EQ(after.signatures[i].verdict, before.signatures[i].verdict) << "earlier signature " << i << "\nbefore:\n"
                                                                           << before.output << "\nafter:\n"
                                                                           << after.output;
    if (check_before) {
      CommandResult check = qpdf_check(out);
      EXPECT_EQ(check.status, 0) << check.output;
    }
    // The independent CMS check over the scanned byte range of the new signature.
    auto scanned = scan_signatures(out);
    ASSERT_FALSE(scanned.empty());
    CommandResult cms = openssl_cms_verify(scanned.back());
    EXPECT_EQ(cms.status, 0) << cms.output;
    // qualsig's reader agrees on the count and the coverage.
    auto info = inspect(out);
    ASSERT_TRUE(info) << info.error().message;
    ASSERT_FALSE(info->signatures.empty());
    EXPECT_TRUE(info->signatures.back().covers_whole_file);
  }
  EXPECT_EQ(signed_count, samples.size());
}

// B-LTA on three kinds of cross-reference (table, stream, hybrid) and a linearized file.
TEST_F(PadesSamples, LtaOnEachXrefKind) {
  auto samples = qualsig::testing::make_pdf_samples(pki.dir.path());
  std::size_t done = 0;
  for (const auto& sample : samples) {
    if (sample.name != "gs-pdf-1.4" && sample.name != "qpdf-object-streams" && sample.name != "hybrid-xref" &&
        sample.name != "qpdf-linearized")
      continue;
    SCOPED_TRACE(sample.name);
    Bytes out = sign_pdf(read_file(sample.path), options(cades::Level::b_lta));
    auto report = pdfsig(out);
    ASSERT_EQ(report.signatures.size(), 2u) << report.output;
    EXPECT_EQ(report.signatures[0].verdict, PdfsigVerdict::valid) << report.output;
    EXPECT_TRUE(report.signatures[1].total_document_signed) << report.output;
    auto scanned = scan_signatures(out);
    ASSERT_EQ(scanned.size(), 2u);
    CommandResult ts = openssl_ts_verify_data(scanned[1]);
    EXPECT_EQ(ts.status, 0) << ts.output;
    CommandResult check = qpdf_check(out);
    EXPECT_EQ(check.status, 0) << check.output;
    ++done;
  }
  EXPECT_EQ(done, 4u);
}

}  // namespace
}  // namespace qualsig::formats::pades::testing
