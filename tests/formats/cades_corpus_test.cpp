// Real-world CAdES signatures from the DSS project (../shared/corpus/dss, see its MANIFEST.tsv for
// what DSS's own tests assert about each file). Skipped with a message when the corpus is absent.
#include <gtest/gtest.h>

#include <filesystem>

#include "cades_test_support.h"
#include "formats/cades.h"

namespace qualsig::formats::cades::testing {
namespace {

const std::filesystem::path kCades = std::filesystem::path(QUALSIG_CORPUS_DIR) / "dss" / "cades";

#define REQUIRE_CORPUS()                                                                          \
  if (!std::filesystem::exists(kCades / "counterSignedLTA.p7s"))                                 \
  GTEST_SKIP() << "DSS corpus not found at " << kCades.string() << " (../shared/corpus is not part of a clone)"

// TSTInfo.messageImprint of a token, read with OpenSSL's TS API.
Bytes tst_imprint(const Bytes& token) {
  const unsigned char* p = token.data();
  auto pkcs7 = std::unique_ptr<PKCS7, decltype(&PKCS7_free)>(d2i_PKCS7(nullptr, &p, static_cast<long>(token.size())), &PKCS7_free);
  auto info = std::unique_ptr<TS_TST_INFO, decltype(&TS_TST_INFO_free)>(PKCS7_to_TS_TST_INFO(pkcs7.get()), &TS_TST_INFO_free);
  if (!info) throw std::runtime_error("no TSTInfo");
  const ASN1_OCTET_STRING* msg = TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(info.get()));
  return Bytes(ASN1_STRING_get0_data(msg), ASN1_STRING_get0_data(msg) + ASN1_STRING_length(msg));
}

nlohmann::json node_check(const std::filesystem::path& file, const std::string& extra = "") {
  CommandResult r = run("node " QUALSIG_SOURCE_DIR "/tests/interop/cades_check.mjs '" + file.string() + "' " + extra);
  if (r.status != 0) throw std::runtime_error(r.output);
  return nlohmann::json::parse(r.output);
}

// MANIFEST: "master signature CAdES_BASELINE_LTA with 1 counter-signature (CAdES_BASELINE_B); 2
// timestamps (SIGNATURE_TIMESTAMP covers 1 sig, ARCHIVE_TIMESTAMP covers 2 sigs ...)".
TEST(CadesCorpus, DssCounterSignedLtaArchiveImprintMatchesItsTimestamp) {
  REQUIRE_CORPUS();
  Bytes cms = read_file(kCades / "counterSignedLTA.p7s");
  SignatureInfo info = must(inspect(cms));
  EXPECT_EQ(info.level, Level::b_lta);
  EXPECT_FALSE(info.detached);
  EXPECT_EQ(info.digest, core::DigestAlgorithm::sha256);
  EXPECT_EQ(info.counter_signatures, 1u);
  EXPECT_EQ(info.signature_timestamps.size(), 1u);
  ASSERT_EQ(info.archive_timestamps.size(), 1u);
  EXPECT_FALSE(info.signer_certificate.empty());
  EXPECT_TRUE(info.signing_time.has_value());

  // The EN 319 122-1 §5.5.3 imprint qualsig computes equals the one DSS had time-stamped; the
  // same holds for the independent JavaScript implementation.
  Bytes imprint = must(archive_timestamp_imprint(cms, info.archive_timestamps[0], std::nullopt));
  EXPECT_EQ(hex_encode(imprint), hex_encode(tst_imprint(info.archive_timestamps[0])));
  EXPECT_EQ(hex_encode(imprint), "19d36d2c57b6453202fd7f8a2f25b220e6edfbd4ecdc99d9cf8f003a0414b26e");
  nlohmann::json node = node_check(kCades / "counterSignedLTA.p7s");
  EXPECT_TRUE(node["archive_timestamps"][0]["imprint_ok"].get<bool>()) << node.dump();
  EXPECT_TRUE(node["archive_timestamps"][0]["index_ok"].get<bool>()) << node.dump();
  EXPECT_TRUE(node["counter_signatures"][0]["ok"].get<bool>()) << node.dump();
  // A document digest for an enveloping signature is a usage error.
  Bytes digest(32, 0);
  EXPECT_EQ(archive_timestamp_imprint(cms, info.archive_timestamps[0], ByteView(digest)).error().code, ErrorCode::usage);
}

TEST(CadesCorpus, DssLtaSignatureTakesASecondArchiveTimestampAndKeepsTheFirst) {
  REQUIRE_CORPUS();
  CadesPki pki;
  Bytes cms = read_file(kCades / "counterSignedLTA.p7s");
  Bytes lta2 = must(add_archive_timestamp(cms, std::nullopt, pki.tsa.fn()));
  SignatureInfo info = must(inspect(lta2));
  ASSERT_EQ(info.archive_timestamps.size(), 2u);
  EXPECT_EQ(signature_value(lta2), signature_value(cms));
  for (const Bytes& token : info.archive_timestamps)
    EXPECT_EQ(must(archive_timestamp_imprint(lta2, token, std::nullopt)), tst_imprint(token));
  write_file(pki.path("lta2.p7s"), lta2);
  nlohmann::json node = node_check(pki.path("lta2.p7s"));
  ASSERT_EQ(node["archive_timestamps"].size(), 2u);
  for (const auto& ats : node["archive_timestamps"]) {
    EXPECT_TRUE(ats["imprint_ok"].get<bool>()) << node.dump();
    EXPECT_TRUE(ats["index_ok"].get<bool>()) << node.dump();
  }
  EXPECT_TRUE(node["signature"]["ok"].get<bool>()) << node.dump();
  EXPECT_EQ(node["signed_fields_sha256"], node_check(kCades / "counterSignedLTA.p7s")["signed_fields_sha256"]);
}

struct CorpusFile {
  const char* file;
  bool detached;
  std::size_t signers;
  bool signer_certificate;
};

// Files DSS's tests read, with facts from MANIFEST.tsv (detached content, signer certificate
// absent) and from the files' structure. BER-encoded ones (indefinite lengths) are included.
TEST(CadesCorpus, OtherDssFilesAreRead) {
  REQUIRE_CORPUS();
  const CorpusFile files[] = {
      {"NexU-CAdES-B-B-Detached-Sha512.p7m", true, 1, true},
      {"cades-detached.pkcs7", true, 1, true},
      {"screenshot.png.signed_qes_detached.p7s", true, 1, true},
      {"test.txt.signed_Certipost-2048.detached.old.p7s", true, 1, true},
      {"cms-no-sign-cert.p7m", false, 1, false},
      {"no-key-info-cert.pkcs7", false, 1, false},
      {"Signature-C-HU_POL-3.p7m", false, 1, true},
      {"Signature-C-CZ_SIX-1.p7m", false, 1, true},
      {"FD1&FD2&FEA.pdf.p7m", false, 3, true},
      {"dss2059.p7s", false, 1, true},
      {"Signature-C-X-1.p7m", false, 1, true},
  };
  for (const CorpusFile& f : files) {
    SCOPED_TRACE(f.file);
    SignatureInfo info = must(inspect(read_file(kCades / f.file)));
    EXPECT_EQ(info.detached, f.detached);
    EXPECT_EQ(info.signer_count, f.signers);
    EXPECT_EQ(!info.signer_certificate.empty(), f.signer_certificate);
  }
  // Signature-C-CZ_SIX-1's time-stamp tokens carry an attribute certificate ([1] CertificateChoices),
  // which OpenSSL's PKCS7 type cannot read; the order-preserving SignedData view can.
  EXPECT_EQ(must(inspect(read_file(kCades / "Signature-C-CZ_SIX-1.p7m"))).signature_timestamps.size(), 1u);
  // Signature-C-X-1 is signed with SHA-1: read, but no supported digest is reported.
  EXPECT_EQ(must(inspect(read_file(kCades / "Signature-C-X-1.p7m"))).digest, std::nullopt);
  SignatureInfo nexu = must(inspect(read_file(kCades / "NexU-CAdES-B-B-Detached-Sha512.p7m")));
  EXPECT_EQ(nexu.digest, core::DigestAlgorithm::sha512);
  EXPECT_EQ(nexu.level, Level::b_b);
  // MANIFEST: "2 OCSP responses in CMS SignedData ..., 0 CRL; 2 timestamps referencing the signature".
  SignatureInfo hu = must(inspect(read_file(kCades / "Signature-C-HU_POL-3.p7m")));
  EXPECT_EQ(hu.revocation_values, 2u);
  // Its archive time-stamp carries the pre-EN ATSHashIndex (0.4.0.1733.2.5), not an
  // ats-hash-index-v3: no EN 319 122-1 imprint can be computed for it.
  ASSERT_EQ(hu.archive_timestamps.size(), 1u);
  auto imprint = archive_timestamp_imprint(read_file(kCades / "Signature-C-HU_POL-3.p7m"), hu.archive_timestamps[0], std::nullopt);
  ASSERT_FALSE(imprint);
  EXPECT_EQ(imprint.error().code, ErrorCode::invalid_input);
}

// MANIFEST: cades-duplicated-signed-attrs.p7m is 8196 bytes of which the SignedData uses 5598;
// the rest is zero padding. Strict DER reading refuses trailing data.
// The unsigned attributes of the first SignerInfo as (OID text, raw value TLV) pairs, read with
// OpenSSL's CMS API (not qualsig's own SignedData view).
std::vector<std::pair<std::string, Bytes>> unsigned_values(const Bytes& cms) {
  const unsigned char* p = cms.data();
  auto ci = std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)>(
      d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms.size())), &CMS_ContentInfo_free);
  if (!ci) throw std::runtime_error("not CMS");
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(ci.get()), 0);
  std::vector<std::pair<std::string, Bytes>> out;
  for (int i = 0; i < CMS_unsigned_get_attr_count(si); ++i) {
    X509_ATTRIBUTE* attr = CMS_unsigned_get_attr(si, i);
    char oid[80];
    OBJ_obj2txt(oid, sizeof oid, X509_ATTRIBUTE_get0_object(attr), 1);
    for (int j = 0; j < X509_ATTRIBUTE_count(attr); ++j) {
      ASN1_TYPE* v = X509_ATTRIBUTE_get0_type(attr, j);
      if (v->type != V_ASN1_SEQUENCE) continue;
      out.emplace_back(oid, Bytes(v->value.sequence->data, v->value.sequence->data + v->value.sequence->length));
    }
  }
  return out;
}

