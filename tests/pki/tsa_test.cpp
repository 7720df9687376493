// The RFC 3161 time-stamping unit, checked by independent verifiers: requests are made by
// `openssl ts -query`, responses read by `openssl ts -reply -text` and verified by
// `openssl ts -verify`, and tokens read by @peculiar/asn1-tsp and verified by pkijs
// (tests/interop/tsa_check.mjs). Every key lives in a SoftHSM2 token.
#include "pki/tsa.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "core/fs.h"
#include "hsm/openssl_bridge.h"
#include "hsm/signer.h"
#include "pki/certificate_builder.h"
#include "pki/profiles.h"
#include "support/run_command.h"
#include "support/softhsm.h"
#include "support/temp_dir.h"

namespace qualsig::pki {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using qualsig::testing::CommandResult;
using qualsig::testing::run;

const std::string kInterop = QUALSIG_SOURCE_DIR "/tests/interop";

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

template <typename T>
T must(Result<T> r) {
  if (!r) throw std::runtime_error(r.error().message + " " + r.error().detail);
  return std::move(r).value();
}

// Strictly increasing serials from `first`; counts its calls; thread-safe.
class Serials {
 public:
  explicit Serials(std::uint64_t first = 1) : m_next(first) {}
  TsaSerialSource source() {
    return [this]() -> Result<std::uint64_t> {
      ++m_calls;
      return m_next.fetch_add(1);
    };
  }
  int calls() const { return m_calls; }

 private:
  std::atomic<std::uint64_t> m_next;
  std::atomic<int> m_calls{0};
};

// The TSA's public key, but every signature fails (a token that went away).
class BrokenSigner final : public hsm::Signer {
 public:
  explicit BrokenSigner(std::shared_ptr<const hsm::Signer> real) : m_real(std::move(real)) {}
  hsm::KeyType key_type() const override { return m_real->key_type(); }
  const EVP_PKEY* public_key() const override { return m_real->public_key(); }
  Result<Bytes> sign_digest(ByteView, core::DigestAlgorithm, hsm::SignatureScheme) const override {
    return fail(ErrorCode::token, "token removed");
  }

 private:
  std::shared_ptr<const hsm::Signer> m_real;
};

// root (P-384) -> qualified issuing CA (P-384) -> TSA (P-256), all keys in one token, certificates
// from pki/profiles.h, issued an hour ago so that `openssl ts -verify` accepts them now.
struct Pki {
  qualsig::testing::SoftHsm hsm{"tsa-test"};
  qualsig::testing::TempDir dir;
  TimePoint issued = std::chrono::floor<std::chrono::seconds>(now_seconds() - 1h);
  std::shared_ptr<hsm::Pkcs11Signer> root_signer = signer(hsm::KeyType::ec_p384, "root", 1);
  std::shared_ptr<hsm::Pkcs11Signer> issuing_signer = signer(hsm::KeyType::ec_p384, "issuing", 2);
  std::shared_ptr<hsm::Pkcs11Signer> tsa_signer = signer(hsm::KeyType::ec_p256, "tsa", 3);
  core::UniquePtr<EVP_PKEY> root_key = must(hsm::make_signing_pkey(root_signer));
  core::UniquePtr<EVP_PKEY> issuing_key = must(hsm::make_signing_pkey(issuing_signer));
  core::UniquePtr<EVP_PKEY> tsa_key = must(hsm::make_signing_pkey(tsa_signer));
  ServiceProfile profile{"Qualsig Test", "VATNL-123456789B01", "NL", "http://localhost:8080"};
  core::UniquePtr<X509> root = must(issue_certificate(root_ca_request(profile, root_signer->public_key(), issued),
                                                      nullptr, root_key.get()));
  core::UniquePtr<X509> issuing = must(issue_certificate(
      issuing_ca_request(profile, issuing_signer->public_key(), issued), root.get(), root_key.get()));
  core::UniquePtr<X509> tsa = must(issue_certificate(tsa_request(profile, tsa_signer->public_key(), issued),
                                                     issuing.get(), issuing_key.get()));

