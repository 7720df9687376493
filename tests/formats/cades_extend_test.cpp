// Extending CAdES signatures B-B -> B-T -> B-LT -> B-LTA -> second B-LTA, and countersignatures:
// after every step `openssl cms -verify` still accepts the original signature, the signed
// SignerInfo fields are byte-identical (hashed by tests/interop/cades_check.mjs from its own
// parse), and the archive time-stamps verify with `openssl ts -verify` and PKI.js/Node.
#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "cades_test_support.h"
#include "formats/cades.h"

namespace qualsig::formats::cades::testing {
namespace {

using core::DigestAlgorithm;

const Bytes kDocument = to_bytes("a contract between two machines\n");

class CadesExtend : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s_pki = new CadesPki(); }
  static void TearDownTestSuite() {
    delete s_pki;
    s_pki = nullptr;
  }
  static CadesPki* s_pki;

  static std::string code(const Result<Bytes>& r) { return r ? std::string("ok") : error_code_name(r.error().code); }

  // openssl cms -verify, the signed fields and the signature value, compared with the original.
  void expect_original_intact(const Bytes& cms, const Bytes* content, const std::string& signed_fields,
                              const Bytes& signature) {
    CommandResult r = s_pki->openssl_verify(cms, content);
    EXPECT_EQ(r.status, 0) << r.output;
    nlohmann::json node = s_pki->node_check(cms, content);
    EXPECT_TRUE(node["signature"]["ok"].get<bool>()) << node.dump();
    EXPECT_EQ(node["signed_fields_sha256"].get<std::string>(), signed_fields);
    EXPECT_EQ(signature_value(cms), signature);
  }

  // Every archive time-stamp: PKI.js/Node recompute its imprint and index, and `openssl ts -verify`
  // accepts the token for the imprint qualsig computes.
  void expect_archive_timestamps_valid(const Bytes& cms, const Bytes* content, std::size_t expected) {
    nlohmann::json node = s_pki->node_check(cms, content);
    ASSERT_EQ(node["archive_timestamps"].size(), expected) << node.dump();
    for (const auto& ats : node["archive_timestamps"]) {
      EXPECT_TRUE(ats["imprint_ok"].get<bool>()) << node.dump();
      EXPECT_TRUE(ats["index_ok"].get<bool>()) << node.dump();
    }
    SignatureInfo info = must(inspect(cms));
    ASSERT_EQ(info.archive_timestamps.size(), expected);
    Bytes digest = core::sha256(kDocument);
    for (const Bytes& token : info.archive_timestamps) {
      Bytes imprint = must(archive_timestamp_imprint(cms, token, content ? std::optional<ByteView>(digest) : std::nullopt));
      CommandResult r = s_pki->openssl_ts_verify(token, imprint);
      EXPECT_EQ(r.status, 0) << r.output;
      EXPECT_NE(r.output.find("Verification: OK"), std::string::npos) << r.output;
    }
  }