const EVP_MD* imprint_md(const Bytes& token) {
  const unsigned char* p = token.data();
  auto pkcs7 = std::unique_ptr<PKCS7, decltype(&PKCS7_free)>(d2i_PKCS7(nullptr, &p, static_cast<long>(token.size())), &PKCS7_free);
  auto info = std::unique_ptr<TS_TST_INFO, decltype(&TS_TST_INFO_free)>(PKCS7_to_TS_TST_INFO(pkcs7.get()), &TS_TST_INFO_free);
  if (!info) throw std::runtime_error("no TSTInfo");
  return EVP_get_digestbyobj(TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(info.get()))->algorithm);
}

constexpr const char* kAtsV2 = "1.2.840.113549.1.9.16.2.48";
constexpr const char* kEsc = "1.2.840.113549.1.9.16.2.25";

// RFC 5126 time-stamps made by other software (Belgian Certipost, Universign, the ETSI plug-tests):
// the imprint qualsig recomputes is the one their TSAs signed, in SHA-1, SHA-256 and SHA-512.
TEST(CadesCorpus, LegacyTimestampImprintsEqualWhatTheirTsasSigned) {
  REQUIRE_CORPUS();
  struct Case {
    const char* file;
    const char* detached;  // content of a detached signature, or nullptr
    const char* oid;
  };
  const Case cases[] = {
      {"cadesLTAwithATv2expired.p7s", nullptr, kAtsV2},
      {"dss2059.p7s", nullptr, kAtsV2},
      {"test.txt.signed_Certipost-2048.detached.old.p7s", "test.txt", kAtsV2},
      {"screenshot.png.signed_qes_detached.p7s", "screenshot.png", kAtsV2},
      {"Signature-C-X-1.p7m", nullptr, kEsc},
      {"Signature-C-A-XL-1.p7m", nullptr, kEsc},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    Bytes cms = read_file(kCades / c.file);
    std::optional<Bytes> content;
    if (c.detached) content = read_file(kCades / c.detached);
    std::optional<ByteView> view;
    if (content) view = ByteView(*content);
    int seen = 0;
    for (const auto& [oid, token] : unsigned_values(cms)) {
      if (oid != c.oid) continue;
      ++seen;
      Bytes imprint = must(legacy_timestamp_imprint(cms, token, view, imprint_md(token)));
      EXPECT_EQ(hex_encode(imprint), hex_encode(tst_imprint(token)));
      if (content) {
        // Another document: another imprint.
        Bytes other = *content;
        other.back() ^= 1;
        EXPECT_NE(hex_encode(must(legacy_timestamp_imprint(cms, token, ByteView(other), imprint_md(token)))),
                  hex_encode(tst_imprint(token)));
        auto missing = legacy_timestamp_imprint(cms, token, std::nullopt, imprint_md(token));
        ASSERT_FALSE(missing);
        EXPECT_EQ(missing.error().code, ErrorCode::not_found);
      }
    }
    EXPECT_EQ(seen, 1);
  }
}

