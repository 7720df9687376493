// Hostile XML against every XAdES entry point that parses: entity expansion (billion laughs),
// external entities and DTDs (nothing may be read or fetched), deep nesting, oversized input,
// truncation, random bytes, duplicate Ids and signature wrapping. Each must give a clear
// invalid_input / denied / usage error, quickly and without a crash (run under ASan/UBSan).
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "cades_test_support.h"
#include "formats/xades.h"

namespace qualsig::formats::xades {
namespace {

using cades::Level;
using cades::testing::CadesPki;
using cades::testing::kSigningTime;
using cades::testing::must;

const std::string kBillionLaughs =
    "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
    "]>\n<lolz>&lol9;</lolz>\n";
const std::string kExternalEntity =
    "<?xml version=\"1.0\"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<foo>&xxe;</foo>\n";
const std::string kExternalDtd = "<?xml version=\"1.0\"?>\n<!DOCTYPE foo SYSTEM \"http://127.0.0.1:9/evil.dtd\">\n<foo/>\n";
const std::string kParameterEntity =
    "<?xml version=\"1.0\"?>\n<!DOCTYPE foo [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>\n<foo/>\n";

std::string nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "<a>";
  for (int i = 0; i < depth; ++i) s += "</a>";
  return s;
}

// Every entry point that parses XML, with the error codes it may give on hostile input.
void expect_refused(ByteView xml, const std::string& what, std::initializer_list<ErrorCode> codes = {ErrorCode::invalid_input}) {
  auto check = [&](const char* fn, const Error& e) {
    EXPECT_TRUE(std::find(codes.begin(), codes.end(), e.code) != codes.end())
        << what << " / " << fn << ": " << error_code_name(e.code) << " " << e.message;
    // Nothing of /etc/passwd may come back in a message.
    EXPECT_EQ(e.message.find("root:"), std::string::npos) << what;
    EXPECT_EQ(e.detail.find("root:"), std::string::npos) << what;
  };
  auto i = inspect(xml);
  ASSERT_FALSE(i) << what << ": inspect accepted it";
  check("inspect", i.error());
  auto v = verify(xml);
  ASSERT_FALSE(v) << what << ": verify accepted it";
  check("verify", v.error());
  auto t = add_signature_timestamp(xml, [](ByteView, core::DigestAlgorithm) -> Result<Bytes> { return Bytes{}; },
                                   core::DigestAlgorithm::sha256);
  ASSERT_FALSE(t) << what;
  check("add_signature_timestamp", t.error());
}

class XadesHostile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_pki = new CadesPki();
    SignOptions o;
    o.level = Level::b_lta;
    o.packaging = Packaging::enveloping;
    o.signing_time = kSigningTime;
    o.chain = {s_pki->issuing.get()};
    o.timestamp = s_pki->tsa.fn();
    o.validation_data = s_pki->validation_data();
    s_signed = new Bytes(must(sign(to_bytes("the signed content"), s_pki->signer_cert.get(), *s_pki->signer, o)));
  }
  static void TearDownTestSuite() {
    delete s_signed;
    delete s_pki;
  }
  // Signs `document` enveloped (B-B) with the test signer.
  static Result<Bytes> sign_enveloped(const std::string& document) {
    SignOptions o;
    o.signing_time = kSigningTime;
    return sign(to_bytes(document), s_pki->signer_cert.get(), *s_pki->signer, o);
  }
  static CadesPki* s_pki;
  static Bytes* s_signed;
};
CadesPki* XadesHostile::s_pki = nullptr;
Bytes* XadesHostile::s_signed = nullptr;

TEST_F(XadesHostile, DtdsAndEntitiesAreRefusedBeforeAnythingIsExpandedOrFetched) {
  auto start = std::chrono::steady_clock::now();
  for (const auto& [name, doc] : {std::pair{"billion-laughs", kBillionLaughs}, {"external-entity", kExternalEntity},
                                  {"external-dtd", kExternalDtd}, {"parameter-entity", kParameterEntity}}) {
    expect_refused(as_bytes(doc), name);
    auto s = sign_enveloped(doc);
    ASSERT_FALSE(s) << name;
    EXPECT_EQ(s.error().code, ErrorCode::invalid_input) << name;
    EXPECT_NE(s.error().message.find("DOCTYPE"), std::string::npos) << name << ": " << s.error().message;
  }
  // No network and no entity expansion: far below a second for all of them.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(XadesHostile, DeepNestingOversizedEmptyAndNonXml) {
  expect_refused(as_bytes(nested(10000)), "nesting-10000");
  expect_refused(as_bytes(nested(kMaxXmlDepth + 1)), "nesting-257");
  // Nesting within the bound parses (and is refused only as "not a XAdES signature").
  auto within = inspect(as_bytes(nested(100)));
  ASSERT_FALSE(within);
  EXPECT_NE(within.error().message.find("QualifyingProperties"), std::string::npos) << within.error().message;
  EXPECT_EQ(sign_enveloped(nested(10000)).error().code, ErrorCode::invalid_input);

  Bytes huge(70u << 20, 'a');
  auto start = std::chrono::steady_clock::now();
  expect_refused(huge, "70MB");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  expect_refused(Bytes{}, "empty");
  expect_refused(as_bytes("not xml at all"), "text");
  std::mt19937 rng(1234);
  for (int round = 0; round < 20; ++round) {
    Bytes junk(1 + rng() % 4096);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    expect_refused(junk, "random-" + std::to_string(round));
  }
}

