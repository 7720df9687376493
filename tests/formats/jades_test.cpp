// JAdES (ETSI TS 119 182-1) signing checked by independent verifiers: the jose package
// (tests/interop/jades_check.mjs) for the JWS signature, `openssl x509 | openssl dgst` for
// x5t#S256, `openssl ts -verify` for the sigTst time-stamp; and the parser against hostile input
// and the DSS corpus.
#include <gtest/gtest.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>

#include <filesystem>
#include <random>

#include "cades_test_support.h"
#include "formats/jades.h"

namespace qualsig::formats::jades {
namespace {

using cades::testing::CadesPki;
using cades::testing::kSigningTime;
using cades::testing::must;
using cades::testing::write_file;
using qualsig::testing::run;

const Bytes kPayload = [] {
  Bytes b = to_bytes("{\"invoice\":\"2026-0042\",\"amount\":\"1250.00 EUR\"}\n");
  for (std::uint8_t c : {0x00, 0x2e, 0xff}) b.push_back(c);  // NUL, '.', 0xff: binary, not text
  return b;
}();

enum class KeyKind { p256, p384, rsa };

struct Case {
  KeyKind key;
  Serialization serialization;
  bool detached;
};

std::string describe(const Case& c) {
  const char* key = c.key == KeyKind::p256 ? "ES256" : c.key == KeyKind::p384 ? "ES384" : "PS256";
  return std::string(key) + (c.serialization == Serialization::compact ? "_compact" : "_json") +
         (c.detached ? "_detached" : "_attached");
}
void PrintTo(const Case& c, std::ostream* os) { *os << describe(c); }
std::string case_name(const ::testing::TestParamInfo<Case>& info) { return describe(info.param); }

class JadesSign : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    s_pki = new CadesPki();
    s_rsa_signer = s_pki->token_signer(hsm::KeyType::rsa_3072, "rsa-signer");
    s_rsa = s_rsa_signer.get();
    s_rsa_cert = cades::testing::issue("Test RSA Signer", s_rsa->public_key(), s_pki->issuing.get(),
                                       s_pki->issuing_key.get(), false).release();
    std::ofstream(s_pki->path("rsa.pem")) << must(core::x509_to_pem(s_rsa_cert));
  }
  static void TearDownTestSuite() {
    X509_free(s_rsa_cert);
    s_rsa_signer.reset();
    delete s_pki;
    s_pki = nullptr;
  }

  struct Key {
    const hsm::Signer* signer;
    const X509* cert;
    std::string pem;
    std::string alg;
  };
  static Key key(KeyKind k) {
    switch (k) {
      case KeyKind::p256: return {s_pki->signer.get(), s_pki->signer_cert.get(), s_pki->path("signer.pem"), "ES256"};
      case KeyKind::p384: return {s_pki->counter_signer.get(), s_pki->counter_cert.get(), s_pki->path("counter.pem"), "ES384"};
      case KeyKind::rsa: return {s_rsa, s_rsa_cert, s_pki->path("rsa.pem"), "PS256"};
    }
    return {};
  }

  static SignOptions options(const Case& c, Level level = Level::b_b) {
    SignOptions o;
    o.level = level;
    o.serialization = c.serialization;
    o.detached = c.detached;
    o.signing_time = kSigningTime;
    o.content_type = "application/json";
    o.chain = {s_pki->issuing.get(), s_pki->root.get()};
    o.timestamp = s_pki->tsa.fn();
    return o;
  }

  // jose's verdict on `jws` (with `payload` as detached content when given).
  static qualsig::testing::CommandResult jose(const std::string& jws, const Key& k, const Bytes* payload) {
    write_file(s_pki->path("jws.txt"), as_bytes(jws));
    std::string cmd = "node " QUALSIG_SOURCE_DIR "/tests/interop/jades_check.mjs " + s_pki->path("jws.txt") + " " + k.pem + " " + k.alg;
    if (payload != nullptr) {
      write_file(s_pki->path("payload.bin"), *payload);
      cmd += " --payload " + s_pki->path("payload.bin");
    }
    return run(cmd);
  }

  static CadesPki* s_pki;
  static hsm::Pkcs11Signer* s_rsa;
  static std::shared_ptr<hsm::Pkcs11Signer> s_rsa_signer;
  static X509* s_rsa_cert;
};
CadesPki* JadesSign::s_pki = nullptr;
hsm::Pkcs11Signer* JadesSign::s_rsa = nullptr;
std::shared_ptr<hsm::Pkcs11Signer> JadesSign::s_rsa_signer;
X509* JadesSign::s_rsa_cert = nullptr;

