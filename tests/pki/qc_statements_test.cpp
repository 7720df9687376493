// QCStatements (RFC 3739 §3.2.6, ETSI EN 319 412-5): round trips, byte equality with vectors that
// the openssl command line generates (`openssl asn1parse -genconf`, an encoder independent of
// qc_statements.cpp), refusal of mutated encodings, and real certificates from the DSS corpus.

#include "pki/qc_statements.h"

#include <gtest/gtest.h>
#include <openssl/cms.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/openssl.h"
#include "pki/oids.h"
#include "support/temp_dir.h"

namespace qualsig::pki {
namespace {

// Runs a shell command; returns its exit status and stdout+stderr.
int run(const std::string& command, std::string& output) {
  output.clear();
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  while (std::fgets(buf, sizeof(buf), pipe) != nullptr) output += buf;
  return ::pclose(pipe);
}

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::filesystem::path& path, ByteView data) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

// Sections for `openssl asn1parse -genconf` (ASN1_generate_nconf(3)); a vector names the
// statements of its outer SEQUENCE. Good and mutated statements live side by side.
constexpr const char* kSections = R"(
[compliance]
id = OID:0.4.0.1862.1.1
[compliance_with_null]
id = OID:0.4.0.1862.1.1
info = NULL
[sscd]
id = OID:0.4.0.1862.1.4
[retention7]
id = OID:0.4.0.1862.1.3
info = INTEGER:7
[retention_zero]
id = OID:0.4.0.1862.1.3
info = INTEGER:0
[retention_negative]
id = OID:0.4.0.1862.1.3
info = INTEGER:-1
[retention_string]
id = OID:0.4.0.1862.1.3
info = PRINTABLESTRING:7
[retention_missing]
id = OID:0.4.0.1862.1.3
[type_eseal]
id = OID:0.4.0.1862.1.6
info = SEQUENCE:types_eseal
[types_eseal]
t1 = OID:0.4.0.1862.1.6.2
[type_esign]
id = OID:0.4.0.1862.1.6
info = SEQUENCE:types_esign
[types_esign]
t1 = OID:0.4.0.1862.1.6.1
[type_two]
id = OID:0.4.0.1862.1.6
info = SEQUENCE:types_two
[types_two]
t1 = OID:0.4.0.1862.1.6.1
t2 = OID:0.4.0.1862.1.6.2
[type_empty]
id = OID:0.4.0.1862.1.6
info = SEQUENCE:empty
[type_not_sequence]
id = OID:0.4.0.1862.1.6
info = OID:0.4.0.1862.1.6.2
[type_missing]
id = OID:0.4.0.1862.1.6
[type_utf8_inside]
id = OID:0.4.0.1862.1.6
info = SEQUENCE:types_utf8
[types_utf8]
t1 = UTF8String:eseal
[empty]
[pds]
id = OID:0.4.0.1862.1.5
info = SEQUENCE:pds_en_only
[pds_en_only]
l1 = SEQUENCE:pds_en
[pds_en]
url = IA5STRING:https://pds.example/en
language = PRINTABLESTRING:en
[pds_two]
id = OID:0.4.0.1862.1.5
info = SEQUENCE:pds_en_nl
[pds_en_nl]
l1 = SEQUENCE:pds_en
l2 = SEQUENCE:pds_nl
[pds_nl]
url = IA5STRING:https://pds.example/nl
language = PRINTABLESTRING:nl
[pds_upper]
id = OID:0.4.0.1862.1.5
info = SEQUENCE:pds_upper_list
[pds_upper_list]
l1 = SEQUENCE:pds_upper_location
[pds_upper_location]
url = IA5STRING:https://pds.example/en
language = PRINTABLESTRING:EN
[pds_lang3]
id = OID:0.4.0.1862.1.5
info = SEQUENCE:pds_lang3_list
[pds_lang3_list]
l1 = SEQUENCE:pds_lang3_location
[pds_lang3_location]
url = IA5STRING:https://pds.example/en
language = PRINTABLESTRING:eng
[pds_lang1]
id = OID:0.4.0.1862.1.5
info = SEQUENCE:pds_lang1_list
[pds_lang1_list]
l1 = SEQUENCE:pds_lang1_location
[pds_lang1_location]
url = IA5STRING:https://pds.example/en
language = PRINTABLESTRING:e
[pds_lang_digits]
id = OID:0.4.0.1862.1.5
info = SEQUENCE:pds_lang_digits_list
[pds_lang_digits_list]
l1 = SEQUENCE:pds_lang_digits_location
[pds_lang_digits_location]
url = IA5STRING:https://pds.example/en
language = PRINTABLESTRING:12
[pds_lang_utf8]
id = OID:0.4.0.1862.1.5
info = SEQUENCE:pds_lang_utf8_list
[pds_lang_utf8_list]
l1 = SEQUENCE:pds_lang_utf8_location
[pds_lang_utf8_location]
url = IA5STRING:https://pds.example/en
language = UTF8String:en
[pds_url_utf8]
id = OID:0.4.0.1862.1.5
info = SEQUENCE:pds_url_utf8_list
[pds_url_utf8_list]
l1 = SEQUENCE:pds_url_utf8_location
[pds_url_utf8_location]
url = UTF8String:https://pds.example/en
language = PRINTABLESTRING:en
[pds_no_language]
id = OID:0.4.0.1862.1.5
info = SEQUENCE:pds_no_language_list
[pds_no_language_list]
l1 = SEQUENCE:pds_no_language_location
[pds_no_language_location]
url = IA5STRING:https://pds.example/en
[pds_empty_url]
id = OID:0.4.0.1862.1.5
info = SEQUENCE:pds_empty_url_list
[pds_empty_url_list]
l1 = SEQUENCE:pds_empty_url_location
[pds_empty_url_location]
url = IA5STRING:
language = PRINTABLESTRING:en
[pds_empty]
id = OID:0.4.0.1862.1.5
info = SEQUENCE:empty
[legislation_ch]
id = OID:0.4.0.1862.1.7
info = SEQUENCE:countries_ch
[countries_ch]
c1 = PRINTABLESTRING:CH
[legislation_ch_gb]
id = OID:0.4.0.1862.1.7
info = SEQUENCE:countries_ch_gb
[countries_ch_gb]
c1 = PRINTABLESTRING:CH
c2 = PRINTABLESTRING:GB
[legislation_three_letters]
id = OID:0.4.0.1862.1.7
info = SEQUENCE:countries_che
[countries_che]
c1 = PRINTABLESTRING:CHE
[legislation_empty]
id = OID:0.4.0.1862.1.7
info = SEQUENCE:empty
[semantics]
id = OID:1.3.6.1.5.5.7.11.2
info = SEQUENCE:semantics_information
[semantics_information]
semantics_identifier = OID:0.4.0.194121.1.2
[limit]
id = OID:0.4.0.1862.1.2
info = SEQUENCE:monetary_value
[monetary_value]
currency = PRINTABLESTRING:EUR
amount = INTEGER:10000
exponent = INTEGER:0
[statement_id_integer]
id = INTEGER:1
[statement_only_info]
info = NULL
)";

