// Qualified certificates for machine identities (EN 319 412-2/-3/-5, EN 319 411-2): profile
// validation, request contents, and certificates checked by independent readers — the openssl
// command line (x509 -text, asn1parse, verify with policy checking) and PeculiarVentures' ASN.1
// schemas in Node (tests/interop/qc_check.mjs).

#include "pki/identity_profile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/openssl.h"
#include "pki/oids.h"
#include "pki/qc_statements.h"
#include "support/temp_dir.h"

namespace qualsig::pki {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0{std::chrono::sys_days{std::chrono::year{2026} / 1 / 15}};
constexpr std::chrono::seconds kValidity = std::chrono::days(2 * 365);

int run(const std::string& command, std::string& output) {
  output.clear();
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  while (std::fgets(buf, sizeof(buf), pipe) != nullptr) output += buf;
  return ::pclose(pipe);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

ServiceProfile service() {
  ServiceProfile s;
  s.organization = "Example Trust";
  s.organization_identifier = "VATNL-123456789B01";
  s.country = "NL";
  s.base_url = "https://trust.example/";
  return s;
}

IdentityCertificateProfile legal_profile() {
  IdentityCertificateProfile p;
  p.kind = SubjectKind::legal_person;
  p.identity_name = "invoice-bot";
  p.organization = "Example Corp B.V.";
  p.organization_identifier = "VATNL-987654321B01";
  p.country = "NL";
  p.uris = {"spiffe://example.org/ns/billing/sa/invoice-bot", "urn:qualsig:identity:invoice-bot"};
  p.pds_url = "https://trust.example/pds/en";
  return p;
}

IdentityCertificateProfile natural_profile() {
  IdentityCertificateProfile p = legal_profile();
  p.kind = SubjectKind::natural_person;
  p.identity_name = "jane-agent";
  p.given_name = "Jane";
  p.surname = "Doe";
  p.person_identifier = "PNONL-123456789";
  p.uris = {"urn:qualsig:identity:jane-agent"};
  return p;
}

core::UniquePtr<EVP_PKEY> key(const char* curve) { return core::wrap(EVP_EC_gen(curve)); }

TEST(IdentityProfile, ValidateAcceptsBothKinds) {
  EXPECT_TRUE(validate(legal_profile()));
  EXPECT_TRUE(validate(natural_profile()));
  auto p = natural_profile();  // serialNumber is recommended, not required; O is optional
  p.person_identifier.clear();
  p.organization.clear();
  p.organization_identifier.clear();
  EXPECT_TRUE(validate(p));
  p = legal_profile();
  p.organization_identifier = "LEIXG-5493001KJTIIGC8Y1R12";  // LEI, global pseudo-country XG
  EXPECT_TRUE(validate(p));
  p.organization_identifier = "KV:NL-12345678";  // nationally defined scheme: 2 characters + ":"
  EXPECT_TRUE(validate(p));
  p.identity_name = std::string(60, 'a') + "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";  // 64 characters, 68 bytes
  EXPECT_TRUE(validate(p));
  p.uris.clear();
  EXPECT_TRUE(validate(p));
}

// Each case is one mutation of a valid profile; `why` is part of the expected message.
TEST(IdentityProfile, ValidateRefusesMutations) {
  struct Case {
    std::string name;
    IdentityCertificateProfile profile;
    std::string why;
  };
  std::vector<Case> cases;
  auto legal = [&](std::string name, std::string why, auto change) {
    auto p = legal_profile();
    change(p);
    cases.push_back({std::move(name), p, std::move(why)});
  };
  auto natural = [&](std::string name, std::string why, auto change) {
    auto p = natural_profile();
    change(p);
    cases.push_back({std::move(name), p, std::move(why)});
  };
  legal("identity-name-empty", "identity name", [](auto& p) { p.identity_name.clear(); });
  legal("identity-name-65-characters", "longer than 64", [](auto& p) { p.identity_name = std::string(65, 'a'); });
  legal("identity-name-newline", "control characters", [](auto& p) { p.identity_name = "bot\nCN=evil"; });
  legal("country-lower-case", "ISO 3166", [](auto& p) { p.country = "nl"; });
  legal("country-three-letters", "ISO 3166", [](auto& p) { p.country = "NLD"; });
  legal("country-empty", "ISO 3166", [](auto& p) { p.country.clear(); });
  legal("organisation-empty", "organisation name", [](auto& p) { p.organization.clear(); });
  legal("organisation-65-characters", "longer than 64", [](auto& p) { p.organization = std::string(65, 'O'); });
  legal("organisation-identifier-empty", "EN 319 412-1", [](auto& p) { p.organization_identifier.clear(); });
  legal("organisation-identifier-no-type", "EN 319 412-1", [](auto& p) { p.organization_identifier = "NL-123456789"; });
  legal("organisation-identifier-no-hyphen", "EN 319 412-1",
        [](auto& p) { p.organization_identifier = "VATNL123456789B01"; });
  legal("organisation-identifier-lower-case", "EN 319 412-1",
        [](auto& p) { p.organization_identifier = "vatnl-123456789B01"; });
  legal("organisation-identifier-nothing-after-hyphen", "EN 319 412-1",
        [](auto& p) { p.organization_identifier = "VATNL-"; });
  legal("pds-http", "https://", [](auto& p) { p.pds_url = "http://trust.example/pds/en"; });
  legal("pds-empty", "https://", [](auto& p) { p.pds_url.clear(); });
  legal("pds-scheme-only", "https://", [](auto& p) { p.pds_url = "https://"; });
  legal("pds-with-space", "https://", [](auto& p) { p.pds_url = "https://trust.example/pds en"; });
  legal("pds-language-upper-case", "ISO 639-1", [](auto& p) { p.pds_language = "EN"; });
  legal("pds-language-three-letters", "ISO 639-1", [](auto& p) { p.pds_language = "eng"; });
  legal("pds-language-empty", "ISO 639-1", [](auto& p) { p.pds_language.clear(); });
  legal("retention-zero", "1 to 100", [](auto& p) { p.retention_years = 0; });
  legal("retention-negative", "1 to 100", [](auto& p) { p.retention_years = -7; });
  legal("retention-101", "1 to 100", [](auto& p) { p.retention_years = 101; });
  legal("uri-relative", "absolute", [](auto& p) { p.uris.push_back("invoice-bot"); });
  legal("uri-with-space", "absolute", [](auto& p) { p.uris.push_back("urn:qualsig:identity:invoice bot"); });
  legal("uri-empty-scheme", "absolute", [](auto& p) { p.uris.push_back(":invoice-bot"); });
  legal("uri-scheme-starts-with-digit", "absolute", [](auto& p) { p.uris.push_back("1urn:x"); });
  legal("uri-nothing-after-colon", "absolute", [](auto& p) { p.uris.push_back("urn:"); });
  legal("uri-non-ascii", "absolute", [](auto& p) { p.uris.push_back("urn:qualsig:identity:b\xc3\xb6t"); });
  legal("kind-out-of-range", "kind", [](auto& p) { p.kind = static_cast<SubjectKind>(7); });
  natural("given-name-empty", "given name", [](auto& p) { p.given_name.clear(); });
  natural("surname-empty", "surname", [](auto& p) { p.surname.clear(); });
  natural("common-name-over-64", "common name", [](auto& p) {
    p.given_name = std::string(32, 'G');
    p.surname = std::string(32, 'S');
  });
  natural("person-identifier-no-type", "EN 319 412-1 §5.1.3", [](auto& p) { p.person_identifier = "123456789"; });
  natural("person-identifier-underscore", "EN 319 412-1 §5.1.3",
          [](auto& p) { p.person_identifier = "PNONL-123_456"; });  // not PrintableString
  natural("person-identifier-65-characters", "EN 319 412-1 §5.1.3",
          [](auto& p) { p.person_identifier = "PNONL-" + std::string(59, '1'); });
  natural("organisation-identifier-bad-when-given", "EN 319 412-1", [](auto& p) { p.organization_identifier = "123"; });

  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = validate(c.profile);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
    EXPECT_TRUE(contains(r.error().message, c.why)) << r.error().message;
    // The request refuses the same profile.
    auto k = key("P-256");
    EXPECT_FALSE(identity_certificate_request(c.profile, service(), k.get(), kT0, kValidity));
  }
}

TEST(IdentityProfile, LegalPersonRequestIsAnEsealOnly) {
  auto k = key("P-256");
  auto r = identity_certificate_request(legal_profile(), service(), k.get(), kT0, kValidity);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->subject.common_name, "invoice-bot");
  EXPECT_EQ(r->subject.organization, "Example Corp B.V.");
  EXPECT_EQ(r->subject.organization_identifier, "VATNL-987654321B01");
  EXPECT_EQ(r->subject.country, "NL");
  EXPECT_TRUE(r->subject.given_name.empty());
  EXPECT_EQ(r->public_key, k.get());
  EXPECT_EQ(r->not_before, kT0);
  EXPECT_EQ(r->not_after, kT0 + kValidity);
  ASSERT_TRUE(r->extensions.basic_constraints);
  EXPECT_FALSE(r->extensions.basic_constraints->ca);
  EXPECT_EQ(r->extensions.key_usage, kDigitalSignature | kNonRepudiation);
  EXPECT_TRUE(r->extensions.extended_key_usage.empty());
  EXPECT_EQ(r->extensions.policies, std::vector<std::string>{oid::kQcpLegalQscd});
  EXPECT_EQ(r->extensions.crl_distribution_points, std::vector<std::string>{"https://trust.example/crl/issuing.crl"});
  EXPECT_EQ(r->extensions.ocsp_urls, std::vector<std::string>{"https://trust.example/ocsp"});
  EXPECT_EQ(r->extensions.ca_issuers_urls, std::vector<std::string>{"https://trust.example/ca/issuing.crt"});
  EXPECT_EQ(r->extensions.uris, legal_profile().uris);
  ASSERT_TRUE(r->extensions.qc_statements_der);
  auto qc = decode_qc_statements(*r->extensions.qc_statements_der);
  ASSERT_TRUE(qc);
  QcStatements expected;
  expected.compliance = true;
  expected.sscd = true;
  expected.types = {oid::kQctEseal};
  expected.pds = {{"https://trust.example/pds/en", "en"}};
  expected.retention_years = 7;
  EXPECT_EQ(*qc, expected);
}

