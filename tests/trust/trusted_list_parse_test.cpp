// parse_trusted_list on the DSS corpus lists, checked field by field against xmllint --xpath (an
// independent reader) and GNU date, plus the facts DSS's TLParsingTaskTest asserts; and hostile
// input (not XML, DOCTYPE, deep nesting, oversize, missing elements, bad dates, bad base64).
#include <gtest/gtest.h>

#include <openssl/x509.h>

#include "core/openssl.h"
#include "formats/xades.h"
#include "trust/trusted_list.h"
#include "trust_test_support.h"

namespace qualsig::trust {
namespace {

using testing::corpus_tl;
using testing::gnu_date_seconds;
using testing::read_bytes;
using testing::xpath;

const std::string kSvc = "(//*[local-name()='TSPService'])";

std::string el(const std::string& name) { return "*[local-name()='" + name + "']"; }

long long seconds(TimePoint t) { return t.time_since_epoch().count(); }

// Every period of every service against xmllint: type, status, start, qualifiers.
void expect_period(const std::filesystem::path& file, const std::string& node, const ServiceStatusPeriod& p) {
  EXPECT_EQ(p.type, xpath(file, "string(" + node + "/" + el("ServiceTypeIdentifier") + ")"));
  EXPECT_EQ(p.status, xpath(file, "string(" + node + "/" + el("ServiceStatus") + ")"));
  EXPECT_EQ(seconds(p.start), gnu_date_seconds(xpath(file, "string(" + node + "/" + el("StatusStartingTime") + ")")));
  const std::string qualifier = node + "/" + el("ServiceInformationExtensions") + "//" + el("Qualifier");
  std::size_t n = 0;
  for (const auto& qe : p.qualifications)
    for (const auto& q : qe.qualifiers) EXPECT_EQ(q, xpath(file, "string((" + qualifier + ")[" + std::to_string(++n) + "]/@uri)"));
  EXPECT_EQ(std::to_string(n), xpath(file, "count(" + qualifier + ")"));
  const std::string asi = node + "/" + el("ServiceInformationExtensions") + "//" + el("AdditionalServiceInformation");
  EXPECT_EQ(std::to_string(p.additional_service_info.size()), xpath(file, "count(" + asi + ")"));
}

class CorpusList : public ::testing::TestWithParam<const char*> {};

TEST_P(CorpusList, EveryFieldAgreesWithXmllint) {
  const auto file = corpus_tl(GetParam());
  QS_REQUIRE_CORPUS(file);
  auto list = parse_trusted_list(read_bytes(file));
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(std::to_string(list->version), xpath(file, "string(//" + el("TSLVersionIdentifier") + ")"));
  EXPECT_EQ(std::to_string(list->sequence_number), xpath(file, "string(//" + el("TSLSequenceNumber") + ")"));
  EXPECT_EQ(list->tsl_type, xpath(file, "string(/*/" + el("SchemeInformation") + "/" + el("TSLType") + ")"));
  EXPECT_EQ(list->territory, xpath(file, "string(/*/" + el("SchemeInformation") + "/" + el("SchemeTerritory") + ")"));
  EXPECT_EQ(seconds(list->issued), gnu_date_seconds(xpath(file, "string(//" + el("ListIssueDateTime") + ")")));
  ASSERT_TRUE(list->next_update.has_value());
  EXPECT_EQ(seconds(*list->next_update), gnu_date_seconds(xpath(file, "string(//" + el("NextUpdate") + "/" + el("dateTime") + ")")));
  EXPECT_TRUE(list->signed_);
  EXPECT_EQ(std::to_string(list->providers.size()), xpath(file, "count(//" + el("TrustServiceProvider") + ")"));
  EXPECT_EQ(std::to_string(list->pointers.size()), xpath(file, "count(//" + el("OtherTSLPointer") + ")"));
  std::size_t i = 0;
  for (const auto& tsp : list->providers)
    for (const auto& svc : tsp.services) {
      const std::string node = kSvc + "[" + std::to_string(++i) + "]";
      SCOPED_TRACE(node);
      expect_period(file, node + "/" + el("ServiceInformation"), svc.periods.front());
      EXPECT_FALSE(svc.periods.front().end.has_value());
      EXPECT_EQ(std::to_string(svc.periods.size() - 1), xpath(file, "count(" + node + "//" + el("ServiceHistoryInstance") + ")"));
      for (std::size_t h = 1; h < svc.periods.size(); ++h) {
        expect_period(file, "(" + node + "//" + el("ServiceHistoryInstance") + ")[" + std::to_string(h) + "]", svc.periods[h]);
        ASSERT_TRUE(svc.periods[h].end.has_value());
        EXPECT_EQ(*svc.periods[h].end, svc.periods[h - 1].start);  // the corpus histories are in order
      }
      EXPECT_FALSE(svc.history_out_of_order);
      EXPECT_EQ(std::to_string(svc.certificates.size()),
                xpath(file, "count(" + node + "/" + el("ServiceInformation") + "/" + el("ServiceDigitalIdentity") + "//" +
                                el("X509Certificate") + ")"));
    }
  EXPECT_EQ(std::to_string(i), xpath(file, "count(" + kSvc + ")"));
}

INSTANTIATE_TEST_SUITE_P(Dss, CorpusList, ::testing::Values("dk_tl-sn21.xml", "ie-tl.xml", "mra-lotl.xml", "mra-zz-tl.xml"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) if (c == '-' || c == '.') c = '_';
                           return n;
                         });

// DSS TLParsingTaskTest: version 5, sequence number 18, territory IE, 3 TSPs with 1/1/2 services.
TEST(ParseTrustedList, IrishListAsDssAsserts) {
  const auto file = corpus_tl("ie-tl.xml");
  QS_REQUIRE_CORPUS(file);
  auto list = parse_trusted_list(read_bytes(file));
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->version, 5);
  EXPECT_EQ(list->sequence_number, 18u);
  EXPECT_EQ(list->territory, "IE");
  EXPECT_EQ(list->tsl_type, kTslTypeEuGeneric);
  ASSERT_EQ(list->providers.size(), 3u);
  EXPECT_EQ(list->providers[0].services.size(), 1u);
  EXPECT_EQ(list->providers[1].services.size(), 1u);
  EXPECT_EQ(list->providers[2].services.size(), 2u);
  // The first CA/QC service and its history, as in the file (lines 144-257): withdrawn on
  // 2019-01-25, granted from the eIDAS instant until then, under supervision before.
  const Service& svc = list->providers[0].services[0];
  ASSERT_EQ(svc.periods.size(), 3u);
  EXPECT_EQ(svc.periods[0].type, kSvcTypeCaQc);
  EXPECT_EQ(svc.periods[0].status, kStatusWithdrawn);
  EXPECT_EQ(seconds(svc.periods[0].start), gnu_date_seconds("2019-01-25T00:00:00Z"));
  EXPECT_FALSE(svc.periods[0].end.has_value());
  EXPECT_EQ(svc.periods[1].status, kStatusGranted);
  EXPECT_EQ(seconds(svc.periods[1].start), kEidasUnixSeconds);
  EXPECT_EQ(svc.periods[1].end, svc.periods[0].start);
  EXPECT_EQ(svc.periods[2].status, std::string(kStatusPrefix) + "undersupervision");
  EXPECT_EQ(seconds(svc.periods[2].start), gnu_date_seconds("2008-06-11T12:00:00Z"));
  EXPECT_EQ(svc.periods[2].end, svc.periods[1].start);
  EXPECT_FALSE(svc.certificates.empty());
  // Its current extensions (lines 157-189): RootCA-QC and ForeSignatures, QCWithQSCD for
  // certificates whose key usage matches the nine KeyUsageBit values.
  EXPECT_EQ(svc.periods[0].additional_service_info,
            (std::vector<std::string>{std::string(kQualifierPrefix) + "RootCA-QC", kAsiForeSignatures}));
  ASSERT_EQ(svc.periods[0].qualifications.size(), 1u);
  const auto& qe = svc.periods[0].qualifications[0];
  EXPECT_EQ(qe.qualifiers, std::vector<std::string>{std::string(kQualifierPrefix) + "QCWithQSCD"});
  EXPECT_EQ(qe.criteria.assert_, CriteriaList::Assert::all);
  ASSERT_EQ(qe.criteria.key_usage.size(), 9u);
  EXPECT_EQ(qe.criteria.key_usage[0], (std::pair<std::string, bool>{"digitalSignature", true}));
  EXPECT_EQ(qe.criteria.key_usage[6], (std::pair<std::string, bool>{"crlSign", false}));
  EXPECT_FALSE(svc.periods[0].critical_extension_unknown);
}

