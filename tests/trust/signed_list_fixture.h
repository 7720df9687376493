#pragma once
// A test trusted list about the formats test PKI's issuing CA (one TSP, one CA/QC service granted
// since 2020 with a pre-eIDAS history, ASI ForeSignatures + ForeSeals, QCWithQSCD for certificates
// under QCP-n-qscd), and a suite fixture that signs it with formats::xades as an enveloped XAdES
// B-B with the PKI's signer key (SoftHSM2).

#include <gtest/gtest.h>

#include "formats/cades_test_support.h"
#include "formats/xades.h"
#include "trust/trusted_list.h"

namespace qualsig::trust::testing {

using formats::cades::testing::CadesPki;
using formats::cades::testing::kSigningTime;
using formats::cades::testing::must;

// EN 319 411-2 §5.3: QCP-n-qscd, 0.4.0.194112.1.2.
inline constexpr const char* kQcpNQscd = "0.4.0.194112.1.2";
// EN 319 411-2 §5.3: QCP-l-qscd, 0.4.0.194112.1.3.
inline constexpr const char* kQcpLQscd = "0.4.0.194112.1.3";

inline TrustedList make_test_list(const X509* ca, const X509* pointer_signer) {
  using namespace std::chrono;
  TrustedList list;
  list.version = 6;
  list.sequence_number = 42;
  list.tsl_type = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/QualsigPrivate";
  list.scheme_operator = "Qualsig Test Scheme Operator";
  list.territory = "NL";
  list.issued = kSigningTime;
  list.next_update = kSigningTime + hours(24 * 180);
  TslPointer pointer;
  pointer.location = "https://tl.example.test/other.xml";
  pointer.territory = "NL";
  pointer.tsl_type = kTslTypeEuGeneric;
  pointer.mime_type = "application/vnd.etsi.tsl+xml";
  pointer.signing_certificates = {must(core::x509_to_der(pointer_signer))};
  list.pointers = {pointer};

  ServiceStatusPeriod granted;
  granted.type = kSvcTypeCaQc;
  granted.name = "Qualsig Test Issuing CA";
  granted.status = kStatusGranted;
  granted.start = sys_days{January / 1 / 2020};
  granted.additional_service_info = {kAsiForeSignatures, kAsiForeSeals};
  QualificationElement qe;
  qe.qualifiers = {std::string(kQualifierPrefix) + "QCWithQSCD"};
  qe.criteria.assert_ = CriteriaList::Assert::at_least_one;
  qe.criteria.policy_sets = {{kQcpNQscd}, {kQcpLQscd}};
  qe.criteria.key_usage = {{"nonRepudiation", true}};
  CriteriaList nested;
  nested.assert_ = CriteriaList::Assert::none;
  nested.extended_key_usage = {"1.3.6.1.5.5.7.3.4"};  // RFC 5280 §4.2.1.12 id-kp-emailProtection
  nested.subject_attributes = {"2.5.4.97"};           // X.520 organizationIdentifier
  qe.criteria.nested = {nested};
  granted.qualifications = {qe};
  granted.expired_certs_revocation_info = sys_days{January / 1 / 2019};
  ServiceStatusPeriod before = granted;
  before.status = std::string(kStatusPrefix) + "undersupervision";
  before.start = sys_days{March / 1 / 2015};
  before.end = granted.start;
  before.qualifications.clear();
  before.expired_certs_revocation_info.reset();
  before.additional_service_info = {kAsiForeSignatures};

  Service svc;
  svc.certificates = {must(core::x509_to_der(ca))};
  svc.subject_names = {"CN=Test Issuing CA,O=Qualsig Test,C=NL"};
  svc.skis = {Bytes{0x01, 0x02, 0x03, 0x04}};
  svc.periods = {granted, before};
  TrustServiceProvider tsp;
  tsp.name = "Qualsig Test TSP";
  tsp.trade_names = {"VATNL-123456789", "Qualsig"};
  tsp.services = {svc};
  list.providers = {tsp};
  return list;
}

// One PKI per suite (a SoftHSM2 token and keys are slow to make).
class SignedListSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s_pki = new CadesPki(); }
  static void TearDownTestSuite() {
    delete s_pki;
    s_pki = nullptr;
  }

  // Enveloped XAdES B-B over `xml` by the PKI's signer at `signing_time`, chain issuing + root in
  // KeyInfo.
  static Bytes sign_list(const std::string& xml, TimePoint signing_time = kSigningTime) {
    formats::xades::SignOptions o;
    o.level = formats::cades::Level::b_b;
    o.packaging = formats::xades::Packaging::enveloped;
    o.signing_time = signing_time;
    o.chain = {s_pki->issuing.get(), s_pki->root.get()};
    return must(formats::xades::sign(as_bytes(xml), s_pki->signer_cert.get(), *s_pki->signer, o));
  }

  static inline CadesPki* s_pki = nullptr;
};

}  // namespace qualsig::trust::testing