  void walk_levels(bool detached) {
    const Bytes* content = detached ? &kDocument : nullptr;
    const Bytes digest = core::sha256(kDocument);
    std::optional<ByteView> doc_digest;
    if (detached) doc_digest = digest;
    Bytes b = detached ? must(sign_detached(digest, s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_b)))
                       : must(sign_enveloping(kDocument, s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_b)));
    const std::string signed_fields = s_pki->node_check(b, content)["signed_fields_sha256"];
    const Bytes signature = signature_value(b);

    Bytes t = must(add_signature_timestamp(b, s_pki->tsa.fn()));
    EXPECT_EQ(must(inspect(t)).level, Level::b_t);
    expect_original_intact(t, content, signed_fields, signature);

    const ValidationData vd = s_pki->validation_data();
    Bytes lt = must(add_validation_data(t, vd));
    EXPECT_EQ(must(inspect(lt)).level, Level::b_lt);
    expect_original_intact(lt, content, signed_fields, signature);
    // RFC 5652 §5.1: version 5 once an "other" RevocationInfoChoice (the OCSP response) is present.
    write_file(s_pki->path("lt.p7s"), lt);
    CommandResult print = run("openssl cms -cmsout -print -inform DER -in " + s_pki->path("lt.p7s"));
    EXPECT_NE(print.output.find("version: 5"), std::string::npos);
    EXPECT_NE(print.output.find("1.3.6.1.5.5.7.16.2"), std::string::npos) << "id-ri-ocsp-response";
    // Adding the same data again changes nothing.
    EXPECT_EQ(must(add_validation_data(lt, vd)), lt);

    Bytes lta = must(add_archive_timestamp(lt, doc_digest, s_pki->tsa.fn()));
    EXPECT_EQ(must(inspect(lta)).level, Level::b_lta);
    expect_original_intact(lta, content, signed_fields, signature);
    expect_archive_timestamps_valid(lta, content, 1);

    // Later: validation data for the first archive time-stamp, then a second one over everything.
    ValidationData more;
    more.certificates = {must(core::x509_to_der(s_pki->tsa_cert.get())), must(core::x509_to_der(s_pki->counter_cert.get()))};
    Bytes lta_more = must(add_validation_data(lta, more));
    expect_archive_timestamps_valid(lta_more, content, 1);
    Bytes lta2 = must(add_archive_timestamp(lta_more, doc_digest, s_pki->tsa.fn()));
    expect_original_intact(lta2, content, signed_fields, signature);
    expect_archive_timestamps_valid(lta2, content, 2);
    // The second index covers what was added after the first: 6 certificates (the countersigner's
    // is new), 2 revocation values, and the signature and first archive time-stamps.
    nlohmann::json node = s_pki->node_check(lta2, content);
    EXPECT_EQ(node["archive_timestamps"][0]["index_sizes"], nlohmann::json::parse("[5, 2, 1]"));
    EXPECT_EQ(node["archive_timestamps"][1]["index_sizes"], nlohmann::json::parse("[6, 2, 2]"));
  }
};
CadesPki* CadesExtend::s_pki = nullptr;

TEST_F(CadesExtend, DetachedStepByStepKeepsTheSignatureValid) { walk_levels(true); }

TEST_F(CadesExtend, EnvelopingStepByStepKeepsTheSignatureValid) { walk_levels(false); }

TEST_F(CadesExtend, CounterSignatureVerifiesAndKeepsTheRestValid) {
  Bytes lta = must(sign_detached(core::sha256(kDocument), s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_lta)));
  const std::string signed_fields = s_pki->node_check(lta, &kDocument)["signed_fields_sha256"];
  // The countersigner holds a P-384 key in the token and signs with SHA-384.
  SignOptions counter_options = s_pki->options(Level::b_b, DigestAlgorithm::sha384);
  Bytes countered = must(add_counter_signature(lta, s_pki->counter_cert.get(), *s_pki->counter_signer, counter_options));
  expect_original_intact(countered, &kDocument, signed_fields, signature_value(lta));
  nlohmann::json node = s_pki->node_check(countered, &kDocument);
  ASSERT_EQ(node["counter_signatures"].size(), 1u) << node.dump();
  EXPECT_TRUE(node["counter_signatures"][0]["ok"].get<bool>()) << node.dump();
  SignatureInfo info = must(inspect(countered));
  EXPECT_EQ(info.counter_signatures, 1u);
  EXPECT_EQ(info.level, Level::b_lta);
  // The archive time-stamp made before the countersignature stays valid (its index does not name
  // the new attribute), and a new one covers the countersignature too.
  expect_archive_timestamps_valid(countered, &kDocument, 1);
  Bytes lta2 = must(add_archive_timestamp(countered, ByteView(core::sha256(kDocument)), s_pki->tsa.fn()));
  expect_archive_timestamps_valid(lta2, &kDocument, 2);

  // A second countersignature; then one changed byte in the first countersignature's value.
  Bytes twice = must(add_counter_signature(countered, s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_b)));
  node = s_pki->node_check(twice, &kDocument);
  ASSERT_EQ(node["counter_signatures"].size(), 2u);
  EXPECT_TRUE(node["counter_signatures"][1]["ok"].get<bool>()) << node.dump();
  EXPECT_EQ(must(inspect(twice)).counter_signatures, 2u);
  // The countersignature is the last unsigned attribute and its signature value the last field of
  // its SignerInfo, so the last byte of the file is the last byte of the countersignature value.
  Bytes broken = countered;
  broken.back() ^= 0x01;
  node = s_pki->node_check(broken, &kDocument);
  ASSERT_EQ(node["counter_signatures"].size(), 1u);
  EXPECT_FALSE(node["counter_signatures"][0]["ok"].get<bool>()) << node.dump();

  SignOptions timestamped = s_pki->options(Level::b_t);
  EXPECT_EQ(code(add_counter_signature(lta, s_pki->counter_cert.get(), *s_pki->counter_signer, timestamped)), "usage");
}