TEST(ParseTrustedList, QualificationsOfTheZzList) {
  const auto file = corpus_tl("mra-zz-tl.xml");
  QS_REQUIRE_CORPUS(file);
  auto list = parse_trusted_list(read_bytes(file));
  ASSERT_TRUE(list) << list.error().message;
  const auto& p = list->providers.at(0).services.at(0).periods.at(0);
  ASSERT_EQ(p.qualifications.size(), 1u);
  EXPECT_EQ(p.qualifications[0].criteria.assert_, CriteriaList::Assert::all);
  ASSERT_EQ(p.qualifications[0].criteria.policy_sets.size(), 1u);
  const std::string oid_xpath = "string(//" + el("PolicySet") + "//" + el("Identifier") + ")";
  EXPECT_EQ(p.qualifications[0].criteria.policy_sets[0], std::vector<std::string>{xpath(file, oid_xpath)});
}

// The LOTL's pointers: location, type, territory and signing certificates, read with xmllint and
// the certificates with `openssl x509`.
TEST(ParseTrustedList, PointersOfTheMraLotl) {
  const auto file = corpus_tl("mra-lotl.xml");
  QS_REQUIRE_CORPUS(file);
  auto list = parse_trusted_list(read_bytes(file));
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->tsl_type, kTslTypeEuLotl);
  ASSERT_EQ(std::to_string(list->pointers.size()), xpath(file, "count(//" + el("OtherTSLPointer") + ")"));
  for (std::size_t i = 0; i < list->pointers.size(); ++i) {
    const std::string node = "(//" + el("OtherTSLPointer") + ")[" + std::to_string(i + 1) + "]";
    const auto& p = list->pointers[i];
    EXPECT_EQ(p.location, xpath(file, "string(" + node + "/" + el("TSLLocation") + ")"));
    EXPECT_EQ(p.territory, xpath(file, "string(" + node + "//" + el("SchemeTerritory") + ")"));
    EXPECT_EQ(p.tsl_type, xpath(file, "string(" + node + "//" + el("OtherInformation") + "/" + el("TSLType") + ")"));
    EXPECT_EQ(p.mime_type, xpath(file, "string(" + node + "//" + el("MimeType") + ")"));
    EXPECT_EQ(std::to_string(p.signing_certificates.size()), xpath(file, "count(" + node + "//" + el("X509Certificate") + ")"));
  }
  const auto& zz = list->pointers.back();
  EXPECT_NE(zz.location.find("mra_tl_zz.xml"), std::string::npos);
  ASSERT_EQ(zz.signing_certificates.size(), 1u);
  const auto tmp = std::filesystem::temp_directory_path() / ("qs-trust-zz-" + std::to_string(::getpid()) + ".der");
  std::ofstream(tmp, std::ios::binary)
      .write(reinterpret_cast<const char*>(zz.signing_certificates[0].data()),
             static_cast<std::streamsize>(zz.signing_certificates[0].size()));
  auto subject = qualsig::testing::run("openssl x509 -inform DER -noout -subject -in " + tmp.string());
  std::filesystem::remove(tmp);
  EXPECT_NE(subject.output.find("ZZ-TL-signer"), std::string::npos) << subject.output;
}