  Pki() {
    std::ofstream(path("root.pem")) << must(core::x509_to_pem(root.get()));
    std::ofstream(path("chain.pem")) << must(core::x509_to_pem(issuing.get())) << must(core::x509_to_pem(tsa.get()));
    write("data.bin", to_bytes("the document that existed at genTime\n"));
    write("data2.bin", to_bytes("the document that existed at genTimf\n"));  // one byte changed
  }
  std::shared_ptr<hsm::Pkcs11Signer> signer(hsm::KeyType type, const std::string& label, std::uint8_t id) {
    return must(hsm::Pkcs11Signer::create(hsm.token(), must(hsm.token()->generate_key(type, label, Bytes{id}))));
  }
  TsaIdentity identity() const { return {tsa.get(), tsa_key.get(), {issuing.get(), root.get()}}; }
  std::string path(const std::string& name) const { return (dir.path() / name).string(); }
  void write(const std::string& name, const Bytes& b) const {
    std::ofstream(path(name), std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  Bytes read(const std::string& name) const {
    auto text = core::read_file(path(name));
    return text ? to_bytes(*text) : Bytes{};
  }
  // `openssl ts -query <args> -out req.der`, run in the temporary directory.
  Bytes query(const std::string& args) const {
    CommandResult r = run("cd " + dir.path().string() + " && openssl ts -query " + args + " -out req.der");
    EXPECT_EQ(r.status, 0) << r.output;
    return read("req.der");
  }
  CommandResult openssl(const std::string& args, const Bytes& response) const {
    write("resp.der", response);
    return run("cd " + dir.path().string() + " && openssl ts " + args);
  }
  CommandResult reply_text(const Bytes& response) const { return openssl("-reply -in resp.der -text", response); }
  CommandResult verify(const Bytes& response, const std::string& data) const {
    return openssl("-verify -data " + data + " -in resp.der -CAfile root.pem -untrusted chain.pem", response);
  }
  // tests/interop/tsa_check.mjs over `items`; one result object per item.
  json node_check(json items) const {
    json in = {{"tsaCert", base64_encode(must(core::x509_to_der(tsa.get())))},
               {"root", base64_encode(must(core::x509_to_der(root.get())))},
               {"extraCerts", {base64_encode(must(core::x509_to_der(issuing.get())))}},
               {"items", std::move(items)}};
    write("check.json", to_bytes(in.dump()));
    CommandResult r = run("node " + kInterop + "/tsa_check.mjs < " + path("check.json"));
    EXPECT_EQ(r.status, 0) << r.output;
    auto out = json::parse(r.output, nullptr, false);
    return out.is_array() ? out : json::array();
  }
};

class TsaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s_pki = std::make_unique<Pki>(); }
  static void TearDownTestSuite() { s_pki.reset(); }
  static Bytes respond(ByteView req, Serials& serials, TimePoint now, const TsaOptions& options = {}) {
    return timestamp_respond(req, s_pki->identity(), options, serials.source(), now);
  }
  static TimePoint now() { return s_pki->issued + 1h; }
  static bool have_node() { return std::filesystem::exists(kInterop + "/node_modules/pkijs"); }
  static inline std::unique_ptr<Pki> s_pki;
};

TimestampResponse parsed(const Bytes& response) {
  auto r = parse_timestamp_response(response);
  if (!r) ADD_FAILURE() << r.error().message << " " << r.error().detail;
  return r ? std::move(r).value() : TimestampResponse{};
}

// The line of `openssl ts ... -text` output that starts with `key`, without the key.
std::string field(const std::string& text, const std::string& key) {
  auto at = text.find("\n" + key);
  if (at == std::string::npos) return "<no " + key + ">";
  at += key.size() + 1;
  return text.substr(at, text.find('\n', at) - at);
}

TEST_F(TsaTest, OpensslQueriesAreGrantedAndVerifyWithOpenssl) {
  const Pki& pki = *s_pki;
  Serials serials(0x1122334455667788);
  TsaOptions options;
  options.accuracy = 1500ms;
  for (const char* hash : {"-sha256", "-sha384", "-sha512"}) {
    for (const std::string extra : {"-cert", "-cert -no_nonce", "", "-tspolicy 0.4.0.2023.1.1"}) {
      SCOPED_TRACE(std::string(hash) + " " + extra);
      Bytes req = pki.query("-data data.bin " + std::string(hash) + " " + extra);
      const std::string nonce = field(run("openssl ts -query -in " + pki.path("req.der") + " -text").output, "Nonce: ");
      const int calls = serials.calls();
      Bytes resp = respond(req, serials, now(), options);
      ASSERT_EQ(serials.calls(), calls + 1);
      CommandResult text = pki.reply_text(resp);
      ASSERT_EQ(text.status, 0) << text.output;
      const std::string& t = text.output;
      EXPECT_EQ(field(t, "Status: "), "Granted.") << t;
      EXPECT_EQ(field(t, "Policy OID: "), "0.4.0.2023.1.1") << t;
      EXPECT_EQ(field(t, "Hash Algorithm: "), std::string(hash + 1)) << t;
      EXPECT_EQ(field(t, "Accuracy: "), "0x01 seconds, 0x01F4 millis, unspecified micros") << t;
      EXPECT_EQ(field(t, "Ordering: "), "no") << t;
      EXPECT_EQ(field(t, "TSA: "), "unspecified") << t;
      EXPECT_EQ(field(t, "Nonce: "), contains(extra, "no_nonce") ? "unspecified" : nonce) << t;
      char serial[32];
      std::snprintf(serial, sizeof serial, "0x%016llX", static_cast<unsigned long long>(0x1122334455667788 + calls));
      EXPECT_EQ(field(t, "Serial number: "), serial) << t;
      // The TSA certificate comes from -untrusted when the token carries none.
      CommandResult ok = pki.verify(resp, "data.bin");
      EXPECT_EQ(ok.status, 0) << ok.output;
      EXPECT_TRUE(contains(ok.output, "Verification: OK")) << ok.output;
      CommandResult bad = pki.verify(resp, "data2.bin");
      EXPECT_NE(bad.status, 0) << bad.output;
      EXPECT_TRUE(contains(bad.output, "Verification: FAILED")) << bad.output;
    }
  }
}

TEST_F(TsaTest, TokenReadByPeculiarAndVerifiedByPkijs) {
  if (!have_node()) GTEST_SKIP() << "tests/interop/node_modules missing (scripts/install-deps)";
  const Pki& pki = *s_pki;
  Serials serials(42);
  const Bytes data = pki.read("data.bin");
  const Bytes digest = core::sha256(data);
  TsaOptions sha384;
  sha384.signing_digest = core::DigestAlgorithm::sha384;
  TsaOptions no_accuracy;
  no_accuracy.accuracy = 0ms;
  const Bytes with_certs = respond(pki.query("-data data.bin -sha256 -cert"), serials, now());
  const Bytes without = respond(pki.query("-data data.bin -sha256 -no_nonce"), serials, now() + 1s, sha384);
  const Bytes plain = respond(pki.query("-data data.bin -sha256 -cert"), serials, now(), no_accuracy);
  json out = pki.node_check({{{"response", base64_encode(with_certs)}, {"data", base64_encode(data)}},
                             {{"response", base64_encode(without)}, {"data", base64_encode(data)}},
                             {{"response", base64_encode(plain)}, {"data", base64_encode(data)}}});
  ASSERT_EQ(out.size(), 3u) << out.dump();
  for (json r : out) {
    SCOPED_TRACE(r.dump(1));
    EXPECT_EQ(r["status"], 0);
    EXPECT_EQ(r["failInfo"], json::array());
    json tok = r["token"];
    EXPECT_EQ(tok["error"], nullptr);
    EXPECT_EQ(tok["signatureVerified"], true);
    EXPECT_EQ(tok["chainVerified"], true);
    EXPECT_EQ(tok["eContentType"], "1.2.840.113549.1.9.16.1.4");  // RFC 3161 §2.4.2 id-ct-TSTInfo
    EXPECT_EQ(tok["tst"]["version"], 1);
    EXPECT_EQ(tok["tst"]["policy"], oid::kTsPolicyBestPractices);
    EXPECT_EQ(tok["tst"]["hashAlg"], "2.16.840.1.101.3.4.2.1");
    EXPECT_EQ(tok["tst"]["imprint"], hex_encode(digest));
    EXPECT_EQ(tok["tst"]["ordering"], false);
    EXPECT_EQ(tok["tst"]["tsa"], false);
    EXPECT_EQ(tok["tst"]["extensions"], false);
    // RFC 5816: ESSCertIDv2 naming the TSA certificate, and no SHA-1 ESSCertID beside it.
    EXPECT_EQ(tok["signingCertificateV2"]["matchesTsaCert"], true);
    EXPECT_EQ(tok["signingCertificateV1"], false);
  }
  EXPECT_EQ(out[0]["token"]["certificates"], 3);  // certReq: TSA, issuing CA, root
  EXPECT_EQ(out[1]["token"]["certificates"], 0);
  EXPECT_EQ(out[0]["token"]["tst"]["serial"], "2a");
  EXPECT_EQ(out[1]["token"]["tst"]["serial"], "2b");
  EXPECT_EQ(out[0]["token"]["tst"]["genTime"], to_rfc3339(now()).replace(19, 1, ".000Z"));
  EXPECT_EQ(out[1]["token"]["tst"]["genTime"], to_rfc3339(now() + 1s).replace(19, 1, ".000Z"));
  EXPECT_EQ(out[0]["token"]["signingCertificateV2"]["hashAlg"], "2.16.840.1.101.3.4.2.1");
  EXPECT_EQ(out[1]["token"]["signingCertificateV2"]["hashAlg"], "2.16.840.1.101.3.4.2.2");
  EXPECT_EQ(out[0]["token"]["tst"]["accuracy"], (json{{"seconds", 1}, {"millis", nullptr}, {"micros", nullptr}}));
  EXPECT_EQ(out[2]["token"]["tst"]["accuracy"], nullptr);
  EXPECT_NE(out[0]["token"]["tst"]["nonce"], nullptr);
  EXPECT_EQ(out[1]["token"]["tst"]["nonce"], nullptr);
  // The token our parser cuts out of the response is the one pkijs verifies.
  json token = pki.node_check({{{"token", base64_encode(parsed(with_certs).token_der)}, {"data", base64_encode(data)}}});
  ASSERT_EQ(token.size(), 1u);
  EXPECT_EQ(token[0]["token"]["signatureVerified"], true) << token.dump();
  // And pkijs refuses the token for other data.
  json other = pki.node_check({{{"response", base64_encode(with_certs)}, {"data", base64_encode(pki.read("data2.bin"))}}});
  ASSERT_EQ(other.size(), 1u);
  EXPECT_NE(other[0]["token"]["error"], nullptr) << other.dump();
  EXPECT_EQ(other[0]["token"]["signatureVerified"], false) << other.dump();
}

TEST_F(TsaTest, SerialsComeVerbatimFromTheSourceAndIncrease) {
  const Pki& pki = *s_pki;
  const Bytes req = pki.query("-data data.bin -sha256");
  for (std::uint64_t first : {std::uint64_t{1}, std::uint64_t{0xfffffffffffffffc}}) {
    Serials serials(first);
    for (std::uint64_t i = 0; i < 4; ++i) {
      CommandResult text = pki.reply_text(respond(req, serials, now()));
      char expected[32];
      std::snprintf(expected, sizeof expected, first == 1 ? "0x%02llX" : "0x%016llX",
                    static_cast<unsigned long long>(first + i));
      EXPECT_EQ(field(text.output, "Serial number: "), expected) << text.output;
    }
    EXPECT_EQ(serials.calls(), 4);
  }
}

// A TimeStampReq built in-process, for what `openssl ts -query` cannot produce.
struct Crafted {
  long version = 1;
  int nid = NID_sha256;
  std::size_t imprint_octets = 32;
  bool octet_string_parameter = false;
  std::size_t nonce_octets = 8;
  int extension = -1;  // -1 none, else its critical flag
};

Bytes craft(const Crafted& c) {
  auto req = core::wrap(TS_REQ_new());
  TS_MSG_IMPRINT* imprint = TS_REQ_get_msg_imprint(req.get());
  Bytes digest(c.imprint_octets, 0xab);
  EXPECT_EQ(TS_REQ_set_version(req.get(), c.version), 1);
  if (c.octet_string_parameter) {
    auto param = core::wrap(ASN1_OCTET_STRING_new());
    ASN1_OCTET_STRING_set(param.get(), digest.data(), 4);
    X509_ALGOR_set0(TS_MSG_IMPRINT_get_algo(imprint), OBJ_nid2obj(c.nid), V_ASN1_OCTET_STRING, param.release());
  } else {
    X509_ALGOR_set0(TS_MSG_IMPRINT_get_algo(imprint), OBJ_nid2obj(c.nid), V_ASN1_NULL, nullptr);
  }
  TS_MSG_IMPRINT_set_msg(imprint, digest.data(), static_cast<int>(digest.size()));
  Bytes nonce_octets(c.nonce_octets, 0x5a);
  auto bn = core::wrap(BN_bin2bn(nonce_octets.data(), static_cast<int>(nonce_octets.size()), nullptr));
  auto nonce = core::wrap(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  TS_REQ_set_nonce(req.get(), nonce.get());
  if (c.extension >= 0) {
    auto obj = core::wrap(OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1));
    auto value = core::wrap(ASN1_OCTET_STRING_new());
    ASN1_OCTET_STRING_set(value.get(), reinterpret_cast<const unsigned char*>("\x05\x00"), 2);
    auto ext = core::wrap(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), c.extension, value.get()));
    TS_REQ_add_ext(req.get(), ext.get(), -1);
  }
  unsigned char* buf = nullptr;
  int len = i2d_TS_REQ(req.get(), &buf);
  Bytes out(buf, buf + std::max(len, 0));
  OPENSSL_free(buf);
  return out;
}