// DER of the QCStatements `openssl asn1parse -genconf` makes from the named sections; `outer` is
// the outer type (SEQUENCE, or SET for a wrong-tag vector).
Bytes openssl_vector(const std::vector<std::string>& statements, const std::string& outer = "SEQUENCE") {
  testing::TempDir dir;
  std::string conf = "asn1 = " + outer + ":qcs\n[qcs]\n";
  for (std::size_t i = 0; i < statements.size(); ++i)
    conf += "s" + std::to_string(i) + " = SEQUENCE:" + statements[i] + "\n";
  conf += kSections;
  std::ofstream(dir.path() / "qc.cnf") << conf;
  std::string out;
  const int rc = run("openssl asn1parse -genconf " + (dir.path() / "qc.cnf").string() + " -noout -out " +
                         (dir.path() / "qc.der").string(),
                     out);
  EXPECT_EQ(rc, 0) << out;
  return read_file(dir.path() / "qc.der");
}

QcStatements eseal_statements() {
  QcStatements s;
  s.compliance = true;
  s.sscd = true;
  s.types = {oid::kQctEseal};
  s.pds = {{"https://pds.example/en", "en"}};
  s.retention_years = 7;
  return s;
}

TEST(QcStatements, RoundTripsEveryCombination) {
  std::vector<std::pair<std::string, QcStatements>> cases;
  cases.emplace_back("eseal-with-pds-and-retention", eseal_statements());
  QcStatements esign;
  esign.compliance = true;
  esign.sscd = true;
  esign.types = {oid::kQctEsign};
  esign.pds = {{"https://pds.example/en", "en"}, {"https://pds.example/nl", "nl"}};
  cases.emplace_back("esign-with-two-pds", esign);
  QcStatements web;
  web.compliance = true;
  web.types = {oid::kQctWeb};
  cases.emplace_back("web-without-sscd", web);
  QcStatements compliance_only;
  compliance_only.compliance = true;
  cases.emplace_back("compliance-only", compliance_only);
  QcStatements sscd_only;
  sscd_only.sscd = true;
  cases.emplace_back("sscd-only", sscd_only);
  QcStatements retention_only;
  retention_only.retention_years = 100;
  cases.emplace_back("retention-only", retention_only);
  QcStatements non_eu;
  non_eu.compliance = true;
  non_eu.types = {oid::kQctEsign};
  non_eu.legislation_countries = {"CH"};
  cases.emplace_back("non-eu-one-country", non_eu);
  non_eu.legislation_countries = {"CH", "GB"};
  non_eu.retention_years = 30;
  cases.emplace_back("non-eu-two-countries", non_eu);

  for (const auto& [name, statements] : cases) {
    SCOPED_TRACE(name);
    auto der = encode_qc_statements(statements);
    ASSERT_TRUE(der) << der.error().message;
    auto back = decode_qc_statements(*der);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, statements);
    auto again = encode_qc_statements(*back);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *der);
  }
}

