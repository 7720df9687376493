// XAdES (ETSI EN 319 132-1) signing checked by independent verifiers: `xmlsec1 --verify` (the
// XMLDSig core, with the SignedProperties reference), xadesjs (tests/interop/xades_check.mjs) for
// the signature, SigningTime and SigningCertificateV2, `openssl ts -verify` for the time-stamp
// tokens against imprints computed by xmldsigjs's canonicaliser, and one-byte mutations.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "cades_test_support.h"
#include "formats/xades.h"

namespace qualsig::formats::xades {
namespace {

using cades::Level;
using cades::testing::CadesPki;
using cades::testing::kSigningTime;
using cades::testing::must;
using cades::testing::read_file;
using cades::testing::write_file;
using qualsig::testing::CommandResult;
using qualsig::testing::run;

const std::string kDocument =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<invoice xmlns=\"urn:example:invoice\" xmlns:x=\"urn:example:extra\">\n"
    "  <!-- a comment, not signed -->\n"
    "  <number>2026-0042</number>\n"
    "  <amount currency=\"EUR\">1250.00</amount>\n"
    "  <x:note>caf\xc3\xa9 &amp; cr\xc3\xa8me</x:note>\n"
    "</invoice>\n";

const Bytes kBinary = [] {
  Bytes b = to_bytes("%PDF-1.7 binary payload ");
  for (int i = 0; i < 300; ++i) b.push_back(static_cast<std::uint8_t>(i * 7));
  return b;
}();

const char* level_text(Level l) { return cades::level_name(l); }

struct Verifiers {
  CadesPki& pki;

  // xmlsec1 with the test root as trust anchor and the issuing CA as untrusted intermediate.
  CommandResult xmlsec1(const Bytes& xml, const Bytes* detached = nullptr, const std::string& uri = {}) {
    write_file(pki.path("sig.xml"), xml);
    std::string cmd = "xmlsec1 --verify --trusted-pem " + pki.path("root.pem") + " --untrusted-pem " + pki.path("issuing.pem") +
                      " --id-attr:Id SignedProperties --id-attr:Id Object ";
    if (detached != nullptr) {
      write_file(pki.path("detached.bin"), *detached);
      cmd += "--url-map:" + uri + " " + pki.path("detached.bin") + " ";
    }
    return run(cmd + pki.path("sig.xml"));
  }

  CommandResult xadesjs(const Bytes& xml) {
    write_file(pki.path("node.xml"), xml);
    return run("node " QUALSIG_SOURCE_DIR "/tests/interop/xades_check.mjs verify " + pki.path("node.xml"));
  }

  std::string node_digest(const Bytes& xml, const std::string& args) {
    write_file(pki.path("digest.xml"), xml);
    CommandResult r = run("node " QUALSIG_SOURCE_DIR "/tests/interop/xades_check.mjs " + args.substr(0, args.find(' ')) + " " +
                          pki.path("digest.xml") + args.substr(args.find(' ')));
    if (r.status != 0) throw std::runtime_error("xades_check.mjs: " + r.output);
    return r.output.substr(0, r.output.find('\n'));
  }

  // openssl's SHA-256 of the signer certificate's DER, base64.
  std::string cert_digest_b64() {
    CommandResult r = run("openssl x509 -in " + pki.path("signer.pem") + " -outform DER | openssl dgst -sha256 -binary | base64 -w0");
    return r.output;
  }
};

// Replaces the first occurrence of `from` by `to` (a one-place mutation of the signed XML).
Bytes mutate(const Bytes& xml, const std::string& from, const std::string& to) {
  std::string s = to_string(xml);
  std::size_t at = s.find(from);
  if (at == std::string::npos) throw std::runtime_error("mutation anchor not found: " + from);
  s.replace(at, from.size(), to);
  return to_bytes(s);
}

struct Case {
  Packaging packaging;
  Level level;
};
void PrintTo(const Case& c, std::ostream* os) {
  *os << (c.packaging == Packaging::enveloped ? "enveloped " : "enveloping ") << level_text(c.level);
}
std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = std::string(info.param.packaging == Packaging::enveloped ? "enveloped_" : "enveloping_") +
                     level_text(info.param.level);
  std::erase(name, '-');
  return name;
}

class XadesSign : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() { s_pki = new CadesPki(); }
  static void TearDownTestSuite() {
    delete s_pki;
    s_pki = nullptr;
  }
  static CadesPki* s_pki;
};
CadesPki* XadesSign::s_pki = nullptr;