TEST(IdentityProfile, NaturalPersonRequestIsAnEsignOnly) {
  auto k = key("P-256");
  auto p = natural_profile();
  p.pds_language = "nl";
  p.retention_years = 30;
  auto r = identity_certificate_request(p, service(), k.get(), kT0, kValidity);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->subject.common_name, "Jane Doe");
  EXPECT_EQ(r->subject.given_name, "Jane");
  EXPECT_EQ(r->subject.surname, "Doe");
  EXPECT_EQ(r->subject.serial_number, "PNONL-123456789");
  EXPECT_EQ(r->subject.organization, "Example Corp B.V.");
  EXPECT_EQ(r->extensions.key_usage, kDigitalSignature | kNonRepudiation);
  EXPECT_EQ(r->extensions.policies, std::vector<std::string>{oid::kQcpNaturalQscd});
  auto qc = decode_qc_statements(*r->extensions.qc_statements_der);
  ASSERT_TRUE(qc);
  EXPECT_EQ(qc->types, std::vector<std::string>{oid::kQctEsign});
  EXPECT_EQ(qc->pds, (std::vector<QcStatements::Pds>{{"https://trust.example/pds/en", "nl"}}));
  EXPECT_EQ(qc->retention_years, 30);
  EXPECT_TRUE(qc->compliance);
  EXPECT_TRUE(qc->sscd);
}