TEST_P(JadesSign, JoseVerifiesAndChangedPayloadFails) {
  const Case c = GetParam();
  Key k = key(c.key);
  std::string jws = must(sign_jws(kPayload, k.cert, *k.signer, options(c)));

  auto verdict = jose(jws, k, c.detached ? &kPayload : nullptr);
  ASSERT_EQ(verdict.status, 0) << verdict.output << "\n" << jws;
  auto out = nlohmann::json::parse(verdict.output);
  EXPECT_EQ(out["payloadHex"], hex_encode(kPayload));
  const auto& h = out["protectedHeader"];
  EXPECT_EQ(h["alg"], k.alg);
  EXPECT_EQ(h["sigT"], "2026-11-25T12:00:00Z");
  EXPECT_EQ(h["cty"], "application/json");
  EXPECT_EQ(h["typ"], c.serialization == Serialization::compact ? "jose" : "jose+json");
  EXPECT_EQ(h["crit"], c.detached ? nlohmann::json::array({"sigT", "b64"}) : nlohmann::json::array({"sigT"}));
  EXPECT_EQ(h.contains("b64"), c.detached);
  if (c.detached) {
    EXPECT_EQ(h["b64"], false);
    EXPECT_EQ(jws.find(base64url_encode(kPayload)), std::string::npos);
  }

  // One changed payload byte: jose and verify_jws both refuse.
  Bytes changed = kPayload;
  changed[3] ^= 0x01;
  if (c.detached) {
    EXPECT_NE(jose(jws, k, &changed).status, 0);
    auto r = verify_jws(jws, ByteView(changed));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::denied);
  } else {
    std::string tampered = jws;
    auto pos = tampered.find(base64url_encode(kPayload));
    ASSERT_NE(pos, std::string::npos);
    tampered.replace(pos, base64url_encode(kPayload).size(), base64url_encode(changed));
    EXPECT_NE(jose(tampered, k, nullptr).status, 0);
    auto r = verify_jws(tampered);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::denied);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Jades, JadesSign,
    ::testing::Values(Case{KeyKind::p256, Serialization::compact, false}, Case{KeyKind::p256, Serialization::compact, true},
                      Case{KeyKind::p256, Serialization::json, false}, Case{KeyKind::p256, Serialization::json, true},
                      Case{KeyKind::p384, Serialization::compact, false}, Case{KeyKind::p384, Serialization::json, true},
                      Case{KeyKind::rsa, Serialization::compact, false}, Case{KeyKind::rsa, Serialization::json, true}),
    case_name);

// x5t#S256 is what `openssl x509 -outform DER | openssl dgst -sha256 -binary` gives, base64url; x5c
// is standard base64 of each certificate's DER, signer first.
TEST_F(JadesSign, CertificateHeadersMatchOpenssl) {
  std::string jws = must(sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, options({KeyKind::p256, Serialization::compact, false})));
  JwsDocument doc = must(parse_jws(jws));
  const auto& h = doc.signatures.at(0).protected_header;
  auto thumb = run("openssl x509 -in " + s_pki->path("signer.pem") +
                   " -outform DER | openssl dgst -sha256 -binary | basenc --base64url | tr -d '=\\n'");
  ASSERT_EQ(thumb.status, 0) << thumb.output;
  EXPECT_EQ(h["x5t#S256"], thumb.output);
  ASSERT_EQ(h["x5c"].size(), 3u);
  int i = 0;
  for (const char* name : {"signer.pem", "issuing.pem", "root.pem"}) {
    auto b64 = run(std::string("openssl x509 -in ") + s_pki->path(name) + " -outform DER | base64 -w0");
    EXPECT_EQ(h["x5c"][i++], b64.output) << name;
  }
}

// B-T: jose verifies the JWS; `openssl ts -verify` verifies the sigTst token against the SHA-256
// of the base64url signature value (TS 119 182-1 §5.3.4).
TEST_F(JadesSign, SignatureTimestampVerifiesWithOpenssl) {
  for (bool detached : {false, true}) {
    Case c{KeyKind::p256, Serialization::json, detached};
    std::string jws = must(sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, options(c, Level::b_t)));
    auto verdict = jose(jws, key(KeyKind::p256), detached ? &kPayload : nullptr);
    ASSERT_EQ(verdict.status, 0) << verdict.output;

    auto j = nlohmann::json::parse(jws);
    ASSERT_EQ(j["header"]["etsiU"].size(), 1u);
    std::string entry = j["header"]["etsiU"][0];
    std::string b64 = entry;
    std::replace(b64.begin(), b64.end(), '-', '+');
    std::replace(b64.begin(), b64.end(), '_', '/');
    b64.append((4 - b64.size() % 4) % 4, '=');
    auto sig_tst = nlohmann::json::parse(to_string(*base64_decode(b64)));
    Bytes token = *base64_decode(sig_tst["sigTst"]["tstTokens"][0]["val"].get<std::string>());
    std::string encoded_signature = j["signature"];
    auto ts = s_pki->openssl_ts_verify(token, core::sha256(as_bytes(encoded_signature)));
    EXPECT_EQ(ts.status, 0) << ts.output;
    EXPECT_NE(ts.output.find("Verification: OK"), std::string::npos) << ts.output;
    // Not over the raw signature bytes.
    auto wrong = s_pki->openssl_ts_verify(token, core::sha256(*base64_decode(sig_tst["sigTst"]["tstTokens"][0]["val"].get<std::string>())));
    EXPECT_NE(wrong.status, 0);

    JwsDocument doc = must(detached ? verify_jws(jws, ByteView(kPayload)) : verify_jws(jws));
    EXPECT_EQ(doc.signatures.at(0).signature_timestamps.size(), 1u);
  }
}

