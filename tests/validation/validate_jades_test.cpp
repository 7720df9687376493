// JAdES validation (EN 319 102-1 over TS 119 182-1 signatures) of JWS made by qualsig's
// formats/jades; jose (tests/interop/jades_check.mjs) is the independent verifier.

#include <gtest/gtest.h>

#include <filesystem>

#include "formats/cades_test_support.h"
#include "formats/jades.h"
#include "validation/validate.h"

namespace qualsig::validation {
namespace {

using namespace std::chrono_literals;
using formats::cades::testing::CadesPki;
using formats::cades::testing::kSigningTime;
using formats::cades::testing::must;
using formats::cades::testing::write_file;
namespace jades = formats::jades;

const Bytes kPayload = to_bytes("{\"invoice\":42}");

class ValidateJades : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s_pki = new CadesPki(); }
  static void TearDownTestSuite() {
    delete s_pki;
    s_pki = nullptr;
  }
  CadesPki& pki() { return *s_pki; }

  std::string sign(jades::Level level, jades::Serialization serialization) {
    jades::SignOptions o;
    o.level = level;
    o.serialization = serialization;
    o.signing_time = kSigningTime;
    o.chain = {pki().issuing.get(), pki().root.get()};
    o.timestamp = pki().tsa.fn();
    o.validation_data = pki().validation_data();
    return must(jades::sign_jws(kPayload, pki().signer_cert.get(), *pki().signer, o));
  }

  ValidationOptions options() {
    ValidationOptions o;
    o.trust_anchors = {must(core::x509_to_der(pki().root.get()))};
    o.validation_time = kSigningTime + 24h;
    auto vd = pki().validation_data();
    o.extra_certificates = vd.certificates;
    o.extra_ocsp_responses = vd.ocsp_responses;
    o.extra_crls = vd.crls;
    return o;
  }

  // jose's verdict on the JWS (exit status 0: verified).
  int jose(const std::string& jws) {
    write_file(pki().path("sig.jws"), to_bytes(jws));
    return qualsig::testing::run("node " QUALSIG_SOURCE_DIR "/tests/interop/jades_check.mjs " + pki().path("sig.jws") + " " +
                                 pki().path("signer.pem") + " ES256")
        .status;
  }

  static CadesPki* s_pki;
};
CadesPki* ValidateJades::s_pki = nullptr;

TEST_F(ValidateJades, EveryLevelPassesAndJoseAgrees) {
  const std::pair<jades::Level, jades::Serialization> cases[] = {
      {jades::Level::b_b, jades::Serialization::compact},
      {jades::Level::b_t, jades::Serialization::json},
      {jades::Level::b_lt, jades::Serialization::json},
      {jades::Level::b_lta, jades::Serialization::json},
  };
  const char* names[] = {"JAdES-BASELINE-B", "JAdES-BASELINE-T", "JAdES-BASELINE-LT", "JAdES-BASELINE-LTA"};
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(names[i]);
    std::string jws = sign(cases[i].first, cases[i].second);
    ValidationOptions o = options();
    if (cases[i].first >= jades::Level::b_lt) {  // its own xVals / rVals must suffice
      o.extra_certificates.clear();
      o.extra_ocsp_responses.clear();
      o.extra_crls.clear();
    }
    auto r = validate(to_bytes(jws), o);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->document_format, "JAdES");
    ASSERT_EQ(r->signatures.size(), 1u);
    const SignatureReport& s = r->signatures[0];
    EXPECT_EQ(s.indication, Indication::total_passed) << (s.reasons.empty() ? "" : s.reasons[0]);
    EXPECT_EQ(s.level, names[i]);
    ASSERT_TRUE(s.claimed_signing_time);
    EXPECT_EQ(*s.claimed_signing_time, kSigningTime);
    // B-LTA: the sigTst and the arcTst, whose imprint (§5.3.6.3.1) the validator recomputes.
    EXPECT_EQ(s.timestamps.size(), cases[i].first == jades::Level::b_b ? 0u : cases[i].first == jades::Level::b_lta ? 2u : 1u);
    for (const auto& t : s.timestamps) EXPECT_EQ(t.indication, Indication::passed) << (t.reasons.empty() ? "" : t.reasons[0]);
    EXPECT_EQ(s.chain.size(), 3u);
    EXPECT_EQ(jose(jws), 0);
  }
}

