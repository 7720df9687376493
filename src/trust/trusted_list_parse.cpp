// parse_trusted_list: ETSI TS 119 612 v2 XML -> TrustedList, on the safe libxml2 parser of formats/.

#include <algorithm>
#include <charconv>

#include <openssl/err.h>

#include "core/openssl.h"
#include "formats/xades.h"
#include "formats/xml_document.h"
#include "trust/trusted_list.h"
#include "trust/tsl_namespaces.h"

namespace qualsig::trust {
namespace {

namespace xml = formats::xml;

Unexpected bad(std::string what) { return fail(ErrorCode::invalid_input, "trusted list: " + std::move(what)); }

std::string trimmed(std::string s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.back())) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  return s.substr(i);
}

std::string child_text(xmlNode* parent, const char* ns, const char* name) {
  return trimmed(xml::text(xml::first_child(parent, ns, name)));
}

Result<xmlNode*> required_child(xmlNode* parent, const char* ns, const char* name) {
  xmlNode* node = xml::first_child(parent, ns, name);
  if (node == nullptr) return bad(std::string("missing <") + name + ">");
  return node;
}

Result<std::string> required_text(xmlNode* parent, const char* name) {
  QS_TRY(xmlNode * node, required_child(parent, kTslNs, name));
  std::string value = trimmed(xml::text(node));
  if (value.empty()) return bad(std::string("empty <") + name + ">");
  return value;
}

// The first <Name> of a multilingual name element (TS 119 612 §5.1.4 "first language").
Result<std::string> first_name(xmlNode* parent, const char* element) {
  QS_TRY(xmlNode * names, required_child(parent, kTslNs, element));
  xmlNode* name = xml::first_child(names, kTslNs, "Name");
  if (name == nullptr) return bad(std::string("<") + element + "> has no <Name>");
  return trimmed(xml::text(name));
}

// xsd:dateTime (TS 119 612 §5.1.4: UTC); 'Z' or a numeric offset, fractional seconds dropped.
Result<TimePoint> date_time(xmlNode* node, const char* what) {
  auto parsed = parse_rfc3339(trimmed(xml::text(node)));
  if (!parsed) return bad(std::string("<") + what + "> is not an xsd:dateTime with a time zone");
  return *parsed;
}

Result<TimePoint> required_date_time(xmlNode* parent, const char* name) {
  QS_TRY(xmlNode * node, required_child(parent, kTslNs, name));
  return date_time(node, name);
}

Result<Bytes> certificate(xmlNode* node) {
  QS_TRY(Bytes der, xml::base64_content(node, "X509Certificate"));
  const unsigned char* p = der.data();
  core::UniquePtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!cert || p != der.data() + der.size()) return bad("X509Certificate is not a DER X.509 certificate");
  return der;
}

// OIDs may be written as URNs (RFC 3061, Qualifier="OIDAsURN").
std::string strip_urn_oid(std::string oid) {
  constexpr std::string_view kUrnOid = "urn:oid:";
  if (oid.size() >= kUrnOid.size() && std::equal(kUrnOid.begin(), kUrnOid.end(), oid.begin(), [](char a, char b) {
        return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
      }))
    oid.erase(0, kUrnOid.size());
  return oid;
}

// xades:ObjectIdentifierType: the OID is in its xades:Identifier child.
std::string object_identifier(xmlNode* node) {
  xmlNode* identifier = xml::first_child(node, kXadesNs, "Identifier");
  return strip_urn_oid(trimmed(xml::text(identifier != nullptr ? identifier : node)));
}

// mra:QcStatementSet: mra:QcStatement { mra:QcStatementId (xades:ObjectIdentifierType),
// mra:QcStatementInfo? { mra:QcType (ObjectIdentifierType) | mra:QcCClegislation (country) } }.
Result<std::vector<QcStatementCriterion>> qc_statement_set(xmlNode* node) {
  std::vector<QcStatementCriterion> out;
  for (xmlNode* statement : xml::children(node, kMraNs, "QcStatement")) {
    QcStatementCriterion c;
    QS_TRY(xmlNode * id, required_child(statement, kMraNs, "QcStatementId"));
    c.id = object_identifier(id);
    if (xmlNode* info = xml::first_child(statement, kMraNs, "QcStatementInfo")) {
      if (xmlNode* type = xml::first_child(info, kMraNs, "QcType")) c.qc_type = object_identifier(type);
      c.cc_legislation = child_text(info, kMraNs, "QcCClegislation");
    }
    if (c.id.empty()) return bad("mra:QcStatement without a statement identifier");
    out.push_back(std::move(c));
  }
  if (out.empty()) return bad("mra:QcStatementSet without a QcStatement");
  return out;
}