TEST(IdentityProfile, RequestRefusesNonPositiveValidityAndMissingKey) {
  auto k = key("P-256");
  auto r = identity_certificate_request(legal_profile(), service(), k.get(), kT0, 0s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_FALSE(identity_certificate_request(legal_profile(), service(), k.get(), kT0, -1s));
  EXPECT_FALSE(identity_certificate_request(legal_profile(), service(), nullptr, kT0, kValidity));
}

// The certificate builder's additions (DistinguishedName natural-person attributes, the
// qcStatements extension) on their own.
TEST(IdentityProfile, BuilderWritesPersonAttributesAndRefusesBadQcStatements) {
  DistinguishedName dn;
  dn.common_name = "Jane Doe";
  dn.country = "NL";
  dn.given_name = "Jane";
  dn.surname = "Doe";
  dn.pseudonym = "agent-7";
  dn.serial_number = "PNONL-123456789";
  auto name = make_name(dn);
  ASSERT_TRUE(name) << name.error().message;
  auto entry_type = [&](int nid) {
    const int at = X509_NAME_get_index_by_NID(name->get(), nid, -1);
    return at < 0 ? -1 : ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name->get(), at)));
  };
  EXPECT_EQ(entry_type(NID_givenName), V_ASN1_UTF8STRING);
  EXPECT_EQ(entry_type(NID_surname), V_ASN1_UTF8STRING);
  EXPECT_EQ(entry_type(NID_pseudonym), V_ASN1_UTF8STRING);
  EXPECT_EQ(entry_type(NID_serialNumber), V_ASN1_PRINTABLESTRING);  // X520SerialNumber
  EXPECT_EQ(core::name_to_string(name->get()).find("CN=Jane Doe"), 0u) << core::name_to_string(name->get());

  dn.serial_number = "PNONL-123_456";  // '_' is not in PrintableString
  EXPECT_FALSE(make_name(dn));
  dn.serial_number = "PNONL-" + std::string(59, '1');  // ub-serial-number 64
  EXPECT_FALSE(make_name(dn));

  // An empty new field changes nothing: the name of the existing profiles stays as it was.
  DistinguishedName old_style{"Example Trust Root CA", "Example Trust", "VATNL-123456789B01", "", "NL"};
  auto old_name = make_name(old_style);
  ASSERT_TRUE(old_name);
  EXPECT_EQ(X509_NAME_entry_count(old_name->get()), 4);

  auto k = key("P-256");
  CertificateRequest req;
  req.subject.common_name = "x";
  req.public_key = k.get();
  req.not_before = kT0;
  req.not_after = kT0 + kValidity;
  req.extensions.qc_statements_der = Bytes{0x30, 0x03, 0x06, 0x01};  // truncated
  auto cert = issue_certificate(req, nullptr, k.get());
  ASSERT_FALSE(cert);
  EXPECT_EQ(cert.error().code, ErrorCode::invalid_input);
}

