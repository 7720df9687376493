// CAdES signing (EN 319 122-1) at every baseline level, detached and enveloping, checked by
// independent verifiers: `openssl cms -verify -cades`, `openssl ts -verify` and PKI.js
// (tests/interop/cades_check.mjs).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "cades_test_support.h"
#include "formats/cades.h"

namespace qualsig::formats::cades::testing {
namespace {

using core::DigestAlgorithm;

// Binary content (a NUL and 0xff inside), so nothing along the way may treat it as text.
const Bytes kDocument = [] {
  Bytes b = to_bytes("qualsig CAdES test document\n");
  // push_back, not insert({...}): GCC 12 -O3 reports a false -Warray-bounds for the latter.
  for (std::uint8_t c : {0x00, 0x01, 0x02, 0xff, 0x0d, 0x0a}) b.push_back(c);
  return b;
}();

struct Case {
  Level level;
  bool detached;
  DigestAlgorithm digest;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << level_name(c.level) << (c.detached ? " detached " : " enveloping ") << core::digest_name(c.digest);
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string level = level_name(info.param.level);
  level.erase(std::remove(level.begin(), level.end(), '-'), level.end());
  return level + (info.param.detached ? "_detached_" : "_enveloping_") +
         std::to_string(core::digest_size(info.param.digest) * 8);
}

class CadesLevels : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() { s_pki = new CadesPki(); }
  static void TearDownTestSuite() {
    delete s_pki;
    s_pki = nullptr;
  }
  static CadesPki* s_pki;

  Bytes sign(const Case& c) {
    SignOptions options = s_pki->options(c.level, c.digest);
    if (c.detached) {
      return must(sign_detached(core::digest(c.digest, kDocument), s_pki->signer_cert.get(), *s_pki->signer, options));
    }
    return must(sign_enveloping(kDocument, s_pki->signer_cert.get(), *s_pki->signer, options));
  }
};
CadesPki* CadesLevels::s_pki = nullptr;

TEST_P(CadesLevels, OpensslPkijsAndTimestampsVerify) {
  const Case c = GetParam();
  Bytes cms = sign(c);
  const Bytes* content = c.detached ? &kDocument : nullptr;

  CommandResult r = s_pki->openssl_verify(cms, content);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("Verification successful"), std::string::npos) << r.output;

  nlohmann::json node = s_pki->node_check(cms, content);
  EXPECT_TRUE(node["signature"]["ok"].get<bool>()) << node.dump();

  SignatureInfo info = must(inspect(cms));
  EXPECT_EQ(info.level, c.level);
  EXPECT_EQ(info.detached, c.detached);
  EXPECT_EQ(info.digest, c.digest);
  EXPECT_EQ(info.signing_time, kSigningTime);
  EXPECT_EQ(info.signer_certificate, must(core::x509_to_der(s_pki->signer_cert.get())));
  EXPECT_EQ(info.signer_count, 1u);
  EXPECT_EQ(info.counter_signatures, 0u);

