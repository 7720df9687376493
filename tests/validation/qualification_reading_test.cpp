// Reading the qualification facts of a certificate and evaluating trusted-list criteria against
// them (validation/qc_facts.h), with certificates made by the openssl command line (an issuer
// independent of qualsig), including hostile QCStatements that must give a clear error and an
// N/A qualification, never a crash.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/openssl.h"
#include "support/run_command.h"
#include "support/temp_dir.h"
#include "validation/qc_facts.h"
#include "validation/qualification.h"

namespace qualsig::validation {
namespace {

// A self-issued certificate made by `openssl req -x509` with the extension lines `ext` (openssl
// x509v3_config(5) syntax); nullptr when openssl refuses.
core::UniquePtr<X509> openssl_cert(const std::string& ext, const std::string& subject = "/C=DK/O=Example QTSP/CN=x") {
  testing::TempDir dir;
  const auto conf = dir.path() / "req.cnf";
  std::ofstream(conf) << "[req]\ndistinguished_name = dn\n[dn]\n[ext]\n" << ext << "\n";
  const auto pem = dir.path() / "cert.pem";
  auto r = testing::run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                        (dir.path() / "key.pem").string() + " -subj '" + subject +
                        "' -days 30 -config " + conf.string() + " -extensions ext -out " + pem.string());
  if (r.status != 0) {
    ADD_FAILURE() << r.output;
    return nullptr;
  }
  std::ifstream in(pem);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto cert = core::x509_from_pem(text);
  return cert ? std::move(*cert) : nullptr;
}

constexpr const char* kQcsWithTwoTypes =
    "1.3.6.1.5.5.7.1.3 = ASN1:SEQUENCE:qcs\n"
    "keyUsage = critical, digitalSignature, nonRepudiation\n"
    "extendedKeyUsage = emailProtection\n"
    "certificatePolicies = 0.4.0.194112.1.2, 1.3.6.1.4.1.99999.1.9\n"
    "[qcs]\ns0 = SEQUENCE:compliance\ns1 = SEQUENCE:type\ns2 = SEQUENCE:legislation\n"
    "[compliance]\nid = OID:0.4.0.1862.1.1\n"
    "[type]\nid = OID:0.4.0.1862.1.6\ninfo = SEQUENCE:types\n"
    "[types]\nt0 = OID:0.4.0.1862.1.6.1\nt1 = OID:0.4.0.1862.1.6.2\n"
    "[legislation]\nid = OID:0.4.0.1862.1.7\ninfo = SEQUENCE:countries\n[countries]\nc0 = PRINTABLESTRING:CH\n";

TEST(QualificationReading, FactsOfAnOpensslMadeCertificate) {
  auto cert = openssl_cert(kQcsWithTwoTypes);
  ASSERT_TRUE(cert);
  auto f = read_qc_facts(cert.get());
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_TRUE(f->qc_compliance);
  EXPECT_FALSE(f->qc_sscd);
  EXPECT_EQ(f->qc_types, (std::vector<std::string>{"0.4.0.1862.1.6.1", "0.4.0.1862.1.6.2"}));
  EXPECT_TRUE(f->qc_cc_legislation);
  EXPECT_EQ(f->qc_legislation_countries, std::vector<std::string>{"CH"});
  EXPECT_EQ(f->qc_statements, (std::vector<std::string>{"0.4.0.1862.1.1", "0.4.0.1862.1.6", "0.4.0.1862.1.7"}));
  EXPECT_EQ(f->policies, (std::vector<std::string>{"0.4.0.194112.1.2", "1.3.6.1.4.1.99999.1.9"}));
  EXPECT_EQ(f->key_usage, (std::vector<std::string>{"digitalSignature", "nonRepudiation"}));
  EXPECT_EQ(f->extended_key_usage, (std::vector<std::string>{"1.3.6.1.5.5.7.3.4"}));
  EXPECT_EQ(f->issuer_organization, "Example QTSP");
  EXPECT_EQ(f->issuer_country, "DK");
  EXPECT_TRUE(f->post_eidas);
}

// QcCClegislation: qualified under non-EU law, so never EU-qualified by the certificate alone.
TEST(QualificationReading, LegislationCertificateIsNotQualified) {
  auto cert = openssl_cert(kQcsWithTwoTypes);
  ASSERT_TRUE(cert);
  trust::TrustServiceProvider tsp;
  tsp.name = "Example QTSP";
  trust::Service svc;
  trust::ServiceStatusPeriod p;
  p.type = trust::kSvcTypeCaQc;
  p.status = trust::kStatusGranted;
  p.start = TimePoint(std::chrono::seconds(trust::kEidasUnixSeconds));
  p.additional_service_info = {trust::kAsiForeSignatures, trust::kAsiForeSeals};
  svc.periods.push_back(p);
  tsp.services.push_back(svc);
  auto r = qualify_services(cert.get(), {{&tsp, &tsp.services[0], "EU LOTL -> DK trusted list", "DK", true}},
                            now_seconds(), Indication::passed);
  EXPECT_EQ(r.combined.label(), "Cert for unknown type");
  EXPECT_EQ(r.level, SignatureLevel::unknown);
}

struct Hostile {
  const char* name;
  const char* ext;
};

class QualificationHostile : public ::testing::TestWithParam<Hostile> {};

TEST_P(QualificationHostile, MalformedQcStatementsGiveAnErrorAndNa) {
  auto cert = openssl_cert(GetParam().ext);
  ASSERT_TRUE(cert);
  auto f = read_qc_facts(cert.get());
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, ErrorCode::invalid_input);
  trust::TrustServiceProvider tsp;
  tsp.name = "Example QTSP";
  tsp.services.emplace_back();
  auto r = qualify_services(cert.get(), {{&tsp, &tsp.services[0], "private list x", "", false}}, now_seconds(),
                            Indication::failed);
  EXPECT_FALSE(r.combined.applicable);
  EXPECT_EQ(r.level, SignatureLevel::not_ades);
  ASSERT_FALSE(r.reasons.empty());
  EXPECT_NE(r.reasons[0].find("cannot be read"), std::string::npos) << r.reasons[0];
}