// The ZZ pointer's MRA equivalence (EU MRA schema v2), every field against xmllint.
TEST(ParseTrustedList, MraEquivalenceOfTheZzPointer) {
  const auto file = corpus_tl("mra-lotl.xml");
  QS_REQUIRE_CORPUS(file);
  auto list = parse_trusted_list(read_bytes(file));
  ASSERT_TRUE(list) << list.error().message;
  const std::string info = "//" + el("TrustServiceEquivalenceInformation");
  std::size_t with_mra = 0;
  for (const auto& p : list->pointers) with_mra += p.mra.size();
  ASSERT_EQ(std::to_string(with_mra), xpath(file, "count(" + info + ")"));
  const MraEquivalence& e = list->pointers.back().mra.at(0);
  EXPECT_EQ(e.legal_identifier, xpath(file, "string(" + info + "/" + el("TrustServiceLegalIdentifier") + ")"));
  EXPECT_EQ(e.status, xpath(file, "string(" + info + "/" + el("TrustServiceEquivalenceStatus") + ")"));
  EXPECT_EQ(e.status, kMraEnacted);
  EXPECT_EQ(seconds(e.status_start),
            gnu_date_seconds(xpath(file, "string(" + info + "/" + el("TrustServiceEquivalenceStatusStartingTime") + ")")));
  const std::string types = info + "/" + el("TrustServiceTSLTypeEquivalenceList") + "/";
  ASSERT_EQ(e.pointing_types.size(), 1u);
  ASSERT_EQ(e.pointed_types.size(), 1u);
  EXPECT_EQ(e.pointing_types[0].type,
            xpath(file, "string(" + types + el("TrustServiceTSLTypeListPointingParty") + "//" + el("ServiceTypeIdentifier") + ")"));
  EXPECT_EQ(e.pointing_types[0].additional_service_info,
            std::vector<std::string>{xpath(file, "string(" + types + el("TrustServiceTSLTypeListPointingParty") + "//" + el("URI") + ")")});
  EXPECT_EQ(e.pointed_types[0].type,
            xpath(file, "string(" + types + el("TrustServiceTSLTypeListPointedParty") + "//" + el("ServiceTypeIdentifier") + ")"));
  EXPECT_TRUE(e.pointed_types[0].additional_service_info.empty());
  // One (pointed -> pointing) pair per pointed ServiceStatus, valid and invalid.
  const std::string statuses = info + "/" + el("TrustServiceTSLStatusEquivalenceList");
  ASSERT_EQ(std::to_string(e.statuses.size()), xpath(file, "count(" + statuses + "//" + el("TrustServiceTSLStatusListPointedParty") + "/" + el("ServiceStatus") + ")"));
  EXPECT_EQ(e.statuses[0].first, xpath(file, "string((" + statuses + "//" + el("TrustServiceTSLStatusListPointedParty") + ")[1]/" + el("ServiceStatus") + ")"));
  EXPECT_EQ(e.statuses[0].second, xpath(file, "string((" + statuses + "//" + el("TrustServiceTSLStatusListPointingParty") + ")[1]/" + el("ServiceStatus") + ")"));
  const std::string contents = "(" + info + "//" + el("CertificateContentReferenceEquivalence") + ")";
  ASSERT_EQ(std::to_string(e.contents.size()), xpath(file, "count(" + contents + ")"));
  for (std::size_t i = 0; i < e.contents.size(); ++i)
    EXPECT_EQ(e.contents[i].context, xpath(file, "string(" + contents + "[" + std::to_string(i + 1) + "]/" +
                                                     el("CertificateContentReferenceEquivalenceContext") + ")"));
  // QcCompliance: the third country's certificate holds QcCompliance with QcCClegislation ZZ.
  EXPECT_EQ(e.contents[0].context, kMraContextQcCompliance);
  ASSERT_EQ(e.contents[0].pointed.qc_statement_sets.size(), 1u);
  const auto& set = e.contents[0].pointed.qc_statement_sets[0];
  ASSERT_EQ(set.size(), 2u);
  EXPECT_EQ(set[0].id, "0.4.0.1862.1.1");
  EXPECT_EQ(set[1].id, "0.4.0.1862.1.7");
  EXPECT_EQ(set[1].cc_legislation, "ZZ");
  EXPECT_FALSE(e.contents[0].pointed.unknown_criteria);
  // ... which the EU reads as QcCompliance and no QcCClegislation.
  ASSERT_EQ(e.contents[0].pointing.nested.size(), 2u);
  EXPECT_EQ(e.contents[0].pointing.nested[1].assert_, CriteriaList::Assert::none);
  EXPECT_EQ(e.contents[0].pointing.nested[1].qc_statement_sets.at(0).at(0).id, "0.4.0.1862.1.7");
  // QcType: the nested declarations keep their QcType OIDs.
  EXPECT_EQ(e.contents[1].pointed.nested.at(0).nested.at(0).qc_statement_sets.at(0).at(0).qc_type, "0.4.0.1862.1.6.1");
  const std::string qualifiers = "(" + info + "//" + el("QualifierEquivalence") + ")";
  ASSERT_EQ(std::to_string(e.qualifiers.size()), xpath(file, "count(" + qualifiers + ")"));
  for (std::size_t i = 0; i < e.qualifiers.size(); ++i) {
    const std::string q = qualifiers + "[" + std::to_string(i + 1) + "]/";
    EXPECT_EQ(e.qualifiers[i].first, xpath(file, "string(" + q + el("QualifierPointedParty") + "/@uri)"));
    EXPECT_EQ(e.qualifiers[i].second, xpath(file, "string(" + q + el("QualifierPointingParty") + "/@uri)"));
  }
  // The ZZ list names where it is published; the pointer's location is one of them.
  const auto zz_file = corpus_tl("mra-zz-tl.xml");
  auto zz = parse_trusted_list(read_bytes(zz_file));
  ASSERT_TRUE(zz) << zz.error().message;
  EXPECT_EQ(zz->distribution_points, std::vector<std::string>{xpath(zz_file, "string(//" + el("DistributionPoints") + "/" + el("URI") + ")")});
  EXPECT_EQ(zz->distribution_points.at(0), list->pointers.back().location);
}