TEST_F(ValidateJades, ChangedSignatureIsSigCryptoFailure) {
  std::string jws = sign(jades::Level::b_b, jades::Serialization::compact);
  // A character inside the base64url signature (not the last, whose low bits may be unused).
  std::size_t at = jws.rfind('.') + 5;
  jws[at] = jws[at] == 'A' ? 'B' : 'A';
  auto r = validate(to_bytes(jws), options());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->signatures.size(), 1u);
  EXPECT_EQ(r->signatures[0].indication, Indication::total_failed);
  EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::sig_crypto_failure);
  EXPECT_NE(jose(jws), 0);
}

TEST_F(ValidateJades, HostileInputIsAClearError) {
  std::string jws = sign(jades::Level::b_t, jades::Serialization::json);
  for (std::size_t n : {std::size_t{1}, jws.size() / 3, jws.size() / 2, jws.size() - 1}) {
    auto r = validate(to_bytes(jws.substr(0, n)), options());
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  }
  std::string nested(100, '[');
  EXPECT_EQ(validate(to_bytes("{\"payload\":" + nested), options()).error().code, ErrorCode::invalid_input);
}

// A compact JWS whose data is detached by reference (TS 119 182-1 §5.2.8.3.3, ObjectIdByURIHash):
// empty payload, sigD naming `uris` with `digests` (base64url text as written). Signed with the
// test signer over BASE64URL(header) ".".
std::string sigd_jws(CadesPki& pki, const nlohmann::json& sigd) {
  nlohmann::json h;
  h["alg"] = "ES256";
  h["x5c"] = nlohmann::json::array({base64_encode(must(core::x509_to_der(pki.signer_cert.get()))),
                                     base64_encode(must(core::x509_to_der(pki.issuing.get())))});
  h["sigT"] = to_rfc3339(kSigningTime);
  h["sigD"] = sigd;
  h["crit"] = nlohmann::json::array({"sigT", "sigD"});
  const std::string header = base64url_encode(to_bytes(h.dump()));
  const std::string input = header + ".";
  Bytes der = must(pki.signer->sign_digest(core::sha256(to_bytes(input)), core::DigestAlgorithm::sha256,
                                           hsm::SignatureScheme::ecdsa));
  return input + "." + base64url_encode(must(core::ecdsa_der_to_raw(der, 32)));
}

nlohmann::json by_uri_hash(const std::vector<std::string>& uris, const std::vector<Bytes>& data) {
  nlohmann::json hash_v = nlohmann::json::array();
  // §5.2.8.3.3 with b64 absent (true): the digest of the base64url-encoded object.
  for (const Bytes& d : data) hash_v.push_back(base64url_encode(core::sha256(to_bytes(base64url_encode(d)))));
  return {{"mId", "http://uri.etsi.org/19182/ObjectIdByURIHash"}, {"pars", uris}, {"hashM", "S256"}, {"hashV", hash_v}};
}

TEST_F(ValidateJades, DetachedObjectByUriHashIsCheckedByItsDigest) {
  const std::string jws = sigd_jws(pki(), by_uri_hash({"invoice.json"}, {kPayload}));
  ValidationOptions o = options();
  o.detached_content = kPayload;
  auto r = validate(to_bytes(jws), o);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->signatures.size(), 1u);
  EXPECT_EQ(r->signatures[0].indication, Indication::total_passed)
      << (r->signatures[0].reasons.empty() ? "" : r->signatures[0].reasons[0]);

  // Other content: the header still verifies, the digest does not match.
  o.detached_content = to_bytes("{\"invoice\":43}");
  r = validate(to_bytes(jws), o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->signatures[0].indication, Indication::total_failed);
  EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::hash_failure);

  // No content: the data cannot be found.
  o.detached_content.reset();
  r = validate(to_bytes(jws), o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::signed_data_not_found);

  // Two objects named, one content given: not enough to validate.
  const std::string two = sigd_jws(pki(), by_uri_hash({"a.json", "b.json"}, {kPayload, kPayload}));
  o.detached_content = kPayload;
  r = validate(to_bytes(two), o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::signed_data_not_found);

  // The signature covers the header with its hashV: another content's digest under the same
  // signature value breaks the signature.
  const std::string other = sigd_jws(pki(), by_uri_hash({"invoice.json"}, {to_bytes("{\"invoice\":43}")}));
  const std::string tampered = other.substr(0, other.rfind('.')) + jws.substr(jws.rfind('.'));
  o.detached_content = to_bytes("{\"invoice\":43}");
  r = validate(to_bytes(tampered), o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::sig_crypto_failure);
}