TEST_P(XadesSign, IndependentVerifiersAcceptAndDetectChanges) {
  const Case c = GetParam();
  SignOptions o;
  o.level = c.level;
  o.packaging = c.packaging;
  o.signing_time = kSigningTime;
  o.chain = {s_pki->issuing.get(), s_pki->root.get()};
  o.timestamp = s_pki->tsa.fn();
  o.validation_data = s_pki->validation_data();
  const Bytes document = c.packaging == Packaging::enveloped ? to_bytes(kDocument) : kBinary;
  Bytes xml = must(sign(document, s_pki->signer_cert.get(), *s_pki->signer, o));
  Verifiers v{*s_pki};

  CommandResult x = v.xmlsec1(xml);
  EXPECT_EQ(x.status, 0) << x.output << to_string(xml);
  CommandResult js = v.xadesjs(xml);
  ASSERT_EQ(js.status, 0) << js.output;
  auto j = nlohmann::json::parse(js.output);
  EXPECT_EQ(j["signingTime"], "2026-11-25T12:00:00.000Z");
  EXPECT_EQ(j["certDigest"], v.cert_digest_b64());
  EXPECT_EQ(j["certDigestAlgorithm"], "http://www.w3.org/2001/04/xmlenc#sha256");

  SignatureInfo info = must(verify(xml));
  EXPECT_EQ(info.level, c.level);
  EXPECT_EQ(info.packaging, c.packaging);
  EXPECT_EQ(info.signature_count, 1u);
  EXPECT_EQ(info.signing_time, kSigningTime);
  EXPECT_EQ(info.signer_certificate, must(core::x509_to_der(s_pki->signer_cert.get())));
  const std::string text = to_string(xml);
  if (c.packaging == Packaging::enveloped) {
    // The document is unchanged apart from the appended signature.
    EXPECT_NE(text.find("<x:note>caf\xc3\xa9 &amp; cr\xc3\xa8me</x:note>"), std::string::npos);
  }

  if (c.level != Level::b_b) {
    ASSERT_EQ(info.signature_timestamps.size(), 1u);
    // EN 319 132-1 §5.3: the imprint is over the exc-c14n ds:SignatureValue (xmldsigjs computes it).
    std::string imprint = v.node_digest(xml, "digest http://www.w3.org/2000/09/xmldsig# SignatureValue sha256 exc");
    CommandResult ts = s_pki->openssl_ts_verify(info.signature_timestamps[0], *hex_decode(imprint));
    EXPECT_EQ(ts.status, 0) << ts.output;
  }
  if (c.level == Level::b_lt || c.level == Level::b_lta) {
    EXPECT_EQ(info.certificate_values, 2u);
    EXPECT_EQ(info.revocation_values, 2u);
  }
  if (c.level == Level::b_lta) {
    ASSERT_EQ(info.archive_timestamps.size(), 1u);
    // EN 319 132-1 §5.5.2.2 input recomputed by xades_check.mjs with xmldsigjs.
    std::string imprint = v.node_digest(xml, "ats sha256");
    CommandResult ts = s_pki->openssl_ts_verify(info.archive_timestamps[0], *hex_decode(imprint));
    EXPECT_EQ(ts.status, 0) << ts.output;
    // Removing validation data after the archive time-stamp breaks its imprint (not the XMLDSig core).
    Bytes stripped = mutate(xml, "<xades:EncapsulatedCRLValue>", "<xades:EncapsulatedCRLValue>AAAA");
    EXPECT_EQ(v.xmlsec1(stripped).status, 0);
    auto r = verify(stripped);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::denied) << r.error().message;
  }

  // One changed byte of the signed data.
  Bytes changed_data = c.packaging == Packaging::enveloped
                           ? mutate(xml, "1250.00", "1250.01")
                           : mutate(xml, base64_encode(kBinary).substr(0, 8), "Q" + base64_encode(kBinary).substr(1, 7));
  EXPECT_NE(v.xmlsec1(changed_data).status, 0);
  EXPECT_NE(v.xadesjs(changed_data).status, 0);
  auto bad = verify(changed_data);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::denied);

  // One changed byte of the SignedProperties (the signing time).
  Bytes changed_props = mutate(xml, "2026-11-25T12:00:00Z", "2026-11-25T12:00:01Z");
  EXPECT_NE(v.xmlsec1(changed_props).status, 0);
  EXPECT_NE(v.xadesjs(changed_props).status, 0);
  auto bad_props = verify(changed_props);
  ASSERT_FALSE(bad_props);
  EXPECT_EQ(bad_props.error().code, ErrorCode::denied);
}