// ecc:CriteriaList (TS 119 612 §5.5.9.2.2).
Result<CriteriaList> criteria_list(xmlNode* node) {
  CriteriaList out;
  const std::string assertion = xml::attribute(node, "assert").value_or("all");
  if (assertion == "all") out.assert_ = CriteriaList::Assert::all;
  else if (assertion == "atLeastOne") out.assert_ = CriteriaList::Assert::at_least_one;
  else if (assertion == "none") out.assert_ = CriteriaList::Assert::none;
  else return bad("CriteriaList assert '" + assertion + "' is not all, atLeastOne or none");
  for (xmlNode* ku : xml::children(node, kEccNs, "KeyUsage"))
    for (xmlNode* bit : xml::children(ku, kEccNs, "KeyUsageBit")) {
      auto name = xml::attribute(bit, "name");
      const std::string value = trimmed(xml::text(bit));
      if (!name || name->empty() || (value != "true" && value != "false" && value != "1" && value != "0"))
        return bad("KeyUsageBit needs a name and a boolean value");
      out.key_usage.emplace_back(*name, value == "true" || value == "1");
    }
  for (xmlNode* set : xml::children(node, kEccNs, "PolicySet")) {
    std::vector<std::string> oids;
    for (xmlNode* id : xml::children(set, kEccNs, "PolicyIdentifier")) oids.push_back(object_identifier(id));
    if (oids.empty() || std::any_of(oids.begin(), oids.end(), [](const auto& o) { return o.empty(); }))
      return bad("PolicySet without a policy identifier");
    out.policy_sets.push_back(std::move(oids));
  }
  for (xmlNode* nested : xml::children(node, kEccNs, "CriteriaList")) {
    QS_TRY(CriteriaList inner, criteria_list(nested));
    out.nested.push_back(std::move(inner));
  }
  if (xmlNode* other = xml::first_child(node, kEccNs, "otherCriteriaList")) {
    for (xmlNode* c = other->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if (xml::is_element(c, kTslxNs, "ExtendedKeyUsage")) {
        for (xmlNode* id : xml::children(c, kTslxNs, "KeyPurposeId")) out.extended_key_usage.push_back(object_identifier(id));
      } else if (xml::is_element(c, kTslxNs, "CertSubjectDNAttribute")) {
        for (xmlNode* id : xml::children(c, kTslxNs, "AttributeOID")) out.subject_attributes.push_back(object_identifier(id));
      } else if (xml::is_element(c, kMraNs, "QcStatementSet")) {
        QS_TRY(auto set, qc_statement_set(c));
        out.qc_statement_sets.push_back(std::move(set));
      } else {
        out.unknown_criteria = true;
      }
    }
  }
  return out;
}

Result<std::vector<QualificationElement>> qualifications(xmlNode* node) {
  std::vector<QualificationElement> out;
  for (xmlNode* element : xml::children(node, kEccNs, "QualificationElement")) {
    QualificationElement qe;
    QS_TRY(xmlNode * qualifiers, required_child(element, kEccNs, "Qualifiers"));
    for (xmlNode* q : xml::children(qualifiers, kEccNs, "Qualifier")) {
      auto uri = xml::attribute(q, "uri");
      if (!uri || uri->empty()) return bad("Qualifier without uri");
      qe.qualifiers.push_back(trimmed(*uri));
    }
    if (qe.qualifiers.empty()) return bad("QualificationElement without a Qualifier");
    QS_TRY(xmlNode * criteria, required_child(element, kEccNs, "CriteriaList"));
    QS_TRY(qe.criteria, criteria_list(criteria));
    out.push_back(std::move(qe));
  }
  return out;
}