// Our encoder and the openssl command line produce the same bytes, in the documented order
// QcCompliance, QcRetentionPeriod, QcSSCD, QcType, QcPDS, QcCClegislation.
TEST(QcStatements, EncodingMatchesOpensslGeneratedVectors) {
  auto der = encode_qc_statements(eseal_statements());
  ASSERT_TRUE(der);
  EXPECT_EQ(hex_encode(*der), hex_encode(openssl_vector({"compliance", "retention7", "sscd", "type_eseal", "pds"})));

  QcStatements all = eseal_statements();
  all.types = {oid::kQctEsign};
  all.pds.push_back({"https://pds.example/nl", "nl"});
  all.legislation_countries = {"CH", "GB"};
  der = encode_qc_statements(all);
  ASSERT_TRUE(der);
  EXPECT_EQ(
      hex_encode(*der),
      hex_encode(openssl_vector({"compliance", "retention7", "sscd", "type_esign", "pds_two", "legislation_ch_gb"})));
}

TEST(QcStatements, DecodesOpensslGeneratedVectorsInAnyOrder) {
  auto s = decode_qc_statements(openssl_vector({"pds", "type_eseal", "sscd", "retention7", "compliance"}));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(*s, eseal_statements());

  // Unknown statements (RFC 3739 semantics information, EN 319 412-5 QcLimitValue) are kept as OIDs
  // in certificate order, whatever their statementInfo.
  s = decode_qc_statements(openssl_vector({"semantics", "compliance", "limit", "type_two"}));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->compliance);
  EXPECT_EQ(s->other_statement_oids, (std::vector<std::string>{"1.3.6.1.5.5.7.11.2", oid::kQcsQcLimitValue}));
  // Several types decode (the validator judges them); encoding refuses them.
  EXPECT_EQ(s->types, (std::vector<std::string>{oid::kQctEsign, oid::kQctEseal}));

  // Real certificates write the language in upper case ("EN"): kept as found.
  s = decode_qc_statements(openssl_vector({"compliance", "pds_upper", "legislation_ch"}));
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->pds.size(), 1u);
  EXPECT_EQ(s->pds[0].language, "EN");
  EXPECT_EQ(s->legislation_countries, std::vector<std::string>{"CH"});

  // An empty QCStatements is well-formed: nothing is claimed.
  s = decode_qc_statements(openssl_vector({}));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(*s, QcStatements{});
}