TEST_F(TsaTest, EveryRejectionCarriesItsRfc3161FailureCode) {
  const Pki& pki = *s_pki;
  const Bytes good = pki.query("-data data.bin -sha256 -cert");
  Bytes trailing = good;
  trailing.push_back(0x00);
  // The same SEQUENCE with a long-form length: BER, not DER. (Built by copy: GCC 12 -O3 reports
  // a false -Warray-bounds for inserting into a two-element vector.)
  Bytes long_form(good.size() + 1);
  long_form[0] = 0x30;
  long_form[1] = 0x81;
  std::copy(good.begin() + 1, good.end(), long_form.begin() + 2);
  Bytes cert_req_false = pki.query("-data data.bin -sha256 -no_nonce");  // certReq absent ...
  // ... written as FALSE: DER omits a DEFAULT. push_back: GCC 12 -O3 reports a false
  // -Warray-bounds for insert({...}).
  for (std::uint8_t c : {0x01, 0x01, 0x00}) cert_req_false.push_back(c);
  cert_req_false[1] = static_cast<std::uint8_t>(cert_req_false[1] + 3);   // (short-form length)
  struct Case {
    const char* name;
    Bytes request;
    TsaFailure failure;
    const char* openssl_text;  // `openssl ts -reply -text` "Failure info:"
  };
  const Case cases[] = {
      {"sha1-imprint", pki.query("-data data.bin -sha1"), TsaFailure::bad_alg, "unrecognized or unsupported algorithm identifier"},
      {"md5-imprint", pki.query("-data data.bin -md5"), TsaFailure::bad_alg, "unrecognized or unsupported algorithm identifier"},
      {"sha256-with-parameters", craft({.octet_string_parameter = true}), TsaFailure::bad_alg, "unrecognized or unsupported algorithm identifier"},
      {"imprint-20-octets-for-sha256", craft({.imprint_octets = 20}), TsaFailure::bad_data_format, "the data submitted has the wrong format"},
      {"imprint-32-octets-for-sha512", craft({.nid = NID_sha512}), TsaFailure::bad_data_format, "the data submitted has the wrong format"},
      {"other-policy", pki.query("-data data.bin -sha256 -tspolicy 1.2.3.4"), TsaFailure::unaccepted_policy, "the requested TSA policy is not supported by the TSA"},
      {"extension", craft({.extension = 0}), TsaFailure::unaccepted_extension, "the requested extension is not supported by the TSA"},
      {"critical-extension", craft({.extension = 1}), TsaFailure::unaccepted_extension, "the requested extension is not supported by the TSA"},
      {"version-2", craft({.version = 2}), TsaFailure::bad_request, "transaction not permitted or supported"},
      {"nonce-33-octets", craft({.nonce_octets = 33}), TsaFailure::bad_request, "transaction not permitted or supported"},
      {"empty", Bytes{}, TsaFailure::bad_data_format, "the data submitted has the wrong format"},
      {"garbage", to_bytes("POST /tsa HTTP/1.1\r\n"), TsaFailure::bad_data_format, "the data submitted has the wrong format"},
      {"truncated", Bytes(good.begin(), good.end() - 1), TsaFailure::bad_data_format, "the data submitted has the wrong format"},
      {"trailing-zero", trailing, TsaFailure::bad_data_format, "the data submitted has the wrong format"},
      {"long-form-length", long_form, TsaFailure::bad_data_format, "the data submitted has the wrong format"},
      {"cert-req-false-explicit", cert_req_false, TsaFailure::bad_data_format, "the data submitted has the wrong format"},
      {"oversized", Bytes(9000, 0x30), TsaFailure::bad_data_format, "the data submitted has the wrong format"},
  };
  json items = json::array();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Serials serials;
    Bytes resp = respond(c.request, serials, now());
    EXPECT_EQ(serials.calls(), 0);  // refused before a serial is taken
    TimestampResponse r = parsed(resp);
    EXPECT_EQ(r.status, TsaStatus::rejection);
    EXPECT_EQ(r.failures, std::vector<TsaFailure>{c.failure});
    EXPECT_TRUE(r.token_der.empty());
    EXPECT_FALSE(r.status_text.empty());
    CommandResult text = pki.reply_text(resp);
    EXPECT_EQ(field(text.output, "Status: "), "Rejected.") << text.output;
    EXPECT_EQ(field(text.output, "Failure info: "), c.openssl_text) << text.output;
    items.push_back({{"response", base64_encode(resp)}});
  }
  if (!have_node()) return;
  json out = pki.node_check(items);
  ASSERT_EQ(out.size(), std::size(cases));
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    EXPECT_EQ(out[i]["status"], 2) << cases[i].name;
    EXPECT_EQ(out[i]["failInfo"], json::array({tsa_failure_name(cases[i].failure)})) << cases[i].name;
    EXPECT_EQ(out[i]["token"], nullptr) << cases[i].name;
  }
}