  const std::size_t expected_ts = c.level == Level::b_b ? 0 : 1;
  ASSERT_EQ(info.signature_timestamps.size(), expected_ts);
  ASSERT_EQ(node["signature_timestamps"].size(), expected_ts);
  if (expected_ts == 1) {
    EXPECT_TRUE(node["signature_timestamps"][0]["imprint_ok"].get<bool>());
    // EN 319 122-1 §5.3: the imprint is the hash of the signature value octets, read here with
    // OpenSSL's own CMS parser.
    r = s_pki->openssl_ts_verify(info.signature_timestamps[0], core::digest(c.digest, signature_value(cms)));
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("Verification: OK"), std::string::npos) << r.output;
  }
  if (c.level == Level::b_lt || c.level == Level::b_lta) {
    EXPECT_EQ(info.revocation_values, 2u);  // one CRL, one OCSP response
    EXPECT_EQ(info.certificates, 5u);       // signer, issuing, root, TSA, OCSP responder
  }
  ASSERT_EQ(info.archive_timestamps.size(), c.level == Level::b_lta ? 1u : 0u);
  ASSERT_EQ(node["archive_timestamps"].size(), info.archive_timestamps.size());
  for (std::size_t i = 0; i < info.archive_timestamps.size(); ++i) {
    EXPECT_TRUE(node["archive_timestamps"][i]["imprint_ok"].get<bool>()) << node.dump();
    EXPECT_TRUE(node["archive_timestamps"][i]["index_ok"].get<bool>()) << node.dump();
    // §5.5.2: a hash for every certificate (5), revocation value (2) and unsigned attribute value
    // (the signature time-stamp) present when the archive time-stamp was made.
    EXPECT_EQ(node["archive_timestamps"][i]["index_sizes"], nlohmann::json::parse("[5, 2, 1]")) << node.dump();
    std::optional<Bytes> doc_digest;
    if (c.detached) doc_digest = core::digest(c.digest, kDocument);
    Bytes imprint = must(archive_timestamp_imprint(cms, info.archive_timestamps[i],
                                                   doc_digest ? std::optional<ByteView>(*doc_digest) : std::nullopt));
    r = s_pki->openssl_ts_verify(info.archive_timestamps[i], imprint);
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("Verification: OK"), std::string::npos) << r.output;
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllLevels, CadesLevels,
    ::testing::Values(Case{Level::b_b, true, DigestAlgorithm::sha256}, Case{Level::b_b, false, DigestAlgorithm::sha256},
                      Case{Level::b_t, true, DigestAlgorithm::sha256}, Case{Level::b_t, false, DigestAlgorithm::sha256},
                      Case{Level::b_lt, true, DigestAlgorithm::sha256}, Case{Level::b_lt, false, DigestAlgorithm::sha256},
                      Case{Level::b_lta, true, DigestAlgorithm::sha256}, Case{Level::b_lta, false, DigestAlgorithm::sha256},
                      Case{Level::b_b, true, DigestAlgorithm::sha384}, Case{Level::b_t, false, DigestAlgorithm::sha384},
                      Case{Level::b_lta, true, DigestAlgorithm::sha512}, Case{Level::b_lta, false, DigestAlgorithm::sha384},
                      Case{Level::b_b, false, DigestAlgorithm::sha512}),
    case_name);


// One PKI (and one SoftHSM2 token) for the tests below, made once per process.
class CadesSign : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s_pki = new CadesPki(); }
  static void TearDownTestSuite() {
    delete s_pki;
    s_pki = nullptr;
  }
  static CadesPki* s_pki;
};
CadesPki* CadesSign::s_pki = nullptr;

// Offset of `needle` in `haystack`; fails the test if absent.
std::size_t find_bytes(const Bytes& haystack, const Bytes& needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end());
  EXPECT_NE(it, haystack.end());
  return static_cast<std::size_t>(it - haystack.begin());
}

TEST_F(CadesSign, OneChangedDocumentByteFailsOpensslAndPkijs) {
  Bytes cms = must(sign_detached(core::sha256(kDocument), s_pki->signer_cert.get(), *s_pki->signer,
                                 s_pki->options(Level::b_lta)));
  ASSERT_EQ(s_pki->openssl_verify(cms, &kDocument).status, 0);
  Bytes changed = kDocument;
  changed[7] ^= 0x01;
  CommandResult r = s_pki->openssl_verify(cms, &changed);
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_FALSE(s_pki->node_check(cms, &changed)["signature"]["ok"].get<bool>());
  // The archive time-stamp also covers the document: qualsig's own check refuses the wrong digest.
  Bytes wrong_digest = core::sha256(changed);
  auto extended = add_archive_timestamp(cms, ByteView(wrong_digest), s_pki->tsa.fn());
  ASSERT_FALSE(extended);
  EXPECT_EQ(extended.error().code, ErrorCode::invalid_input);
}

TEST_F(CadesSign, OneChangedEnvelopedByteFailsOpensslAndPkijs) {
  Bytes cms = must(sign_enveloping(kDocument, s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_t)));
  ASSERT_EQ(s_pki->openssl_verify(cms).status, 0);
  Bytes changed = cms;
  changed[find_bytes(cms, kDocument) + 3] ^= 0x20;
  CommandResult r = s_pki->openssl_verify(changed);
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_FALSE(s_pki->node_check(changed)["signature"]["ok"].get<bool>());
}

TEST_F(CadesSign, OneChangedSignatureByteFailsOpensslAndPkijs) {
  for (Level level : {Level::b_b, Level::b_lta}) {
    Bytes cms = must(sign_detached(core::sha256(kDocument), s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(level)));
    Bytes sig = signature_value(cms);
    Bytes changed = cms;
    changed[find_bytes(cms, sig) + sig.size() - 1] ^= 0x01;  // last octet of s in ECDSA-Sig-Value
    CommandResult r = s_pki->openssl_verify(changed, &kDocument);
    EXPECT_NE(r.status, 0) << r.output;
    EXPECT_FALSE(s_pki->node_check(changed, &kDocument)["signature"]["ok"].get<bool>());
  }
}