INSTANTIATE_TEST_SUITE_P(Levels, XadesSign,
                         ::testing::Values(Case{Packaging::enveloped, Level::b_b}, Case{Packaging::enveloped, Level::b_t},
                                           Case{Packaging::enveloped, Level::b_lt}, Case{Packaging::enveloped, Level::b_lta},
                                           Case{Packaging::enveloping, Level::b_b}, Case{Packaging::enveloping, Level::b_t},
                                           Case{Packaging::enveloping, Level::b_lt}, Case{Packaging::enveloping, Level::b_lta}),
                         case_name);

class XadesSignOther : public XadesSign {};

// XMLDSig 1.1 §4.4.3.1: a Reference without URI is the detached content. qualsig checks the
// SignatureValue over ds:SignedInfo as signed (xmlsec checks the references with a URI set for a
// moment), so taking the URI out of a signed Reference must fail — as the signature value, not
// as a reference. The positive case is DSS's LuxTrust file (xades_corpus_test.cpp).
TEST_F(XadesSignOther, ReferenceWithoutUriIsTheDetachedContentButSignedInfoMustBeAsSigned) {
  SignOptions o;
  o.level = Level::b_b;
  o.packaging = Packaging::detached;
  o.detached_uri = "invoice.bin";
  o.signing_time = kSigningTime;
  o.chain = {s_pki->issuing.get()};
  std::string xml = to_string(must(sign_detached(core::sha256(kBinary), s_pki->signer_cert.get(), *s_pki->signer, o)));
  auto without = [&](std::string text, const std::string& attribute) {
    auto at = text.find(attribute);
    EXPECT_NE(at, std::string::npos) << attribute;
    if (at != std::string::npos) text.erase(at, attribute.size());
    return to_bytes(text);
  };
  ASSERT_TRUE(verify(to_bytes(xml), ByteView(kBinary)));

  auto unsigned_change = verify(without(xml, " URI=\"invoice.bin\""), ByteView(kBinary));
  ASSERT_FALSE(unsigned_change);
  EXPECT_EQ(unsigned_change.error().code, ErrorCode::denied);
  EXPECT_NE(unsigned_change.error().message.find("signature value"), std::string::npos) << unsigned_change.error().message;
  EXPECT_EQ(verify(without(xml, " URI=\"invoice.bin\"")).error().code, ErrorCode::usage);  // no content given

  // The SignedProperties reference must say what it covers.
  auto sp = xml.find("Type=\"http://uri.etsi.org/01903#SignedProperties\"");
  ASSERT_NE(sp, std::string::npos);
  auto ref_start = xml.rfind("<ds:Reference", sp);
  auto uri_at = xml.find(" URI=\"#", ref_start);
  ASSERT_LT(uri_at, xml.find('>', ref_start));
  std::string no_sp_uri = xml;
  no_sp_uri.erase(uri_at, xml.find('"', uri_at + 7) + 1 - uri_at);
  EXPECT_EQ(verify(to_bytes(no_sp_uri), ByteView(kBinary)).error().code, ErrorCode::invalid_input);

  // The name qualsig lends a Reference without URI is not accepted from a file.
  std::string reserved = xml;
  reserved.replace(reserved.find("URI=\"invoice.bin\""), 17, "URI=\"qualsig-detached-content-of-a-reference-without-URI\"");
  EXPECT_EQ(verify(to_bytes(reserved), ByteView(kBinary)).error().code, ErrorCode::invalid_input);
}