TEST_F(TsaTest, NonceOfThirtyTwoOctetsIsGranted) {
  Serials serials;
  TimestampResponse r = parsed(respond(craft({.nonce_octets = 32}), serials, now()));
  EXPECT_EQ(r.status, TsaStatus::granted) << r.status_text;
  EXPECT_EQ(serials.calls(), 1);
}

TEST_F(TsaTest, TimeOutsideTheCertificateValidityIsTimeNotAvailable) {
  const Bytes req = s_pki->query("-data data.bin -sha256");
  const TimePoint not_after = s_pki->issued + std::chrono::days(5 * 365);  // profiles.h: 5 years
  struct Case {
    TimePoint at;
    TsaStatus status;
  };
  for (const Case& c : {Case{s_pki->issued - 1s, TsaStatus::rejection}, Case{s_pki->issued, TsaStatus::granted},
                        Case{not_after, TsaStatus::granted}, Case{not_after + 1s, TsaStatus::rejection}}) {
    SCOPED_TRACE(to_rfc3339(c.at));
    Serials serials;
    Bytes resp = respond(req, serials, c.at);
    TimestampResponse r = parsed(resp);
    EXPECT_EQ(r.status, c.status);
    if (c.status == TsaStatus::rejection) {
      EXPECT_EQ(r.failures, std::vector<TsaFailure>{TsaFailure::time_not_available});
      EXPECT_EQ(field(s_pki->reply_text(resp).output, "Failure info: "), "the TSA's time source is not available");
    }
    EXPECT_EQ(serials.calls(), c.status == TsaStatus::granted ? 1 : 0);
  }
}