INSTANTIATE_TEST_SUITE_P(
    Mutations, QualificationHostile,
    ::testing::Values(
        // Hostile encodings written as raw bytes on purpose: no encoder produces them.
        Hostile{"truncated", "1.3.6.1.5.5.7.1.3 = DER:3006300406"},
        Hostile{"trailing_data", "1.3.6.1.5.5.7.1.3 = DER:3008300606040400"
                                 "8e4601010000"},
        Hostile{"random_bytes", "1.3.6.1.5.5.7.1.3 = DER:9f3c11a0be77"},
        Hostile{"compliance_with_info", "1.3.6.1.5.5.7.1.3 = ASN1:SEQUENCE:qcs\n[qcs]\ns0 = SEQUENCE:c\n"
                                        "[c]\nid = OID:0.4.0.1862.1.1\ninfo = NULL\n"},
        Hostile{"empty_qctype", "1.3.6.1.5.5.7.1.3 = ASN1:SEQUENCE:qcs\n[qcs]\ns0 = SEQUENCE:t\n"
                                "[t]\nid = OID:0.4.0.1862.1.6\ninfo = SEQUENCE:none\n[none]\n"},
        Hostile{"bad_policies", "certificatePolicies = DER:3003020101"}),
    [](const auto& info) { return std::string(info.param.name); });

QcFacts facts() {
  QcFacts f;
  f.policies = {"0.4.0.194112.1.2"};
  f.key_usage = {"digitalSignature", "nonRepudiation"};
  f.extended_key_usage = {"1.3.6.1.5.5.7.3.4"};
  f.subject_attributes = {"2.5.4.6", "2.5.4.3"};
  f.qc_statements = {"0.4.0.1862.1.1", "0.4.0.1862.1.6", "0.4.0.1862.1.7"};
  f.qc_types = {"0.4.0.1862.1.6.1"};
  f.qc_legislation_countries = {"ZZ"};
  return f;
}

trust::CriteriaList criteria(trust::CriteriaList::Assert a) {
  trust::CriteriaList c;
  c.assert_ = a;
  return c;
}

