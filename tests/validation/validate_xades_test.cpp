// XAdES validation (EN 319 102-1 over EN 319 132-1 signatures) of XML made by qualsig's
// formats/xades; `xmlsec1 --verify` is the independent verifier of the XMLDSig core, and the
// tampering cases are checked to fail there too.

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <fstream>
#include <iterator>
#include <regex>

#include "formats/cades_test_support.h"
#include "formats/xades.h"
#include "validation/validate.h"

namespace qualsig::validation {
namespace {

using namespace std::chrono_literals;
using formats::cades::Level;
using formats::cades::testing::CadesPki;
using formats::cades::testing::kSigningTime;
using formats::cades::testing::must;
using formats::cades::testing::write_file;
namespace xades = formats::xades;

const std::string kDocument =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<invoice xmlns=\"urn:example:invoice\"><number>2026-0042</number><amount>1250.00</amount></invoice>\n";
const Bytes kBinary = to_bytes("binary payload \x01\x02\x03 of a detached XAdES signature");

std::string checks_of(const SignatureReport& s) {
  std::string out;
  for (const auto& [block, result] : s.checks) out += block + ": " + result + "\n";
  for (const auto& r : s.reasons) out += "reason: " + r + "\n";
  for (const auto& t : s.timestamps) out += "ts " + t.type + " " + indication_name(t.indication) + "\n";
  return out;
}

class ValidateXades : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s_pki = new CadesPki(); }
  static void TearDownTestSuite() {
    delete s_pki;
    s_pki = nullptr;
  }
  CadesPki& pki() { return *s_pki; }

  xades::SignOptions sign_options(Level level, xades::Packaging packaging) {
    xades::SignOptions o;
    o.level = level;
    o.packaging = packaging;
    o.signing_time = kSigningTime;
    o.chain = {pki().issuing.get(), pki().root.get()};
    o.timestamp = pki().tsa.fn();
    o.validation_data = pki().validation_data();
    if (packaging == xades::Packaging::detached) o.detached_uri = "invoice.bin";
    return o;
  }

  Bytes sign(Level level, xades::Packaging packaging) {
    if (packaging == xades::Packaging::detached) {
      xades::SignOptions o = sign_options(level == Level::b_lta ? Level::b_lt : level, packaging);
      Bytes xml = must(xades::sign_detached(core::sha256(kBinary), pki().signer_cert.get(), *pki().signer, o));
      if (level != Level::b_lta) return xml;
      return must(xades::add_archive_timestamp(xml, ByteView(kBinary), pki().tsa.fn(), core::DigestAlgorithm::sha256));
    }
    Bytes doc = packaging == xades::Packaging::enveloped ? to_bytes(kDocument) : kBinary;
    return must(xades::sign(doc, pki().signer_cert.get(), *pki().signer, sign_options(level, packaging)));
  }