// ServiceInformation or ServiceHistoryInstance (TS 119 612 §5.5, §5.6).
Result<ServiceStatusPeriod> period(xmlNode* node) {
  ServiceStatusPeriod p;
  QS_TRY(p.type, required_text(node, "ServiceTypeIdentifier"));
  QS_TRY(p.name, first_name(node, "ServiceName"));
  QS_TRY(p.status, required_text(node, "ServiceStatus"));
  QS_TRY(p.start, required_date_time(node, "StatusStartingTime"));
  xmlNode* extensions = xml::first_child(node, kTslNs, "ServiceInformationExtensions");
  for (xmlNode* ext : xml::children(extensions, kTslNs, "Extension")) {
    const std::string critical = trimmed(xml::attribute(ext, "Critical").value_or(""));
    if (critical != "true" && critical != "false" && critical != "1" && critical != "0")
      return bad("Extension without a boolean Critical attribute");
    bool known = false;
    for (xmlNode* c = ext->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if (xml::is_element(c, kTslNs, "AdditionalServiceInformation")) {
        const std::string uri = child_text(c, kTslNs, "URI");
        if (uri.empty()) return bad("AdditionalServiceInformation without URI");
        p.additional_service_info.push_back(uri);
        known = true;
      } else if (xml::is_element(c, kEccNs, "Qualifications")) {
        QS_TRY(auto qes, qualifications(c));
        p.qualifications.insert(p.qualifications.end(), qes.begin(), qes.end());
        known = true;
      } else if (xml::is_element(c, kTslNs, "ExpiredCertsRevocationInfo")) {
        QS_TRY(p.expired_certs_revocation_info, date_time(c, "ExpiredCertsRevocationInfo"));
        known = true;
      }
    }
    // TS 119 612 §5.5.9: a critical extension the relying party does not understand must not be
    // ignored silently.
    if (!known && (critical == "true" || critical == "1")) p.critical_extension_unknown = true;
  }
  return p;
}

Result<Service> service(xmlNode* node) {
  Service s;
  QS_TRY(xmlNode * info, required_child(node, kTslNs, "ServiceInformation"));
  QS_TRY(ServiceStatusPeriod current, period(info));
  QS_TRY(xmlNode * identity, required_child(info, kTslNs, "ServiceDigitalIdentity"));
  for (xmlNode* id : xml::children(identity, kTslNs, "DigitalId")) {
    if (xmlNode* c = xml::first_child(id, kTslNs, "X509Certificate")) {
      QS_TRY(Bytes der, certificate(c));
      s.certificates.push_back(std::move(der));
    }
    if (xmlNode* c = xml::first_child(id, kTslNs, "X509SubjectName")) s.subject_names.push_back(trimmed(xml::text(c)));
    if (xmlNode* c = xml::first_child(id, kTslNs, "X509SKI")) {
      QS_TRY(Bytes ski, xml::base64_content(c, "X509SKI"));
      s.skis.push_back(std::move(ski));
    }
  }
  s.periods.push_back(std::move(current));
  xmlNode* history = xml::first_child(node, kTslNs, "ServiceHistory");
  for (xmlNode* h : xml::children(history, kTslNs, "ServiceHistoryInstance")) {
    QS_TRY(ServiceStatusPeriod p, period(h));
    s.periods.push_back(std::move(p));
  }
  // qualification.md §1 History: newest first; a period ends where the next newer one starts.
  for (std::size_t i = 1; i < s.periods.size(); ++i)
    if (!(s.periods[i].start < s.periods[i - 1].start)) s.history_out_of_order = true;
  // The end is the earliest start later than this one (the previous instance when in order);
  // sorted once so that a list with many instances stays O(n log n).
  std::vector<TimePoint> starts;
  for (const auto& p : s.periods) starts.push_back(p.start);
  std::sort(starts.begin(), starts.end());
  for (std::size_t i = 1; i < s.periods.size(); ++i) {
    auto later = std::upper_bound(starts.begin(), starts.end(), s.periods[i].start);
    if (later != starts.end()) s.periods[i].end = *later;
  }
  return s;
}

// mra:TrustServiceTSLType: a tsl:ServiceTypeIdentifier and its tsl:AdditionalServiceInformation.
Result<std::vector<MraEquivalence::ServiceType>> mra_types(xmlNode* list) {
  std::vector<MraEquivalence::ServiceType> out;
  for (xmlNode* t : xml::children(list, kMraNs, "TrustServiceTSLType")) {
    MraEquivalence::ServiceType type;
    QS_TRY(type.type, required_text(t, "ServiceTypeIdentifier"));
    for (xmlNode* asi : xml::children(t, kTslNs, "AdditionalServiceInformation")) {
      const std::string uri = child_text(asi, kTslNs, "URI");
      if (uri.empty()) return bad("MRA AdditionalServiceInformation without URI");
      type.additional_service_info.push_back(uri);
    }
    out.push_back(std::move(type));
  }
  if (out.empty()) return bad("MRA type equivalence without a TrustServiceTSLType");
  return out;
}