// B-LT: xVals and rVals in etsiU carry the validation data; openssl reads each element (the CRL's
// signature verifies with the root, the OCSP response says good) and jose still verifies the JWS.
TEST_F(JadesSign, LongTermValidationDataReadsWithOpenssl) {
  Case c{KeyKind::p256, Serialization::json, true};
  SignOptions o = options(c, Level::b_lt);
  o.validation_data = s_pki->validation_data();
  std::string jws = must(sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, o));
  auto verdict = jose(jws, key(KeyKind::p256), &kPayload);
  ASSERT_EQ(verdict.status, 0) << verdict.output;
  EXPECT_EQ(nlohmann::json::parse(verdict.output)["unprotectedHeader"]["etsiU"].size(), 3u);

  JwsDocument doc = must(verify_jws(jws, ByteView(kPayload)));
  const JwsSignature& sig = doc.signatures.at(0);
  EXPECT_EQ(sig.signature_timestamps.size(), 1u);
  EXPECT_EQ(sig.certificate_values, o.validation_data.certificates);
  ASSERT_EQ(sig.crl_values.size(), 1u);
  ASSERT_EQ(sig.ocsp_values.size(), 1u);
  write_file(s_pki->path("crl.der"), sig.crl_values[0]);
  auto crl = run("openssl crl -inform DER -in " + s_pki->path("crl.der") + " -CAfile " + s_pki->path("root.pem") + " -noout");
  EXPECT_NE(crl.output.find("verify OK"), std::string::npos) << crl.output;
  write_file(s_pki->path("ocsp.der"), sig.ocsp_values[0]);
  auto ocsp = run("openssl ocsp -respin " + s_pki->path("ocsp.der") + " -noverify -resp_text");
  EXPECT_NE(ocsp.output.find("Cert Status: good"), std::string::npos) << ocsp.output;

  SignOptions no_revocation = options(c, Level::b_lt);
  no_revocation.validation_data.certificates = o.validation_data.certificates;
  EXPECT_EQ(sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, no_revocation).error().code, ErrorCode::usage);
  SignOptions bad_crl = o;
  bad_crl.validation_data.crls[0].push_back(0x00);  // trailing-data
  auto r = sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, bad_crl);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_NE(r.error().message.find("crlVals"), std::string::npos) << r.error().message;
}

TEST_F(JadesSign, RefusesWhatItCannotDo) {
  Case compact{KeyKind::p256, Serialization::compact, false};
  auto bt = sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, options(compact, Level::b_t));
  ASSERT_FALSE(bt);
  EXPECT_EQ(bt.error().code, ErrorCode::usage);
  SignOptions no_tsa = options({KeyKind::p256, Serialization::json, false}, Level::b_t);
  no_tsa.timestamp = nullptr;
  EXPECT_EQ(sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, no_tsa).error().code, ErrorCode::usage);
  // A certificate for another key.
  auto wrong = sign_jws(kPayload, s_pki->counter_cert.get(), *s_pki->signer, options(compact));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::usage);
  // A TSA whose token covers something else.
  SignOptions bad_tsa = options({KeyKind::p256, Serialization::json, false}, Level::b_t);
  bad_tsa.timestamp = [](ByteView, core::DigestAlgorithm alg) { return s_pki->tsa(core::sha256(as_bytes("other")), alg); };
  auto r = sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, bad_tsa);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::crypto);
}

std::string b64url(std::string_view s) { return base64url_encode(as_bytes(s)); }