TEST(QualificationCriteria, TableOfCriteria) {
  using A = trust::CriteriaList::Assert;
  struct Row {
    const char* name;
    trust::CriteriaList list;
    bool expected;
  };
  std::vector<Row> rows;
  rows.push_back({"empty-all", criteria(A::all), true});
  rows.push_back({"empty-at-least-one", criteria(A::at_least_one), false});
  rows.push_back({"empty-none", criteria(A::none), true});
  auto ku = criteria(A::all);
  ku.key_usage = {{"nonRepudiation", true}, {"keyEncipherment", false}};
  rows.push_back({"key-usage-match", ku, true});
  ku.key_usage.emplace_back("keyCertSign", true);
  rows.push_back({"key-usage-bit-missing", ku, false});
  auto pol = criteria(A::all);
  pol.policy_sets = {{"0.4.0.194112.1.2", "0.4.0.194112.1.3"}};
  rows.push_back({"policy-set-needs-all", pol, false});
  pol.assert_ = A::none;
  rows.push_back({"none-of-unmatched-set", pol, true});
  auto any = criteria(A::at_least_one);
  any.policy_sets = {{"0.4.0.194112.1.0"}, {"0.4.0.194112.1.2"}};
  rows.push_back({"at-least-one-policy-set", any, true});
  auto nested = criteria(A::all);
  nested.nested.push_back(any);
  nested.extended_key_usage = {"1.3.6.1.5.5.7.3.4"};
  nested.subject_attributes = {"2.5.4.3"};
  rows.push_back({"nested-eku-subject", nested, true});
  nested.subject_attributes = {"2.5.4.97"};
  rows.push_back({"subject-attribute-missing", nested, false});
  // MRA mra:QcStatementSet: every statement of a set, with the QcType and country it names.
  auto qcs = criteria(A::all);
  qcs.qc_statement_sets = {{{"0.4.0.1862.1.1", "", ""}, {"0.4.0.1862.1.7", "", "ZZ"}}};
  rows.push_back({"qc-statements-with-legislation", qcs, true});
  qcs.qc_statement_sets = {{{"0.4.0.1862.1.7", "", "UA"}}};
  rows.push_back({"qc-legislation-other-country", qcs, false});
  qcs.qc_statement_sets = {{{"0.4.0.1862.1.4", "", ""}}};
  rows.push_back({"qc-statement-missing", qcs, false});
  qcs.qc_statement_sets = {{{"0.4.0.1862.1.6", "0.4.0.1862.1.6.1", ""}}};
  rows.push_back({"qc-type-matches", qcs, true});
  qcs.qc_statement_sets = {{{"0.4.0.1862.1.6", "0.4.0.1862.1.6.2", ""}}};
  rows.push_back({"qc-type-other", qcs, false});
  qcs.assert_ = A::none;
  rows.push_back({"none-of-other-qc-type", qcs, true});
  for (const auto& row : rows) {
    std::vector<std::string> warnings;
    EXPECT_EQ(criteria_match(row.list, facts(), warnings), row.expected) << row.name;
    EXPECT_TRUE(warnings.empty()) << row.name;
  }
  // An otherCriteriaList child we do not know: no match, with a warning (DSS would throw).
  auto unknown = criteria(A::all);
  unknown.unknown_criteria = true;
  std::vector<std::string> warnings;
  EXPECT_FALSE(criteria_match(unknown, facts(), warnings));
  EXPECT_EQ(warnings.size(), 1u);
}

bool mentions(const QualificationResult& r, const std::string& text) {
  for (const auto& why : r.reasons)
    if (why.find(text) != std::string::npos) return true;
  return false;
}