  // A CRL of the issuing CA (RFC 5280 §5.1) that revokes nothing, issued at the signing time.
  Bytes issuing_crl() {
    auto crl = core::wrap(X509_CRL_new());
    auto this_update = core::wrap(ASN1_TIME_adj(nullptr, std::chrono::system_clock::to_time_t(kSigningTime), 0, 0));
    auto next_update = core::wrap(ASN1_TIME_adj(nullptr, std::chrono::system_clock::to_time_t(kSigningTime), 30, 0));
    EXPECT_EQ(X509_CRL_set_version(crl.get(), 1), 1);
    EXPECT_EQ(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(pki().issuing.get())), 1);
    EXPECT_EQ(X509_CRL_set1_lastUpdate(crl.get(), this_update.get()), 1);
    EXPECT_EQ(X509_CRL_set1_nextUpdate(crl.get(), next_update.get()), 1);
    EXPECT_GT(X509_CRL_sign(crl.get(), pki().issuing_key.get(), EVP_sha256()), 0);
    unsigned char* der = nullptr;
    int len = i2d_X509_CRL(crl.get(), &der);
    Bytes out(der, der + std::max(len, 0));
    OPENSSL_free(der);
    return out;
  }

  // The context: the test root trusted, one day after signing; revocation data from `with_data`.
  ValidationOptions options(bool with_data) {
    ValidationOptions o;
    o.trust_anchors = {must(core::x509_to_der(pki().root.get()))};
    o.validation_time = kSigningTime + 24h;
    if (with_data) {
      auto vd = pki().validation_data();
      o.extra_certificates = vd.certificates;
      o.extra_ocsp_responses = vd.ocsp_responses;
      o.extra_crls = vd.crls;
    }
    return o;
  }

  int xmlsec1(const Bytes& xml, const Bytes* detached = nullptr) {
    write_file(pki().path("sig.xml"), xml);
    std::string cmd = "xmlsec1 --verify --trusted-pem " + pki().path("root.pem") + " --untrusted-pem " +
                      pki().path("issuing.pem") + " --id-attr:Id SignedProperties --id-attr:Id Object ";
    if (detached != nullptr) {
      write_file(pki().path("detached.bin"), *detached);
      cmd += "--url-map:invoice.bin " + pki().path("detached.bin") + " ";
    }
    return qualsig::testing::run(cmd + pki().path("sig.xml")).status;
  }

  // cs.key / cs.pem: the key and certificate xmlsec1 counter-signs with.
  void write_key_and_cert(EVP_PKEY* key, const X509* cert) {
    std::ofstream pem(pki().path("cs.pem"));
    pem << must(core::x509_to_pem(cert));
    auto bio = core::wrap(BIO_new_file(pki().path("cs.key").c_str(), "w"));
    EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  }

  // The Id of the first ds:SignatureValue of a qualsig XAdES document ("" if none).
  static std::string signature_value_id(const std::string& text) {
    std::smatch m;
    return std::regex_search(text, m, std::regex(R"re(<ds:SignatureValue Id="([^"]+)")re")) ? m[1].str() : "";
  }

  // A xades:CounterSignature (EN 319 132-1 §5.4.2) template over the ds:SignatureValue `value_id`,
  // by `cert_der`, for xmlsec1 to complete (xmlsec_sign_counter).
  static std::string counter_template(const std::string& id, const std::string& value_id, const Bytes& cert_der,
                                      TimePoint signing_time) {
    return "<xades:CounterSignature><ds:Signature Id=\"" + id + "\"><ds:SignedInfo>"
           "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"
           "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256\"/>"
           "<ds:Reference URI=\"#" + value_id + "\" Type=\"http://uri.etsi.org/01903#CountersignedSignature\">"
           "<ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:Transforms>"
           "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue/></ds:Reference>"
           "<ds:Reference URI=\"#" + id + "-sp\" Type=\"http://uri.etsi.org/01903#SignedProperties\">"
           "<ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:Transforms>"
           "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue/></ds:Reference>"
           "</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" + base64_encode(cert_der) +
           "</ds:X509Certificate></ds:X509Data></ds:KeyInfo><ds:Object><xades:QualifyingProperties Target=\"#" + id + "\">"
           "<xades:SignedProperties Id=\"" + id + "-sp\"><xades:SignedSignatureProperties><xades:SigningTime>" +
           to_rfc3339(signing_time) + "</xades:SigningTime><xades:SigningCertificateV2><xades:Cert><xades:CertDigest>"
           "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue>" +
           base64_encode(core::sha256(cert_der)) +
           "</ds:DigestValue></xades:CertDigest></xades:Cert></xades:SigningCertificateV2></xades:SignedSignatureProperties>"
           "</xades:SignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature></xades:CounterSignature>";
  }

  // xmlsec1 signs the counter-signature template `id` in `text` with cs.key / cs.pem; empty on failure.
  Bytes xmlsec_sign_counter(const std::string& text, const std::string& id) {
    write_file(pki().path("cs-template.xml"), to_bytes(text));
    auto made = qualsig::testing::run("xmlsec1 --sign --privkey-pem " + pki().path("cs.key") + "," + pki().path("cs.pem") +
                                      " --id-attr:Id SignatureValue --id-attr:Id SignedProperties --id-attr:Id Signature --node-id " +
                                      id + " --output " + pki().path("countered.xml") + " " + pki().path("cs-template.xml"));
    EXPECT_EQ(made.status, 0) << made.output;
    if (made.status != 0) return {};
    std::ifstream in(pki().path("countered.xml"), std::ios::binary);
    return to_bytes(std::string(std::istreambuf_iterator<char>(in), {}));
  }

  static CadesPki* s_pki;
};
CadesPki* ValidateXades::s_pki = nullptr;

struct Case {
  Level level;
  xades::Packaging packaging;
  const char* expected_level;
};

TEST_F(ValidateXades, EveryLevelAndPackagingPassesAndXmlsecAgrees) {
  const Case cases[] = {
      {Level::b_b, xades::Packaging::enveloped, "XAdES-BASELINE-B"},
      {Level::b_t, xades::Packaging::enveloped, "XAdES-BASELINE-T"},
      {Level::b_lt, xades::Packaging::enveloped, "XAdES-BASELINE-LT"},
      {Level::b_lta, xades::Packaging::enveloped, "XAdES-BASELINE-LTA"},
      {Level::b_b, xades::Packaging::enveloping, "XAdES-BASELINE-B"},
      {Level::b_lta, xades::Packaging::enveloping, "XAdES-BASELINE-LTA"},
      {Level::b_b, xades::Packaging::detached, "XAdES-BASELINE-B"},
      {Level::b_t, xades::Packaging::detached, "XAdES-BASELINE-T"},
      {Level::b_lta, xades::Packaging::detached, "XAdES-BASELINE-LTA"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected_level + std::string(" packaging ") + std::to_string(static_cast<int>(c.packaging)));
    Bytes xml = sign(c.level, c.packaging);
    const bool detached = c.packaging == xades::Packaging::detached;
    EXPECT_EQ(xmlsec1(xml, detached ? &kBinary : nullptr), 0);
    // B-LT and B-LTA must validate with their own CertificateValues / RevocationValues only.
    ValidationOptions o = options(c.level < Level::b_lt);
    if (detached) o.detached_content = kBinary;
    ValidationReport r = must(validate(xml, o));
    EXPECT_EQ(r.document_format, "XAdES");
    ASSERT_EQ(r.signatures.size(), 1u);
    const SignatureReport& s = r.signatures[0];
    EXPECT_EQ(s.format, "XAdES");
    EXPECT_EQ(s.level, c.expected_level);
    EXPECT_EQ(s.indication, Indication::total_passed) << checks_of(s);
    EXPECT_EQ(s.signer_certificate, must(core::x509_to_der(pki().signer_cert.get())));
    EXPECT_EQ(s.chain.size(), 3u);
    ASSERT_TRUE(s.claimed_signing_time);
    EXPECT_EQ(*s.claimed_signing_time, kSigningTime);
    const std::size_t expected_ts = c.level == Level::b_b ? 0 : c.level == Level::b_lta ? 2 : 1;
    ASSERT_EQ(s.timestamps.size(), expected_ts);
    for (const TimestampReport& t : s.timestamps) EXPECT_EQ(t.indication, Indication::passed) << t.type;
    if (expected_ts == 2) {
      EXPECT_EQ(s.timestamps[1].type, "archive-time-stamp");
    }
  }
}

TEST_F(ValidateXades, BaselineBWithOnlyCrlsInTheOptionsPasses) {
  Bytes xml = sign(Level::b_b, xades::Packaging::enveloped);
  ValidationOptions o = options(false);
  o.extra_crls = pki().validation_data().crls;  // the root's CRL for the issuing CA
  o.extra_crls.push_back(issuing_crl());        // the issuing CA's CRL for the signer
  const SignatureReport s = must(validate(xml, o)).signatures.at(0);
  EXPECT_EQ(s.indication, Indication::total_passed) << checks_of(s);
  // Without any revocation data the signer's status is unknown.
  const SignatureReport none = must(validate(xml, options(false))).signatures.at(0);
  EXPECT_EQ(none.indication, Indication::indeterminate);
  EXPECT_EQ(none.sub_indication, SubIndication::try_later) << checks_of(none);
}

TEST_F(ValidateXades, TamperedDataIsHashFailureAndXmlsecFailsToo) {
  Bytes xml = sign(Level::b_t, xades::Packaging::enveloped);
  std::string text = to_string(xml);
  auto at = text.find("1250.00");
  ASSERT_NE(at, std::string::npos);
  text[at] = '9';
  Bytes changed = to_bytes(text);
  EXPECT_NE(xmlsec1(changed), 0);
  const SignatureReport s = must(validate(changed, options(true))).signatures.at(0);
  EXPECT_EQ(s.indication, Indication::total_failed);
  EXPECT_EQ(s.sub_indication, SubIndication::hash_failure) << checks_of(s);

  // Detached: another document than the one signed.
  Bytes detached = sign(Level::b_b, xades::Packaging::detached);
  Bytes other = kBinary;
  other[3] ^= 1;
  EXPECT_NE(xmlsec1(detached, &other), 0);
  ValidationOptions o = options(true);
  o.detached_content = other;
  const SignatureReport d = must(validate(detached, o)).signatures.at(0);
  EXPECT_EQ(d.sub_indication, SubIndication::hash_failure) << checks_of(d);
  // And no document at all.
  const SignatureReport missing = must(validate(detached, options(true))).signatures.at(0);
  EXPECT_EQ(missing.indication, Indication::indeterminate);
  EXPECT_EQ(missing.sub_indication, SubIndication::signed_data_not_found) << checks_of(missing);
}

TEST_F(ValidateXades, ChangedSignatureValueIsSigCryptoFailure) {
  Bytes xml = sign(Level::b_b, xades::Packaging::enveloped);
  std::string text = to_string(xml);
  auto value = text.find("SignatureValue");
  ASSERT_NE(value, std::string::npos);
  value = text.find('>', value) + 1;
  // Swap one base64 character for another: still base64, another value.
  text[value + 5] = text[value + 5] == 'A' ? 'B' : 'A';
  Bytes changed = to_bytes(text);
  EXPECT_NE(xmlsec1(changed), 0);
  const SignatureReport s = must(validate(changed, options(true))).signatures.at(0);
  EXPECT_EQ(s.indication, Indication::total_failed);
  EXPECT_EQ(s.sub_indication, SubIndication::sig_crypto_failure) << checks_of(s);
}

TEST_F(ValidateXades, UnknownRootIsNoCertificateChainFound) {
  Bytes xml = sign(Level::b_b, xades::Packaging::enveloped);
  ValidationOptions o = options(true);
  auto other_key = core::wrap(EVP_EC_gen("P-256"));
  auto other_root = formats::cades::testing::issue("Other Root", other_key.get(), nullptr, other_key.get(), true);
  o.trust_anchors = {must(core::x509_to_der(other_root.get()))};
  const SignatureReport s = must(validate(xml, o)).signatures.at(0);
  EXPECT_EQ(s.indication, Indication::indeterminate);
  EXPECT_EQ(s.sub_indication, SubIndication::no_certificate_chain_found) << checks_of(s);
}

TEST_F(ValidateXades, BrokenTimestampImprintFailsTheTimestampOnly) {
  Bytes xml = sign(Level::b_t, xades::Packaging::enveloped);
  Bytes other = sign(Level::b_t, xades::Packaging::enveloping);
  // Move the other signature's time-stamp token into this one: a valid token over another value.
  auto token_of = [](const std::string& t) {
    auto b = t.find("EncapsulatedTimeStamp");
    b = t.find('>', b) + 1;
    return std::pair{b, t.find('<', b)};
  };
  std::string text = to_string(xml), donor = to_string(other);
  auto [b1, e1] = token_of(text);
  auto [b2, e2] = token_of(donor);
  text.replace(b1, e1 - b1, donor.substr(b2, e2 - b2));
  const SignatureReport s = must(validate(to_bytes(text), options(true))).signatures.at(0);
  ASSERT_EQ(s.timestamps.size(), 1u);
  EXPECT_EQ(s.timestamps[0].indication, Indication::failed);
  EXPECT_EQ(s.timestamps[0].sub_indication, SubIndication::hash_failure);
  // The signature itself is intact (CV passed) and valid at the validation time.
  EXPECT_EQ(s.indication, Indication::total_passed) << checks_of(s);
}

TEST_F(ValidateXades, HostileXmlIsAClearErrorWithoutCrash) {
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
      "<lolz>&lol2;</lolz>";
  const std::string doctype = "<?xml version=\"1.0\"?><!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>";
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "<a>";
  Bytes signed_xml = sign(Level::b_b, xades::Packaging::enveloped);
  const std::string truncated = to_string(signed_xml).substr(0, signed_xml.size() / 2);
  Bytes random(4096);
  ASSERT_EQ(RAND_bytes(random.data(), static_cast<int>(random.size())), 1);
  random[0] = '<';
  const std::vector<std::pair<std::string, Bytes>> cases = {
      {"billion-laughs", to_bytes(laughs)},  {"doctype", to_bytes(doctype)},
      {"deep-nesting", to_bytes(deep)},      {"truncated", to_bytes(truncated)},
      {"random-after-lt", random},           {"no-signature", to_bytes(kDocument)},
      {"trailing-garbage", [&] {
         Bytes b = signed_xml;
         for (char c : std::string("<x>")) b.push_back(static_cast<std::uint8_t>(c));
         return b;
       }()},
  };
  for (const auto& [name, bytes] : cases) {
    SCOPED_TRACE(name);
    auto r = validate(bytes, options(true));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
    EXPECT_NE(r.error().message.find("XAdES"), std::string::npos) << r.error().message;
  }
}

// A document holding several XAdES signatures (here two detached signatures of the same file in
// one container, as an ASiC-E signatures*.xml holds them) is validated signature by signature:
// a broken second signature is reported as such, not hidden behind a valid first one. xmlsec1,
// pointed at each ds:Signature in turn, agrees.
TEST_F(ValidateXades, EverySignatureOfADocumentIsValidated) {
  auto body_of = [](const Bytes& xml) {
    std::string text(xml.begin(), xml.end());
    if (text.rfind("<?xml", 0) == 0) text = text.substr(text.find("?>") + 2);
    return text;
  };
  const std::string first = body_of(sign(Level::b_b, xades::Packaging::detached));
  const std::string second = body_of(sign(Level::b_t, xades::Packaging::detached));
  auto container = [&](const std::string& a, const std::string& b) {
    return to_bytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<signatures>" + a + b + "</signatures>\n");
  };
  auto xmlsec_nth = [&](const Bytes& xml, int n) {
    write_file(pki().path("multi.xml"), xml);
    write_file(pki().path("detached.bin"), kBinary);
    return qualsig::testing::run("xmlsec1 --verify --trusted-pem " + pki().path("root.pem") + " --untrusted-pem " +
                                 pki().path("issuing.pem") +
                                 " --id-attr:Id SignedProperties --id-attr:Id Object --url-map:invoice.bin " +
                                 pki().path("detached.bin") + " --node-xpath \"(//*[local-name()='Signature' and " +
                                 "namespace-uri()='http://www.w3.org/2000/09/xmldsig#'])[" + std::to_string(n) + "]\" " +
                                 pki().path("multi.xml"))
        .status;
  };
  ValidationOptions o = options(true);
  o.detached_content = kBinary;

  Bytes both = container(first, second);
  EXPECT_EQ(xmlsec_nth(both, 1), 0);
  EXPECT_EQ(xmlsec_nth(both, 2), 0);
  ValidationReport r = must(validate(both, o));
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[0].id, "S-1");
  EXPECT_EQ(r.signatures[1].id, "S-2");
  EXPECT_EQ(r.signatures[0].level, "XAdES-BASELINE-B");
  EXPECT_EQ(r.signatures[1].level, "XAdES-BASELINE-T");
  for (const auto& s : r.signatures) EXPECT_EQ(s.indication, Indication::total_passed) << checks_of(s);

  // The second signature's value changed: S-1 still passes, S-2 fails, and so does xmlsec1 on it.
  std::string broken = second;
  const std::size_t at = broken.find("SignatureValue");
  ASSERT_NE(at, std::string::npos);
  const std::size_t value = broken.find('>', at) + 1;
  broken[value] = broken[value] == 'A' ? 'B' : 'A';
  Bytes mixed = container(first, broken);
  EXPECT_EQ(xmlsec_nth(mixed, 1), 0);
  EXPECT_NE(xmlsec_nth(mixed, 2), 0);
  ValidationReport m = must(validate(mixed, o));
  ASSERT_EQ(m.signatures.size(), 2u);
  EXPECT_EQ(m.signatures[0].indication, Indication::total_passed) << checks_of(m.signatures[0]);
  EXPECT_EQ(m.signatures[1].indication, Indication::total_failed) << checks_of(m.signatures[1]);
  EXPECT_EQ(m.signatures[1].sub_indication, SubIndication::sig_crypto_failure);

  // formats::xades numbers them the same way, and refuses a number beyond them.
  EXPECT_EQ(must(xades::inspect(mixed, 1)).xades_signature_count, 2u);
  EXPECT_EQ(must(xades::inspect(mixed, 1)).level, Level::b_t);
  EXPECT_EQ(xades::inspect(mixed, 2).error().code, ErrorCode::invalid_input);

  // The same signature twice: its Ids collide (signature wrapping is done that way), refused with
  // the reason rather than read as some other kind of signature.
  auto twice = validate(container(first, first), o);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("duplicate Id"), std::string::npos) << twice.error().message;

  // Hostile: more signatures than the validator's work bound: a clear error, at once.
  std::string many;
  for (int i = 0; i < 65; ++i) many += body_of(sign(Level::b_b, xades::Packaging::detached));  // distinct Ids
  auto refused = validate(container(many, ""), o);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_input);
  EXPECT_NE(refused.error().message.find("65 XAdES signatures"), std::string::npos) << refused.error().message;
}

