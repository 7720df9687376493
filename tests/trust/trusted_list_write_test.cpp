// write_trusted_list: the written list is well-formed (xmllint), its enveloped XAdES signature made
// by formats::xades verifies with xmlsec1 against the test root, its content reads back with
// xmllint as written, and parse_trusted_list gives back the same TrustedList.
#include <gtest/gtest.h>

#include "signed_list_fixture.h"
#include "trust_test_support.h"

namespace qualsig::trust {
namespace {

using formats::cades::testing::write_file;
using qualsig::testing::run;
using testing::xpath;

class WriteTrustedList : public testing::SignedListSuite {};

TEST_F(WriteTrustedList, SignedRoundTripCheckedByXmllintAndXmlsec1) {
  const TrustedList list = testing::make_test_list(s_pki->issuing.get(), s_pki->root.get());
  auto xml = write_trusted_list(list);
  ASSERT_TRUE(xml) << xml.error().message;
  const Bytes signed_xml = sign_list(*xml);
  const std::string file = s_pki->path("tl.xml");
  write_file(file, signed_xml);

  auto lint = run("xmllint --noout " + file);
  EXPECT_EQ(lint.status, 0) << lint.output;
  auto verify = run("xmlsec1 --verify --trusted-pem " + s_pki->path("root.pem") + " --untrusted-pem " +
                    s_pki->path("issuing.pem") + " --id-attr:Id SignedProperties " + file);
  EXPECT_EQ(verify.status, 0) << verify.output;

  // What an independent reader sees.
  EXPECT_EQ(xpath(file, "string(/*/@TSLTag)"), "http://uri.etsi.org/19612/TSLTag");
  EXPECT_EQ(xpath(file, "string(/*/@Id)"), "tsl");
  EXPECT_EQ(xpath(file, "string(//*[local-name()='TSLSequenceNumber'])"), "42");
  EXPECT_EQ(xpath(file, "string(//*[local-name()='ServiceInformation']/*[local-name()='ServiceStatus'])"), kStatusGranted);
  EXPECT_EQ(xpath(file, "string(//*[local-name()='ServiceInformation']/*[local-name()='StatusStartingTime'])"),
            "2020-01-01T00:00:00Z");
  EXPECT_EQ(xpath(file, "count(//*[local-name()='ServiceHistoryInstance'])"), "1");
  EXPECT_EQ(xpath(file, "string(//*[local-name()='PolicySet']/*[local-name()='PolicyIdentifier']/*[local-name()='Identifier'])"),
            std::string("urn:oid:") + testing::kQcpNQscd);
  EXPECT_EQ(xpath(file, "string(//*[local-name()='Qualifier']/@uri)"), std::string(kQualifierPrefix) + "QCWithQSCD");
  EXPECT_EQ(xpath(file, "count(/*/*[local-name()='Signature'])"), "1");
  // The service certificate is the issuing CA's, as openssl reads it.
  write_file(s_pki->path("svc.b64"),
             as_bytes(xpath(file, "string(//*[local-name()='ServiceInformation']//*[local-name()='X509Certificate'])")));
  auto subject = run("base64 -d " + s_pki->path("svc.b64") + " | openssl x509 -inform DER -noout -subject");
  EXPECT_NE(subject.output.find("Test Issuing CA"), std::string::npos) << subject.output;

  auto parsed = parse_trusted_list(signed_xml);
  ASSERT_TRUE(parsed) << parsed.error().message;
  TrustedList expected = list;
  expected.signed_ = true;
  EXPECT_TRUE(*parsed == expected);
  EXPECT_EQ(parsed->providers.at(0).services.at(0).periods.at(1).end, list.providers[0].services[0].periods[0].start);
}

TEST(WriteTrustedListUsage, RequiredFieldsMissing) {
  TrustedList list;
  auto r = write_trusted_list(list);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::usage);
  list.version = 5;
  list.sequence_number = 1;
  list.tsl_type = kTslTypeEuGeneric;
  list.scheme_operator = "Op";
  list.providers = {TrustServiceProvider{"TSP", {}, {Service{}}}};  // a service without periods
  r = write_trusted_list(list);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::usage);
  list.providers.clear();
  EXPECT_TRUE(write_trusted_list(list));
}

// TS 119 612 Annex C XSD: not on this machine (searched / for *119612* and *02231*), so the
// written list is not schema-validated here.

}  // namespace
}  // namespace qualsig::trust