TEST_F(CadesExtend, ExtendsASignatureMadeByOpenssl) {
  // `openssl cms -sign -cades` with an in-memory key: a foreign B-B signature.
  auto pem = core::wrap(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(pem.get(), s_pki->ocsp_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(pem.get(), &data);
  write_file(s_pki->path("foreign.key"), ByteView(reinterpret_cast<const unsigned char*>(data), static_cast<std::size_t>(len)));
  std::ofstream(s_pki->path("foreign.pem")) << must(core::x509_to_pem(s_pki->ocsp_cert.get()));
  write_file(s_pki->path("foreign.txt"), kDocument);
  CommandResult r = run("openssl cms -sign -binary -cades -in " + s_pki->path("foreign.txt") + " -signer " +
                        s_pki->path("foreign.pem") + " -inkey " + s_pki->path("foreign.key") + " -certfile " +
                        s_pki->path("issuing.pem") + " -outform DER -out " + s_pki->path("foreign.p7s"));
  ASSERT_EQ(r.status, 0) << r.output;
  Bytes foreign = read_file(s_pki->path("foreign.p7s"));
  EXPECT_EQ(must(inspect(foreign)).level, Level::b_b);

  Bytes lt = must(add_validation_data(must(add_signature_timestamp(foreign, s_pki->tsa.fn())), s_pki->validation_data()));
  Bytes lta = must(add_archive_timestamp(lt, ByteView(core::sha256(kDocument)), s_pki->tsa.fn()));
  r = s_pki->openssl_verify(lta, &kDocument);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(signature_value(lta), signature_value(foreign));
  expect_archive_timestamps_valid(lta, &kDocument, 1);
}

TEST_F(CadesExtend, RefusesOutOfOrderAndWrongInputs) {
  const Bytes digest = core::sha256(kDocument);
  Bytes b = must(sign_detached(digest, s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_b)));
  Bytes t = must(add_signature_timestamp(b, s_pki->tsa.fn()));
  Bytes lt = must(add_validation_data(t, s_pki->validation_data()));
  Bytes enveloping = must(sign_enveloping(kDocument, s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_lt)));

  EXPECT_EQ(code(add_validation_data(b, s_pki->validation_data())), "conflict");
  EXPECT_EQ(code(add_validation_data(t, ValidationData{})), "usage");
  EXPECT_EQ(code(add_archive_timestamp(b, ByteView(digest), s_pki->tsa.fn())), "conflict");
  EXPECT_EQ(code(add_archive_timestamp(t, ByteView(digest), s_pki->tsa.fn())), "conflict");
  EXPECT_EQ(code(add_archive_timestamp(lt, std::nullopt, s_pki->tsa.fn())), "usage");
  EXPECT_EQ(code(add_archive_timestamp(lt, ByteView(core::sha256(to_bytes("other document"))), s_pki->tsa.fn())),
            "invalid_input");
  EXPECT_EQ(code(add_archive_timestamp(lt, ByteView(digest).first(16), s_pki->tsa.fn())), "usage");
  EXPECT_EQ(code(add_archive_timestamp(enveloping, ByteView(digest), s_pki->tsa.fn())), "usage");
  EXPECT_EQ(code(add_archive_timestamp(lt, ByteView(digest), nullptr)), "usage");

  // Validation data that does not decode, or an OCSP response that is not "successful".
  auto bad = [&](auto mutate) {
    ValidationData vd;
    mutate(vd);
    return code(add_validation_data(t, vd));
  };
  EXPECT_EQ(bad([](ValidationData& vd) { vd.certificates = {to_bytes("not a certificate")}; }), "invalid_input");
  EXPECT_EQ(bad([](ValidationData& vd) { vd.crls = {Bytes{0x30, 0x00}}; }), "invalid_input");
  EXPECT_EQ(bad([&](ValidationData& vd) {
              vd.crls = s_pki->validation_data().crls;
              vd.crls[0].push_back(0);  // trailing data
            }),
            "invalid_input");
  // An OCSPResponse that decodes but says internalError (RFC 6960 §4.2.1).
  EXPECT_EQ(bad([](ValidationData& vd) { vd.ocsp_responses = {Bytes{0x30, 0x03, 0x0a, 0x01, 0x02}}; }), "invalid_input");

  // A signature time-stamp token is no archive time-stamp; an archive time-stamp of another
  // signature names unsigned attribute values this one does not hold.
  SignatureInfo info = must(inspect(lt));
  EXPECT_EQ(archive_timestamp_imprint(lt, info.signature_timestamps[0], ByteView(digest)).error().code,
            ErrorCode::invalid_input);
  Bytes lta = must(add_archive_timestamp(lt, ByteView(digest), s_pki->tsa.fn()));
  Bytes other_lta = must(sign_detached(digest, s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_lta)));
  Bytes foreign_ats = must(inspect(other_lta)).archive_timestamps.at(0);
  auto mismatch = archive_timestamp_imprint(lta, foreign_ats, ByteView(digest));
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, ErrorCode::denied) << mismatch.error().message;
}