// One mra:TrustServiceEquivalenceInformation (see MraEquivalence).
Result<MraEquivalence> mra_equivalence(xmlNode* node) {
  MraEquivalence e;
  e.legal_identifier = child_text(node, kMraNs, "TrustServiceLegalIdentifier");
  if (e.legal_identifier.empty()) return bad("MRA equivalence without TrustServiceLegalIdentifier");
  QS_TRY(xmlNode * types, required_child(node, kMraNs, "TrustServiceTSLTypeEquivalenceList"));
  QS_TRY(xmlNode * pointing, required_child(types, kMraNs, "TrustServiceTSLTypeListPointingParty"));
  QS_TRY(xmlNode * pointed, required_child(types, kMraNs, "TrustServiceTSLTypeListPointedParty"));
  QS_TRY(e.pointing_types, mra_types(pointing));
  QS_TRY(e.pointed_types, mra_types(pointed));
  e.status = child_text(node, kMraNs, "TrustServiceEquivalenceStatus");
  if (e.status.empty()) return bad("MRA equivalence without TrustServiceEquivalenceStatus");
  QS_TRY(xmlNode * start, required_child(node, kMraNs, "TrustServiceEquivalenceStatusStartingTime"));
  QS_TRY(e.status_start, date_time(start, "TrustServiceEquivalenceStatusStartingTime"));
  if (xmlNode* statuses = xml::first_child(node, kMraNs, "TrustServiceTSLStatusEquivalenceList")) {
    for (xmlNode* eq = statuses->children; eq != nullptr; eq = eq->next) {
      if (!xml::is_element(eq, kMraNs, "TrustServiceTSLStatusValidEquivalence") &&
          !xml::is_element(eq, kMraNs, "TrustServiceTSLStatusInvalidEquivalence"))
        continue;
      const std::string to =
          child_text(xml::first_child(eq, kMraNs, "TrustServiceTSLStatusListPointingParty"), kTslNs, "ServiceStatus");
      xmlNode* from = xml::first_child(eq, kMraNs, "TrustServiceTSLStatusListPointedParty");
      if (to.empty() || from == nullptr) return bad("MRA status equivalence without both parties' ServiceStatus");
      for (xmlNode* status : xml::children(from, kTslNs, "ServiceStatus")) e.statuses.emplace_back(trimmed(xml::text(status)), to);
    }
  }
  if (xmlNode* contents = xml::first_child(node, kMraNs, "CertificateContentReferencesEquivalenceList")) {
    for (xmlNode* eq : xml::children(contents, kMraNs, "CertificateContentReferenceEquivalence")) {
      MraEquivalence::ContentEquivalence c;
      c.context = child_text(eq, kMraNs, "CertificateContentReferenceEquivalenceContext");
      QS_TRY(xmlNode * pointing_party, required_child(eq, kMraNs, "CertificateContentDeclarationPointingParty"));
      QS_TRY(xmlNode * pointed_party, required_child(eq, kMraNs, "CertificateContentDeclarationPointedParty"));
      if (c.context.empty()) return bad("MRA certificate content equivalence without a context");
      // Each declaration is a CriteriaList of its own (assert attribute, ecc children).
      QS_TRY(c.pointing, criteria_list(pointing_party));
      QS_TRY(c.pointed, criteria_list(pointed_party));
      e.contents.push_back(std::move(c));
    }
  }
  if (xmlNode* ext = xml::first_child(node, kMraNs, "TrustServiceTSLQualificationExtensionEquivalenceList"))
    for (xmlNode* list : xml::children(ext, kMraNs, "QualifierEquivalenceList"))
      for (xmlNode* q : xml::children(list, kMraNs, "QualifierEquivalence")) {
        auto to = xml::attribute(xml::first_child(q, kMraNs, "QualifierPointingParty"), "uri");
        auto from = xml::attribute(xml::first_child(q, kMraNs, "QualifierPointedParty"), "uri");
        if (!to || !from || to->empty() || from->empty()) return bad("MRA QualifierEquivalence without both uris");
        e.qualifiers.emplace_back(trimmed(*from), trimmed(*to));
      }
  return e;
}

Result<TslPointer> pointer(xmlNode* node) {
  TslPointer p;
  QS_TRY(p.location, required_text(node, "TSLLocation"));
  xmlNode* identities = xml::first_child(node, kTslNs, "ServiceDigitalIdentities");
  for (xmlNode* identity : xml::children(identities, kTslNs, "ServiceDigitalIdentity"))
    for (xmlNode* id : xml::children(identity, kTslNs, "DigitalId"))
      if (xmlNode* c = xml::first_child(id, kTslNs, "X509Certificate")) {
        QS_TRY(Bytes der, certificate(c));
        p.signing_certificates.push_back(std::move(der));
      }
  xmlNode* additional = xml::first_child(node, kTslNs, "AdditionalInformation");
  for (xmlNode* info : xml::children(additional, kTslNs, "OtherInformation")) {
    if (xmlNode* c = xml::first_child(info, kTslNs, "TSLType")) p.tsl_type = trimmed(xml::text(c));
    if (xmlNode* c = xml::first_child(info, kTslNs, "SchemeTerritory")) p.territory = trimmed(xml::text(c));
    if (xmlNode* c = xml::first_child(info, kTslxNs, "MimeType")) p.mime_type = trimmed(xml::text(c));
    if (xmlNode* mra = xml::first_child(info, kMraNs, "MutualRecognitionAgreementInformation")) {
      for (xmlNode* eq : xml::children(mra, kMraNs, "TrustServiceEquivalenceInformation")) {
        QS_TRY(MraEquivalence e, mra_equivalence(eq));
        p.mra.push_back(std::move(e));
      }
      if (p.mra.empty()) return bad("MutualRecognitionAgreementInformation without a TrustServiceEquivalenceInformation");
    }
  }
  return p;
}

