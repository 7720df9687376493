// Hostile and malformed PDFs: a clear invalid_input, no crash, no hang.
#include <algorithm>
#include <chrono>
#include <random>

#include "pades_test_support.h"

namespace qualsig::formats::pades::testing {
namespace {

// A guard against hangs, far above the milliseconds these take (DESIGN.md: no timing assertions
// in unit tests; this only catches a loop that never ends).
constexpr auto kHangGuard = std::chrono::seconds(60);

class PadesHostile : public PadesFixture {
 protected:
  // Both entry points that parse must refuse `pdf` with invalid_input (inspect may accept a
  // well-formed file that merely cannot be signed: `inspect_may_pass`).
  void expect_refused(const Bytes& pdf, const std::string& name, bool inspect_may_pass = false,
                      const std::string& message_part = "") {
    auto start = std::chrono::steady_clock::now();
    auto signed_r = sign_increment(pdf, pki.signer_cert.get(), *pki.signer, options());
    ASSERT_FALSE(signed_r) << name << ": signing succeeded";
    EXPECT_EQ(signed_r.error().code, ErrorCode::invalid_input) << name << ": " << signed_r.error().message;
    EXPECT_FALSE(signed_r.error().message.empty()) << name;
    if (!message_part.empty()) {
      EXPECT_NE(signed_r.error().message.find(message_part), std::string::npos) << signed_r.error().message;
    }
    auto inspected = inspect(pdf);
    if (!inspect_may_pass) {
      ASSERT_FALSE(inspected) << name << ": inspect succeeded";
      EXPECT_EQ(inspected.error().code, ErrorCode::invalid_input) << name << ": " << inspected.error().message;
    }
    auto dss = add_validation_data_increment(pdf, pki.validation_data());
    EXPECT_FALSE(dss) << name;
    auto ts = add_document_timestamp_increment(pdf, pki.tsa.fn(), core::DigestAlgorithm::sha256);
    EXPECT_FALSE(ts) << name;
    EXPECT_LT(std::chrono::steady_clock::now() - start, kHangGuard) << name;
  }
};

// Each file of support/pdf_samples.h's hostile set is its own test case, named after it.
class PadesHostileSet : public PadesHostile, public ::testing::WithParamInterface<std::string> {};

TEST_P(PadesHostileSet, IsRefused) {
  const std::string name = GetParam();
  auto hostile = qualsig::testing::make_hostile_pdfs(pki.dir.path());
  auto it = std::find_if(hostile.begin(), hostile.end(), [&](const auto& h) { return h.name == name; });
  ASSERT_NE(it, hostile.end()) << name << " is not in support/pdf_samples.h's hostile set";
  SCOPED_TRACE(it->name + ": " + it->description);
  Bytes pdf = read_file(it->path);
  if (name == "no-pages") {
    expect_refused(pdf, name, true, "no pages");
  } else if (name == "encrypted") {
    expect_refused(pdf, name, false, "encrypted PDFs cannot be signed");
  } else if (name == "nested-arrays") {
    // The deep array is not on any path the update touches: qpdf never parses it, and the file
    // may be signed; whatever happens must not crash (ASan/UBSan) or hang.
    auto r = sign_increment(pdf, pki.signer_cert.get(), *pki.signer, options());
    auto i = inspect(pdf);
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
    }
    if (!i) {
      EXPECT_EQ(i.error().code, ErrorCode::invalid_input);
    }
  } else {
    expect_refused(pdf, name);
  }
}

INSTANTIATE_TEST_SUITE_P(Hostile, PadesHostileSet,
                         ::testing::Values("empty", "header-only", "truncated-middle", "truncated-before-xref",
                                           "missing-eof", "garbage", "garbage-after-header", "prev-loop",
                                           "huge-xref-size", "nested-arrays", "objstm-huge-count", "no-root",
                                           "no-pages", "startxref-beyond-eof", "encrypted"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// A /Kids loop and a field listed twice in /Fields: each field is visited once; the file signs.
TEST_F(PadesHostile, AcroFormKidsLoopAndDuplicateFields) {
  qualsig::testing::PdfWriter w("1.7");
  qualsig::testing::minimal_document(w, "loop", "/AcroForm << /Fields [6 0 R 6 0 R] >>");
  w.object(6, "<< /T (parent) /Kids [7 0 R] >>");
  w.object(7, "<< /T (child) /FT /Tx /Kids [6 0 R] >>");
  w.finish(8, "/Root 1 0 R");
  Bytes pdf = to_bytes(w.data());
  Bytes out = sign_pdf(pdf, options());
  expect_pdfsig_valid(out, 1);
  PdfInfo info = must(inspect(out));
  ASSERT_EQ(info.signatures.size(), 1u);
  EXPECT_EQ(info.signatures[0].field_name, "Signature1");
}

TEST_F(PadesHostile, EmptyPasswordEncryptionIsRefusedButInspected) {
  write_file(pki.path("plain.pdf"), minimal_pdf());
  CommandResult r = run("qpdf --encrypt '' owner 256 -- " + pki.path("plain.pdf") + " " + pki.path("enc.pdf"));
  ASSERT_EQ(r.status, 0) << r.output;
  Bytes pdf = read_file(pki.path("enc.pdf"));
  auto s = sign_increment(pdf, pki.signer_cert.get(), *pki.signer, options());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "encrypted PDFs cannot be signed: decrypt it first");
  PdfInfo info = must(inspect(pdf));
  EXPECT_TRUE(info.encrypted);
}

TEST_F(PadesHostile, TruncatedFirstRevisionIsRefused) {
  Bytes pdf = minimal_pdf();
  std::size_t first_eof = std::string(pdf.begin(), pdf.end()).find("%%EOF");
  for (std::size_t cut = 0; cut < first_eof + 4; cut += 37) {
    Bytes truncated(pdf.begin(), pdf.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_FALSE(inspect(truncated)) << "cut at " << cut;
    auto r = sign_increment(truncated, pki.signer_cert.get(), *pki.signer, options());
    ASSERT_FALSE(r) << "cut at " << cut;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  }
}

// Cutting a signed file anywhere: either an error or (cut after an earlier %%EOF, with the rest
// as trailing garbage) a readable earlier revision; never a crash. A signature whose range now
// runs past the end is an error.
TEST_F(PadesHostile, TruncatedSignedFileNeverCrashes) {
  Bytes pdf = sign_pdf(minimal_pdf(), options(cades::Level::b_lt));
  for (std::size_t cut = 0; cut < pdf.size(); cut += 211) {
    Bytes truncated(pdf.begin(), pdf.begin() + static_cast<std::ptrdiff_t>(cut));
    auto info = inspect(truncated);
    if (!info) {
      EXPECT_EQ(info.error().code, ErrorCode::invalid_input);
      continue;
    }
    for (const auto& s : info->signatures) EXPECT_LE(static_cast<std::size_t>(s.byte_range[2] + s.byte_range[3]), cut);
  }
}

TEST_F(PadesHostile, RandomBytesAreRefused) {
  std::mt19937 rng(20261125);
  for (std::size_t size : {1u, 7u, 64u, 1000u, 65536u}) {
    for (int prefix = 0; prefix < 2; ++prefix) {
      Bytes data(size);
      for (auto& b : data) b = static_cast<std::uint8_t>(rng());
      if (prefix == 1) data.insert(data.begin(), {'%', 'P', 'D', 'F', '-', '1', '.', '7', '\n'});
      auto r = inspect(data);
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
      auto s = sign_increment(data, pki.signer_cert.get(), *pki.signer, options());
      ASSERT_FALSE(s);
      EXPECT_EQ(s.error().code, ErrorCode::invalid_input);
    }
  }
}

TEST_F(PadesHostile, ForgedByteRangesAreRefusedByInspect) {
  Bytes pdf = sign_pdf(minimal_pdf(), options());
  std::string text(pdf.begin(), pdf.end());
  std::size_t at = text.find("/ByteRange [");
  ASSERT_NE(at, std::string::npos);
  std::size_t end = text.find(']', at);
  auto with_range = [&](const std::string& range) {
    std::string t = text;
    std::string field = "/ByteRange [" + range;
    field.resize(end - at, ' ');
    t.replace(at, end - at, field);
    return Bytes(t.begin(), t.end());
  };
  auto info = must(inspect(pdf));
  auto r = info.signatures[0].byte_range;
  auto s = [](std::int64_t v) { return std::to_string(v); };
  for (const auto& [name, range] : std::vector<std::pair<std::string, std::string>>{
           {"beyond-eof", s(r[0]) + " " + s(r[1]) + " " + s(r[2]) + " " + s(r[3] + 100)},
           {"overlapping", s(r[0]) + " " + s(r[2] + 10) + " " + s(r[2]) + " " + s(r[3])},
           {"gap-not-contents", s(r[0]) + " " + s(r[1] - 5) + " " + s(r[2]) + " " + s(r[3])},
           {"three-numbers", s(r[0]) + " " + s(r[1]) + " " + s(r[2])},
           {"negative", s(r[0]) + " -5 " + s(r[2]) + " " + s(r[3])}}) {
    auto result = inspect(with_range(range));
    ASSERT_FALSE(result) << name;
    EXPECT_EQ(result.error().code, ErrorCode::invalid_input) << name;
    PdfSignatureInfo forged;
    forged.byte_range = {0, 10, 5, 1};
    EXPECT_FALSE(byte_range_digest(pdf, forged, core::DigestAlgorithm::sha256));
  }
}

TEST_F(PadesHostile, OversizedAndMisusedInputsAreRefused) {
  // kMaxPdfSize is checked before parsing: a view that claims more than 1 GiB (never read).
  Bytes small = minimal_pdf();
  ByteView huge(small.data(), kMaxPdfSize + 1);
  auto r = sign_increment(huge, pki.signer_cert.get(), *pki.signer, options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_FALSE(inspect(huge));
  // Levels without what they need.
  SignOptions o = options(cades::Level::b_t);
  o.timestamp = nullptr;
  EXPECT_EQ(sign_increment(small, pki.signer_cert.get(), *pki.signer, o).error().code, ErrorCode::usage);
  o = options(cades::Level::b_lt);
  o.validation_data = {};
  EXPECT_EQ(sign_increment(small, pki.signer_cert.get(), *pki.signer, o).error().code, ErrorCode::usage);
  EXPECT_EQ(add_validation_data_increment(small, {}).error().code, ErrorCode::usage);
  cades::ValidationData bad;
  bad.crls = {Bytes{0x30, 0x03, 0x02, 0x01, 0x01}};
  EXPECT_EQ(add_validation_data_increment(small, bad).error().code, ErrorCode::invalid_input);
  // A TSA that time-stamps something else.
  cades::TimestampFn wrong = [&](ByteView, core::DigestAlgorithm alg) { return pki.tsa(Bytes(32, 0x42), alg); };
  EXPECT_EQ(add_document_timestamp_increment(small, wrong, core::DigestAlgorithm::sha256).error().code,
            ErrorCode::invalid_input);
  EXPECT_EQ(sign_increment(small, nullptr, *pki.signer, options()).error().code, ErrorCode::usage);
}

}  // namespace
}  // namespace qualsig::formats::pades::testing