// What formats::jades::sign_jws_by_reference writes from a digest alone (sigD with b64:false:
// hashV is the digest of the document itself) validates against the document given as detached
// content, at B-T with its time-stamp; another document is HASH_FAILURE.
TEST_F(ValidateJades, SignatureMadeFromADigestValidatesAgainstTheDocument) {
  jades::SignOptions so;
  so.level = jades::Level::b_t;
  so.serialization = jades::Serialization::json;
  so.signing_time = kSigningTime;
  so.chain = {pki().issuing.get(), pki().root.get()};
  so.timestamp = pki().tsa.fn();
  const jades::DetachedObjects objects{core::DigestAlgorithm::sha256, {"document"}, {core::sha256(kPayload)}};
  const std::string jws = must(jades::sign_jws_by_reference(objects, pki().signer_cert.get(), *pki().signer, so));
  ValidationOptions o = options();
  o.detached_content = kPayload;
  auto r = validate(to_bytes(jws), o);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->signatures.size(), 1u);
  const SignatureReport& s = r->signatures[0];
  EXPECT_EQ(s.indication, Indication::total_passed) << (s.reasons.empty() ? "" : s.reasons[0]);
  EXPECT_EQ(s.level, "JAdES-BASELINE-T");
  ASSERT_EQ(s.timestamps.size(), 1u);
  EXPECT_EQ(s.timestamps[0].indication, Indication::passed);

  o.detached_content = to_bytes("{\"invoice\":43}");
  r = validate(to_bytes(jws), o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->signatures[0].indication, Indication::total_failed);
  EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::hash_failure);
}

TEST_F(ValidateJades, MalformedSigDIsAClearError) {
  const auto base = by_uri_hash({"invoice.json"}, {kPayload});
  struct Case {
    const char* what;
    nlohmann::json sigd;
  } cases[] = {
      {"not an object", nlohmann::json::array()},
      {"other mechanism", [&] { auto j = base; j["mId"] = "http://uri.etsi.org/19182/ObjectIdByURI"; return j; }()},
      {"no mId", [&] { auto j = base; j.erase("mId"); return j; }()},
      {"empty pars", [&] { auto j = base; j["pars"] = nlohmann::json::array(); j["hashV"] = nlohmann::json::array(); return j; }()},
      {"hashV shorter", [&] { auto j = base; j["hashV"] = nlohmann::json::array(); return j; }()},
      {"unknown hashM", [&] { auto j = base; j["hashM"] = "MD5"; return j; }()},
      {"short digest", [&] { auto j = base; j["hashV"][0] = "AAAA"; return j; }()},
      {"not base64url", [&] { auto j = base; j["hashV"][0] = "!!"; return j; }()},
      {"pars not strings", [&] { auto j = base; j["pars"][0] = 7; return j; }()},
      {"ctys length", [&] { auto j = base; j["ctys"] = nlohmann::json::array({"json", "json"}); return j; }()},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto r = validate(to_bytes(sigd_jws(pki(), c.sigd)), options());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
    EXPECT_NE(r.error().message.find("sigD"), std::string::npos) << r.error().message;
  }
  // A payload beside sigD.
  std::string jws = sigd_jws(pki(), base);
  jws.insert(jws.find('.') + 1, base64url_encode(kPayload));
  auto r = validate(to_bytes(jws), options());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("payload is not empty"), std::string::npos) << r.error().message;
}

// DSS's JAdES B-LTA files (../shared/corpus, not in the repository): the arcTst message imprint
// (TS 119 182-1 §5.3.6.3.1) computed by qualsig matches DSS's time-stamps, including the second
// and third arcTst of a triple B-LTA (whose input takes the earlier arcTst and tstVD entries),
// and the broken one of jades-lta-broken-arcTst.json is FAILED. The TSA chains are DSS's test PKI,
// untrusted here, so a matching imprint shows as INDETERMINATE, not PASSED.
TEST(ValidateJadesCorpus, ArchiveTimestampImprintsAgreeWithDss) {
  const std::filesystem::path dir = std::filesystem::path(QUALSIG_CORPUS_DIR) / "dss" / "jades";
  if (!std::filesystem::exists(dir / "jades-lta.json")) GTEST_SKIP() << "corpus absent: " << dir;
  auto archive = [&](const char* name) {
    auto r = validate(formats::cades::testing::read_file(dir / name), ValidationOptions{});
    EXPECT_TRUE(r) << name << ": " << r.error().message;
    std::vector<TimestampReport> out;
    if (r)
      for (const auto& t : r->signatures.at(0).timestamps)
        if (t.type == "archive-time-stamp") out.push_back(t);
    return out;
  };
  for (const char* name : {"jades-lta.json", "jades-triple-LTA.json"}) {
    SCOPED_TRACE(name);
    auto arcs = archive(name);
    EXPECT_EQ(arcs.size(), std::string(name) == "jades-lta.json" ? 1u : 3u);
    for (const auto& t : arcs) {
      EXPECT_NE(t.indication, Indication::failed) << (t.reasons.empty() ? "" : t.reasons[0]);
      for (const auto& reason : t.reasons) EXPECT_EQ(reason.find("imprint"), std::string::npos) << reason;
    }
  }
  auto broken = archive("jades-lta-broken-arcTst.json");
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_EQ(broken[0].indication, Indication::failed);
  ASSERT_FALSE(broken[0].reasons.empty());
  EXPECT_NE(broken[0].reasons[0].find("imprint does not match"), std::string::npos) << broken[0].reasons[0];
}