// A minimal valid list, mutated one way per case below.
std::string minimal(const std::string& scheme_extra = {}, const std::string& issue = "2026-11-25T12:00:00+01:00",
                    const std::string& service_extra = {}) {
  return "<TrustServiceStatusList xmlns=\"http://uri.etsi.org/02231/v2#\"><SchemeInformation>"
         "<TSLVersionIdentifier>5</TSLVersionIdentifier><TSLSequenceNumber>7</TSLSequenceNumber>"
         "<TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</TSLType>"
         "<SchemeOperatorName><Name xml:lang=\"en\">Op</Name></SchemeOperatorName>" +
         scheme_extra + "<ListIssueDateTime>" + issue + "</ListIssueDateTime><NextUpdate/></SchemeInformation>"
         "<TrustServiceProviderList><TrustServiceProvider><TSPInformation><TSPName><Name xml:lang=\"en\">T</Name></TSPName>"
         "</TSPInformation><TSPServices><TSPService><ServiceInformation>"
         "<ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier>"
         "<ServiceName><Name xml:lang=\"en\">S</Name></ServiceName><ServiceDigitalIdentity>" +
         service_extra +
         "</ServiceDigitalIdentity><ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted</ServiceStatus>"
         "<StatusStartingTime>2020-01-01T00:00:00Z</StatusStartingTime></ServiceInformation></TSPService></TSPServices>"
         "</TrustServiceProvider></TrustServiceProviderList></TrustServiceStatusList>";
}