// TS 119 182-1 §5.2.8.3.3: a detached JWS made from the document's digest alone names it by
// reference (sigD ObjectIdByURIHash, b64:false). jose verifies the signature over the header
// with the empty payload; the hashV it carries is compared with `openssl dgst` of the document;
// a hashV changed afterwards breaks the signature; the B-T sigTst verifies with openssl ts.
TEST_F(JadesSign, SignsByReferenceFromADigestAlone) {
  write_file(s_pki->path("document.bin"), kPayload);
  auto dgst = run("openssl dgst -sha256 -binary " + s_pki->path("document.bin") + " | basenc --base64url | tr -d '=\\n'");
  ASSERT_EQ(dgst.status, 0) << dgst.output;
  DetachedObjects objects;
  objects.uris = {"invoice-2026-0042.json"};
  objects.digests = {core::sha256(kPayload)};

  for (Level level : {Level::b_b, Level::b_t, Level::b_lt}) {
    SCOPED_TRACE(static_cast<int>(level));
    Case c{KeyKind::p256, level == Level::b_b ? Serialization::compact : Serialization::json, false};
    SignOptions o = options(c, level);
    o.content_type.clear();
    o.validation_data = s_pki->validation_data();
    std::string jws = must(sign_jws_by_reference(objects, s_pki->signer_cert.get(), *s_pki->signer, o));
    if (level == Level::b_b) {
      EXPECT_NE(jws.find(".."), std::string::npos) << "compact, empty payload: " << jws;
    } else {
      EXPECT_FALSE(nlohmann::json::parse(jws).contains("payload"));
    }

    auto verdict = jose(jws, key(KeyKind::p256), nullptr);
    ASSERT_EQ(verdict.status, 0) << verdict.output << "\n" << jws;
    auto out = nlohmann::json::parse(verdict.output);
    EXPECT_EQ(out["payloadHex"], "");
    const auto& h = out["protectedHeader"];
    EXPECT_EQ(h["crit"], nlohmann::json::array({"sigT", "b64", "sigD"}));
    EXPECT_EQ(h["b64"], false);
    EXPECT_EQ(h["sigD"]["mId"], "http://uri.etsi.org/19182/ObjectIdByURIHash");
    EXPECT_EQ(h["sigD"]["pars"], nlohmann::json::array({"invoice-2026-0042.json"}));
    EXPECT_EQ(h["sigD"]["hashM"], "S256");
    EXPECT_EQ(h["sigD"]["hashV"], nlohmann::json::array({dgst.output}));

    JwsDocument doc = must(verify_jws_by_reference(jws, objects));
    EXPECT_EQ(level_of(doc.signatures.at(0)), level);
    // verify_jws does not pretend to check objects it was not given.
    EXPECT_EQ(verify_jws(jws, ByteView(kPayload)).error().code, ErrorCode::invalid_input);
    DetachedObjects other = objects;
    other.digests[0] = core::sha256(as_bytes("another document"));
    EXPECT_EQ(verify_jws_by_reference(jws, other).error().code, ErrorCode::denied);

    if (level == Level::b_t) {
      auto j = nlohmann::json::parse(jws);
      std::string entry = j["header"]["etsiU"][0];
      auto sig_tst = nlohmann::json::parse(to_string(base64url_decode(entry).value()));
      Bytes token = *base64_decode(sig_tst["sigTst"]["tstTokens"][0]["val"].get<std::string>());
      auto ts = s_pki->openssl_ts_verify(token, core::sha256(as_bytes(j["signature"].get<std::string>())));
      EXPECT_EQ(ts.status, 0) << ts.output;
    }
    if (level == Level::b_b) {
      // The hashV of another document under the same signature value: jose refuses.
      auto header = nlohmann::json::parse(to_string(base64url_decode(jws.substr(0, jws.find('.'))).value()));
      header["sigD"]["hashV"][0] = base64url_encode(other.digests[0]);
      std::string forged = b64url(header.dump()) + jws.substr(jws.find('.'));
      EXPECT_NE(jose(forged, key(KeyKind::p256), nullptr).status, 0);
      EXPECT_FALSE(verify_jws_by_reference(forged, other));
    }
  }

  // SHA-384 digests are named S384.
  DetachedObjects sha384{core::DigestAlgorithm::sha384, {"a.bin"}, {core::digest(core::DigestAlgorithm::sha384, kPayload)}};
  std::string jws = must(sign_jws_by_reference(sha384, s_pki->signer_cert.get(), *s_pki->signer,
                                               options({KeyKind::p256, Serialization::compact, false})));
  EXPECT_EQ(jose(jws, key(KeyKind::p256), nullptr).status, 0);
  EXPECT_EQ(must(verify_jws_by_reference(jws, sha384)).signatures.at(0).sigd->digest, core::DigestAlgorithm::sha384);

  // What cannot be made from a digest, or is malformed, is refused before anything is signed.
  SignOptions lta = options({KeyKind::p256, Serialization::json, false}, Level::b_lta);
  lta.validation_data = s_pki->validation_data();
  EXPECT_EQ(sign_jws_by_reference(objects, s_pki->signer_cert.get(), *s_pki->signer, lta).error().code, ErrorCode::usage);
  const SignOptions bb = options({KeyKind::p256, Serialization::compact, false});
  DetachedObjects bad = objects;
  bad.digests[0].pop_back();
  EXPECT_EQ(sign_jws_by_reference(bad, s_pki->signer_cert.get(), *s_pki->signer, bb).error().code, ErrorCode::usage);
  bad = objects;
  bad.uris[0].clear();
  EXPECT_EQ(sign_jws_by_reference(bad, s_pki->signer_cert.get(), *s_pki->signer, bb).error().code, ErrorCode::usage);
  EXPECT_EQ(sign_jws_by_reference(DetachedObjects{}, s_pki->signer_cert.get(), *s_pki->signer, bb).error().code, ErrorCode::usage);
}