// A root and a qualified issuing CA (P-384, the existing profiles), and an e-seal and an e-sign
// certificate issued under them, written to a temporary directory for the command-line checks.
struct Hierarchy {
  testing::TempDir dir;
  core::UniquePtr<EVP_PKEY> root_key = key("P-384");
  core::UniquePtr<EVP_PKEY> issuing_key = key("P-384");
  core::UniquePtr<X509> root, issuing;

  Hierarchy() {
    auto r = issue_certificate(root_ca_request(service(), root_key.get(), kT0), nullptr, root_key.get());
    EXPECT_TRUE(r) << r.error().message;
    root = std::move(r).value();
    auto i = issue_certificate(issuing_ca_request(service(), issuing_key.get(), kT0), root.get(), root_key.get());
    EXPECT_TRUE(i) << i.error().message;
    issuing = std::move(i).value();
    write("root", root.get());
    write("issuing", issuing.get());
  }

  // Writes <name>.pem and <name>.der; returns the path of the PEM.
  std::string write(const std::string& name, const X509* cert) const {
    auto pem = core::x509_to_pem(cert);
    auto der = core::x509_to_der(cert);
    EXPECT_TRUE(pem && der);
    std::ofstream(dir.path() / (name + ".pem")) << *pem;
    std::ofstream(dir.path() / (name + ".der"), std::ios::binary)
        .write(reinterpret_cast<const char*>(der->data()), static_cast<std::streamsize>(der->size()));
    return (dir.path() / (name + ".pem")).string();
  }
  std::string path(const std::string& file) const { return (dir.path() / file).string(); }

  core::UniquePtr<X509> issue(const IdentityCertificateProfile& p, const std::string& name) {
    auto leaf_key = key("P-256");
    auto req = identity_certificate_request(p, service(), leaf_key.get(), kT0, kValidity);
    EXPECT_TRUE(req) << req.error().message;
    auto cert = issue_certificate(*req, issuing.get(), issuing_key.get());
    EXPECT_TRUE(cert) << cert.error().message;
    write(name, cert->get());
    return std::move(cert).value();
  }
};