// TS 119 182-1 §5.3.2: an etsiU cSig countersignature is validated as a signature of its own
// (S-1-CS-1) whose payload must be the countersigned signature value; jose verifies the
// countersignature's JWS independently.
TEST_F(ValidateJades, CounterSignatureIsValidatedAsASignatureOfItsOwn) {
  nlohmann::json parent = nlohmann::json::parse(sign(jades::Level::b_b, jades::Serialization::json));
  nlohmann::json& target = parent.contains("signatures") ? parent["signatures"][0] : parent;
  const std::string encoded_value = target["signature"].get<std::string>();
  ASSERT_TRUE(base64url_decode(encoded_value));
  Bytes value = *base64url_decode(encoded_value);
  auto counter_over = [&](const Bytes& payload) {
    jades::SignOptions o;
    o.serialization = jades::Serialization::json;
    o.signing_time = kSigningTime + 1h;
    o.chain = {pki().issuing.get(), pki().root.get()};
    return must(jades::sign_jws(payload, pki().counter_cert.get(), *pki().counter_signer, o));
  };
  auto with_counter = [&](const std::string& counter) {
    nlohmann::json doc = parent;
    nlohmann::json& t = doc.contains("signatures") ? doc["signatures"][0] : doc;
    t["header"]["etsiU"] = nlohmann::json::array({{{"cSig", nlohmann::json::parse(counter)}}});
    return doc.dump();
  };
  ValidationOptions o = options();
  o.extra_ocsp_responses.push_back(pki().ocsp_good(pki().counter_cert.get()));

  auto jose_counter = [&](const std::string& jws) {  // jose on the countersignature's own JWS
    write_file(pki().path("cs.jws"), to_bytes(jws));
    return qualsig::testing::run("node " QUALSIG_SOURCE_DIR "/tests/interop/jades_check.mjs " + pki().path("cs.jws") + " " +
                                 pki().path("counter.pem") + " ES384")
        .status;
  };
  const std::string counter = counter_over(value);
  EXPECT_EQ(jose_counter(counter), 0);
  const std::string countered = with_counter(counter);
  EXPECT_EQ(jose(countered), 0);  // the countersigned signature is unchanged
  ValidationReport r = must(validate(to_bytes(countered), o));
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[0].indication, Indication::total_passed);
  EXPECT_EQ(r.signatures[1].id, "S-1-CS-1");
  EXPECT_EQ(r.signatures[1].counter_signature_of, "S-1");
  EXPECT_EQ(r.signatures[1].signer_certificate, must(core::x509_to_der(pki().counter_cert.get())));
  EXPECT_EQ(r.signatures[1].indication, Indication::total_passed)
      << (r.signatures[1].reasons.empty() ? "" : r.signatures[1].reasons[0]);

  // A countersignature over another value: its own JWS verifies (jose agrees), but it does not
  // countersign this signature.
  Bytes other = value;
  other[0] ^= 0x01;
  const std::string misplaced = counter_over(other);
  EXPECT_EQ(jose_counter(misplaced), 0);
  r = must(validate(to_bytes(with_counter(misplaced)), o));
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[0].indication, Indication::total_passed);
  EXPECT_EQ(r.signatures[1].indication, Indication::total_failed);
  EXPECT_EQ(r.signatures[1].sub_indication, SubIndication::hash_failure);

  // A cSig that is no JWS, and one nested too deep: reported, never fatal.
  r = must(validate(to_bytes(with_counter("{\"payload\":\"e30\"}")), o));
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[1].sub_indication, SubIndication::format_failure);
  std::string nested = counter;
  for (int depth = 0; depth < 6; ++depth) {
    nlohmann::json n = nlohmann::json::parse(counter);
    n["header"]["etsiU"] = nlohmann::json::array({{{"cSig", nlohmann::json::parse(nested)}}});
    nested = n.dump();
  }
  r = must(validate(to_bytes(with_counter(nested)), o));
  EXPECT_LE(r.signatures.size(), 7u);
  EXPECT_EQ(r.signatures.back().sub_indication, SubIndication::format_failure);
}

