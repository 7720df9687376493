#include "validation/qc_facts.h"

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <utility>

#include "core/openssl.h"
#include "pki/oids.h"
#include "pki/qc_statements.h"

namespace qualsig::validation {
namespace {

std::string oid_text(const ASN1_OBJECT* obj) {
  char buf[128];
  const int n = OBJ_obj2txt(buf, sizeof(buf), obj, 1);
  if (n <= 0) return {};
  return std::string(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof(buf) - 1));
}

std::string name_entry(const X509_NAME* name, int nid) {
  const int at = X509_NAME_get_index_by_NID(name, nid, -1);
  if (at < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return {};
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

// RFC 5280 §4.2.1.3 KeyUsage bit numbers, named as TS 119 612 KeyUsageBit@name spells them.
constexpr std::array<std::pair<int, const char*>, 9> kKeyUsageBits{{
    {0, "digitalSignature"}, {1, "nonRepudiation"}, {2, "keyEncipherment"}, {3, "dataEncipherment"},
    {4, "keyAgreement"}, {5, "keyCertSign"}, {6, "crlSign"}, {7, "encipherOnly"}, {8, "decipherOnly"}}};

// X509_get_ext_d2i returns null both for "absent" and "malformed"; crit tells them apart
// (-1 absent, -2 duplicated, >= 0 found).
template <typename T>
Result<core::UniquePtr<T>> extension(const X509* cert, int nid, const char* what) {
  int crit = -1;
  auto value = core::wrap(static_cast<T*>(X509_get_ext_d2i(cert, nid, &crit, nullptr)));
  if (!value && crit != -1) {
    core::drain_openssl_errors();
    return fail(ErrorCode::invalid_input, std::string("the certificate's ") + what + " extension is malformed or duplicated");
  }
  return value;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool all_in(const std::vector<std::string>& needles, const std::vector<std::string>& hay) {
  return std::all_of(needles.begin(), needles.end(), [&](const std::string& n) { return contains(hay, n); });
}

}  // namespace

Result<QcFacts> read_qc_facts(const X509* cert) {
  if (cert == nullptr) return fail(ErrorCode::usage, "no certificate to qualify");
  QcFacts facts;
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notBefore(cert), &tm) != 1)
    return fail(core::openssl_error(ErrorCode::invalid_input, "the certificate's notBefore does not parse"));
  facts.not_before = TimePoint(std::chrono::seconds(timegm(&tm)));
  facts.post_eidas = facts.not_before.time_since_epoch().count() >= trust::kEidasUnixSeconds;

  auto qcs = pki::qc_statements_of(cert);
  if (qcs) {
    facts.qc_compliance = qcs->compliance;
    facts.qc_sscd = qcs->sscd;
    facts.qc_types = qcs->types;
    facts.qc_cc_legislation = !qcs->legislation_countries.empty();
    facts.qc_legislation_countries = qcs->legislation_countries;
    // EN 319 412-5 §4 statement OIDs of what QcStatements models, then the others as found.
    if (qcs->compliance) facts.qc_statements.emplace_back(pki::oid::kQcsQcCompliance);
    if (qcs->retention_years) facts.qc_statements.emplace_back(pki::oid::kQcsQcRetentionPeriod);
    if (qcs->sscd) facts.qc_statements.emplace_back(pki::oid::kQcsQcSscd);
    if (!qcs->pds.empty()) facts.qc_statements.emplace_back(pki::oid::kQcsQcPds);
    if (!qcs->types.empty()) facts.qc_statements.emplace_back(pki::oid::kQcsQcType);
    if (!qcs->legislation_countries.empty()) facts.qc_statements.emplace_back(pki::oid::kQcsQcCcLegislation);
    facts.qc_statements.insert(facts.qc_statements.end(), qcs->other_statement_oids.begin(), qcs->other_statement_oids.end());
  } else if (qcs.error().code != ErrorCode::not_found) {
    return fail(ErrorCode::invalid_input, "QCStatements: " + qcs.error().message, qcs.error().detail);
  }

  QS_TRY(auto policies, extension<CERTIFICATEPOLICIES>(cert, NID_certificate_policies, "certificatePolicies"));
  if (policies) {
    for (int i = 0; i < sk_POLICYINFO_num(policies.get()); ++i)
      facts.policies.push_back(oid_text(sk_POLICYINFO_value(policies.get(), i)->policyid));
  }
  QS_TRY(auto ku, extension<ASN1_STRING>(cert, NID_key_usage, "keyUsage"));
  if (ku) {
    for (const auto& [bit, name] : kKeyUsageBits)
      if (ASN1_BIT_STRING_get_bit(ku.get(), bit) == 1) facts.key_usage.emplace_back(name);
  }
  QS_TRY(auto eku, extension<EXTENDED_KEY_USAGE>(cert, NID_ext_key_usage, "extKeyUsage"));
  if (eku) {
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i)
      facts.extended_key_usage.push_back(oid_text(sk_ASN1_OBJECT_value(eku.get(), i)));
  }
  const X509_NAME* subject = X509_get_subject_name(cert);
  for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
    std::string oid = oid_text(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(subject, i)));
    if (!contains(facts.subject_attributes, oid)) facts.subject_attributes.push_back(std::move(oid));
  }
  const X509_NAME* issuer = X509_get_issuer_name(cert);
  facts.issuer_organization = name_entry(issuer, NID_organizationName);
  facts.issuer_common_name = name_entry(issuer, NID_commonName);
  facts.issuer_country = name_entry(issuer, NID_countryName);
  return facts;
}

bool criteria_match(const trust::CriteriaList& criteria, const QcFacts& facts, std::vector<std::string>& warnings) {
  if (criteria.unknown_criteria) {
    // DSS throws here; a criterion we cannot evaluate is "does not match" (qualification.md §1).
    warnings.emplace_back("a CriteriaList has an otherCriteriaList child this validator does not know: the "
                          "qualification element is treated as not matching");
    return false;
  }
  std::vector<bool> children;
  if (!criteria.key_usage.empty()) {
    children.push_back(std::all_of(criteria.key_usage.begin(), criteria.key_usage.end(), [&](const auto& bit) {
      return contains(facts.key_usage, bit.first) == bit.second;
    }));
  }
  for (const auto& set : criteria.policy_sets) children.push_back(all_in(set, facts.policies));
  if (!criteria.extended_key_usage.empty())
    children.push_back(all_in(criteria.extended_key_usage, facts.extended_key_usage));
  if (!criteria.subject_attributes.empty())
    children.push_back(all_in(criteria.subject_attributes, facts.subject_attributes));
  for (const auto& set : criteria.qc_statement_sets)
    children.push_back(std::all_of(set.begin(), set.end(), [&](const trust::QcStatementCriterion& c) {
      return contains(facts.qc_statements, c.id) && (c.qc_type.empty() || contains(facts.qc_types, c.qc_type)) &&
             (c.cc_legislation.empty() || contains(facts.qc_legislation_countries, c.cc_legislation));
    }));
  for (const auto& nested : criteria.nested) children.push_back(criteria_match(nested, facts, warnings));

  const auto yes = [](bool b) { return b; };
  switch (criteria.assert_) {
    case trust::CriteriaList::Assert::all: return std::all_of(children.begin(), children.end(), yes);
    case trust::CriteriaList::Assert::at_least_one: return std::any_of(children.begin(), children.end(), yes);
    case trust::CriteriaList::Assert::none: return std::none_of(children.begin(), children.end(), yes);
  }
  return false;
}

}  // namespace qualsig::validation
