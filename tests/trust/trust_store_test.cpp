// TrustStore: a private list signed by formats::xades (accepted with its signer, refused when a byte
// changed or with another signer), services_for by public key + subject DN, and the DSS corpus:
// the MRA LOTL (signer certificate from the corpus' extracted/ThirdCountryLOTLTest) announcing the
// ZZ list's signer, and national lists that no loaded LOTL announces.
#include <gtest/gtest.h>

#include "core/fs.h"
#include "signed_list_fixture.h"
#include "trust/trust_store.h"
#include "trust_test_support.h"

namespace qualsig::trust {
namespace {

using formats::cades::testing::issue;
using testing::corpus_extracted;
using testing::corpus_tl;
using testing::must;
using testing::read_bytes;

class TrustStoreTest : public testing::SignedListSuite {
 protected:
  Bytes signed_test_list() {
    return sign_list(must(write_trusted_list(testing::make_test_list(s_pki->issuing.get(), s_pki->root.get()))));
  }
  Bytes signer_der() { return must(core::x509_to_der(s_pki->signer_cert.get())); }
};

TEST_F(TrustStoreTest, PrivateListWithItsConfiguredSigner) {
  TrustStore store;
  const Bytes xml = signed_test_list();
  auto loaded = store.add_private_list(xml, {signer_der()}, "qualsig-tl.xml");
  ASSERT_TRUE(loaded) << loaded.error().message << " " << loaded.error().detail;
  EXPECT_EQ((*loaded)->authority, ListAuthority::private_list);
  EXPECT_EQ((*loaded)->source, "qualsig-tl.xml");
  EXPECT_EQ((*loaded)->signer_certificate, signer_der());
  EXPECT_EQ((*loaded)->list.sequence_number, 42u);
  EXPECT_TRUE((*loaded)->warnings.empty());
  ASSERT_EQ(store.lists().size(), 1u);
  EXPECT_EQ(store.lists()[0].get(), *loaded);
}

TEST_F(TrustStoreTest, ChangedByteIsDenied) {
  std::string xml = to_string(signed_test_list());
  const std::size_t at = xml.find("Qualsig Test TSP");
  ASSERT_NE(at, std::string::npos);
  xml[at] = 'q';
  TrustStore store;
  auto r = store.add_private_list(as_bytes(xml), {signer_der()}, "changed.xml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::denied) << r.error().message;
  EXPECT_TRUE(store.lists().empty());
}

TEST_F(TrustStoreTest, WrongSignerIsDenied) {
  TrustStore store;
  auto r = store.add_private_list(signed_test_list(), {must(core::x509_to_der(s_pki->issuing.get()))}, "tl.xml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::denied);
  r = store.add_private_list(signed_test_list(), {}, "tl.xml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::denied);
}

// The test certificates are valid 2020-2040: a list signed in 2041 is refused.
TEST_F(TrustStoreTest, SignedOutsideTheSignerValidityIsDenied) {
  const std::string xml = must(write_trusted_list(testing::make_test_list(s_pki->issuing.get(), s_pki->root.get())));
  const TimePoint late = std::chrono::sys_days{std::chrono::January / 2 / 2041};
  TrustStore store;
  auto r = store.add_private_list(sign_list(xml, late), {signer_der()}, "late.xml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::denied);
  EXPECT_NE(r.error().message.find("validity"), std::string::npos) << r.error().message;
}

TEST_F(TrustStoreTest, UnsignedListIsDenied) {
  TrustStore store;
  auto xml = must(write_trusted_list(testing::make_test_list(s_pki->issuing.get(), s_pki->root.get())));
  auto r = store.add_private_list(as_bytes(xml), {signer_der()}, "unsigned.xml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::denied);
}

// A valid enveloping signature (over other bytes) appended to an unsigned list: the list content is
// not covered, so it is refused although the signature itself verifies.
TEST_F(TrustStoreTest, SignatureNotCoveringTheListIsDenied) {
  formats::xades::SignOptions o;
  o.level = formats::cades::Level::b_b;
  o.packaging = formats::xades::Packaging::enveloping;
  o.signing_time = testing::kSigningTime;
  o.chain = {s_pki->issuing.get(), s_pki->root.get()};
  std::string signature =
      to_string(must(formats::xades::sign(as_bytes("other content"), s_pki->signer_cert.get(), *s_pki->signer, o)));
  ASSERT_TRUE(formats::xades::verify(as_bytes(signature)));
  signature.erase(0, signature.find("?>") + 2);  // drop the XML declaration
  std::string xml = must(write_trusted_list(testing::make_test_list(s_pki->issuing.get(), s_pki->root.get())));
  xml.insert(xml.rfind("</tsl:TrustServiceStatusList>"), signature);
  TrustStore store;
  auto r = store.add_private_list(as_bytes(xml), {signer_der()}, "wrapped.xml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::denied) << r.error().message;
  EXPECT_NE(r.error().message.find("exactly one enveloped signature"), std::string::npos) << r.error().message;
}

TEST_F(TrustStoreTest, ServicesForMatchesKeyAndSubject) {
  TrustStore store;
  ASSERT_TRUE(store.add_private_list(signed_test_list(), {signer_der()}, "tl.xml"));
  auto matches = store.services_for(s_pki->issuing.get());
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].list, store.lists()[0].get());
  EXPECT_EQ(matches[0].provider->name, "Qualsig Test TSP");
  EXPECT_EQ(matches[0].service->periods.front().type, kSvcTypeCaQc);

  // Re-issued CA certificate, same key and subject, another serial: still the listed service.
  auto reissued = issue("Test Issuing CA", s_pki->issuing_key.get(), s_pki->root.get(), s_pki->root_key.get(), true);
  ASSERT_NE(must(core::x509_to_der(reissued.get())), must(core::x509_to_der(s_pki->issuing.get())));
  EXPECT_EQ(store.services_for(reissued.get()).size(), 1u);
  // Same subject, another key: not listed.
  auto other_key = core::wrap(EVP_EC_gen("P-256"));
  auto impostor = issue("Test Issuing CA", other_key.get(), s_pki->root.get(), s_pki->root_key.get(), true);
  EXPECT_TRUE(store.services_for(impostor.get()).empty());
  // Same key, another subject: not listed.
  auto renamed = issue("Test Issuing CA 2", s_pki->issuing_key.get(), s_pki->root.get(), s_pki->root_key.get(), true);
  EXPECT_TRUE(store.services_for(renamed.get()).empty());
  EXPECT_TRUE(store.services_for(s_pki->root.get()).empty());
  EXPECT_TRUE(store.services_for(nullptr).empty());
}

Bytes pem_file_to_der(const std::filesystem::path& path) {
  auto cert = must(core::x509_from_pem(must(core::read_file(path))));
  return must(core::x509_to_der(cert.get()));
}

const char* kZzLocation = "https://esignature.ec.europa.eu/efda/intl-pilot/api/v1/intl-pilot/tl/mra_tl_zz.xml";

TEST(TrustStoreCorpus, MraLotlAnnouncesTheZzList) {
  const auto lotl = corpus_tl("mra-lotl.xml");
  const auto zz = corpus_tl("mra-zz-tl.xml");
  const auto signer = corpus_extracted("ThirdCountryLOTLTest/01-cert-ZZ-LOTL-signer.pem");
  QS_REQUIRE_CORPUS(lotl);
  QS_REQUIRE_CORPUS(zz);
  QS_REQUIRE_CORPUS(signer);
  TrustStore store;
  // The ZZ list before any LOTL: nobody announces it.
  auto early = store.add_member_state_list(read_bytes(zz), kZzLocation);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::denied);

  auto loaded_lotl = store.add_lotl(read_bytes(lotl), {pem_file_to_der(signer)}, "mra-lotl.xml");
  ASSERT_TRUE(loaded_lotl) << loaded_lotl.error().message << " " << loaded_lotl.error().detail;
  EXPECT_EQ((*loaded_lotl)->authority, ListAuthority::eu_lotl);
  EXPECT_EQ((*loaded_lotl)->signer_certificate, pem_file_to_der(signer));

  // The pointer announces the list by its location (its SchemeTerritory says XX, the list ZZ).
  auto loaded_zz = store.add_member_state_list(read_bytes(zz), kZzLocation);
  ASSERT_TRUE(loaded_zz) << loaded_zz.error().message << " " << loaded_zz.error().detail;
  // Its pointer carries MRA equivalences: a third-country list, stored as the EU reads it.
  EXPECT_EQ((*loaded_zz)->authority, ListAuthority::eu_mra);
  EXPECT_EQ((*loaded_zz)->mra, (*loaded_lotl)->list.pointers.back().mra);
  ASSERT_EQ((*loaded_zz)->mra.size(), 1u);
  const ServiceStatusPeriod& translated = (*loaded_zz)->list.providers.at(0).services.at(0).periods.at(0);
  EXPECT_EQ(translated.type, kSvcTypeCaQc);
  EXPECT_EQ(translated.status, kStatusGranted);
  EXPECT_EQ(translated.additional_service_info, std::vector<std::string>{kAsiForeSignatures});
  EXPECT_EQ(translated.qualifications.at(0).qualifiers,
            std::vector<std::string>{"http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCWithQSCD"});
  EXPECT_EQ((*loaded_zz)->list.territory, "ZZ");
  EXPECT_EQ((*loaded_zz)->signer_certificate, (*loaded_lotl)->list.pointers.back().signing_certificates.at(0));

  // The ZZ CA is listed: Test-Qualified-CA1-from-ZZ (from the corpus' extracted certificates).
  auto ca = must(core::x509_from_pem(must(core::read_file(corpus_extracted("ThirdCountryLOTLTest/02-cert-Test-Qualified-CA1-from-ZZ.pem")))));
  auto root = must(core::x509_from_pem(must(core::read_file(corpus_extracted("ThirdCountryLOTLTest/03-cert-Test-QTSP-1-RootCA-from-ZZ.pem")))));
  const std::size_t listed = store.services_for(ca.get()).size() + store.services_for(root.get()).size();
  EXPECT_EQ(listed, 1u);

  // Read from a file of another name, the list is announced by the pointer to the location its
  // own signed DistributionPoints name (TS 119 612 §5.3.17).
  TrustStore by_file;
  ASSERT_TRUE(by_file.add_lotl(read_bytes(lotl), {pem_file_to_der(signer)}, "mra-lotl.xml"));
  auto from_file = by_file.add_member_state_list(read_bytes(zz), "mra-zz-tl.xml");
  ASSERT_TRUE(from_file) << from_file.error().message;
  EXPECT_EQ((*from_file)->authority, ListAuthority::eu_mra);
}

TEST(TrustStoreCorpus, LotlWithAnotherSignerOrNotALotl) {
  const auto lotl = corpus_tl("mra-lotl.xml");
  const auto ie = corpus_tl("ie-tl.xml");
  const auto other = corpus_extracted("ThirdCountryLOTLTest/05-cert-good-tsa.pem");
  QS_REQUIRE_CORPUS(lotl);
  QS_REQUIRE_CORPUS(ie);
  QS_REQUIRE_CORPUS(other);
  TrustStore store;
  auto r = store.add_lotl(read_bytes(lotl), {pem_file_to_der(other)}, "mra-lotl.xml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::denied);
  r = store.add_lotl(read_bytes(ie), {pem_file_to_der(other)}, "ie-tl.xml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_TRUE(store.lists().empty());
}

TEST(TrustStoreCorpus, NationalListsWithoutAnnouncingLotlAreRefused) {
  for (const char* name : {"dk_tl-sn21.xml", "ie-tl.xml"}) {
    const auto file = corpus_tl(name);
    QS_REQUIRE_CORPUS(file);
    TrustStore store;
    auto r = store.add_member_state_list(read_bytes(file), name);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, ErrorCode::denied) << name;
    EXPECT_TRUE(store.lists().empty());
  }
}

// Whether the MRA LOTL announces a national list's signer, decided with xmllint: the KeyInfo
// certificate of the list's signature among the X509Certificate texts of the LOTL pointers for the
// list's territory (IE: yes, DK SN21: no, its signer is an older certificate).
bool lotl_announces(const std::filesystem::path& lotl, const std::filesystem::path& list) {
  const std::string territory =
      testing::xpath(list, "string(/*/*[local-name()='SchemeInformation']/*[local-name()='SchemeTerritory'])");
  std::string signer = testing::xpath(list, "string(/*/*[local-name()='Signature']//*[local-name()='X509Certificate'])");
  std::erase_if(signer, [](char c) { return c == ' ' || c == '\n' || c == '\r'; });
  std::string announced = testing::xpath(lotl, "//*[local-name()='OtherTSLPointer'][.//*[local-name()='SchemeTerritory']='" +
                                                   territory + "']//*[local-name()='X509Certificate']/text()");
  std::erase_if(announced, [](char c) { return c == ' ' || c == '\n' || c == '\r'; });
  return !signer.empty() && announced.find(signer) != std::string::npos;
}

TEST(TrustStoreCorpus, DirectoryLoadsLotlFirstAndReportsTheRest) {
  const auto signer = corpus_extracted("ThirdCountryLOTLTest/01-cert-ZZ-LOTL-signer.pem");
  for (const char* name : {"mra-lotl.xml", "ie-tl.xml", "dk_tl-sn21.xml"}) QS_REQUIRE_CORPUS(corpus_tl(name));
  QS_REQUIRE_CORPUS(signer);
  ASSERT_TRUE(lotl_announces(corpus_tl("mra-lotl.xml"), corpus_tl("ie-tl.xml")));
  ASSERT_FALSE(lotl_announces(corpus_tl("mra-lotl.xml"), corpus_tl("dk_tl-sn21.xml")));
  qualsig::testing::TempDir dir;
  // Names sort the member-state lists before the LOTL: the LOTL must still be loaded first.
  std::filesystem::copy_file(corpus_tl("mra-lotl.xml"), dir.path() / "z-lotl.xml");
  std::filesystem::copy_file(corpus_tl("ie-tl.xml"), dir.path() / "a-ie.xml");
  std::filesystem::copy_file(corpus_tl("dk_tl-sn21.xml"), dir.path() / "a-dk.xml");
  std::ofstream(dir.path() / "b-garbage.xml") << "not a list";
  std::ofstream(dir.path() / "ignored.txt") << "not xml at all";
  TrustStore store;
  auto r = store.add_directory(dir.path(), {pem_file_to_der(signer)});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->loaded.size(), 2u);
  EXPECT_EQ(r->loaded[0]->source, "z-lotl.xml");
  EXPECT_EQ(r->loaded[0]->authority, ListAuthority::eu_lotl);
  EXPECT_EQ(r->loaded[1]->source, "a-ie.xml");
  EXPECT_EQ(r->loaded[1]->authority, ListAuthority::eu_member_state);
  ASSERT_EQ(r->rejected.size(), 2u);
  EXPECT_EQ(r->rejected[0].first, "b-garbage.xml");  // unparsable: reported while reading
  EXPECT_EQ(r->rejected[1].first, "a-dk.xml");       // its signature verifies, but its signer is not announced
  EXPECT_NE(r->rejected[1].second.find("not announced"), std::string::npos) << r->rejected[1].second;
  auto missing = store.add_directory(dir.path() / "absent", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::environment);
}

}  // namespace
}  // namespace qualsig::trust