TEST(ParseTrustedList, MinimalListWithOffsetDateAndClosedList) {
  auto list = parse_trusted_list(as_bytes(minimal()));
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(seconds(list->issued), gnu_date_seconds("2026-11-25T12:00:00+01:00"));
  EXPECT_FALSE(list->next_update.has_value());
  EXPECT_FALSE(list->signed_);
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  s.replace(s.find(from), from.size(), to);
  return s;
}

// A pointer with an MRA extension, for the hostile cases below (`equivalence`: the content of its
// mra:TrustServiceEquivalenceInformation).
std::string mra_pointer(const std::string& equivalence) {
  return "<PointersToOtherTSL><OtherTSLPointer><TSLLocation>https://zz.example/tl.xml</TSLLocation><AdditionalInformation>"
         "<OtherInformation><mra:MutualRecognitionAgreementInformation xmlns:mra=\"http://ec.europa.eu/tools/lotl/mra/schema/v2#\">"
         "<mra:TrustServiceEquivalenceInformation>" +
         equivalence +
         "</mra:TrustServiceEquivalenceInformation></mra:MutualRecognitionAgreementInformation></OtherInformation>"
         "</AdditionalInformation></OtherTSLPointer></PointersToOtherTSL>";
}

const std::string kMraTypes =
    "<mra:TrustServiceTSLTypeEquivalenceList><mra:TrustServiceTSLTypeListPointingParty><mra:TrustServiceTSLType>"
    "<ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier></mra:TrustServiceTSLType>"
    "</mra:TrustServiceTSLTypeListPointingParty><mra:TrustServiceTSLTypeListPointedParty><mra:TrustServiceTSLType>"
    "<ServiceTypeIdentifier>http://zz.example/CA/QC</ServiceTypeIdentifier></mra:TrustServiceTSLType>"
    "</mra:TrustServiceTSLTypeListPointedParty></mra:TrustServiceTSLTypeEquivalenceList>";