// Where DSS (followed) and TS 119 615 differ, the result says what TS 119 615 would decide.
TEST(QualificationDiscrepancies, Ts119615RulesAreRecordedAsReasons) {
  auto cert = openssl_cert(
      "1.3.6.1.5.5.7.1.3 = ASN1:SEQUENCE:qcs\nkeyUsage = critical, nonRepudiation\n"
      "[qcs]\ns0 = SEQUENCE:c\ns1 = SEQUENCE:t\n[c]\nid = OID:0.4.0.1862.1.1\n"
      "[t]\nid = OID:0.4.0.1862.1.6\ninfo = SEQUENCE:types\n[types]\nt0 = OID:0.4.0.1862.1.6.1\n",
      "/C=GB/O=Another  Name/CN=x");
  ASSERT_TRUE(cert);
  trust::TrustServiceProvider tsp;
  tsp.name = "Example QTSP";
  trust::Service svc;
  trust::ServiceStatusPeriod p;
  p.type = trust::kSvcTypeCaQc;
  p.status = trust::kStatusGranted;
  p.start = TimePoint(std::chrono::seconds(trust::kEidasUnixSeconds));
  p.additional_service_info = {trust::kAsiForeSignatures};
  p.qualifications.push_back({{std::string(trust::kQualifierPrefix) + "QCWithQSCD",
                               std::string(trust::kQualifierPrefix) + "QCNoQSCD",
                               "http://example.org/UnknownQualifier"},
                              {}});
  svc.periods.push_back(p);
  svc.history_out_of_order = true;
  tsp.services.push_back(svc);
  auto run = [&](const char* territory) {
    return qualify_services(cert.get(), {{&tsp, &tsp.services[0], "EU LOTL -> X trusted list", territory, true}},
                            now_seconds(), Indication::passed);
  };
  auto r = run("UK");  // GB is spelt UK in trusted lists
  // Inconsistent QSCD qualifiers: DSS says not QSCD, TS 119 615 indeterminate.
  EXPECT_EQ(r.combined.label(), "QC for eSig");
  EXPECT_EQ(r.level, SignatureLevel::adesig_qc);
  EXPECT_TRUE(mentions(r, "TS 119 615 would fail this: inconsistent QSCD qualifiers"));
  EXPECT_TRUE(mentions(r, "\"another name\" is no TSPName/TSPTradeName"));
  EXPECT_TRUE(mentions(r, "not strictly descending (PRO-4.3.4-03A)"));
  EXPECT_TRUE(mentions(r, "unknown qualifier http://example.org/UnknownQualifier"));
  EXPECT_FALSE(mentions(r, "is not the territory"));
  EXPECT_TRUE(mentions(run("DK"), "the issuer's country \"GB\" is not the territory"));
  // The issuer name matches after whitespace and case normalisation: no name discrepancy.
  tsp.trade_names = {"ANOTHER NAME"};
  EXPECT_FALSE(mentions(run("UK"), "TSPName/TSPTradeName"));
}

TEST(QualificationLevels, NamesAndTableCorners) {
  CertQualification q;
  q.qualified = true;
  q.type = CertType::eseal;
  q.qscd = true;
  EXPECT_EQ(q.label(), "QC for eSeal with QSCD");
  EXPECT_STREQ(signature_level_name(signature_level(q, Indication::indeterminate)), "Indeterminate QESeal");
  q.qscd = false;
  EXPECT_STREQ(signature_level_name(signature_level(q, Indication::total_failed)), "Not AdES but QC");
  q.type = CertType::unknown;
  EXPECT_STREQ(signature_level_name(signature_level(q, Indication::passed)), "Unknown-QC");
  q.qualified = false;
  EXPECT_EQ(q.label(), "Cert for unknown type");
  EXPECT_STREQ(signature_level_name(signature_level(q, Indication::indeterminate)), "Indeterminate Unknown");
  q.applicable = false;
  EXPECT_EQ(q.label(), "N/A");
  EXPECT_STREQ(signature_level_name(signature_level(q, Indication::indeterminate)), "N/A");
  // Combination: QC at issuance, not at signing -> not QC, QSCD from signing time only.
  CertQualification a, b;
  a.qualified = b.qualified = true;
  a.type = CertType::esig;
  b.type = CertType::eseal;
  a.qscd = false;
  b.qscd = true;
  auto c = combine(a, b);
  EXPECT_EQ(c.label(), "QC for unknown type with QSCD");
}

}  // namespace
}  // namespace qualsig::validation