TEST_F(XadesSignOther, DetachedVerifiesWithTheContentOnly) {
  SignOptions o;
  o.level = Level::b_lt;
  o.packaging = Packaging::detached;
  o.detached_uri = "invoice.bin";
  o.signing_time = kSigningTime;
  o.chain = {s_pki->issuing.get()};
  o.timestamp = s_pki->tsa.fn();
  o.validation_data = s_pki->validation_data();
  Bytes lt = must(sign_detached(core::sha256(kBinary), s_pki->signer_cert.get(), *s_pki->signer, o));
  Bytes xml = must(xades::add_archive_timestamp(lt, ByteView(kBinary), s_pki->tsa.fn(), core::DigestAlgorithm::sha256));
  Verifiers v{*s_pki};
  for (const Bytes* doc : {&lt, &xml}) {
    CommandResult x = v.xmlsec1(*doc, &kBinary, "invoice.bin");
    EXPECT_EQ(x.status, 0) << x.output;
  }
  Bytes other = kBinary;
  other[10] ^= 1;
  EXPECT_NE(v.xmlsec1(xml, &other, "invoice.bin").status, 0);

  SignatureInfo info = must(verify(xml, ByteView(kBinary)));
  EXPECT_EQ(info.level, Level::b_lta);
  EXPECT_EQ(info.packaging, Packaging::detached);
  write_file(s_pki->path("detached.bin"), kBinary);
  std::string imprint = v.node_digest(xml, "ats sha256 " + s_pki->path("detached.bin"));
  EXPECT_EQ(s_pki->openssl_ts_verify(info.archive_timestamps.at(0), *hex_decode(imprint)).status, 0);

  auto changed = verify(xml, ByteView(other));
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::denied);
  auto missing = verify(xml);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::usage);
  // B-LTA of a detached signature needs the content.
  EXPECT_EQ(xades::add_archive_timestamp(lt, std::nullopt, s_pki->tsa.fn(), core::DigestAlgorithm::sha256).error().code, ErrorCode::usage);
  // An unexpected detached content for an enveloped signature is refused.
  SignOptions env = o;
  env.level = Level::b_b;
  env.packaging = Packaging::enveloped;
  Bytes enveloped = must(sign(to_bytes(kDocument), s_pki->signer_cert.get(), *s_pki->signer, env));
  EXPECT_EQ(verify(enveloped, ByteView(kBinary)).error().code, ErrorCode::usage);
}

TEST_F(XadesSignOther, RsaAndP384KeysAndSha384) {
  auto rsa = s_pki->token_signer(hsm::KeyType::rsa_3072, "xades-rsa");
  auto rsa_cert = cades::testing::issue("Test RSA Signer", rsa->public_key(), s_pki->issuing.get(), s_pki->issuing_key.get(), false);
  Verifiers v{*s_pki};
  SignOptions o;
  o.signing_time = kSigningTime;
  // No chain: xadesjs 2.6.8 tries every KeyInfo certificate's key with the signature algorithm
  // and throws on the EC issuing CA's key before reaching the RSA signer's.
  Bytes rsa_xml = must(sign(to_bytes(kDocument), rsa_cert.get(), *rsa, o));
  EXPECT_NE(to_string(rsa_xml).find("xmldsig-more#rsa-sha256"), std::string::npos);
  EXPECT_EQ(v.xmlsec1(rsa_xml).status, 0) << v.xmlsec1(rsa_xml).output;
  CommandResult rsa_js = v.xadesjs(rsa_xml);
  EXPECT_EQ(rsa_js.status, 0) << rsa_js.output;

  o.chain = {s_pki->issuing.get()};
  o.digest = core::DigestAlgorithm::sha384;
  o.packaging = Packaging::enveloping;
  o.mime_type = "application/pdf";
  Bytes p384 = must(sign(kBinary, s_pki->counter_cert.get(), *s_pki->counter_signer, o));
  EXPECT_NE(to_string(p384).find("xmldsig-more#ecdsa-sha384"), std::string::npos);
  EXPECT_NE(to_string(p384).find("<xades:MimeType>application/pdf</xades:MimeType>"), std::string::npos);
  EXPECT_EQ(v.xmlsec1(p384).status, 0) << v.xmlsec1(p384).output;
  CommandResult js = v.xadesjs(p384);
  EXPECT_EQ(js.status, 0) << js.output;
  EXPECT_TRUE(verify(p384));
}