// TS 119 182-1 §6: a compact B-B raised step by step to B-LTA (flattened JSON, the same signature
// value), a further arcTst on B-LTA, each result verified by jose; the arcTst imprint is recomputed
// here (§5.3.6.3.1) and compared with the token's own messageImprint read by OpenSSL's TS API.
TEST_F(JadesSign, ExtendsToEveryLevelAndRenewsTheArchiveTimestamp) {
  const Case compact{KeyKind::p256, Serialization::compact, false};
  const Key k = key(KeyKind::p256);
  const std::string bb = must(sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, options(compact)));
  ExtendOptions eo;
  eo.timestamp = s_pki->tsa.fn();
  eo.validation_data = s_pki->validation_data();
  auto arc_imprint_matches = [](const std::string& text) {
    nlohmann::json j = nlohmann::json::parse(text);
    std::string input = j["payload"].get<std::string>() + "." + j["protected"].get<std::string>() + "." +
                        j["signature"].get<std::string>() + ".";
    // The last arcTst, over every entry before it (earlier arcTst entries included).
    const auto& entries = j["header"]["etsiU"];
    std::string token_b64, before;
    for (const auto& e : entries) {
      auto decoded = nlohmann::json::parse(to_string(base64url_decode(e.get<std::string>()).value_or(Bytes{})));
      if (decoded.contains("arcTst")) {
        token_b64 = decoded["arcTst"]["tstTokens"][0]["val"].get<std::string>();
        input += before;
        before.clear();
      }
      before += e.get<std::string>();
    }
    Bytes der = base64_decode(token_b64).value_or(Bytes{});
    const unsigned char* p = der.data();
    auto pkcs7 = core::wrap(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
    if (!pkcs7) return false;
    auto info = std::unique_ptr<TS_TST_INFO, decltype(&TS_TST_INFO_free)>(PKCS7_to_TS_TST_INFO(pkcs7.get()), &TS_TST_INFO_free);
    if (!info) return false;
    const ASN1_OCTET_STRING* imprint = TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(info.get()));
    return Bytes(ASN1_STRING_get0_data(imprint), ASN1_STRING_get0_data(imprint) + ASN1_STRING_length(imprint)) ==
           core::sha256(as_bytes(input));
  };
  Extended bt = must(extend_jws(bb, Level::b_t, std::nullopt, eo));
  EXPECT_EQ(bt.from, Level::b_b);
  EXPECT_EQ(nlohmann::json::parse(bt.jws)["signature"], bb.substr(bb.rfind('.') + 1));
  EXPECT_EQ(level_of(must(parse_jws(bt.jws)).signatures[0]), Level::b_t);
  Extended lta = must(extend_jws(bt.jws, Level::b_lta, std::nullopt, eo));
  EXPECT_EQ(lta.from, Level::b_t);
  const JwsDocument doc = must(parse_jws(lta.jws));
  EXPECT_EQ(level_of(doc.signatures[0]), Level::b_lta);
  EXPECT_FALSE(doc.signatures[0].ocsp_values.empty());
  EXPECT_TRUE(arc_imprint_matches(lta.jws));
  auto verdict = jose(lta.jws, k, nullptr);
  EXPECT_EQ(verdict.status, 0) << verdict.output;
  // Renewal: a second arcTst whose imprint takes the first.
  Extended again = must(extend_jws(lta.jws, Level::b_lta, std::nullopt, eo));
  EXPECT_EQ(must(parse_jws(again.jws)).signatures[0].archive_timestamps, 2u);
  EXPECT_TRUE(arc_imprint_matches(again.jws));
  // Signed directly at B-LTA: the same shape.
  const std::string signed_lta = must(sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, [&] {
    SignOptions o = options({KeyKind::p256, Serialization::json, false}, Level::b_lta);
    o.validation_data = s_pki->validation_data();
    return o;
  }()));
  EXPECT_EQ(must(parse_jws(signed_lta)).signatures[0].archive_timestamps, 1u);
  EXPECT_TRUE(arc_imprint_matches(signed_lta));

  // What it refuses, and why.
  EXPECT_EQ(extend_jws(bt.jws, Level::b_t, std::nullopt, eo).error().code, ErrorCode::conflict);
  EXPECT_EQ(extend_jws(bb, Level::b_b, std::nullopt, eo).error().code, ErrorCode::usage);
  ExtendOptions no_data = eo;
  no_data.validation_data = {};
  EXPECT_EQ(extend_jws(bb, Level::b_lt, std::nullopt, no_data).error().code, ErrorCode::usage);
  ExtendOptions no_tsa = eo;
  no_tsa.timestamp = nullptr;
  EXPECT_EQ(extend_jws(bb, Level::b_t, std::nullopt, no_tsa).error().code, ErrorCode::usage);
  nlohmann::json clear = nlohmann::json::parse(bt.jws);
  clear["header"]["etsiU"][0] = nlohmann::json::parse(
      to_string(base64url_decode(clear["header"]["etsiU"][0].get<std::string>()).value_or(Bytes{})));
  auto refused = extend_jws(clear.dump(), Level::b_lta, std::nullopt, eo);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_input);
  EXPECT_NE(refused.error().message.find("clear JSON"), std::string::npos) << refused.error().message;
  nlohmann::json general = {{"payload", nlohmann::json::parse(bt.jws)["payload"]},
                            {"signatures", nlohmann::json::array({nlohmann::json::parse(bt.jws), nlohmann::json::parse(bt.jws)})}};
  for (auto& g : general["signatures"]) g.erase("payload");
  auto two = extend_jws(general.dump(), Level::b_lta, std::nullopt, eo);
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code, ErrorCode::invalid_input) << two.error().message;
  // A changed payload is refused before anything is added (the signature no longer verifies).
  nlohmann::json changed = nlohmann::json::parse(bt.jws);
  changed["payload"] = b64url("{\"amount\":9}");
  EXPECT_EQ(extend_jws(changed.dump(), Level::b_lta, std::nullopt, eo).error().code, ErrorCode::denied);
  // A detached JWS needs its payload.
  const std::string detached =
      must(sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, options({KeyKind::p256, Serialization::json, true}, Level::b_t)));
  EXPECT_EQ(extend_jws(detached, Level::b_lta, std::nullopt, eo).error().code, ErrorCode::usage);
  Extended detached_lta = must(extend_jws(detached, Level::b_lta, ByteView(kPayload), eo));
  EXPECT_EQ(jose(detached_lta.jws, k, &kPayload).status, 0);
}