TEST_F(XadesHostile, TruncatedAndTrailing) {
  ASSERT_TRUE(verify(*s_signed));
  for (std::size_t cut = 1; cut < s_signed->size(); cut += s_signed->size() / 97 + 1)
    expect_refused(ByteView(s_signed->data(), cut), "truncated-at-" + std::to_string(cut));
  Bytes trailing = *s_signed;
  for (char c : std::string("<extra/>")) trailing.push_back(static_cast<std::uint8_t>(c));
  expect_refused(trailing, "trailing-element");
}

TEST_F(XadesHostile, DuplicateIdsAndWrappedObjectsAreRefused) {
  std::string text = to_string(*s_signed);
  std::size_t start = text.find("<ds:Object Id=\"");
  ASSERT_NE(start, std::string::npos);
  std::size_t end = text.find("</ds:Object>", start) + std::string("</ds:Object>").size();
  const std::string original = text.substr(start, end - start);
  std::size_t id_start = start + std::string("<ds:Object Id=\"").size();
  const std::string id = text.substr(id_start, text.find('"', id_start) - id_start);
  const std::size_t sig_end = text.rfind("</ds:Signature>");

  // A forged Object with the same Id next to the signed one: duplicate Id.
  std::string forged = original;
  forged.replace(forged.find('>') + 1, 4, "ZZZZ");
  std::string duplicate = text;
  duplicate.insert(sig_end, forged);
  expect_refused(as_bytes(duplicate), "duplicate-id");

  // Signature wrapping: the signed Object moved into a wrapper, a forged one (no Id) in its place.
  std::string wrapped = text;
  wrapped.insert(sig_end, "<ds:Object><wrapper>" + original + "</wrapper></ds:Object>");
  std::string forged_no_id = "<ds:Object>" + base64_encode(as_bytes("forged content")) + "</ds:Object>";
  wrapped.replace(start, original.size(), forged_no_id);
  auto r = verify(as_bytes(wrapped));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::denied) << r.error().message;

  // A reference to a file or URL is never fetched: without content it is refused, and with content
  // only that content is used (here it does not match).
  std::string external = text;
  external.replace(external.find("URI=\"#" + id + "\""), id.size() + 7, "URI=\"file:///etc/passwd\"");
  auto no_content = verify(as_bytes(external));
  ASSERT_FALSE(no_content);
  EXPECT_EQ(no_content.error().code, ErrorCode::usage);
  auto other = verify(as_bytes(external), as_bytes("not the data"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::denied);

  // An XSLT transform is not enabled.
  std::string xslt = text;
  xslt.replace(xslt.find("http://www.w3.org/2000/09/xmldsig#base64\""), 41, "http://www.w3.org/TR/1999/REC-xslt-19991116\"");
  auto x = verify(as_bytes(xslt));
  ASSERT_FALSE(x);
  EXPECT_EQ(x.error().code, ErrorCode::denied);
}

TEST_F(XadesHostile, RandomByteFlipsNeverCrash) {
  std::mt19937 rng(42);
  int accepted = 0;
  for (int round = 0; round < 150; ++round) {
    Bytes mutated = *s_signed;
    mutated[rng() % mutated.size()] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    auto r = verify(mutated);
    if (r) {
      ++accepted;
      continue;
    }
    EXPECT_TRUE(r.error().code == ErrorCode::invalid_input || r.error().code == ErrorCode::denied ||
                r.error().code == ErrorCode::usage)
        << error_code_name(r.error().code) << " " << r.error().message;
    (void)inspect(mutated);
  }
  // A B-LTA covers every element; only flips in insignificant places (e.g. between attributes or
  // in a prefix declared twice) can survive, never most of them.
  EXPECT_LT(accepted, 15);
}

}  // namespace
}  // namespace qualsig::formats::xades