const std::string kMraStatus =
    "<mra:TrustServiceEquivalenceStatus>http://ec.europa.eu/tools/lotl/mra/enacted</mra:TrustServiceEquivalenceStatus>"
    "<mra:TrustServiceEquivalenceStatusStartingTime>2020-05-16T23:59:59Z</mra:TrustServiceEquivalenceStatusStartingTime>";

TEST(ParseTrustedList, MinimalMraPointerParses) {
  auto list = parse_trusted_list(as_bytes(minimal(mra_pointer("<mra:TrustServiceLegalIdentifier>QCForESig</mra:TrustServiceLegalIdentifier>" + kMraTypes + kMraStatus))));
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->pointers.at(0).mra.size(), 1u);
  EXPECT_EQ(list->pointers[0].mra[0].pointed_types.at(0).type, "http://zz.example/CA/QC");
}

struct Hostile {
  const char* name;
  std::string xml;
};

// gtest prints parameters when listing tests: print the case name, not megabytes of input.
void PrintTo(const Hostile& h, std::ostream* os) { *os << h.name; }

class HostileList : public ::testing::TestWithParam<Hostile> {};

TEST_P(HostileList, RefusedAsInvalidInput) {
  auto r = parse_trusted_list(as_bytes(GetParam().xml));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << r.error().message;
  EXPECT_FALSE(r.error().message.empty());
}

std::string deep(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "<a>";
  for (int i = 0; i < depth; ++i) s += "</a>";
  return s;
}

const std::string kRandom = [] {
  std::string s;
  unsigned x = 12345;
  for (int i = 0; i < 4096; ++i) s.push_back(static_cast<char>((x = x * 1103515245u + 12345u) >> 16));
  return s;
}();