// A JWS whose protected header is `header` (any JSON text), for parser tests.
std::string compact_with_header(std::string_view header) { return b64url(header) + "." + b64url("x") + "." + b64url("sig"); }

// {"a":{"a":...1...}} nested `depth` deep.
std::string nested_objects(std::size_t depth) {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  s.append(depth, '}');
  return s;
}

struct HostileCase {
  std::string name;
  std::string text;
  std::string message;  // a part of the expected error message
};

// Hostile and malformed input: a clear invalid_input error naming the problem, no crash.
TEST_F(JadesSign, HostileInputGivesClearErrors) {
  const std::string good = must(sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, options({KeyKind::p256, Serialization::compact, false})));
  const std::string good_json = must(sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, options({KeyKind::p256, Serialization::json, false})));
  std::string random(4096, '\0');
  std::mt19937 rng(7);
  for (auto& ch : random) ch = static_cast<char>(rng());
  std::string nested_header = "{\"alg\":\"ES256\",\"x\":" + std::string(40, '[') + std::string(40, ']') + "}";
  std::vector<HostileCase> cases = {
      {"empty", "", "empty"},
      {"ten-MB-of-open-brackets", std::string(10u << 20, '['), "nesting deeper than 32"},
      {"ten-MB-of-open-brackets-in-payload", "{\"payload\":" + std::string(10u << 20, '['), "nesting deeper than 32"},
      {"deeply-nested-json-object", nested_objects(100000), "nesting deeper than 32"},
      {"deeply-nested-protected-header", compact_with_header(nested_header), "nesting deeper than 32"},
      {"deeply-nested-etsiU-entry", "{\"protected\":\"" + b64url("{\"alg\":\"ES256\"}") + "\",\"header\":{\"etsiU\":[\"" +
                                        b64url(nested_objects(40)) + "\"]},\"payload\":\"\",\"signature\":\"AA\"}", "nesting deeper than 32"},
      {"larger-than-16-MiB", std::string((16u << 20) + 1, 'A'), "16 MiB"},
      {"truncated-compact", good.substr(0, good.rfind('.')), "three parts"},
      {"truncated-json", good_json.substr(0, good_json.size() / 2), "JWS"},
      {"trailing-data-after-json", good_json + "x", "JWS"},
      {"four-compact-parts", good + ".AAAA", "three parts"},
      {"bad-base64url-signature", good.substr(0, good.rfind('.') + 1) + "ab+/", "not base64url"},
      {"padded-base64url", good + "==", "not base64url"},
      {"non-canonical-base64url", compact_with_header("{\"alg\":\"ES256\"}").substr(0, compact_with_header("{\"alg\":\"ES256\"}").rfind('.') + 1) + "AB", "canonical"},
      {"random-bytes", random, "JWS"},
      {"alg-none", compact_with_header("{\"alg\":\"none\"}"), "unsupported alg \"none\""},
      {"alg-HS256", compact_with_header("{\"alg\":\"HS256\"}"), "unsupported alg"},
      {"no-alg", compact_with_header("{\"typ\":\"jose\"}"), "no alg"},
      {"header-not-object", compact_with_header("[1]"), "not a JSON object"},
      {"header-not-json", compact_with_header("{alg:ES256}"), "protected header"},
      {"unknown-crit", compact_with_header("{\"alg\":\"ES256\",\"crit\":[\"exp\"],\"exp\":1}"), "\"exp\" is not understood"},
      {"crit-names-absent-parameter", compact_with_header("{\"alg\":\"ES256\",\"crit\":[\"sigT\"]}"), "\"sigT\" is absent"},
      {"empty-crit", compact_with_header("{\"alg\":\"ES256\",\"crit\":[]}"), "crit"},
      {"b64-not-in-crit", compact_with_header("{\"alg\":\"ES256\",\"b64\":false}"), "b64 is not listed in crit"},
      {"bad-sigT", compact_with_header("{\"alg\":\"ES256\",\"sigT\":\"2026-11-25 12:00:00\"}"), "sigT"},
      {"sigT-with-offset", compact_with_header("{\"alg\":\"ES256\",\"sigT\":\"2026-11-25T12:00:00+01:00\"}"), "sigT"},
      {"x5c-not-a-certificate", compact_with_header("{\"alg\":\"ES256\",\"x5c\":[\"AAAA\"]}"), "not a DER certificate"},
      {"x5c-base64url", compact_with_header("{\"alg\":\"ES256\",\"x5c\":[\"-_-_\"]}"), "not base64"},
      {"short-x5t", compact_with_header("{\"alg\":\"ES256\",\"x5t#S256\":\"AAAA\"}"), "SHA-256"},
      {"duplicate-header-name", compact_with_header("{\"alg\":\"ES256\",\"alg\":\"ES256\"}"), "protected header"},
      {"protected-and-unprotected-overlap", "{\"protected\":\"" + b64url("{\"alg\":\"ES256\"}") + "\",\"header\":{\"alg\":\"none\"},\"payload\":\"\",\"signature\":\"AA\"}", "both protected and unprotected"},
      {"no-protected-header", "{\"header\":{\"alg\":\"ES256\"},\"payload\":\"\",\"signature\":\"AA\"}", "no protected header"},
      {"general-and-flattened-mixed", "{\"signatures\":[],\"signature\":\"AA\"}", "mixed"},
      {"etsiU-not-array", "{\"protected\":\"" + b64url("{\"alg\":\"ES256\"}") + "\",\"header\":{\"etsiU\":{}},\"payload\":\"\",\"signature\":\"AA\"}", "etsiU"},
      {"xVals-entry-not-a-certificate", "{\"protected\":\"" + b64url("{\"alg\":\"ES256\"}") + "\",\"header\":{\"etsiU\":[{\"xVals\":[{\"x509Cert\":{\"val\":\"AAAA\"}}]}]},\"payload\":\"\",\"signature\":\"AA\"}", "xVals x509Cert entry is not strict DER"},
      {"rVals-not-object", "{\"protected\":\"" + b64url("{\"alg\":\"ES256\"}") + "\",\"header\":{\"etsiU\":[{\"rVals\":[]}]},\"payload\":\"\",\"signature\":\"AA\"}", "rVals is not an object"},
      {"sigTst-token-not-base64", "{\"protected\":\"" + b64url("{\"alg\":\"ES256\"}") + "\",\"header\":{\"etsiU\":[{\"sigTst\":{\"tstTokens\":[{\"val\":\"%%\"}]}}]},\"payload\":\"\",\"signature\":\"AA\"}", "sigTst"},
  };
  for (const auto& c : cases) {
    auto r = verify_jws(c.text);
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << c.name << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << c.name << ": " << r.error().message;
  }
}