TEST_F(CadesSign, OneChangedSignedAttributeByteFailsOpensslAndPkijs) {
  Bytes cms = must(sign_detached(core::sha256(kDocument), s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_b)));
  Bytes changed = cms;
  changed[find_bytes(cms, to_bytes("261125120000Z")) + 11] ^= 0x01;  // signing-time seconds 00 -> 01
  ASSERT_EQ(must(inspect(changed)).signing_time, kSigningTime + 1s);
  CommandResult r = s_pki->openssl_verify(changed, &kDocument);
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_FALSE(s_pki->node_check(changed, &kDocument)["signature"]["ok"].get<bool>());
}

TEST_F(CadesSign, AnImpostorRootWithTheSameNameFailsOpensslAndPkijs) {
  Bytes cms = must(sign_detached(core::sha256(kDocument), s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_b)));
  auto key = core::wrap(EVP_EC_gen("P-256"));
  auto impostor = issue("Test Root CA", key.get(), nullptr, key.get(), true);
  std::ofstream(s_pki->path("impostor.pem")) << must(core::x509_to_pem(impostor.get()));
  write_file(s_pki->path("doc.bin"), kDocument);
  write_file(s_pki->path("sig.p7s"), cms);
  CommandResult r = run("openssl cms -verify -binary -inform DER -in " + s_pki->path("sig.p7s") + " -content " +
                        s_pki->path("doc.bin") + " -CAfile " + s_pki->path("impostor.pem") + " -purpose any -out /dev/null");
  EXPECT_NE(r.status, 0) << r.output;
  nlohmann::json node = s_pki->node_check(cms, &kDocument, "--root " + s_pki->path("impostor.pem"));
  EXPECT_FALSE(node["signature"]["ok"].get<bool>()) << node.dump();
}

TEST_F(CadesSign, SixteenThreadsSignThroughOneToken) {
  constexpr int kThreads = 16;
  std::vector<Bytes> documents(kThreads), signatures(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    documents[static_cast<std::size_t>(i)] = to_bytes("document number " + std::to_string(i));
    threads.emplace_back([&, i] {
      auto idx = static_cast<std::size_t>(i);
      SignOptions options = s_pki->options(i % 2 == 0 ? Level::b_b : Level::b_t);
      auto r = sign_detached(core::sha256(documents[idx]), s_pki->signer_cert.get(), *s_pki->signer, options);
      if (r) signatures[idx] = std::move(*r);
      else errors[idx] = r.error().message;
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < kThreads; ++i) {
    ASSERT_EQ(errors[i], "") << "thread " << i;
    CommandResult r = s_pki->openssl_verify(signatures[i], &documents[i]);
    EXPECT_EQ(r.status, 0) << "thread " << i << ": " << r.output;
  }
}

TEST_F(CadesSign, RsaPkcs1KeyInTheToken) {
  auto rsa = s_pki->token_signer(hsm::KeyType::rsa_3072, "rsa-signer");
  auto cert = issue("Test RSA Signer", rsa->public_key(), s_pki->issuing.get(), s_pki->issuing_key.get(), false);
  Bytes cms = must(sign_enveloping(kDocument, cert.get(), *rsa, s_pki->options(Level::b_t, DigestAlgorithm::sha384)));
  CommandResult r = s_pki->openssl_verify(cms);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(s_pki->node_check(cms)["signature"]["ok"].get<bool>());
}

TEST_F(CadesSign, RefusesWhatItCannotDo) {
  const Bytes digest = core::sha256(kDocument);
  auto code = [](const Result<Bytes>& r) { return r ? std::string("ok") : error_code_name(r.error().code); };
  SignOptions options = s_pki->options(Level::b_t);
  options.timestamp = nullptr;
  EXPECT_EQ(code(sign_detached(digest, s_pki->signer_cert.get(), *s_pki->signer, options)), "usage");
  options = s_pki->options(Level::b_lt);
  options.validation_data.ocsp_responses.clear();
  options.validation_data.crls.clear();
  EXPECT_EQ(code(sign_detached(digest, s_pki->signer_cert.get(), *s_pki->signer, options)), "usage");
  // A SHA-256 digest for a SHA-384 signature.
  EXPECT_EQ(code(sign_detached(digest, s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_b, DigestAlgorithm::sha384))),
            "usage");
  // A certificate that is not the signer's.
  EXPECT_EQ(code(sign_detached(digest, s_pki->counter_cert.get(), *s_pki->signer, s_pki->options(Level::b_b))), "usage");
  EXPECT_EQ(code(sign_detached(digest, nullptr, *s_pki->signer, s_pki->options(Level::b_b))), "usage");
  Bytes too_big(kMaxEnvelopedContent + 1, 0x41);
  EXPECT_EQ(code(sign_enveloping(too_big, s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_b))),
            "invalid_input");
  // A TSA that answers for another imprint, or with garbage, or not at all.
  options = s_pki->options(Level::b_t);
  options.timestamp = [&](ByteView, core::DigestAlgorithm alg) { return s_pki->tsa(core::sha256(to_bytes("other")), alg); };
  EXPECT_EQ(code(sign_detached(digest, s_pki->signer_cert.get(), *s_pki->signer, options)), "invalid_input");
  options.timestamp = [](ByteView, core::DigestAlgorithm) -> Result<Bytes> { return Bytes{0x30, 0x03, 0x02, 0x01, 0x01}; };
  EXPECT_EQ(code(sign_detached(digest, s_pki->signer_cert.get(), *s_pki->signer, options)), "invalid_input");
  options.timestamp = [](ByteView, core::DigestAlgorithm) -> Result<Bytes> { return fail(ErrorCode::unavailable, "TSA down"); };
  EXPECT_EQ(code(sign_detached(digest, s_pki->signer_cert.get(), *s_pki->signer, options)), "unavailable");
}