TEST_F(TsaTest, SerialSourceAndSigningFailuresAreSystemFailure) {
  const Pki& pki = *s_pki;
  const Bytes req = pki.query("-data data.bin -sha256 -cert");
  auto broken_key = must(hsm::make_signing_pkey(std::make_shared<BrokenSigner>(pki.tsa_signer)));
  TsaOptions bad_policy;
  bad_policy.policy_oid = "not an oid";
  const TsaSerialSource down = []() -> Result<std::uint64_t> { return fail(ErrorCode::database, "database is down"); };
  const TsaSerialSource throws = []() -> Result<std::uint64_t> { throw std::runtime_error("bug"); };
  Serials counting;
  struct Case {
    const char* name;
    TsaIdentity identity;
    TsaOptions options;
    TsaSerialSource serials;
  };
  // Named, not `{}`: GCC 12 -O3 reports a false -Wmaybe-uninitialized for {} in this table.
  const TsaOptions defaults;
  const Case cases[] = {
      {"serial-source-down", pki.identity(), defaults, down},
      {"serial-source-throws", pki.identity(), defaults, throws},
      {"no-serial-source", pki.identity(), defaults, TsaSerialSource{}},
      {"token-cannot-sign", {pki.tsa.get(), broken_key.get(), {}}, defaults, counting.source()},
      {"certificate-without-time-stamping-eku", {pki.issuing.get(), pki.issuing_key.get(), {}}, defaults, counting.source()},
      {"key-of-another-certificate", {pki.tsa.get(), pki.issuing_key.get(), {}}, defaults, counting.source()},
      {"null-certificate", {nullptr, pki.tsa_key.get(), {}}, defaults, counting.source()},
      {"bad-policy-oid", pki.identity(), bad_policy, counting.source()},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Bytes resp = timestamp_respond(req, c.identity, c.options, c.serials, now());
    TimestampResponse r = parsed(resp);
    EXPECT_EQ(r.status, TsaStatus::rejection);
    EXPECT_EQ(r.failures, std::vector<TsaFailure>{TsaFailure::system_failure});
    EXPECT_EQ(field(pki.reply_text(resp).output, "Failure info: "), "the request cannot be handled due to system failure");
  }
  // Only the broken token took a serial: it was signing that failed, after every check.
  EXPECT_EQ(counting.calls(), 1);
}