// Mutations that parse but must not verify.
TEST_F(JadesSign, MutationsDoNotVerify) {
  Case c{KeyKind::p256, Serialization::json, false};
  auto j = nlohmann::json::parse(must(sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, options(c, Level::b_t))));
  auto other = nlohmann::json::parse(must(sign_jws(as_bytes("other"), s_pki->signer_cert.get(), *s_pki->signer, options(c, Level::b_t))));

  auto sig_flipped = j;
  std::string s = sig_flipped["signature"];
  s[5] = s[5] == 'A' ? 'B' : 'A';
  sig_flipped["signature"] = s;
  EXPECT_EQ(verify_jws(sig_flipped.dump()).error().code, ErrorCode::denied);

  // The time-stamp of another signature: parses, but its imprint is not this signature's.
  auto tst_swapped = j;
  tst_swapped["header"] = other["header"];
  auto r = verify_jws(tst_swapped.dump());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::denied);
  EXPECT_NE(r.error().message.find("sigTst"), std::string::npos);

  // x5t#S256 of another certificate: the protected header changes, the thumbprint check fails first.
  nlohmann::json h = must(parse_jws(j.dump())).signatures[0].protected_header;
  h["x5t#S256"] = base64url_encode(core::sha256(must(core::x509_to_der(s_pki->root.get()))));
  auto x5t = j;
  x5t["protected"] = b64url(h.dump());
  r = verify_jws(x5t.dump());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("x5t#S256"), std::string::npos) << r.error().message;

  // Detached payload given for an attached JWS, or missing for a detached one.
  EXPECT_EQ(verify_jws(j.dump(), ByteView(kPayload)).error().code, ErrorCode::usage);
  auto detached = must(sign_jws(kPayload, s_pki->signer_cert.get(), *s_pki->signer, options({KeyKind::p256, Serialization::compact, true})));
  EXPECT_EQ(verify_jws(detached).error().code, ErrorCode::usage);
}