// EN 319 132-1 §5.4.2: a counter-signature, made here by xmlsec1 (not by qualsig) over a qualsig
// signature's ds:SignatureValue, is validated as a signature of its own (S-1-CS-1), and xmlsec1
// agrees on intact and broken ones. Its time-stamps would be its own, not its parent's.
TEST_F(ValidateXades, CounterSignatureMadeByXmlsecIsValidatedAsASignatureOfItsOwn) {
  auto key = core::wrap(EVP_EC_gen("P-256"));
  auto cert = formats::cades::testing::issue("Test XAdES Countersigner", key.get(), pki().issuing.get(),
                                             pki().issuing_key.get(), false);
  Bytes cert_der = must(core::x509_to_der(cert.get()));
  write_key_and_cert(key.get(), cert.get());
  std::string text = to_string(sign(Level::b_b, xades::Packaging::enveloped));
  const std::string value_id = signature_value_id(text);
  ASSERT_FALSE(value_id.empty()) << text;
  const std::size_t end = text.find("</xades:QualifyingProperties>");
  ASSERT_NE(end, std::string::npos);
  ASSERT_EQ(text.find("UnsignedProperties"), std::string::npos) << "B-B has no unsigned properties";
  text.insert(end, "<xades:UnsignedProperties><xades:UnsignedSignatureProperties>" +
                       counter_template("cs", value_id, cert_der, kSigningTime + 1h) +
                       "</xades:UnsignedSignatureProperties></xades:UnsignedProperties>");
  const Bytes countered = xmlsec_sign_counter(text, "cs");
  ASSERT_FALSE(countered.empty());
  auto xmlsec_counter = [&](const Bytes& xml) {
    write_file(pki().path("cs-check.xml"), xml);
    return qualsig::testing::run("xmlsec1 --verify --trusted-pem " + pki().path("root.pem") + " --untrusted-pem " +
                                 pki().path("issuing.pem") +
                                 " --id-attr:Id SignatureValue --id-attr:Id SignedProperties --id-attr:Id Object --id-attr:Id Signature --node-id cs " +
                                 pki().path("cs-check.xml"))
        .status;
  };
  EXPECT_EQ(xmlsec_counter(countered), 0);
  EXPECT_EQ(xmlsec1(countered), 0);  // the first signature, which xmlsec1 finds first

  ValidationOptions o = options(true);
  o.extra_ocsp_responses.push_back(pki().ocsp_good(cert.get()));
  ValidationReport r = must(validate(countered, o));
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[0].id, "S-1");
  EXPECT_EQ(r.signatures[0].indication, Indication::total_passed) << checks_of(r.signatures[0]);
  EXPECT_EQ(r.signatures[1].id, "S-1-CS-1");
  EXPECT_EQ(r.signatures[1].counter_signature_of, "S-1");
  EXPECT_EQ(r.signatures[1].level, "XAdES-BASELINE-B");
  EXPECT_EQ(r.signatures[1].signer_certificate, cert_der);
  EXPECT_EQ(r.signatures[1].indication, Indication::total_passed) << checks_of(r.signatures[1]);

  // The countersigned SignatureValue changed: the parent's value no longer verifies, and the
  // counter-signature's reference to it no longer matches; xmlsec1 fails both too.
  std::string broken = to_string(countered);
  const std::size_t at = broken.find("<ds:SignatureValue Id=\"" + value_id + "\">");
  ASSERT_NE(at, std::string::npos);
  const std::size_t value = broken.find('>', at) + 1;
  broken[value] = broken[value] == 'A' ? 'B' : 'A';
  EXPECT_NE(xmlsec_counter(to_bytes(broken)), 0);
  r = must(validate(to_bytes(broken), o));
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[0].sub_indication, SubIndication::sig_crypto_failure) << checks_of(r.signatures[0]);
  EXPECT_EQ(r.signatures[1].indication, Indication::total_failed) << checks_of(r.signatures[1]);
  EXPECT_EQ(r.signatures[1].sub_indication, SubIndication::hash_failure) << checks_of(r.signatures[1]);
}