TEST_F(TsaTest, TimestampDigestTokenVerifiesWithOpenssl) {
  const Pki& pki = *s_pki;
  const Bytes data = pki.read("data.bin");
  for (core::DigestAlgorithm alg : {core::DigestAlgorithm::sha256, core::DigestAlgorithm::sha384, core::DigestAlgorithm::sha512}) {
    SCOPED_TRACE(core::digest_name(alg));
    Serials serials(7);
    const Bytes digest = core::digest(alg, data);
    const Bytes token = must(timestamp_digest(digest, alg, pki.identity(), {}, serials.source(), now()));
    EXPECT_EQ(serials.calls(), 1);
    CommandResult ok = pki.openssl("-verify -in resp.der -token_in -digest " + hex_encode(digest) +
                                       " -CAfile root.pem -untrusted chain.pem", token);
    EXPECT_EQ(ok.status, 0) << ok.output;
    EXPECT_TRUE(contains(ok.output, "Verification: OK")) << ok.output;
    CommandResult bad = pki.openssl("-verify -in resp.der -token_in -digest " + hex_encode(core::digest(alg, to_bytes("x"))) +
                                        " -CAfile root.pem -untrusted chain.pem", token);
    EXPECT_NE(bad.status, 0) << bad.output;
    CommandResult text = pki.openssl("-reply -in resp.der -token_in -text", token);
    EXPECT_EQ(field(text.output, "Serial number: "), "0x07") << text.output;
    EXPECT_NE(field(text.output, "Nonce: "), "unspecified") << text.output;
  }
}

