// XAdES inspect/verify on the DSS corpus (../shared/corpus/dss/xades, MANIFEST.tsv): real
// signatures made by other products, with what DSS's own tests assert about them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cades_test_support.h"
#include "formats/xades.h"

namespace qualsig::formats::xades {
namespace {

using cades::testing::read_file;

const std::filesystem::path kCorpus = QUALSIG_CORPUS_DIR "/dss";

// What a file should give. `intact`: DSS asserts (or, for the XSW and tampered samples, denies)
// that the signature value and every reference are intact and the signing certificate is
// identified; nullopt where the MANIFEST asserts nothing either way.
struct Expectation {
  const char* file;
  std::optional<bool> intact;
  const char* detached = nullptr;  // content file for a detached reference
  const char* why = "";
  // Set where qualsig knowingly disagrees with DSS: counted as a disagreement, not a failure.
  const char* limitation = nullptr;
};

// From MANIFEST.tsv notes ("dflt:B-ok" = signature intact and valid, every reference intact;
// "TST-ok" = every time-stamp's imprint intact).
const Expectation kExpectations[] = {
    {"xades/dss-signed.xml", true, nullptr, "SignedProperties and data reference found+intact"},
    {"xades/Signature-X-FR_NOT-3.xml", true, nullptr, "signature intact+valid; dflt:B-ok,TST-ok"},
    {"xades/Signature-X-SK_DIT-1.xml", true, nullptr, "signature intact+valid (2 ds:Manifest)"},
    {"xades/qes-xades111-filter2.xml", true, nullptr, "XAdES 1.1.1, XPath Filter 2; intact+valid"},
    {"xades/Signature-X-AT-1.xml", true, nullptr, "isSignatureIntact=true"},
    {"xades/Signature-X-BE_ECON-3.xml", true, nullptr, "dflt:B-ok,TST-ok"},
    {"xades/Signature-X-HU_POL-3.xml", true, nullptr, "dflt:B-ok,TST-ok"},
    {"xades/sellosFNMT-XAdES_A.xml", true, nullptr, "dflt:B-ok,TST-ok"},
    {"xades/data2sign-signed-xades-enveloped-baseline-lta.xml", true, nullptr, "dflt:B-ok,TST-ok"},
    {"xades/simple-test.signed-only-detached-LuxTrustCA3.xml", true, "xades/simple-test.xml",
     "dflt:B-ok,TST-ok; its data Reference has no URI: the detached content is its data"},
    {"xades/john-doe-lta.xml", true, nullptr, "TOTAL_PASSED, 2 signature time-stamps PASSED"},
    {"xades/Signature-X-EE-3.ddoc", false, nullptr, "signing certificate NOT identified (XAdES requires it)"},
    {"xades/Signature-X-PT-4.xml", false, nullptr, "signature value NOT intact"},
    {"xades/xades-tampered-reference.xml", false, nullptr, "tampered DigestValue: not intact"},
    {"xades/XSW-enveloped-fake-signedProperties.xml", false, nullptr, "signature wrapping: B-level not valid"},
    {"xades/XSW-enveloping-fake-object.xml", false, nullptr, "signature wrapping: SIGNED_DATA_NOT_FOUND"},
    {"xades/dss-signed-altered-signedPropsRemoved.xml", false, nullptr, "no SignedProperties"},
    {"xades/dss-signed-altered-refRemoved.xml", false, nullptr, "data reference removed: SIGNED_DATA_NOT_FOUND"},
    {"xades/dss1788-noCertProvided.xml", false, nullptr, "no signing certificate: NO_SIGNING_CERTIFICATE_FOUND"},
};

// MANIFEST rows for XAdES: file -> expected_level.
std::map<std::string, std::string> manifest_levels() {
  std::map<std::string, std::string> out;
  std::ifstream in(kCorpus / "MANIFEST.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() > 7 && cols[1] == "XAdES") out[cols[0]] = cols[7];
  }
  return out;
}

TEST(XadesCorpus, InspectAndVerifyAgreeWithDss) {
  if (!std::filesystem::exists(kCorpus / "MANIFEST.tsv")) GTEST_SKIP() << "DSS corpus not found at " << kCorpus << " (a user's clone)";
  auto levels = manifest_levels();
  std::size_t inspected = 0, level_checked = 0, verify_agree = 0, verify_total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus / "xades")) {
    const std::string name = "xades/" + entry.path().filename().string();
    if (entry.path().extension() != ".xml" && entry.path().extension() != ".ddoc") continue;
    Bytes xml = read_file(entry.path());
    auto info = inspect(xml);
    ++inspected;
    if (!info) {
      // Only files that are not XAdES at all may fail to inspect.
      // Signature-X-EE-3.ddoc: DDOC 1.3 puts QualifyingProperties in the XMLDSig namespace.
      EXPECT_TRUE(name == "xades/simple-test.xml" || name == "xades/dss-signed-altered-signedPropsRemoved.xml" ||
                  name == "xades/Signature-X-EE-3.ddoc")
          << name << ": " << info.error().message;
      continue;
    }
    // expected_level: only the XAdES_BASELINE_x names describe the baseline levels.
    auto level = levels.find(name);
    if (level != levels.end() && level->second.rfind("XAdES_BASELINE_", 0) == 0) {
      std::string want = level->second.substr(15);
      EXPECT_EQ(std::string(cades::level_name(info->level)), "B-" + want) << name;
      ++level_checked;
    }
  }
  EXPECT_GE(inspected, 19u);
  EXPECT_GE(level_checked, 1u);

