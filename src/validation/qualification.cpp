// Certificate qualification at a time and its inputs (qualification.md §3, DSS
// CertQualificationAtTimeBlock), and qualify_services (§2-§4).

#include "validation/qualification.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <utility>

#include "pki/oids.h"
#include "validation/qc_facts.h"

namespace qualsig::validation {
namespace {

// TS 119 612 §5.5.9.2.3 qualifiers (ecc:Qualifier@uri).
constexpr const char* kQcStatement = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCStatement";
constexpr const char* kNotQualified = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/NotQualified";
constexpr const char* kQcWithSscd = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCWithSSCD";
constexpr const char* kQcNoSscd = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCNoSSCD";
constexpr const char* kQcSscdAsInCert = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCSSCDStatusAsInCert";
constexpr const char* kQcWithQscd = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCWithQSCD";
constexpr const char* kQcNoQscd = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCNoQSCD";
constexpr const char* kQcQscdAsInCert = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCQSCDStatusAsInCert";
constexpr const char* kQcQscdManaged = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCQSCDManagedOnBehalf";
constexpr const char* kQcForLegalPerson = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCForLegalPerson";
constexpr const char* kQcForESig = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCForESig";
constexpr const char* kQcForESeal = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCForESeal";
constexpr const char* kQcForWsa = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCForWSA";
constexpr const char* kKnownQualifiers[] = {kQcStatement, kNotQualified, kQcWithSscd, kQcNoSscd, kQcSscdAsInCert,
                                            kQcWithQscd, kQcNoQscd, kQcQscdAsInCert, kQcQscdManaged,
                                            kQcForLegalPerson, kQcForESig, kQcForESeal, kQcForWsa};
// TS 119 612 §5.5.4 Directive-era statuses that count as "granted" (qualification.md §1.2).
constexpr const char* kStatusUnderSupervision = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/undersupervision";
constexpr const char* kStatusSupervisionInCessation =
    "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/supervisionincessation";
constexpr const char* kStatusAccredited = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/accredited";

const TimePoint kEidas{std::chrono::seconds(trust::kEidasUnixSeconds)};

bool has(const std::vector<std::string>& v, const char* s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// The last path segment of a URI, for reasons ("QCWithQSCD", "granted").
std::string tail(const std::string& uri) {
  const auto slash = uri.find_last_of('/');
  return slash == std::string::npos ? uri : uri.substr(slash + 1);
}

std::string day(TimePoint t) { return to_rfc3339(t); }

// One (service, status period) that may apply, with the qualifiers its criteria capture for the
// end-entity certificate.
struct Entry {
  const ServiceCandidate* candidate = nullptr;
  const trust::ServiceStatusPeriod* period = nullptr;
  std::vector<std::string> captured;
  bool post_era = false;  // StatusStartingTime >= eIDAS
  const QcFacts* facts = nullptr;  // the certificate as this entry's list reads it (MRA: translated)

  std::string describe() const {
    return "service \"" + period->name + "\" of \"" + candidate->provider->name + "\" (" + tail(period->status) +
           " since " + day(period->start) + ", " + candidate->list + ")";
  }
  int qc_for_count() const {
    return int(has(captured, kQcForESig)) + int(has(captured, kQcForESeal)) + int(has(captured, kQcForWsa));
  }
};

const char* asi_for(CertType type) {
  switch (type) {
    case CertType::esig: return trust::kAsiForeSignatures;
    case CertType::eseal: return trust::kAsiForeSeals;
    case CertType::wsa: return trust::kAsiForWebSiteAuthentication;
    case CertType::unknown: break;
  }
  return "";
}

const char* qualifier_for(CertType type) {
  switch (type) {
    case CertType::esig: return kQcForESig;
    case CertType::eseal: return kQcForESeal;
    case CertType::wsa: return kQcForWsa;
    case CertType::unknown: break;
  }
  return "";
}

bool qc_marked_pre_eidas(const QcFacts& f) {
  return f.qc_compliance || has(f.policies, kPolicyQcpPublic) || has(f.policies, kPolicyQcpPublicWithSscd);
}

// §3.3a: the type the certificate itself states.
CertType type_from_certificate(const QcFacts& f) {
  if (!f.post_eidas) return qc_marked_pre_eidas(f) ? CertType::esig : CertType::unknown;
  if (f.qc_types.empty()) return f.qc_compliance ? CertType::esig : CertType::unknown;
  if (f.qc_types.size() > 1) return CertType::unknown;
  if (f.qc_types[0] == pki::oid::kQctEsign) return CertType::esig;
  if (f.qc_types[0] == pki::oid::kQctEseal) return CertType::eseal;
  if (f.qc_types[0] == pki::oid::kQctWeb) return CertType::wsa;
  return CertType::unknown;
}

// §1.2: granted in the era of the entry's StatusStartingTime.
bool granted(const Entry& e) {
  const std::string& s = e.period->status;
  if (e.post_era) return s == trust::kStatusGranted;
  return s == kStatusUnderSupervision || s == kStatusSupervisionInCessation || s == kStatusAccredited;
}

struct Consistency {
  bool qc = true, type = true, qscd = true;
};

// §3.1 step 7 (DSS trust/consistency): each dimension of an entry may be unusable.
Consistency consistency(const Entry& e, std::vector<std::string>& reasons) {
  Consistency c;
  const auto& q = e.captured;
  const auto& asi = e.period->additional_service_info;
  c.qc = !(has(q, kQcStatement) && has(q, kNotQualified));
  const int qc_for = e.qc_for_count();
  const bool any_asi = has(asi, trust::kAsiForeSignatures) || has(asi, trust::kAsiForeSeals) ||
                       has(asi, trust::kAsiForWebSiteAuthentication);
  c.type = !(has(q, kQcForLegalPerson) && has(q, kQcForESig)) && qc_for <= 1;
  if (c.type && any_asi && qc_for == 1) {
    c.type = (has(q, kQcForESig) && has(asi, trust::kAsiForeSignatures)) ||
             (has(q, kQcForESeal) && has(asi, trust::kAsiForeSeals)) ||
             (has(q, kQcForWsa) && has(asi, trust::kAsiForWebSiteAuthentication));
  }
  if (c.type && !e.post_era) {
    const bool only_seals = has(asi, trust::kAsiForeSeals) && !has(asi, trust::kAsiForeSignatures) &&
                            !has(asi, trust::kAsiForWebSiteAuthentication);
    const bool only_wsa = has(asi, trust::kAsiForWebSiteAuthentication) && !has(asi, trust::kAsiForeSignatures) &&
                          !has(asi, trust::kAsiForeSeals);
    c.type = !only_seals && !only_wsa && !has(q, kQcForESeal) && !has(q, kQcForWsa);
  }
  const bool with_or_managed = has(q, kQcWithSscd) || has(q, kQcWithQscd) || has(q, kQcQscdManaged);
  const bool as_in_cert = has(q, kQcSscdAsInCert) || has(q, kQcQscdAsInCert);
  const bool no = has(q, kQcNoSscd) || has(q, kQcNoQscd);
  c.qscd = !((with_or_managed || as_in_cert) && no) && !(as_in_cert && with_or_managed);
  if (c.qscd && e.post_era && (has(q, kQcWithSscd) || has(q, kQcNoSscd)))
    c.qscd = has(q, kQcWithQscd) || has(q, kQcNoQscd);
  if (!c.qc) reasons.push_back(e.describe() + " captures both QCStatement and NotQualified: its QC decision is unusable");
  if (!c.type) reasons.push_back(e.describe() + " has inconsistent type qualifiers/ASIs: its type decision is unusable");
  if (!c.qscd) {
    reasons.push_back(e.describe() + " has inconsistent QSCD qualifiers: treated as not QSCD (DSS)");
    reasons.emplace_back("TS 119 615 would fail this: inconsistent QSCD qualifiers make QSCD indeterminate there");
  }
  return c;
}

// §3.2-§3.4 for one selected entry (or none), with the certificate as that entry's list reads it.
CertQualification evaluate(const QcFacts& base, const Entry* e) {
  const QcFacts& f = e != nullptr && e->facts != nullptr ? *e->facts : base;
  CertQualification out;
  out.type = type_from_certificate(f);
  auto& why = out.reasons;
  if (e == nullptr) {
    why.push_back(std::string("no CA/QC service applies: not qualified; type from the certificate: ") +
                  cert_type_name(out.type));
    return out;
  }
  const Consistency c = consistency(*e, why);
  const auto& q = e->captured;
  const bool is_granted = granted(*e);
  if (is_granted) why.push_back(e->describe() + " counts as granted");
  if (!is_granted) {
    why.push_back(e->describe() + " is not granted" + (e->post_era ? "" : " (Directive era)") + ": not qualified");
    if (!e->post_era && (e->period->status == trust::kStatusGranted || e->period->status == trust::kStatusWithdrawn))
      why.emplace_back("an entry starting before eIDAS cannot carry an eIDAS status: inconsistent, dropped");
  } else if (!c.qc) {
    why.emplace_back("no QC-consistent service: not qualified");
  } else if (has(q, kNotQualified)) {
    why.push_back(e->describe() + " captures NotQualified: not qualified");
  } else if (has(q, kQcStatement)) {
    out.qualified = true;
    why.push_back(e->describe() + " captures QCStatement: qualified");
  } else if (f.qc_cc_legislation) {
    why.emplace_back("the certificate has QcCClegislation (non-EU legislation): not qualified under EU law");
  } else if (f.post_eidas) {
    out.qualified = f.qc_compliance;
    why.push_back(std::string("certificate issued under eIDAS ") +
                  (f.qc_compliance ? "has QcCompliance: qualified" : "has no QcCompliance: not qualified"));
  } else {
    out.qualified = qc_marked_pre_eidas(f);
    why.push_back(std::string("certificate issued before eIDAS ") +
                  (out.qualified ? "has QcCompliance or the QCP/QCP+ policy: qualified"
                                 : "has neither QcCompliance nor QCP/QCP+: not qualified"));
  }
  if (!out.qualified) {
    why.push_back(std::string("type from the certificate: ") + cert_type_name(out.type));
    return out;
  }

  // §3.3b: the list may override the type.
  if (!c.type) {
    out.type = CertType::unknown;
  } else if (!e->post_era) {
    out.type = CertType::esig;
    why.emplace_back("the service entry predates eIDAS: the Directive only knew e-signatures: type eSig");
  } else if (e->qc_for_count() > 1) {
    out.type = CertType::unknown;
    why.emplace_back("several QCFor* qualifiers captured: type unknown");
  } else if (has(q, kQcForESig) || has(q, kQcForESeal) || has(q, kQcForWsa)) {
    out.type = has(q, kQcForESig) ? CertType::esig : has(q, kQcForESeal) ? CertType::eseal : CertType::wsa;
    why.push_back(std::string("the list sets the type by QCFor* qualifier: ") + cert_type_name(out.type));
  } else {
    why.push_back(std::string("type from the certificate: ") + cert_type_name(out.type));
  }

  // §3.4: QSCD.
  const char* from = nullptr;
  if (!c.qscd) {
    out.qscd = false;
  } else if (e->post_era && (has(q, kQcWithQscd) || has(q, kQcQscdManaged))) {
    out.qscd = true;
    from = has(q, kQcWithQscd) ? "the list's QCWithQSCD" : "the list's QCQSCDManagedOnBehalf";
  } else if (e->post_era && !has(q, kQcQscdAsInCert) && has(q, kQcNoQscd)) {
    from = "the list's QCNoQSCD";
  } else if (!e->post_era && has(q, kQcWithSscd)) {
    out.qscd = true;
    from = "the list's QCWithSSCD";
  } else if (!e->post_era && !has(q, kQcSscdAsInCert) && has(q, kQcNoSscd)) {
    from = "the list's QCNoSSCD";
  } else if (f.post_eidas) {
    out.qscd = f.qc_sscd;
    from = f.qc_sscd ? "the certificate's QcSSCD" : "the certificate (no QcSSCD, and no QSCD qualifier in the list)";
  } else {
    out.qscd = f.qc_sscd || has(f.policies, kPolicyQcpPublicWithSscd);
    from = out.qscd ? "the certificate's QcSSCD or QCP+ policy"
                    : "the certificate (neither QcSSCD nor QCP+, and no SSCD qualifier in the list)";
  }
  if (from != nullptr) why.push_back(std::string(out.qscd ? "QSCD by " : "not QSCD by ") + from);
  return out;
}

// §3.1: the qualification at time `t`.
CertQualification at_time(const QcFacts& f, const std::vector<Entry>& all, TimePoint t) {
  std::vector<const Entry*> live;
  for (const auto& e : all)
    if (e.period->start <= t && (!e.period->end || t < *e.period->end)) live.push_back(&e);
  if (live.empty()) {
    auto out = evaluate(f, nullptr);
    out.reasons.insert(out.reasons.begin(), "no status period of a listed service covers " + day(t));
    return out;
  }
  std::vector<std::string> notes;
  if (std::any_of(live.begin(), live.end(), [](const Entry* e) { return e->period->type == trust::kSvcTypeCaQc; })) {
    std::erase_if(live, [](const Entry* e) { return e->period->type != trust::kSvcTypeCaQc; });
  } else {
    auto out = evaluate(f, nullptr);
    out.reasons.insert(out.reasons.begin(), "the services valid at " + day(t) + " are not CA/QC services (type " +
                                                tail(live.front()->period->type) + ")");
    return out;
  }
  // Step 3: only for certificates issued under eIDAS.
  if (f.post_eidas) {
    std::erase_if(live, [&](const Entry* e) {
      const CertType own = type_from_certificate(e->facts != nullptr ? *e->facts : f);
      if (own == CertType::unknown) return false;
      std::vector<std::string> asi = e->period->additional_service_info;
      if (has(e->captured, kQcForLegalPerson)) std::erase(asi, std::string(trust::kAsiForeSignatures));
      if (has(asi, asi_for(own))) return false;
      for (CertType other : {CertType::esig, CertType::eseal, CertType::wsa}) {
        if (has(asi, asi_for(other)) && has(e->captured, qualifier_for(other)) && e->qc_for_count() == 1) return false;
      }
      notes.push_back(e->describe() + " has no AdditionalServiceInformation for " + cert_type_name(own) +
                      " certificates and no QCFor* overrule: not used");
      return true;
    });
  }
  if (live.empty()) {
    auto out = evaluate(f, nullptr);
    out.reasons.insert(out.reasons.begin(), notes.begin(), notes.end());
    return out;
  }
  if (live.size() > 1) {
    std::vector<CertQualification> each;
    for (const Entry* e : live) each.push_back(evaluate(f, e));
    const bool agree = std::all_of(each.begin(), each.end(), [&](const auto& q) { return q.same_as(each.front()); });
    if (!agree) {
      CertQualification out;
      out.applicable = false;
      out.reasons = notes;
      for (std::size_t i = 0; i < live.size(); ++i)
        out.reasons.push_back(live[i]->describe() + " gives " + each[i].label());
      out.reasons.emplace_back("the services that apply disagree: qualification N/A (conflict)");
      return out;
    }
    auto out = std::move(each.front());
    out.reasons.insert(out.reasons.begin(), notes.begin(), notes.end());
    out.reasons.push_back(std::to_string(live.size()) + " services apply and agree");
    return out;
  }
  auto out = evaluate(f, live.front());
  out.reasons.insert(out.reasons.begin(), notes.begin(), notes.end());
  if (!f.post_eidas && t >= kEidas && !has(live.front()->period->additional_service_info, trust::kAsiForeSignatures))
    out.reasons.emplace_back("TS 119 615 would fail this: a certificate issued before eIDAS evaluated after it needs a "
                             "granted entry with ForeSignatures (PRO-4.4.4-07/33)");
  return out;
}

// The certificate as the EU reads it under a third-country list's MRA equivalences (eIDAS
// Art. 14; the EU pilot LOTL's CertificateContentReferencesEquivalenceList): a certificate that
// meets the pointed (third-country) party's declaration for a context is read as meeting the
// pointing (EU) party's: QcCompliance as QcCompliance without QcCClegislation, QcType as the type
// of the equivalence's legal identifier (QCForESig: eSig, QCForESeal: eSeal, QCForWSA: web), QcQSCD
// as QcSSCD. A context the certificate does not meet is read as the certificate states it.
QcFacts mra_facts(const QcFacts& f, const std::vector<trust::MraEquivalence>& mra, std::vector<std::string>& reasons) {
  QcFacts out = f;
  std::vector<std::string> types;
  for (const trust::MraEquivalence& e : mra) {
    const std::string which = "MRA equivalence " + e.legal_identifier;
    if (e.status != trust::kMraEnacted) {
      reasons.push_back(which + " is not enacted (" + tail(e.status) + "): not applied");
      continue;
    }
    for (const auto& content : e.contents) {
      std::vector<std::string> ignored;
      const bool meets = criteria_match(content.pointed, f, ignored);
      reasons.push_back(which + " (enacted " + day(e.status_start) + "): the certificate " + (meets ? "meets" : "does not meet") +
                        " the third-country declaration for " + tail(content.context) +
                        (meets ? ", read as its EU equivalent" : ""));
      if (!meets) continue;
      if (content.context == trust::kMraContextQcCompliance) {
        out.qc_compliance = true;
        out.qc_cc_legislation = false;
      } else if (content.context == trust::kMraContextQcQscd) {
        out.qc_sscd = true;
      } else if (content.context == trust::kMraContextQcType) {
        const char* type = e.legal_identifier == "QCForESig"    ? pki::oid::kQctEsign
                           : e.legal_identifier == "QCForESeal" ? pki::oid::kQctEseal
                           : e.legal_identifier == "QCForWSA"   ? pki::oid::kQctWeb
                                                                : nullptr;
        if (type != nullptr && std::find(types.begin(), types.end(), type) == types.end()) types.emplace_back(type);
      }
    }
  }
  if (!types.empty()) out.qc_types = types;
  return out;
}

// Whitespace-collapsed, lower-case: TS 119 615 compares names "after normalisation".
std::string normalise(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// What the lists say about themselves, and the TS 119 615 checks DSS only warns about (§2.5, §6).
void add_list_checks(const QcFacts& facts, const std::vector<ServiceCandidate>& candidates,
                     std::vector<std::string>& reasons) {
  std::vector<std::string> said;
  auto once = [&](std::string why) {
    if (std::find(said.begin(), said.end(), why) == said.end()) said.push_back(std::move(why));
  };
  const std::string issuer_name = normalise(facts.issuer_organization.empty() ? facts.issuer_common_name
                                                                                 : facts.issuer_organization);
  bool name_matches = false;
  bool country_matches = false;
  bool any_eu = false;
  std::string country = facts.issuer_country;
  if (country == "GB") country = "UK";  // TS 119 612 territory codes
  if (country == "GR") country = "EL";
  for (const auto& c : candidates) {
    if (c.service == nullptr || c.provider == nullptr) continue;
    if (!c.eu) {
      once("this result rests on a private list (" + c.list + "): it is not a qualification under EU law; "
           "\"qualified under a private list\" is never presented as qualified under EU law");
    } else {
      any_eu = true;
      country_matches = country_matches || c.territory == country;
    }
    name_matches = name_matches || normalise(c.provider->name) == issuer_name;
    for (const auto& trade : c.provider->trade_names) name_matches = name_matches || normalise(trade) == issuer_name;
    if (c.service->history_out_of_order)
      once("TS 119 615 would fail this: the history of a service of \"" + c.provider->name + "\" in " + c.list +
           " is not strictly descending (PRO-4.3.4-03A)");
    for (const auto& p : c.service->periods)
      if (p.critical_extension_unknown)
        once("TS 119 615 would fail this: service \"" + p.name + "\" in " + c.list +
             " has a critical extension this validator does not know");
  }
  if (!name_matches)
    once("TS 119 615 would fail this: the issuer's O (or CN) \"" + issuer_name +
         "\" is no TSPName/TSPTradeName of the listing providers (DSS only warns)");
  if (any_eu && !country_matches)
    once("TS 119 615 would fail this: the issuer's country \"" + facts.issuer_country +
         "\" is not the territory of the EU list used (DSS ignores it)");
  reasons.insert(reasons.end(), said.begin(), said.end());
}

}  // namespace

QualificationResult qualify_services(const X509* signer, const std::vector<ServiceCandidate>& candidates,
                                     TimePoint best_signature_time, Indication indication) {
  QualificationResult r;
  for (const auto& c : candidates)
    if (std::find(r.lists.begin(), r.lists.end(), c.list) == r.lists.end()) r.lists.push_back(c.list);
  r.eu = !candidates.empty() && std::all_of(candidates.begin(), candidates.end(), [](const auto& c) { return c.eu; });
  auto not_applicable = [&](std::string why) {
    r.at_issuance.applicable = r.at_signing.applicable = r.combined.applicable = false;
    r.combined.reasons.push_back(why);
    r.reasons.push_back(std::move(why));
  };
  if (candidates.empty()) {
    not_applicable("no accepted trusted list lists a certificate of the chain: qualification N/A");
    r.level = SignatureLevel::na;  // whatever the indication (qualification.md §4)
    r.reasons.push_back(std::string("level: ") + signature_level_name(r.level));
    return r;
  }
  auto facts = read_qc_facts(signer);
  if (!facts) {
    not_applicable("the signer certificate cannot be read for qualification: " + facts.error().message);
    r.level = signature_level(r.combined, indication);
    r.reasons.push_back(std::string("level: ") + signature_level_name(r.level));
    return r;
  }

  std::vector<Entry> entries;
  std::vector<std::unique_ptr<QcFacts>> translated;  // per MRA list (stable addresses)
  std::vector<const std::vector<trust::MraEquivalence>*> translated_for;
  for (const auto& c : candidates) {
    if (c.service == nullptr || c.provider == nullptr) continue;
    const QcFacts* read = &*facts;
    if (c.mra != nullptr) {
      auto known = std::find(translated_for.begin(), translated_for.end(), c.mra);
      if (known == translated_for.end()) {
        translated.push_back(std::make_unique<QcFacts>(mra_facts(*facts, *c.mra, r.reasons)));
        translated_for.push_back(c.mra);
        read = translated.back().get();
      } else {
        read = translated[static_cast<std::size_t>(known - translated_for.begin())].get();
      }
    }
    for (const auto& p : c.service->periods) {
      // §2.2: only periods that reach into the certificate's life.
      if (p.end && *p.end <= facts->not_before) continue;
      Entry e{&c, &p, {}, p.start >= kEidas, read};
      for (const auto& element : p.qualifications) {
        if (!criteria_match(element.criteria, *read, r.reasons)) continue;
        for (const auto& uri : element.qualifiers) {
          if (std::find(std::begin(kKnownQualifiers), std::end(kKnownQualifiers), uri) == std::end(kKnownQualifiers)) {
            r.reasons.push_back("unknown qualifier " + uri + " in " + e.describe() + ": ignored");
            continue;
          }
          if (!has(e.captured, uri.c_str())) e.captured.push_back(uri);
        }
      }
      entries.push_back(std::move(e));
    }
  }

  r.at_issuance = at_time(*facts, entries, facts->not_before);
  r.at_signing = at_time(*facts, entries, best_signature_time);
  r.combined = combine(r.at_issuance, r.at_signing);
  r.level = signature_level(r.combined, indication);
  r.reasons.push_back("at issuance (" + day(facts->not_before) + "): " + r.at_issuance.label());
  r.reasons.push_back("at best-signature-time (" + day(best_signature_time) + "): " + r.at_signing.label());
  for (const auto& why : r.combined.reasons)
    if (why.find("TS 119 615") != std::string::npos || why.starts_with("qualification differs"))
      r.reasons.push_back(why);
  r.reasons.push_back("combined: " + r.combined.label());
  r.reasons.push_back(std::string("level: ") + signature_level_name(r.level) + " (indication " +
                      indication_name(indication) + ")");
  add_list_checks(*facts, candidates, r.reasons);
  return r;
}

}  // namespace qualsig::validation