// EN 319 102-1 §5.6.2.4 with EN 319 132-1 §5.5.2.2: an ArchiveTimeStamp covers the unsigned
// signature properties before it, so it is a POE of a counter-signature before it, whose
// certificate has expired since, and not of one added after it. xmlsec1 makes both.
TEST_F(ValidateXades, ArchiveTimestampIsAPoeOfTheCounterSignaturesBeforeIt) {
  auto key = core::wrap(EVP_EC_gen("P-256"));
  auto cert = pki().counter_cert_until(std::chrono::sys_days{std::chrono::June / 1 / 2027}, key.get());
  const Bytes cert_der = must(core::x509_to_der(cert.get()));
  write_key_and_cert(key.get(), cert.get());
  std::string text = to_string(sign(Level::b_lt, xades::Packaging::enveloped));
  const std::string value_id = signature_value_id(text);
  const std::string usp_end = "</xades:UnsignedSignatureProperties>";
  ASSERT_NE(text.find(usp_end), std::string::npos);
  text.insert(text.find(usp_end), counter_template("cs1", value_id, cert_der, kSigningTime + 1h));
  const Bytes once = xmlsec_sign_counter(text, "cs1");
  ASSERT_FALSE(once.empty());
  text = to_string(must(xades::add_archive_timestamp(once, std::nullopt, pki().tsa.fn(), core::DigestAlgorithm::sha256)));
  ASSERT_LT(text.find("cs1"), text.find("ArchiveTimeStamp"));
  text.insert(text.find(usp_end), counter_template("cs2", value_id, cert_der, kSigningTime + 2h));
  const Bytes twice = xmlsec_sign_counter(text, "cs2");
  ASSERT_FALSE(twice.empty());
  EXPECT_EQ(xmlsec1(twice), 0);  // the first signature, which xmlsec1 finds first

  ValidationOptions o = options(true);
  o.validation_time = std::chrono::sys_days{std::chrono::January / 1 / 2030};
  o.extra_ocsp_responses.push_back(pki().ocsp_good(cert.get()));
  ValidationReport r = must(validate(twice, o));
  ASSERT_EQ(r.signatures.size(), 3u);
  const SignatureReport& covered = r.signatures[1];
  const SignatureReport& added = r.signatures[2];
  EXPECT_EQ(covered.id, "S-1-CS-1");
  EXPECT_EQ(added.id, "S-1-CS-2");
  EXPECT_EQ(covered.indication, Indication::total_passed) << checks_of(covered);
  ASSERT_EQ(covered.timestamps.size(), 1u);
  EXPECT_EQ(covered.timestamps[0].type, "archive-time-stamp");
  EXPECT_EQ(covered.best_signature_time, kSigningTime + 1min);
  EXPECT_EQ(added.indication, Indication::indeterminate) << checks_of(added);
  EXPECT_EQ(added.sub_indication, SubIndication::out_of_bounds_not_revoked) << checks_of(added);
  EXPECT_TRUE(added.timestamps.empty());
}