// A caller's own nonce (CSC signatures/timestamp) is the one in the token, as openssl reads it;
// an empty or oversized one is refused before a serial is taken.
TEST_F(TsaTest, TimestampDigestCarriesARequestedNonce) {
  const Pki& pki = *s_pki;
  Serials serials(3);
  const Bytes digest = core::sha256(pki.read("data.bin"));
  const Bytes nonce = {0x9f, 0x2c, 0x41};
  const Bytes token = must(timestamp_digest(digest, core::DigestAlgorithm::sha256, pki.identity(), {}, serials.source(), now(),
                                            ByteView(nonce)));
  CommandResult text = pki.openssl("-reply -in resp.der -token_in -text", token);
  EXPECT_EQ(field(text.output, "Nonce: "), "0x9F2C41") << text.output;
  for (const Bytes& bad : {Bytes{}, Bytes(kMaxNonceOctets + 1, 0x11)}) {
    auto r = timestamp_digest(digest, core::DigestAlgorithm::sha256, pki.identity(), {}, serials.source(), now(), ByteView(bad));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  }
  EXPECT_EQ(serials.calls(), 1);
}

TEST_F(TsaTest, TimestampDigestErrors) {
  const Pki& pki = *s_pki;
  Serials serials;
  auto short_digest = timestamp_digest(Bytes(20, 1), core::DigestAlgorithm::sha256, pki.identity(), {}, serials.source(), now());
  ASSERT_FALSE(short_digest);
  EXPECT_EQ(short_digest.error().code, ErrorCode::invalid_input);
  const Bytes digest(48, 1);
  auto expired = timestamp_digest(digest, core::DigestAlgorithm::sha384, pki.identity(), {}, serials.source(), pki.issued - 1s);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::conflict);
  EXPECT_EQ(serials.calls(), 0);
  const TsaSerialSource down = []() -> Result<std::uint64_t> { return fail(ErrorCode::database, "down"); };
  auto no_serial = timestamp_digest(digest, core::DigestAlgorithm::sha384, pki.identity(), {}, down, now());
  ASSERT_FALSE(no_serial);
  EXPECT_EQ(no_serial.error().code, ErrorCode::unavailable);
  EXPECT_TRUE(contains(no_serial.error().message, "serial number source")) << no_serial.error().message;
}