// The OIDs inside one extension's value, as `openssl asn1parse -strparse` reads them.
std::vector<std::string> extension_oids(const std::string& der_path, const std::string& extension_name) {
  std::string out;
  EXPECT_EQ(run("openssl asn1parse -inform DER -in " + der_path, out), 0) << out;
  const auto at = out.find(":" + extension_name);
  if (at == std::string::npos) return {};
  const auto octet = out.find("OCTET STRING", at);
  const auto line_start = out.rfind('\n', octet) + 1;
  const std::string offset = out.substr(line_start, out.find(':', line_start) - line_start);
  EXPECT_EQ(run("openssl asn1parse -inform DER -in " + der_path + " -i -strparse " + offset, out), 0) << out;
  std::vector<std::string> oids;
  for (std::size_t pos = out.find("OBJECT"); pos != std::string::npos; pos = out.find("OBJECT", pos + 1)) {
    const auto colon = out.find(':', pos);
    oids.push_back(out.substr(colon + 1, out.find('\n', colon) - colon - 1));
  }
  return oids;
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string verify_command(const Hierarchy& h, const std::string& leaf, const char* policy) {
  const auto at = std::chrono::system_clock::to_time_t(kT0 + std::chrono::days(1));
  return std::string("openssl verify -x509_strict -attime ") + std::to_string(at) +
         " -policy_check -explicit_policy -policy " + policy + " -CAfile " + h.path("root.pem") + " -untrusted " +
         h.path("issuing.pem") + " " + h.path(leaf);
}

TEST(IdentityProfileOpenssl, EsealCertificateAsOpensslSeesIt) {
  Hierarchy h;
  auto cert = h.issue(legal_profile(), "eseal");
  ASSERT_TRUE(cert);

  const auto qc = extension_oids(h.path("eseal.der"), "qcStatements");
  for (const char* o : {oid::kQcsQcCompliance, oid::kQcsQcSscd, oid::kQcsQcPds, oid::kQcsQcType, oid::kQctEseal,
                        oid::kQcsQcRetentionPeriod})
    EXPECT_TRUE(has(qc, o)) << o;
  EXPECT_FALSE(has(qc, oid::kQctEsign)) << "an e-seal certificate never carries QcType esign";
  EXPECT_FALSE(has(qc, oid::kQctWeb));
  const auto policies = extension_oids(h.path("eseal.der"), "X509v3 Certificate Policies");
  EXPECT_EQ(policies, std::vector<std::string>{oid::kQcpLegalQscd});

  std::string text;
  ASSERT_EQ(run("openssl x509 -noout -text -nameopt RFC2253 -in " + h.path("eseal.pem"), text), 0) << text;
  EXPECT_TRUE(contains(text, "X509v3 Key Usage: critical\n                Digital Signature, Non Repudiation\n"))
      << text;
  EXPECT_TRUE(contains(text, "X509v3 Basic Constraints: critical\n                CA:FALSE")) << text;
  EXPECT_TRUE(contains(text, "URI:https://trust.example/crl/issuing.crl")) << text;
  EXPECT_TRUE(contains(text, "OCSP - URI:https://trust.example/ocsp")) << text;
  EXPECT_TRUE(contains(text, "CA Issuers - URI:https://trust.example/ca/issuing.crt")) << text;
  EXPECT_TRUE(
      contains(text, "URI:spiffe://example.org/ns/billing/sa/invoice-bot, URI:urn:qualsig:identity:invoice-bot"))
      << text;
  EXPECT_TRUE(contains(text, "Policy: 0.4.0.194112.1.3")) << text;
  EXPECT_TRUE(contains(text, "qcStatements: \n") || contains(text, "qcStatements:\n")) << "not critical:\n" << text;
  EXPECT_TRUE(
      contains(text, "Subject: CN=invoice-bot,organizationIdentifier=VATNL-987654321B01,O=Example Corp B.V.,C=NL"))
      << text;

  std::string out;
  EXPECT_EQ(run(verify_command(h, "eseal.pem", oid::kQcpLegalQscd), out), 0) << out;
  EXPECT_TRUE(contains(out, "eseal.pem: OK")) << out;
  // Not a natural person's certificate: OpenSSL's policy tree finds no QCP-n-qscd path.
  EXPECT_NE(run(verify_command(h, "eseal.pem", oid::kQcpNaturalQscd), out), 0) << out;

  auto back = qc_statements_of(cert.get());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->types, std::vector<std::string>{oid::kQctEseal});
}