// Current resident set size in KiB (Linux /proc/self/statm).
long current_rss_kib() {
  long pages = 0, resident = 0;
  std::ifstream("/proc/self/statm") >> pages >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

TEST(CadesDigestFile, OneGibDocumentStreamsMatchesOpensslAndSignsInBoundedMemory) {
  qualsig::testing::TempDir dir;
  const auto path = dir.path() / "big.bin";
  {
    std::ofstream out(path, std::ios::binary);
    out << "head of a large document";
  }
  std::filesystem::resize_file(path, 1ull << 30);  // sparse: 1 GiB, almost all zeros
  {
    std::fstream out(path, std::ios::binary | std::ios::in | std::ios::out);
    out.seekp((1ll << 30) - 4);
    out << "tail";
  }
  // ru_maxrss is the process's peak so far: when other tests ran first in this process (a
  // filtered run of the whole binary), the growth counts from that peak, not from the current RSS.
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const long rss_before = std::max(current_rss_kib(), usage.ru_maxrss);
  Bytes digest = must(digest_file(path, DigestAlgorithm::sha256));
  ::getrusage(RUSAGE_SELF, &usage);
  EXPECT_LT(usage.ru_maxrss - rss_before, 64 * 1024) << "peak RSS grew by " << (usage.ru_maxrss - rss_before) << " KiB";

  CommandResult r = run("openssl dgst -sha256 -r " + path.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.substr(0, 64), hex_encode(digest));
  EXPECT_EQ(hex_encode(must(digest_file(path, DigestAlgorithm::sha384))).size(), 96u);

  CadesPki pki;
  Bytes cms = must(sign_detached(digest, pki.signer_cert.get(), *pki.signer, pki.options(Level::b_t)));
  write_file(dir.path() / "big.p7s", cms);
  r = run("openssl cms -verify -binary -inform DER -in " + (dir.path() / "big.p7s").string() + " -content " + path.string() +
          " -CAfile " + pki.path("root.pem") + " -purpose any -cades -out /dev/null");
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST(CadesDigestFile, MissingFileAndDirectoryAreErrors) {
  qualsig::testing::TempDir dir;
  auto missing = digest_file(dir.path() / "nope", DigestAlgorithm::sha256);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  auto directory = digest_file(dir.path(), DigestAlgorithm::sha256);
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().code, ErrorCode::environment);
}

TEST(CadesLevel, NamesRoundTrip) {
  for (Level l : {Level::b_b, Level::b_t, Level::b_lt, Level::b_lta}) EXPECT_EQ(parse_level(level_name(l)), l);
  EXPECT_EQ(parse_level("B-X"), std::nullopt);
  EXPECT_EQ(parse_level("b-b"), std::nullopt);
  EXPECT_STREQ(level_name(Level::b_lta), "B-LTA");
}

}  // namespace
}  // namespace qualsig::formats::cades::testing