  for (const Expectation& e : kExpectations) {
    if (!e.intact) continue;
    Bytes xml = read_file(kCorpus / e.file);
    std::optional<Bytes> content;
    if (e.detached != nullptr) content = read_file(kCorpus / e.detached);
    auto r = content ? verify(xml, ByteView(*content)) : verify(xml);
    ++verify_total;
    const bool agrees = r.has_value() == *e.intact;
    verify_agree += agrees ? 1 : 0;
    if (e.limitation != nullptr) {
      EXPECT_FALSE(agrees) << e.file << ": the known limitation no longer applies; update the table";
      std::cout << "[ corpus   ] " << e.file << ": disagrees with DSS: " << e.limitation << "\n";
      continue;
    }
    EXPECT_TRUE(agrees) << e.file << " (" << e.why << "): verify " << (r ? "succeeded" : "failed: " + r.error().message);
    if (!r) {
      // usage: Signature-X-PT-4.xml's data is an external ./test1.pdf that the corpus does not hold.
      EXPECT_TRUE(r.error().code == ErrorCode::denied || r.error().code == ErrorCode::invalid_input ||
                  r.error().code == ErrorCode::usage)
          << e.file;
    }
  }
  std::cout << "[ corpus   ] verify agrees with DSS on " << verify_agree << " of " << verify_total << " XAdES files; "
            << level_checked << " baseline level(s) checked\n";
}

}  // namespace
// DSS's file whose data Reference has no URI (XMLDSig 1.1 §4.4.3.1): the detached content is its
// data; another content is a digest mismatch, none is a usage error.
TEST(XadesCorpus, ReferenceWithoutUriIsCheckedAgainstTheDetachedContent) {
  if (!std::filesystem::exists(kCorpus / "MANIFEST.tsv")) GTEST_SKIP() << "DSS corpus not found at " << kCorpus << " (a user's clone)";
  Bytes xml = read_file(kCorpus / "xades/simple-test.signed-only-detached-LuxTrustCA3.xml");
  Bytes content = read_file(kCorpus / "xades/simple-test.xml");
  auto good = verify(xml, ByteView(content));
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(good->packaging, Packaging::detached);
  Bytes other = content;
  other.insert(other.begin() + static_cast<std::ptrdiff_t>(std::string(other.begin(), other.end()).find("test</")), 'X');
  auto changed = verify(xml, ByteView(other));
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::denied);
  EXPECT_NE(changed.error().message.find("reference digest"), std::string::npos) << changed.error().message;
  EXPECT_EQ(verify(xml).error().code, ErrorCode::usage);
}

}  // namespace qualsig::formats::xades