// Negative vectors, each named after its mutation. Every one fails with invalid_input.
TEST(QcStatements, DecodeRefusesMutations) {
  const Bytes good = openssl_vector({"compliance", "type_eseal"});
  ASSERT_GT(good.size(), 4u);
  ASSERT_LT(good[1], 0x80);  // short-form outer length, so the BER mutations below are exact
  struct Case {
    std::string name;  // the mutation
    Bytes der;
    std::string why;  // part of the error message: the check that caught it
  };
  std::vector<Case> cases;

  auto with = [](Bytes b, std::size_t at, std::uint8_t value) {
    b.at(at) = value;
    return b;
  };
  Bytes trailing = good;
  trailing.push_back(0x00);
  cases.push_back({"trailing-zero-byte", trailing, "trailing data"});
  Bytes twice = good;
  twice.insert(twice.end(), good.begin(), good.end());
  cases.push_back({"trailing-second-sequence", twice, "trailing data"});
  cases.push_back({"truncated-last-byte", Bytes(good.begin(), good.end() - 1), "not well-formed DER"});
  cases.push_back({"truncated-to-half", Bytes(good.begin(), good.begin() + static_cast<long>(good.size() / 2)),
                   "not well-formed DER"});
  cases.push_back({"truncated-to-tag", Bytes(good.begin(), good.begin() + 1), "not well-formed DER"});
  cases.push_back({"empty-input", Bytes{}, "empty"});
  cases.push_back({"outer-tag-set", with(good, 0, 0x31), "not well-formed DER"});
  cases.push_back({"outer-tag-octet-string", with(good, 0, 0x04), "not well-formed DER"});
  cases.push_back(
      {"outer-length-plus-one", with(good, 1, static_cast<std::uint8_t>(good[1] + 1)), "not well-formed DER"});
  // BER, not DER: the outer length in long form (0x81 LL), and the indefinite form (0x80 ... 00 00).
  Bytes long_form = {0x30, 0x81};
  long_form.insert(long_form.end(), good.begin() + 1, good.end());
  cases.push_back({"outer-length-long-form", long_form, "not in DER"});
  Bytes indefinite = {0x30, 0x80};
  indefinite.insert(indefinite.end(), good.begin() + 2, good.end());
  indefinite.insert(indefinite.end(), {0x00, 0x00});
  cases.push_back({"outer-length-indefinite", indefinite, "not in DER"});
  // The same inside QcType's statementInfo (a SEQUENCE that ASN1_ANY keeps as raw bytes): its
  // length 30 09 becomes 30 81 09, and the two enclosing lengths grow by one.
  ASSERT_EQ(hex_encode(good),
            "301f"
            "3008"
            "060604008e460101"
            "3013"
            "060604008e460106"
            "3009"
            "060704008e46010602");
  const Bytes qctype_inner_long_form = *hex_decode(
      "3020"
      "3008"
      "060604008e460101"
      "3014"
      "060604008e460106"
      "308109"
      "060704008e46010602");
  cases.push_back({"qctype-inner-length-long-form", qctype_inner_long_form, "QcType is not in DER"});

  cases.push_back(
      {"outer-set-of-statements", openssl_vector({"compliance", "type_eseal"}, "SET"), "not well-formed DER"});
  cases.push_back({"statement-id-integer", openssl_vector({"statement_id_integer"}), "not well-formed DER"});
  cases.push_back({"statement-without-id", openssl_vector({"statement_only_info"}), "not well-formed DER"});
  cases.push_back(
      {"compliance-with-null-info", openssl_vector({"compliance_with_null"}), "must not carry statementInfo"});
  cases.push_back({"sscd-twice", openssl_vector({"sscd", "compliance", "sscd"}), "appears twice"});
  cases.push_back({"qctype-twice", openssl_vector({"type_eseal", "type_esign"}), "appears twice"});
  cases.push_back({"qctype-with-no-types", openssl_vector({"compliance", "type_empty"}), "QcType lists no type"});
  cases.push_back({"qctype-oid-not-in-sequence", openssl_vector({"compliance", "type_not_sequence"}),
                   "QcType statementInfo is not a SEQUENCE"});
  cases.push_back(
      {"qctype-without-info", openssl_vector({"compliance", "type_missing"}), "QcType statement has no statementInfo"});
  cases.push_back({"qctype-utf8string-instead-of-oid", openssl_vector({"compliance", "type_utf8_inside"}),
                   "QcType is not well-formed DER"});
  cases.push_back(
      {"pds-language-three-letters", openssl_vector({"compliance", "pds_lang3"}), "language is not a two-letter"});
  cases.push_back(
      {"pds-language-one-letter", openssl_vector({"compliance", "pds_lang1"}), "language is not a two-letter"});
  cases.push_back(
      {"pds-language-digits", openssl_vector({"compliance", "pds_lang_digits"}), "language is not a two-letter"});
  cases.push_back({"pds-language-utf8string", openssl_vector({"compliance", "pds_lang_utf8"}),
                   "PdsLocations is not well-formed DER"});
  cases.push_back(
      {"pds-url-utf8string", openssl_vector({"compliance", "pds_url_utf8"}), "PdsLocations is not well-formed DER"});
  cases.push_back({"pds-location-without-language", openssl_vector({"compliance", "pds_no_language"}),
                   "PdsLocations is not well-formed DER"});
  cases.push_back({"pds-empty-url", openssl_vector({"compliance", "pds_empty_url"}), "empty URL"});
  cases.push_back({"pds-no-locations", openssl_vector({"compliance", "pds_empty"}), "PdsLocations is empty"});
  cases.push_back({"retention-zero", openssl_vector({"compliance", "retention_zero"}), "not a positive number"});
  cases.push_back(
      {"retention-negative", openssl_vector({"compliance", "retention_negative"}), "not a positive number"});
  cases.push_back({"retention-printablestring", openssl_vector({"compliance", "retention_string"}), "not an INTEGER"});
  cases.push_back({"retention-without-info", openssl_vector({"compliance", "retention_missing"}), "not an INTEGER"});
  cases.push_back(
      {"legislation-three-letters", openssl_vector({"compliance", "legislation_three_letters"}), "not two letters"});
  cases.push_back({"legislation-no-country", openssl_vector({"compliance", "legislation_empty"}), "names no country"});

  // The good vector itself decodes, so each failure is the mutation's.
  ASSERT_TRUE(decode_qc_statements(good));
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = decode_qc_statements(c.der);
    ASSERT_FALSE(r) << "accepted " << hex_encode(c.der);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << r.error().message;
    EXPECT_NE(r.error().message.find(c.why), std::string::npos) << r.error().message;
  }
}