// Verification on several threads at once: xmlsec is initialised once, and each thread's detached
// content is served only to that thread's verification.
TEST_F(XadesSignOther, ConcurrentVerificationKeepsDetachedContentPerThread) {
  SignOptions o;
  o.signing_time = kSigningTime;
  o.packaging = Packaging::detached;
  o.detached_uri = "same-name.bin";
  const Bytes a = to_bytes("content of thread A"), b = to_bytes("content of thread B");
  const Bytes sig_a = must(sign_detached(core::sha256(a), s_pki->signer_cert.get(), *s_pki->signer, o));
  const Bytes sig_b = must(sign_detached(core::sha256(b), s_pki->signer_cert.get(), *s_pki->signer, o));
  std::atomic<int> failures{0};
  auto worker = [&](const Bytes& sig, const Bytes& mine, const Bytes& other) {
    for (int i = 0; i < 25; ++i) {
      if (!verify(sig, ByteView(mine))) ++failures;
      if (verify(sig, ByteView(other))) ++failures;
    }
  };
  std::thread ta(worker, std::cref(sig_a), std::cref(a), std::cref(b));
  std::thread tb(worker, std::cref(sig_b), std::cref(b), std::cref(a));
  ta.join();
  tb.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(XadesSignOther, RefusesBadOptions) {
  SignOptions o;
  o.signing_time = kSigningTime;
  // A certificate that is not the signer's.
  EXPECT_EQ(sign(to_bytes(kDocument), s_pki->counter_cert.get(), *s_pki->signer, o).error().code, ErrorCode::usage);
  o.level = Level::b_t;  // no time-stamp function
  EXPECT_EQ(sign(to_bytes(kDocument), s_pki->signer_cert.get(), *s_pki->signer, o).error().code, ErrorCode::usage);
  o.level = Level::b_b;
  o.packaging = Packaging::detached;
  EXPECT_EQ(sign(kBinary, s_pki->signer_cert.get(), *s_pki->signer, o).error().code, ErrorCode::usage);
  o.detached_uri = "#local";
  EXPECT_EQ(sign_detached(core::sha256(kBinary), s_pki->signer_cert.get(), *s_pki->signer, o).error().code, ErrorCode::usage);
  o.detached_uri = "doc.bin";
  EXPECT_EQ(sign_detached(Bytes(31), s_pki->signer_cert.get(), *s_pki->signer, o).error().code, ErrorCode::usage);
  // An enveloped document whose Ids collide is refused before signing.
  o.packaging = Packaging::enveloped;
  auto dup = sign(to_bytes("<a><b Id=\"x\"/><c Id=\"x\"/></a>"), s_pki->signer_cert.get(), *s_pki->signer, o);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::invalid_input);
  // A second XAdES signature on an already signed document would never be the one checked.
  Bytes once = must(sign(to_bytes(kDocument), s_pki->signer_cert.get(), *s_pki->signer, o));
  EXPECT_EQ(sign(once, s_pki->signer_cert.get(), *s_pki->signer, o).error().code, ErrorCode::conflict);
  // B-LT validation data that is not DER.
  Bytes bt;
  {
    SignOptions t = o;
    t.level = Level::b_t;
    t.timestamp = s_pki->tsa.fn();
    bt = must(sign(to_bytes(kDocument), s_pki->signer_cert.get(), *s_pki->signer, t));
  }
  cades::ValidationData junk;
  junk.crls = {to_bytes("not a CRL")};
  EXPECT_EQ(xades::add_validation_data(bt, junk).error().code, ErrorCode::invalid_input);
  EXPECT_EQ(xades::add_validation_data(bt, cades::ValidationData{}).error().code, ErrorCode::usage);
  // B-LT needs B-T first; B-LTA needs B-LT first.
  Bytes bb = must(sign(to_bytes(kDocument), s_pki->signer_cert.get(), *s_pki->signer, o));
  EXPECT_EQ(xades::add_validation_data(bb, s_pki->validation_data()).error().code, ErrorCode::conflict);
  EXPECT_EQ(xades::add_archive_timestamp(bt, std::nullopt, s_pki->tsa.fn(), core::DigestAlgorithm::sha256).error().code,
            ErrorCode::conflict);
}

}  // namespace
}  // namespace qualsig::formats::xades