TEST_F(TsaTest, ParseRefusesTruncatedTrailingAndIndefiniteResponses) {
  Serials serials;
  const Bytes resp = respond(s_pki->query("-data data.bin -sha256 -cert"), serials, now());
  ASSERT_EQ(parsed(resp).status, TsaStatus::granted);
  Bytes trailing = resp;
  trailing.push_back(0);
  const Bytes rejected = respond(to_bytes("x"), serials, now());
  ASSERT_LT(rejected[1], 0x80);  // short-form length, replaced by the BER indefinite form
  Bytes indefinite = {0x30, 0x80};
  indefinite.insert(indefinite.end(), rejected.begin() + 2, rejected.end());
  indefinite.insert(indefinite.end(), {0x00, 0x00});
  ASSERT_EQ(parsed(rejected).failures, std::vector<TsaFailure>{TsaFailure::bad_data_format});
  for (const Bytes& bad : {trailing, Bytes(resp.begin(), resp.end() - 1), Bytes(resp.begin(), resp.begin() + 10), Bytes{},
                           indefinite}) {
    auto r = parse_timestamp_response(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  }
}

// 8 threads x 50 timestamps through the token, all checked by pkijs; serials unique.
TEST_F(TsaTest, ConcurrentTimestampsAreValidAndUnique) {
  if (!have_node()) GTEST_SKIP() << "tests/interop/node_modules missing (scripts/install-deps)";
  constexpr int kThreads = 8;
  constexpr int kEach = 50;
  Serials serials(1000);
  std::vector<std::vector<std::pair<Bytes, Bytes>>> made(kThreads);  // (data, token)
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Bytes data = to_bytes("thread " + std::to_string(t) + " item " + std::to_string(i));
        auto token = timestamp_digest(core::sha256(data), core::DigestAlgorithm::sha256, s_pki->identity(), {},
                                      serials.source(), now());
        if (!token) ++failures;
        else made[static_cast<std::size_t>(t)].emplace_back(std::move(data), std::move(*token));
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures, 0);
  json items = json::array();
  for (const auto& list : made)
    for (const auto& [data, token] : list) items.push_back({{"token", base64_encode(token)}, {"data", base64_encode(data)}});
  json out = s_pki->node_check(items);
  ASSERT_EQ(out.size(), static_cast<std::size_t>(kThreads * kEach));
  std::set<std::string> seen;
  for (json r : out) {
    EXPECT_EQ(r["token"]["signatureVerified"], true) << r.dump();
    EXPECT_EQ(r["token"]["chainVerified"], true) << r.dump();
    seen.insert(r["token"]["tst"]["serial"].get<std::string>());
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(serials.calls(), kThreads * kEach);
}

// Thousands of mutated requests: always one parseable TimeStampResp, a serial only for a grant.
TEST_F(TsaTest, MutatedRequestsNeverCrash) {
  const Pki& pki = *s_pki;
  const Bytes seeds[] = {pki.query("-data data.bin -sha256 -cert"), pki.query("-data data.bin -sha512 -tspolicy 0.4.0.2023.1.1")};
  std::mt19937 rng(3161);
  auto pick = [&](std::size_t n) { return n == 0 ? std::size_t{0} : static_cast<std::size_t>(rng() % n); };
  Serials serials;
  int granted = 0;
  for (int i = 0; i < 3000; ++i) {
    Bytes m = seeds[i % 2];
    switch (i % 6) {
      case 0: m[pick(m.size())] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
      case 1: m[pick(m.size())] = static_cast<std::uint8_t>(rng()); break;
      case 2: m.resize(pick(m.size())); break;
      case 3: m.insert(m.begin() + static_cast<std::ptrdiff_t>(pick(m.size() + 1)), static_cast<std::uint8_t>(rng())); break;
      case 4: m.erase(m.begin() + static_cast<std::ptrdiff_t>(pick(m.size()))); break;
      default: m.resize(pick(300)); for (auto& b : m) b = static_cast<std::uint8_t>(rng()); break;
    }
    auto r = parse_timestamp_response(respond(m, serials, now()));
    ASSERT_TRUE(r) << "mutation " << i << ": " << r.error().message;
    if (r->status == TsaStatus::granted) ++granted;
    else ASSERT_EQ(r->failures.size(), 1u) << "mutation " << i;
  }
  EXPECT_EQ(serials.calls(), granted);
  EXPECT_GT(granted, 0);  // flips inside the imprint still make valid requests
}

}  // namespace
}  // namespace qualsig::pki