// What the imprints cover: a changed certificate (SignedData.certificates, outside the signed
// bytes) changes the archive-time-stamp-v2 imprint; a changed signature value changes the
// esc-time-stamp imprint. A token that is not one of the signer's legacy time-stamps is refused.
TEST(CadesCorpus, LegacyTimestampImprintsCoverWhatRfc5126Lists) {
  REQUIRE_CORPUS();
  auto flip_inside = [](Bytes cms, const Bytes& part) {
    auto at = std::search(cms.begin(), cms.end(), part.begin(), part.end());
    if (at == cms.end()) throw std::runtime_error("part not found");
    at[static_cast<std::ptrdiff_t>(part.size()) - 3] ^= 1;  // inside the part's last bytes (a signature's bits)
    return cms;
  };
  {
    Bytes cms = read_file(kCades / "cadesLTAwithATv2expired.p7s");
    Bytes token;
    for (auto& [oid, t] : unsigned_values(cms))
      if (oid == kAtsV2) token = t;
    SignatureInfo info = must(inspect(cms));
    Bytes changed = flip_inside(cms, info.signer_certificate);
    EXPECT_NE(hex_encode(must(legacy_timestamp_imprint(changed, token, std::nullopt, imprint_md(token)))),
              hex_encode(tst_imprint(token)));
    auto stranger = legacy_timestamp_imprint(cms, info.signature_timestamps.at(0), std::nullopt, imprint_md(token));
    ASSERT_FALSE(stranger);
    EXPECT_EQ(stranger.error().code, ErrorCode::invalid_input);
  }
  {
    Bytes cms = read_file(kCades / "Signature-C-X-1.p7m");
    Bytes token;
    for (auto& [oid, t] : unsigned_values(cms))
      if (oid == kEsc) token = t;
    const unsigned char* p = cms.data();
    auto ci = std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)>(
        d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms.size())), &CMS_ContentInfo_free);
    const ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(ci.get()), 0));
    Bytes signature(ASN1_STRING_get0_data(sig), ASN1_STRING_get0_data(sig) + ASN1_STRING_length(sig));
    Bytes changed = flip_inside(cms, signature);
    EXPECT_NE(hex_encode(must(legacy_timestamp_imprint(changed, token, std::nullopt, imprint_md(token)))),
              hex_encode(tst_imprint(token)));
  }
}

TEST(CadesCorpus, TrailingPaddingIsRefused) {
  REQUIRE_CORPUS();
  auto info = inspect(read_file(kCades / "cades-duplicated-signed-attrs.p7m"));
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, ErrorCode::invalid_input);
  EXPECT_NE(info.error().message.find("trailing"), std::string::npos) << info.error().message;
}

}  // namespace
}  // namespace qualsig::formats::cades::testing