TEST(QcStatements, EncodeRefusesWhatEn319412_5Forbids) {
  std::vector<std::pair<std::string, QcStatements>> cases;
  auto mutate = [&](const std::string& name, auto change) {
    QcStatements s = eseal_statements();
    change(s);
    cases.emplace_back(name, s);
  };
  mutate("nothing-to-encode", [](QcStatements& s) { s = QcStatements{}; });
  mutate("two-types", [](QcStatements& s) { s.types.push_back(oid::kQctEsign); });
  mutate("unknown-type", [](QcStatements& s) { s.types = {"1.2.3.4"}; });
  mutate("type-not-an-oid", [](QcStatements& s) { s.types = {"eseal"}; });
  mutate("pds-http", [](QcStatements& s) { s.pds[0].url = "http://pds.example/en"; });
  mutate("pds-scheme-only", [](QcStatements& s) { s.pds[0].url = "https://"; });
  mutate("pds-url-with-space", [](QcStatements& s) { s.pds[0].url = "https://pds.example/a b"; });
  mutate("pds-url-non-ascii", [](QcStatements& s) { s.pds[0].url = "https://pds.example/\xc3\xa9"; });
  mutate("pds-language-upper-case", [](QcStatements& s) { s.pds[0].language = "EN"; });
  mutate("pds-language-three-letters", [](QcStatements& s) { s.pds[0].language = "eng"; });
  mutate("retention-zero", [](QcStatements& s) { s.retention_years = 0; });
  mutate("retention-negative", [](QcStatements& s) { s.retention_years = -3; });
  mutate("legislation-lower-case", [](QcStatements& s) { s.legislation_countries = {"ch"}; });
  mutate("legislation-three-letters", [](QcStatements& s) { s.legislation_countries = {"CHE"}; });
  mutate("other-statement", [](QcStatements& s) { s.other_statement_oids = {"1.3.6.1.5.5.7.11.2"}; });
  for (const auto& [name, statements] : cases) {
    SCOPED_TRACE(name);
    auto r = encode_qc_statements(statements);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << r.error().message;
  }
}