TEST_F(CadesExtend, SeveralSignersAreRefusedButInspected) {
  auto write_key = [&](EVP_PKEY* key, const std::string& name) {
    auto bio = core::wrap(BIO_new_file(s_pki->path(name).c_str(), "w"));
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  };
  write_key(s_pki->ocsp_key.get(), "k1.key");
  write_key(s_pki->tsa_key.get(), "k2.key");
  std::ofstream(s_pki->path("c1.pem")) << must(core::x509_to_pem(s_pki->ocsp_cert.get()));
  write_file(s_pki->path("two.txt"), kDocument);
  CommandResult r = run("openssl cms -sign -binary -in " + s_pki->path("two.txt") + " -signer " + s_pki->path("c1.pem") +
                        " -inkey " + s_pki->path("k1.key") + " -signer " + s_pki->path("tsa.pem") + " -inkey " +
                        s_pki->path("k2.key") + " -outform DER -out " + s_pki->path("two.p7s"));
  ASSERT_EQ(r.status, 0) << r.output;
  Bytes two = read_file(s_pki->path("two.p7s"));
  EXPECT_EQ(must(inspect(two)).signer_count, 2u);
  EXPECT_EQ(code(add_signature_timestamp(two, s_pki->tsa.fn())), "usage");
  EXPECT_EQ(code(add_counter_signature(two, s_pki->signer_cert.get(), *s_pki->signer, s_pki->options(Level::b_b))), "usage");
}

}  // namespace
}  // namespace qualsig::formats::cades::testing