// The DSS project's JAdES test files (RS256, general and flattened JSON) parse, and the DSS
// outcomes that concern the JWS signature itself hold. simple-detached.json lists sigD
// (TS 119 182-1 §5.2.8, detached data by reference) in crit, which qualsig does not implement:
// it must be refused by name (RFC 7515 §4.1.11), not verified against the wrong input.
TEST(JadesCorpus, DssFilesParse) {
  const std::filesystem::path dir = "/work/shared/corpus/dss/jades";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "DSS corpus absent: " << dir;
  auto read = [&](const char* name) {
    Bytes b = cades::testing::read_file(dir / name);
    std::string s = to_string(b);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
  };
  for (const char* name : {"altered-jws.json", "jades-flattened-BpT-broken-sigTst.json", "jades-lta-broken-arcTst.json",
                           "jades-lta.json", "jades-triple-LTA.json", "jades-with-broken-attached-counter-signature.json"}) {
    auto doc = parse_jws(read(name));
    EXPECT_TRUE(doc) << name << ": " << (doc ? "" : doc.error().message);
  }
  Bytes sample = cades::testing::read_file(dir / "sample.json");
  auto lta = verify_jws(read("jades-lta.json"));
  ASSERT_TRUE(lta) << "DSS: valid B-LTA: " << lta.error().message;
  // DSS's B-LTA carries one sigTst, three xVals certificates, one CRL and one OCSP response.
  EXPECT_EQ(lta->signatures.at(0).signature_timestamps.size(), 1u);
  EXPECT_EQ(lta->signatures.at(0).certificate_values.size(), 3u);
  EXPECT_EQ(lta->signatures.at(0).crl_values.size(), 1u);
  EXPECT_EQ(lta->signatures.at(0).ocsp_values.size(), 1u);
  // sigD (TS 119 182-1 §5.2.8.3.3) parses: one detached object by URI and SHA-256 digest; its
  // digest is checked by validation/ (validate_jades), which verify_jws leaves to it.
  auto detached = parse_jws(read("simple-detached.json"));
  ASSERT_TRUE(detached) << detached.error().message;
  ASSERT_TRUE(detached->signatures.at(0).sigd);
  EXPECT_EQ(detached->signatures.at(0).sigd->uris, std::vector<std::string>{"sample.json"});
  EXPECT_EQ(detached->signatures.at(0).sigd->digests.at(0), core::sha256(to_bytes(base64url_encode(sample))));
  auto sig_d = verify_jws(read("simple-detached.json"), ByteView(sample));
  ASSERT_FALSE(sig_d);
  EXPECT_NE(sig_d.error().message.find("sigD"), std::string::npos) << sig_d.error().message;
  auto altered = verify_jws(read("altered-jws.json"));
  ASSERT_FALSE(altered);
  EXPECT_EQ(altered.error().code, ErrorCode::denied);
  auto broken_tst = verify_jws(read("jades-flattened-BpT-broken-sigTst.json"));
  ASSERT_FALSE(broken_tst);
  EXPECT_EQ(broken_tst.error().code, ErrorCode::denied);
}

}  // namespace
}  // namespace qualsig::formats::jades