// The openssl command line reads our encoding and sees the statements in the documented order.
TEST(QcStatements, OpensslAsn1parseSeesStatementsInDocumentedOrder) {
  QcStatements all = eseal_statements();
  all.legislation_countries = {"CH"};
  auto der = encode_qc_statements(all);
  ASSERT_TRUE(der);
  testing::TempDir dir;
  write_file(dir.path() / "qc.der", *der);
  std::string out;
  ASSERT_EQ(run("openssl asn1parse -inform DER -i -in " + (dir.path() / "qc.der").string(), out), 0) << out;
  std::vector<std::string> oids;
  for (std::size_t at = out.find("OBJECT"); at != std::string::npos; at = out.find("OBJECT", at + 1)) {
    const auto colon = out.find(':', at);
    oids.push_back(out.substr(colon + 1, out.find('\n', colon) - colon - 1));
  }
  EXPECT_EQ(oids, (std::vector<std::string>{oid::kQcsQcCompliance, oid::kQcsQcRetentionPeriod, oid::kQcsQcSscd,
                                            oid::kQcsQcType, oid::kQctEseal, oid::kQcsQcPds, oid::kQcsQcCcLegislation}))
      << out;
  EXPECT_NE(out.find("IA5STRING         :https://pds.example/en"), std::string::npos) << out;
  EXPECT_NE(out.find("PRINTABLESTRING   :en"), std::string::npos) << out;
  EXPECT_NE(out.find("INTEGER           :07"), std::string::npos) << out;
}

std::vector<core::UniquePtr<X509>> corpus_certificates(const std::filesystem::path& cms_file) {
  std::vector<core::UniquePtr<X509>> certs;
  const Bytes der = read_file(cms_file);
  const unsigned char* p = der.data();
  auto cms = core::wrap(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!cms) return certs;
  STACK_OF(X509)* stack = CMS_get1_certs(cms.get());
  for (int i = 0; i < sk_X509_num(stack); ++i) certs.push_back(core::wrap(sk_X509_value(stack, i)));  // get1: owned
  sk_X509_free(stack);
  return certs;
}

// Real qualified certificates from other CAs (the DSS corpus, ../shared/corpus/dss).
TEST(QcStatementsCorpus, DecodesRealCertificates) {
  const std::filesystem::path dss = std::filesystem::path(QUALSIG_CORPUS_DIR) / "dss";
  if (!std::filesystem::exists(dss / "cades")) GTEST_SKIP() << "DSS corpus missing at " << dss;

  // Microsec e-Szigno (HU): QcCompliance, QcRetentionPeriod 10, QcSSCD, QcPDS twice, QcType esign.
  bool found = false;
  for (const auto& cert : corpus_certificates(dss / "cades" / "Signature-C-HU_MIC-1.p7m")) {
    auto s = qc_statements_of(cert.get());
    if (!s && s.error().code == ErrorCode::not_found) continue;
    ASSERT_TRUE(s) << s.error().message;
    found = true;
    EXPECT_TRUE(s->compliance);
    EXPECT_TRUE(s->sscd);
    EXPECT_EQ(s->retention_years, 10);
    EXPECT_EQ(s->types, std::vector<std::string>{oid::kQctEsign});
    EXPECT_EQ(s->pds, (std::vector<QcStatements::Pds>{{"https://cp.e-szigno.hu/qcps_en", "EN"},
                                                      {"https://cp.e-szigno.hu/qcps", "HU"}}));
    EXPECT_TRUE(s->other_statement_oids.empty());
  }
  EXPECT_TRUE(found);

  // Every qcStatements extension in the CAdES samples decodes strictly.
  int decoded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dss / "cades")) {
    for (const auto& cert : corpus_certificates(entry.path())) {
      auto s = qc_statements_of(cert.get());
      if (!s && s.error().code == ErrorCode::not_found) continue;
      EXPECT_TRUE(s) << entry.path().filename() << ": " << s.error().message;
      ++decoded;
    }
  }
  EXPECT_GE(decoded, 5);
}

TEST(QcStatements, CertificateWithoutExtensionIsNotFound) {
  auto cert = core::wrap(X509_new());
  ASSERT_TRUE(cert);
  auto s = qc_statements_of(cert.get());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace qualsig::pki