TEST(IdentityProfileOpenssl, EsignCertificateAsOpensslSeesIt) {
  Hierarchy h;
  auto cert = h.issue(natural_profile(), "esign");
  ASSERT_TRUE(cert);

  const auto qc = extension_oids(h.path("esign.der"), "qcStatements");
  for (const char* o : {oid::kQcsQcCompliance, oid::kQcsQcSscd, oid::kQcsQcPds, oid::kQcsQcType, oid::kQctEsign,
                        oid::kQcsQcRetentionPeriod})
    EXPECT_TRUE(has(qc, o)) << o;
  EXPECT_FALSE(has(qc, oid::kQctEseal));
  EXPECT_EQ(extension_oids(h.path("esign.der"), "X509v3 Certificate Policies"),
            std::vector<std::string>{oid::kQcpNaturalQscd});

  std::string text;
  ASSERT_EQ(run("openssl x509 -noout -text -nameopt RFC2253 -in " + h.path("esign.pem"), text), 0) << text;
  EXPECT_TRUE(contains(text, "X509v3 Key Usage: critical\n                Digital Signature, Non Repudiation\n"))
      << text;
  EXPECT_TRUE(contains(text, "URI:https://trust.example/crl/issuing.crl")) << text;
  EXPECT_TRUE(contains(text, "OCSP - URI:https://trust.example/ocsp")) << text;
  EXPECT_TRUE(contains(text, "CA Issuers - URI:https://trust.example/ca/issuing.crt")) << text;
  EXPECT_TRUE(contains(text, "URI:urn:qualsig:identity:jane-agent")) << text;
  EXPECT_TRUE(contains(text, "Policy: 0.4.0.194112.1.2")) << text;
  for (const char* attribute : {"CN=Jane Doe", "serialNumber=PNONL-123456789", "SN=Doe", "GN=Jane", "C=NL"})
    EXPECT_TRUE(contains(text, attribute)) << attribute << "\n" << text;

  std::string out;
  EXPECT_EQ(run(verify_command(h, "esign.pem", oid::kQcpNaturalQscd), out), 0) << out;
  EXPECT_TRUE(contains(out, "esign.pem: OK")) << out;
  EXPECT_NE(run(verify_command(h, "esign.pem", oid::kQcpLegalQscd), out), 0) << out;
}

// tests/interop/qc_check.mjs reads the extension with @peculiar/asn1-x509-qualified(-etsi).
TEST(IdentityProfileInterop, PeculiarAsn1SchemasReadTheQcStatements) {
  const std::filesystem::path interop = std::filesystem::path(QUALSIG_SOURCE_DIR) / "tests" / "interop";
  std::string out;
  if (run("node --version", out) != 0) GTEST_SKIP() << "node missing: run scripts/install-deps";
  if (!std::filesystem::exists(interop / "node_modules" / "@peculiar" / "asn1-x509-qualified-etsi"))
    GTEST_SKIP() << "tests/interop/node_modules missing: run scripts/install-deps";
  Hierarchy h;
  auto eseal = h.issue(legal_profile(), "eseal");
  auto p = natural_profile();
  p.pds_language = "nl";
  p.retention_years = 30;
  auto esign = h.issue(p, "esign");

  const std::string script = (interop / "qc_check.mjs").string();
  ASSERT_EQ(run("node " + script + " " + h.path("eseal.der"), out), 0) << out;
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["critical"], false);
  EXPECT_EQ(j["statements"], nlohmann::json::array({oid::kQcsQcCompliance, oid::kQcsQcRetentionPeriod, oid::kQcsQcSscd,
                                                    oid::kQcsQcType, oid::kQcsQcPds}));
  EXPECT_EQ(j["types"], nlohmann::json::array({oid::kQctEseal}));
  EXPECT_EQ(j["pds"], nlohmann::json::parse(R"([{"url":"https://trust.example/pds/en","language":"en"}])"));
  EXPECT_EQ(j["retention"], 7);
  EXPECT_FALSE(j.contains("legislation"));

  ASSERT_EQ(run("node " + script + " " + h.path("esign.der"), out), 0) << out;
  j = nlohmann::json::parse(out);
  EXPECT_EQ(j["types"], nlohmann::json::array({oid::kQctEsign}));
  EXPECT_EQ(j["pds"], nlohmann::json::parse(R"([{"url":"https://trust.example/pds/en","language":"nl"}])"));
  EXPECT_EQ(j["retention"], 30);

  // The checker is not a rubber stamp: a certificate without the extension is refused.
  EXPECT_NE(run("node " + script + " " + h.path("root.der"), out), 0) << out;
  EXPECT_TRUE(contains(out, "expected one qcStatements extension, found 0")) << out;
}

}  // namespace
}  // namespace qualsig::pki
