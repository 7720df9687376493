// Hostile input to every function that reads a CMS: clear invalid_input errors, no crash (the
// suite runs under AddressSanitizer and UBSan).
#include <gtest/gtest.h>

#include <random>

#include "cades_test_support.h"
#include "formats/cades.h"

namespace qualsig::formats::cades::testing {
namespace {

struct Mutation {
  std::string name;
  Bytes bytes;
};

class CadesMalformed : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_pki = new CadesPki();
    s_valid = new Bytes(must(sign_detached(core::sha256(to_bytes("doc")), s_pki->signer_cert.get(), *s_pki->signer,
                                           s_pki->options(Level::b_lta))));
  }
  static void TearDownTestSuite() {
    delete s_valid;
    delete s_pki;
  }
  static CadesPki* s_pki;
  static Bytes* s_valid;

  // Every reader must refuse `bytes` with invalid_input.
  static void expect_refused(const Mutation& m) {
    SCOPED_TRACE(m.name);
    const Bytes digest = core::sha256(to_bytes("doc"));
    auto expect_invalid = [&](const Error& e, const char* fn) {
      EXPECT_EQ(e.code, ErrorCode::invalid_input) << fn << ": " << e.message;
      EXPECT_FALSE(e.message.empty());
    };
    auto info = inspect(m.bytes);
    ASSERT_FALSE(info) << "inspect accepted it";
    expect_invalid(info.error(), "inspect");
    auto t = add_signature_timestamp(m.bytes, s_pki->tsa.fn());
    ASSERT_FALSE(t);
    expect_invalid(t.error(), "add_signature_timestamp");
    auto lt = add_validation_data(m.bytes, s_pki->validation_data());
    ASSERT_FALSE(lt);
    expect_invalid(lt.error(), "add_validation_data");
    auto lta = add_archive_timestamp(m.bytes, ByteView(digest), s_pki->tsa.fn());
    ASSERT_FALSE(lta);
    expect_invalid(lta.error(), "add_archive_timestamp");
    auto counter = add_counter_signature(m.bytes, s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_b));
    ASSERT_FALSE(counter);
    expect_invalid(counter.error(), "add_counter_signature");
    SignatureInfo good = must(inspect(*s_valid));
    auto imprint = archive_timestamp_imprint(m.bytes, good.archive_timestamps.at(0), ByteView(digest));
    ASSERT_FALSE(imprint);
    expect_invalid(imprint.error(), "archive_timestamp_imprint(cms)");
    auto imprint2 = archive_timestamp_imprint(*s_valid, m.bytes, ByteView(digest));
    ASSERT_FALSE(imprint2);
    expect_invalid(imprint2.error(), "archive_timestamp_imprint(token)");
  }

  static Bytes openssl_output(const std::string& command) {
    CommandResult r = run(command + " -outform DER -out " + s_pki->path("made.der"));
    if (r.status != 0) throw std::runtime_error(r.output);
    return read_file(s_pki->path("made.der"));
  }
};
CadesPki* CadesMalformed::s_pki = nullptr;
Bytes* CadesMalformed::s_valid = nullptr;

TEST_F(CadesMalformed, NamedMutationsAreRefused) {
  std::vector<Mutation> cases;
  cases.push_back({"empty", {}});
  cases.push_back({"one-byte", {0x30}});
  cases.push_back({"not-asn1", to_bytes("this is not a signature")});
  Bytes trailing = *s_valid;
  trailing.push_back(0x00);
  cases.push_back({"trailing-zero", trailing});
  trailing.back() = 0x30;
  cases.push_back({"trailing-garbage", trailing});
  cases.push_back({"two-signatures-concatenated", [] {
                     Bytes b = *s_valid;
                     b.insert(b.end(), s_valid->begin(), s_valid->end());
                     return b;
                   }()});
  cases.push_back({"certificate", must(core::x509_to_der(s_pki->root.get()))});
  write_file(s_pki->path("data.txt"), to_bytes("hello"));
  cases.push_back({"id-data-content-info", openssl_output("openssl cms -data_create -in " + s_pki->path("data.txt"))});
  cases.push_back({"signed-data-without-signer",
                   openssl_output("openssl crl2pkcs7 -nocrl -certfile " + s_pki->path("root.pem"))});
  for (std::size_t len = 1; len < s_valid->size(); len += 97)
    cases.push_back({"truncated-at-" + std::to_string(len), Bytes(s_valid->begin(), s_valid->begin() + static_cast<long>(len))});
  cases.push_back({"truncated-by-one", Bytes(s_valid->begin(), s_valid->end() - 1)});
  std::mt19937 rng(20261125);
  for (int i = 0; i < 64; ++i) {
    Bytes random(std::uniform_int_distribution<std::size_t>(1, 2048)(rng));
    for (auto& b : random) b = static_cast<std::uint8_t>(rng());
    if (i % 2 == 0) random[0] = 0x30;  // look like a SEQUENCE
    cases.push_back({"random-" + std::to_string(i), random});
  }
  for (const Mutation& m : cases) expect_refused(m);
}

TEST_F(CadesMalformed, SingleByteFlipsNeverCrash) {
  // Each flip gives a structure that either still parses (the byte was inside a value) or is
  // refused with a message; both outcomes must occur, and none may crash.
  std::mt19937 rng(7);
  int refused = 0, accepted = 0;
  SignatureInfo good = must(inspect(*s_valid));
  const Bytes digest = core::sha256(to_bytes("doc"));
  for (int i = 0; i < 400; ++i) {
    Bytes b = *s_valid;
    b[std::uniform_int_distribution<std::size_t>(0, b.size() - 1)(rng)] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
    auto info = inspect(b);
    if (info) {
      ++accepted;
    } else {
      ++refused;
      EXPECT_FALSE(info.error().message.empty());
    }
    auto imprint = archive_timestamp_imprint(b, good.archive_timestamps.at(0), ByteView(digest));
    if (!imprint) {
      EXPECT_FALSE(imprint.error().message.empty());
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace qualsig::formats::cades::testing