// EN 319 102-1 §5.6.2.4 with TS 119 182-1 §5.3.6.3.1: an arcTst covers the etsiU entries before
// it, so it is a POE of a cSig before it, whose certificate has expired since, and not of a cSig
// added after it.
TEST_F(ValidateJades, ArchiveTimestampIsAPoeOfTheCounterSignaturesBeforeIt) {
  const TimePoint later = std::chrono::sys_days{std::chrono::January / 1 / 2030};
  auto counter_cert = pki().counter_cert_until(std::chrono::sys_days{std::chrono::June / 1 / 2027});
  nlohmann::json doc = nlohmann::json::parse(sign(jades::Level::b_b, jades::Serialization::json));
  nlohmann::json& target = doc.contains("signatures") ? doc["signatures"][0] : doc;
  const Bytes value = base64url_decode(target["signature"].get<std::string>()).value_or(Bytes{});
  auto counter_at = [&](TimePoint signing_time) {
    jades::SignOptions o;
    o.serialization = jades::Serialization::json;
    o.signing_time = signing_time;
    o.chain = {pki().issuing.get(), pki().root.get()};
    return nlohmann::json::parse(must(jades::sign_jws(value, counter_cert.get(), *pki().counter_signer, o)));
  };
  auto entry = [](const nlohmann::json& j) { return base64url_encode(to_bytes(j.dump())); };
  const std::string before = entry({{"cSig", counter_at(kSigningTime + 1h)}});
  // §5.3.6.3.1: payload '.' protected '.' signature '.' and the etsiU entries before the arcTst.
  const std::string input = doc["payload"].get<std::string>() + "." + target["protected"].get<std::string>() + "." +
                            target["signature"].get<std::string>() + "." + before;
  const Bytes token = must(pki().tsa(core::sha256(to_bytes(input)), core::DigestAlgorithm::sha256));
  const std::string arc = entry({{"arcTst", {{"tstTokens", nlohmann::json::array({{{"val", base64_encode(token)}}})}}}});
  const std::string after = entry({{"cSig", counter_at(kSigningTime + 2h)}});
  target["header"]["etsiU"] = nlohmann::json::array({before, arc, after});
  EXPECT_EQ(jose(doc.dump()), 0);  // the countersigned signature is unchanged

  ValidationOptions o = options();
  o.validation_time = later;
  o.extra_ocsp_responses.push_back(pki().ocsp_good(counter_cert.get()));
  ValidationReport r = must(validate(to_bytes(doc.dump()), o));
  ASSERT_EQ(r.signatures.size(), 3u);
  ASSERT_EQ(r.signatures[0].timestamps.size(), 1u);
  EXPECT_EQ(r.signatures[0].timestamps[0].indication, Indication::passed);
  const SignatureReport& covered = r.signatures[1];
  const SignatureReport& added = r.signatures[2];
  EXPECT_EQ(covered.id, "S-1-CS-1");
  EXPECT_EQ(added.id, "S-1-CS-2");
  EXPECT_EQ(covered.indication, Indication::total_passed) << (covered.reasons.empty() ? "" : covered.reasons[0]);
  ASSERT_EQ(covered.timestamps.size(), 1u);
  EXPECT_EQ(covered.timestamps[0].type, "archive-time-stamp");
  EXPECT_EQ(covered.best_signature_time, kSigningTime + 1min);
  EXPECT_EQ(added.indication, Indication::indeterminate);
  EXPECT_EQ(added.sub_indication, SubIndication::out_of_bounds_not_revoked)
      << (added.sub_indication ? sub_indication_name(*added.sub_indication) : "none");
  EXPECT_TRUE(added.timestamps.empty());
}