// Past signature validation of time-stamps (EN 319 102-1 §5.6.2.4), as in CAdES and JAdES: by
// 2030 the signer's certificate (to mid-2027) and the SignatureTimeStamp's TSA certificate (to
// mid-2028) have expired; an ArchiveTimeStamp made on 2028-01-01 after it is its POE, which then
// dates the signature to 2026. One made after the TSA certificate expired proves nothing for it.
TEST_F(ValidateXades, ArchiveTimestampIsAPoeOfTheSignatureTimestampBeforeIt) {
  auto cert = pki().counter_cert_until(std::chrono::sys_days{std::chrono::June / 1 / 2027}, pki().signer->public_key());
  auto tsa1_cert = pki().tsa_cert_until(std::chrono::sys_days{std::chrono::June / 1 / 2028});
  formats::cades::testing::TestTsa tsa1(tsa1_cert.get(), pki().tsa_key.get());
  Bytes bb = must(xades::sign(to_bytes(kDocument), cert.get(), *pki().signer, sign_options(Level::b_b, xades::Packaging::enveloped)));
  Bytes bt = must(xades::add_signature_timestamp(bb, tsa1.fn(), core::DigestAlgorithm::sha256));
  formats::cades::ValidationData vd = pki().validation_data();
  vd.ocsp_responses = {pki().ocsp_good(cert.get())};
  Bytes lt = must(xades::add_validation_data(bt, vd));
  auto with_archive_at = [&](TimePoint when) {
    formats::cades::testing::TestTsa tsa2(pki().tsa_cert.get(), pki().tsa_key.get(), when);
    Bytes lta = must(xades::add_archive_timestamp(lt, std::nullopt, tsa2.fn(), core::DigestAlgorithm::sha256));
    EXPECT_EQ(xmlsec1(lta), 0);  // the XMLDSig core, independently
    return lta;
  };
  ValidationOptions o = options(false);
  o.validation_time = std::chrono::sys_days{std::chrono::January / 1 / 2030};

  ValidationReport renewed = must(validate(with_archive_at(std::chrono::sys_days{std::chrono::January / 1 / 2028}), o));
  ASSERT_EQ(renewed.signatures.size(), 1u);
  const SignatureReport& s = renewed.signatures[0];
  EXPECT_EQ(s.indication, Indication::total_passed) << checks_of(s);
  EXPECT_EQ(s.best_signature_time, kSigningTime + 1min);
  ASSERT_EQ(s.timestamps.size(), 2u);
  EXPECT_EQ(s.timestamps[0].type, "signature-time-stamp");
  EXPECT_EQ(s.timestamps[0].indication, Indication::passed);
  EXPECT_EQ(s.timestamps[1].covers, std::vector<std::size_t>{0});

  ValidationReport late = must(validate(with_archive_at(std::chrono::sys_days{std::chrono::September / 1 / 2028}), o));
  const SignatureReport& l = late.signatures[0];
  EXPECT_EQ(l.indication, Indication::indeterminate) << checks_of(l);
  ASSERT_EQ(l.timestamps.size(), 2u);
  EXPECT_EQ(l.timestamps[0].indication, Indication::indeterminate);
  EXPECT_EQ(l.timestamps[1].indication, Indication::passed);
}

TEST_F(ValidateXades, PlainXmldsigWithoutQualifyingPropertiesIsFormatFailure) {
  const std::string plain =
      "<doc><ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo/>"
      "<ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature></doc>";
  ValidationReport r = must(validate(to_bytes(plain), options(true)));
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_EQ(r.signatures[0].indication, Indication::total_failed);
  EXPECT_EQ(r.signatures[0].sub_indication, SubIndication::format_failure);
  EXPECT_EQ(r.signatures[0].level, "not a baseline profile");
}

}  // namespace
}  // namespace qualsig::validation