Result<TrustServiceProvider> provider(xmlNode* node) {
  TrustServiceProvider tsp;
  QS_TRY(xmlNode * info, required_child(node, kTslNs, "TSPInformation"));
  QS_TRY(tsp.name, first_name(info, "TSPName"));
  xmlNode* trade = xml::first_child(info, kTslNs, "TSPTradeName");
  for (xmlNode* name : xml::children(trade, kTslNs, "Name")) tsp.trade_names.push_back(trimmed(xml::text(name)));
  QS_TRY(xmlNode * services, required_child(node, kTslNs, "TSPServices"));
  for (xmlNode* s : xml::children(services, kTslNs, "TSPService")) {
    QS_TRY(Service svc, service(s));
    tsp.services.push_back(std::move(svc));
  }
  if (tsp.services.empty()) return bad("TSPServices without a TSPService");
  return tsp;
}

}  // namespace

Result<TrustedList> parse_trusted_list(ByteView data) {
  QS_TRY(xml::DocPtr doc, xml::parse(data, formats::xades::kMaxXmlSize, formats::xades::kMaxXmlDepth));
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!xml::is_element(root, kTslNs, "TrustServiceStatusList")) return bad("the root is not a tsl:TrustServiceStatusList");
  TrustedList list;
  QS_TRY(xmlNode * scheme, required_child(root, kTslNs, "SchemeInformation"));
  QS_TRY(std::string version, required_text(scheme, "TSLVersionIdentifier"));
  QS_TRY(std::string sequence, required_text(scheme, "TSLSequenceNumber"));
  auto [vp, vec] = std::from_chars(version.data(), version.data() + version.size(), list.version);
  if (vec != std::errc{} || vp != version.data() + version.size() || list.version <= 0)
    return bad("TSLVersionIdentifier is not a positive integer");
  auto [sp, sec] = std::from_chars(sequence.data(), sequence.data() + sequence.size(), list.sequence_number);
  if (sec != std::errc{} || sp != sequence.data() + sequence.size() || list.sequence_number == 0)
    return bad("TSLSequenceNumber is not a positive integer");
  QS_TRY(list.tsl_type, required_text(scheme, "TSLType"));
  QS_TRY(list.scheme_operator, first_name(scheme, "SchemeOperatorName"));
  list.territory = child_text(scheme, kTslNs, "SchemeTerritory");
  QS_TRY(list.issued, required_date_time(scheme, "ListIssueDateTime"));
  QS_TRY(xmlNode * next_update, required_child(scheme, kTslNs, "NextUpdate"));
  if (xmlNode* when = xml::first_child(next_update, kTslNs, "dateTime")) {
    QS_TRY(list.next_update, date_time(when, "NextUpdate"));
  }
  xmlNode* distribution = xml::first_child(scheme, kTslNs, "DistributionPoints");
  for (xmlNode* uri : xml::children(distribution, kTslNs, "URI")) list.distribution_points.push_back(trimmed(xml::text(uri)));
  xmlNode* pointers = xml::first_child(scheme, kTslNs, "PointersToOtherTSL");
  for (xmlNode* p : xml::children(pointers, kTslNs, "OtherTSLPointer")) {
    QS_TRY(TslPointer ptr, pointer(p));
    list.pointers.push_back(std::move(ptr));
  }
  xmlNode* providers = xml::first_child(root, kTslNs, "TrustServiceProviderList");
  for (xmlNode* p : xml::children(providers, kTslNs, "TrustServiceProvider")) {
    QS_TRY(TrustServiceProvider tsp, provider(p));
    list.providers.push_back(std::move(tsp));
  }
  list.signed_ = xml::first_child(root, xml::kDsNs, "Signature") != nullptr;
  return list;
}

}  // namespace qualsig::trust
