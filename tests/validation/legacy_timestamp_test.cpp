// The time-stamps of the forms EN 319 122-1 and EN 319 132-1 replaced (CAdES archive-time-stamp-v2
// and esc-time-stamp, RFC 5126; XAdES SigAndRefsTimeStamp, TS 101 903 §7.5.1) in real files of
// the DSS corpus (../shared/corpus, not in the repository): validation recomputes their imprints,
// so an intact file gets past the imprint (its TSA chains are untrusted here: INDETERMINATE at
// most), and a file whose covered data was changed afterwards is FAILED with HASH_FAILURE.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "formats/cades_test_support.h"
#include "validation/validate.h"

namespace qualsig::validation {
namespace {

using formats::cades::testing::read_file;

const std::filesystem::path kDss = std::filesystem::path(QUALSIG_CORPUS_DIR) / "dss";

#define REQUIRE_CORPUS()                               \
  if (!std::filesystem::exists(kDss / "MANIFEST.tsv")) \
  GTEST_SKIP() << "DSS corpus not found at " << kDss.string() << " (../shared/corpus is not part of a clone)"

std::vector<TimestampReport> stamps_of_type(const Bytes& file, const std::string& type,
                                            std::optional<Bytes> detached = std::nullopt) {
  ValidationOptions o;
  o.detached_content = std::move(detached);
  auto r = validate(file, o);
  EXPECT_TRUE(r) << r.error().message;
  std::vector<TimestampReport> out;
  if (r)
    for (const auto& t : r->signatures.at(0).timestamps)
      if (t.type == type) out.push_back(t);
  return out;
}

void expect_imprint_matched(const std::vector<TimestampReport>& stamps) {
  ASSERT_EQ(stamps.size(), 1u);
  EXPECT_NE(stamps[0].indication, Indication::failed);
  EXPECT_NE(stamps[0].sub_indication, SubIndication::signed_data_not_found);
  for (const auto& reason : stamps[0].reasons) EXPECT_EQ(reason.find("imprint"), std::string::npos) << reason;
}

void expect_imprint_failed(const std::vector<TimestampReport>& stamps) {
  ASSERT_EQ(stamps.size(), 1u);
  EXPECT_EQ(stamps[0].indication, Indication::failed);
  EXPECT_EQ(stamps[0].sub_indication, SubIndication::hash_failure);
}

// Flips one bit near the end of the first occurrence of `part` in `file`.
Bytes flip_inside(Bytes file, ByteView part) {
  auto at = std::search(file.begin(), file.end(), part.begin(), part.end());
  if (at == file.end()) throw std::runtime_error("part not found");
  at[static_cast<std::ptrdiff_t>(part.size()) - 3] ^= 1;
  return file;
}

TEST(LegacyTimestamps, CadesArchiveTimestampV2IsRecomputed) {
  REQUIRE_CORPUS();
  Bytes cms = read_file(kDss / "cades" / "cadesLTAwithATv2expired.p7s");
  expect_imprint_matched(stamps_of_type(cms, "archive-time-stamp-v2"));

  // A certificate in SignedData.certificates is not signed, but the archive time-stamp covers it.
  auto r = validate(cms, ValidationOptions{});
  ASSERT_TRUE(r);
  Bytes changed = flip_inside(cms, r->signatures.at(0).signer_certificate);
  expect_imprint_failed(stamps_of_type(changed, "archive-time-stamp-v2"));

  // Detached: the archive time-stamp covers the document itself.
  Bytes detached = read_file(kDss / "cades" / "test.txt.signed_Certipost-2048.detached.old.p7s");
  Bytes content = read_file(kDss / "cades" / "test.txt");
  expect_imprint_matched(stamps_of_type(detached, "archive-time-stamp-v2", content));
  auto without = stamps_of_type(detached, "archive-time-stamp-v2");
  ASSERT_EQ(without.size(), 1u);
  EXPECT_EQ(without[0].sub_indication, SubIndication::signed_data_not_found);
}

TEST(LegacyTimestamps, CadesEscTimestampIsRecomputed) {
  REQUIRE_CORPUS();
  Bytes cms = read_file(kDss / "cades" / "Signature-C-X-1.p7m");
  expect_imprint_matched(stamps_of_type(cms, "esc-time-stamp"));
  expect_imprint_matched(stamps_of_type(read_file(kDss / "cades" / "Signature-C-A-XL-1.p7m"), "esc-time-stamp"));
}

TEST(LegacyTimestamps, XadesSigAndRefsTimestampIsRecomputed) {
  REQUIRE_CORPUS();
  Bytes xml = read_file(kDss / "xades" / "sellosFNMT-XAdES_A.xml");
  expect_imprint_matched(stamps_of_type(xml, "esc-time-stamp"));
  // Signature-X-PT-4.xml's signature value is broken (DSS: "NOT intact"); its SigAndRefsTimeStamp
  // still covers what it covered.
  expect_imprint_matched(stamps_of_type(read_file(kDss / "xades" / "Signature-X-PT-4.xml"), "esc-time-stamp"));

  // A certificate reference changed after the time-stamp (CompleteCertificateRefs is unsigned).
  const std::string digest = "SHKkw98XTO8013/mo7Tnvn3y0l0=";
  auto at = std::search(xml.begin(), xml.end(), digest.begin(), digest.end());
  ASSERT_NE(at, xml.end());
  *at = 'T';
  expect_imprint_failed(stamps_of_type(xml, "esc-time-stamp"));
}

}  // namespace
}  // namespace qualsig::validation