INSTANTIATE_TEST_SUITE_P(
    Cases, HostileList,
    ::testing::Values(
        Hostile{"empty", ""}, Hostile{"not_xml", "this is not XML"}, Hostile{"random_bytes", kRandom},
        Hostile{"truncated", minimal().substr(0, minimal().size() / 2)},
        Hostile{"trailing_garbage", minimal() + "<extra/>"},
        Hostile{"doctype_entity",
                "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>" + minimal()},
        Hostile{"deep_nesting_10000", "<TrustServiceStatusList xmlns=\"http://uri.etsi.org/02231/v2#\">" + deep(10000) +
                                          "</TrustServiceStatusList>"},
        Hostile{"oversize", "<a>" + std::string(formats::xades::kMaxXmlSize, 'x') + "</a>"},
        Hostile{"wrong_root", "<TrustServiceStatusList xmlns=\"urn:other\"/>"},
        Hostile{"missing_scheme_information", "<TrustServiceStatusList xmlns=\"http://uri.etsi.org/02231/v2#\"/>"},
        Hostile{"missing_sequence_number", replace(minimal(), "<TSLSequenceNumber>7</TSLSequenceNumber>", "")},
        Hostile{"sequence_number_not_a_number", replace(minimal(), ">7<", ">7a<")},
        Hostile{"missing_next_update", replace(minimal(), "<NextUpdate/>", "")},
        Hostile{"date_without_zone", minimal({}, "2026-11-25T12:00:00")},
        Hostile{"date_garbage", minimal({}, "yesterday")},
        Hostile{"date_month_13", minimal({}, "2026-13-25T12:00:00Z")},
        Hostile{"missing_status", replace(minimal(), "<ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted</ServiceStatus>", "")},
        Hostile{"certificate_bad_base64", minimal({}, "2026-11-25T12:00:00Z", "<DigitalId><X509Certificate>@@@not base64@@@</X509Certificate></DigitalId>")},
        Hostile{"certificate_not_der", minimal({}, "2026-11-25T12:00:00Z", "<DigitalId><X509Certificate>aGVsbG8gd29ybGQ=</X509Certificate></DigitalId>")},
        Hostile{"mra_without_legal_identifier", minimal(mra_pointer(kMraTypes + kMraStatus))},
        Hostile{"mra_without_types", minimal(mra_pointer("<mra:TrustServiceLegalIdentifier>QCForESig</mra:TrustServiceLegalIdentifier>" + kMraStatus))},
        Hostile{"mra_start_not_a_date",
                minimal(mra_pointer("<mra:TrustServiceLegalIdentifier>QCForESig</mra:TrustServiceLegalIdentifier>" + kMraTypes +
                                    replace(kMraStatus, "2020-05-16T23:59:59Z", "soon")))},
        Hostile{"mra_qualifier_without_uri",
                minimal(mra_pointer("<mra:TrustServiceLegalIdentifier>QCForESig</mra:TrustServiceLegalIdentifier>" + kMraTypes + kMraStatus +
                                    "<mra:TrustServiceTSLQualificationExtensionEquivalenceList><mra:QualifierEquivalenceList>"
                                    "<mra:QualifierEquivalence><mra:QualifierPointingParty/><mra:QualifierPointedParty uri=\"x\"/>"
                                    "</mra:QualifierEquivalence></mra:QualifierEquivalenceList>"
                                    "</mra:TrustServiceTSLQualificationExtensionEquivalenceList>"))},
        Hostile{"mra_qc_statement_without_id",
                minimal(mra_pointer("<mra:TrustServiceLegalIdentifier>QCForESig</mra:TrustServiceLegalIdentifier>" + kMraTypes + kMraStatus +
                                    "<mra:CertificateContentReferencesEquivalenceList><mra:CertificateContentReferenceEquivalence>"
                                    "<mra:CertificateContentReferenceEquivalenceContext>http://ec.europa.eu/tools/lotl/mra/QcCompliance"
                                    "</mra:CertificateContentReferenceEquivalenceContext>"
                                    "<mra:CertificateContentDeclarationPointingParty/><mra:CertificateContentDeclarationPointedParty>"
                                    "<otherCriteriaList xmlns=\"http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#\">"
                                    "<mra:QcStatementSet><mra:QcStatement/></mra:QcStatementSet></otherCriteriaList>"
                                    "</mra:CertificateContentDeclarationPointedParty></mra:CertificateContentReferenceEquivalence>"
                                    "</mra:CertificateContentReferencesEquivalenceList>"))},
        Hostile{"bad_criteria_assert",
                replace(minimal(), "</StatusStartingTime>",
                        "</StatusStartingTime><ServiceInformationExtensions><Extension Critical=\"true\"><Qualifications "
                        "xmlns=\"http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#\"><QualificationElement>"
                        "<Qualifiers><Qualifier uri=\"x\"/></Qualifiers><CriteriaList assert=\"maybe\"/></QualificationElement>"
                        "</Qualifications></Extension></ServiceInformationExtensions>")}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ParseTrustedList, UnknownCriticalExtensionAndOutOfOrderHistoryAreFlagged) {
  std::string xml = replace(minimal(), "</StatusStartingTime>",
                            "</StatusStartingTime><ServiceInformationExtensions><Extension Critical=\"true\">"
                            "<Unknown xmlns=\"urn:x\"/></Extension></ServiceInformationExtensions>");
  // A history instance that starts after the current information: not strictly descending.
  xml = replace(xml, "</ServiceInformation>",
                "</ServiceInformation><ServiceHistory><ServiceHistoryInstance>"
                "<ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier>"
                "<ServiceName><Name xml:lang=\"en\">S</Name></ServiceName><ServiceDigitalIdentity/>"
                "<ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn</ServiceStatus>"
                "<StatusStartingTime>2021-01-01T00:00:00Z</StatusStartingTime></ServiceHistoryInstance></ServiceHistory>");
  auto list = parse_trusted_list(as_bytes(xml));
  ASSERT_TRUE(list) << list.error().message;
  const auto& svc = list->providers.at(0).services.at(0);
  EXPECT_TRUE(svc.periods.at(0).critical_extension_unknown);
  EXPECT_TRUE(svc.history_out_of_order);
  EXPECT_FALSE(svc.periods.at(1).end.has_value());  // nothing newer starts after it
}

}  // namespace
}  // namespace qualsig::trust