// Past signature validation of time-stamps (EN 319 102-1 §5.6.2.4), as in CAdES: by 2030 the
// signer's certificate (to mid-2027) and the sigTst's TSA certificate (to mid-2028) have expired;
// an arcTst made on 2028-01-01 over the etsiU entries before it (the sigTst among them) is the
// sigTst's POE, which then dates the signature to 2026. An arcTst made after the TSA certificate
// expired proves nothing for it.
TEST_F(ValidateJades, ArchiveTimestampIsAPoeOfTheSignatureTimestampBeforeIt) {
  auto cert = pki().counter_cert_until(std::chrono::sys_days{std::chrono::June / 1 / 2027}, pki().signer->public_key());
  auto tsa1_cert = pki().tsa_cert_until(std::chrono::sys_days{std::chrono::June / 1 / 2028});
  formats::cades::testing::TestTsa tsa1(tsa1_cert.get(), pki().tsa_key.get());
  jades::SignOptions so;
  so.serialization = jades::Serialization::json;
  so.signing_time = kSigningTime;
  so.chain = {pki().issuing.get(), pki().root.get()};
  const nlohmann::json signed_doc = nlohmann::json::parse(must(jades::sign_jws(kPayload, cert.get(), *pki().signer, so)));
  auto entry = [](const nlohmann::json& j) { return base64url_encode(to_bytes(j.dump())); };
  auto tst = [](const Bytes& token) { return nlohmann::json{{"tstTokens", nlohmann::json::array({{{"val", base64_encode(token)}}})}}; };
  // §5.3.4: the sigTst imprint is over the base64url signature value.
  const std::string sig_tst = entry(
      {{"sigTst", tst(must(tsa1(core::sha256(to_bytes(signed_doc["signature"].get<std::string>())), core::DigestAlgorithm::sha256)))}});
  auto with_arc_at = [&](TimePoint when) {
    formats::cades::testing::TestTsa tsa2(pki().tsa_cert.get(), pki().tsa_key.get(), when);
    // §5.3.6.3.1: payload '.' protected '.' signature '.' and the etsiU entries before the arcTst.
    const std::string input = signed_doc["payload"].get<std::string>() + "." + signed_doc["protected"].get<std::string>() +
                              "." + signed_doc["signature"].get<std::string>() + "." + sig_tst;
    const Bytes token = must(tsa2(core::sha256(to_bytes(input)), core::DigestAlgorithm::sha256));
    // OpenSSL, independently: the arcTst token is over that input.
    EXPECT_EQ(pki().openssl_ts_verify(token, core::sha256(to_bytes(input))).status, 0);
    nlohmann::json doc = signed_doc;
    doc["header"]["etsiU"] = nlohmann::json::array({sig_tst, entry({{"arcTst", tst(token)}})});
    EXPECT_EQ(jose(doc.dump()), 0);  // same key as signer.pem
    return to_bytes(doc.dump());
  };
  ValidationOptions o = options();
  o.validation_time = std::chrono::sys_days{std::chrono::January / 1 / 2030};
  o.extra_ocsp_responses.push_back(pki().ocsp_good(cert.get()));

  ValidationReport renewed = must(validate(with_arc_at(std::chrono::sys_days{std::chrono::January / 1 / 2028}), o));
  ASSERT_EQ(renewed.signatures.size(), 1u);
  const SignatureReport& s = renewed.signatures[0];
  EXPECT_EQ(s.indication, Indication::total_passed) << (s.reasons.empty() ? "" : s.reasons[0]);
  EXPECT_EQ(s.best_signature_time, kSigningTime + 1min);
  ASSERT_EQ(s.timestamps.size(), 2u);
  EXPECT_EQ(s.timestamps[0].indication, Indication::passed);
  EXPECT_EQ(s.timestamps[1].covers, std::vector<std::size_t>{0});

  ValidationReport late = must(validate(with_arc_at(std::chrono::sys_days{std::chrono::September / 1 / 2028}), o));
  const SignatureReport& l = late.signatures[0];
  EXPECT_EQ(l.indication, Indication::indeterminate);
  ASSERT_EQ(l.timestamps.size(), 2u);
  EXPECT_EQ(l.timestamps[0].indication, Indication::indeterminate);
  EXPECT_EQ(l.timestamps[1].indication, Indication::passed);
}

TEST_F(ValidateJades, UnknownRootIsNoCertificateChainFound) {
  std::string jws = sign(jades::Level::b_b, jades::Serialization::compact);
  ValidationOptions o = options();
  o.trust_anchors = {must(core::x509_to_der(pki().tsa_cert.get()))};  // a certificate that anchors nothing here
  auto r = validate(to_bytes(jws), o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::no_certificate_chain_found);
}

}  // namespace
}  // namespace qualsig::validation
