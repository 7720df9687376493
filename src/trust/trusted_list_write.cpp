// write_trusted_list: TrustedList -> ETSI TS 119 612 v2 XML, built as a libxml2 tree (no string
// concatenation) and serialised by formats/xml_document.h.

#include <libxml/tree.h>

#include "core/bytes.h"
#include "formats/xml_document.h"
#include "trust/trusted_list.h"
#include "trust/tsl_namespaces.h"

namespace qualsig::trust {
namespace {

namespace xml = formats::xml;

xmlNode* tsl(xmlNode* parent, const char* name, std::string_view content = {}) {
  return xml::add_element(parent, kTslNs, "tsl", name, content);
}

// Multilingual name (TS 119 612 §5.1.4); qualsig writes English only.
void names(xmlNode* parent, const char* element, const std::vector<std::string>& values) {
  xmlNode* node = tsl(parent, element);
  for (const auto& value : values) xmlNodeSetLang(tsl(node, "Name", value), BAD_CAST "en");
}

// OIDs are written as URNs (RFC 3061) with Qualifier="OIDAsURN", as the EU lists do.
void object_identifier(xmlNode* parent, const char* ns, const char* prefix, const char* element, const std::string& oid) {
  xmlNode* node = xml::add_element(parent, ns, prefix, element);
  xmlNode* identifier = xml::add_element(node, kXadesNs, "xades", "Identifier", "urn:oid:" + oid);
  xmlNewProp(identifier, BAD_CAST "Qualifier", BAD_CAST "OIDAsURN");
}

const char* assert_name(CriteriaList::Assert a) {
  switch (a) {
    case CriteriaList::Assert::all: return "all";
    case CriteriaList::Assert::at_least_one: return "atLeastOne";
    case CriteriaList::Assert::none: return "none";
  }
  return "all";
}

// ecc:CriteriaList in XSD order: KeyUsage, PolicySet*, CriteriaList*, otherCriteriaList.
void criteria_list(xmlNode* parent, const CriteriaList& criteria) {
  xmlNode* node = xml::add_element(parent, kEccNs, "ecc", "CriteriaList");
  xmlNewProp(node, BAD_CAST "assert", BAD_CAST assert_name(criteria.assert_));
  if (!criteria.key_usage.empty()) {
    xmlNode* ku = xml::add_element(node, kEccNs, "ecc", "KeyUsage");
    for (const auto& [bit, value] : criteria.key_usage)
      xmlNewProp(xml::add_element(ku, kEccNs, "ecc", "KeyUsageBit", value ? "true" : "false"), BAD_CAST "name",
                 BAD_CAST bit.c_str());
  }
  for (const auto& set : criteria.policy_sets) {
    xmlNode* ps = xml::add_element(node, kEccNs, "ecc", "PolicySet");
    for (const auto& oid : set) object_identifier(ps, kEccNs, "ecc", "PolicyIdentifier", oid);
  }
  for (const auto& nested : criteria.nested) criteria_list(node, nested);
  if (!criteria.extended_key_usage.empty() || !criteria.subject_attributes.empty()) {
    xmlNode* other = xml::add_element(node, kEccNs, "ecc", "otherCriteriaList");
    if (!criteria.extended_key_usage.empty()) {
      xmlNode* eku = xml::add_element(other, kTslxNs, "tslx", "ExtendedKeyUsage");
      for (const auto& oid : criteria.extended_key_usage) object_identifier(eku, kTslxNs, "tslx", "KeyPurposeId", oid);
    }
    if (!criteria.subject_attributes.empty()) {
      xmlNode* dn = xml::add_element(other, kTslxNs, "tslx", "CertSubjectDNAttribute");
      for (const auto& oid : criteria.subject_attributes) object_identifier(dn, kTslxNs, "tslx", "AttributeOID", oid);
    }
  }
}

xmlNode* extension(xmlNode* parent, bool critical) {
  xmlNode* ext = tsl(parent, "Extension");
  xmlNewProp(ext, BAD_CAST "Critical", BAD_CAST(critical ? "true" : "false"));
  return ext;
}

// ServiceInformation / ServiceHistoryInstance body (TS 119 612 §5.5): the digital identity is the
// service's current one in both (history identities are not modelled).
void period(xmlNode* node, const ServiceStatusPeriod& p, const Service& svc) {
  tsl(node, "ServiceTypeIdentifier", p.type);
  names(node, "ServiceName", {p.name});
  xmlNode* identity = tsl(node, "ServiceDigitalIdentity");
  for (const auto& der : svc.certificates) tsl(tsl(identity, "DigitalId"), "X509Certificate", base64_encode(der));
  for (const auto& name : svc.subject_names) tsl(tsl(identity, "DigitalId"), "X509SubjectName", name);
  for (const auto& ski : svc.skis) tsl(tsl(identity, "DigitalId"), "X509SKI", base64_encode(ski));
  tsl(node, "ServiceStatus", p.status);
  tsl(node, "StatusStartingTime", to_rfc3339(p.start));
  if (p.additional_service_info.empty() && p.qualifications.empty() && !p.expired_certs_revocation_info) return;
  xmlNode* extensions = tsl(node, "ServiceInformationExtensions");
  // TS 119 612 §5.5.9.4 / §5.5.9.2: ASI and Qualifications are marked critical, §5.5.9.1
  // expiredCertsRevocationInfo not.
  for (const auto& uri : p.additional_service_info) {
    xmlNode* asi = tsl(extension(extensions, true), "AdditionalServiceInformation");
    xmlNodeSetLang(tsl(asi, "URI", uri), BAD_CAST "en");
  }
  if (!p.qualifications.empty()) {
    xmlNode* quals = xml::add_element(extension(extensions, true), kEccNs, "ecc", "Qualifications");
    for (const auto& qe : p.qualifications) {
      xmlNode* element = xml::add_element(quals, kEccNs, "ecc", "QualificationElement");
      xmlNode* qualifiers = xml::add_element(element, kEccNs, "ecc", "Qualifiers");
      for (const auto& uri : qe.qualifiers)
        xmlNewProp(xml::add_element(qualifiers, kEccNs, "ecc", "Qualifier"), BAD_CAST "uri", BAD_CAST uri.c_str());
      criteria_list(element, qe.criteria);
    }
  }
  if (p.expired_certs_revocation_info)
    tsl(extension(extensions, false), "ExpiredCertsRevocationInfo", to_rfc3339(*p.expired_certs_revocation_info));
}

Result<void> check_required(const TrustedList& list) {
  if (list.version <= 0 || list.sequence_number == 0 || list.tsl_type.empty() || list.scheme_operator.empty())
    return fail(ErrorCode::usage, "trusted list: version, sequence number, TSLType and scheme operator are required");
  for (const auto& pointer : list.pointers)
    if (pointer.location.empty()) return fail(ErrorCode::usage, "trusted list: a pointer has no TSLLocation");
  for (const auto& tsp : list.providers) {
    if (tsp.name.empty() || tsp.services.empty())
      return fail(ErrorCode::usage, "trusted list: a provider needs a name and at least one service");
    for (const auto& svc : tsp.services) {
      if (svc.periods.empty()) return fail(ErrorCode::usage, "trusted list: a service has no status period");
      for (const auto& p : svc.periods)
        if (p.type.empty() || p.name.empty() || p.status.empty())
          return fail(ErrorCode::usage, "trusted list: a service period needs a type, a name and a status");
      for (const auto& qe : svc.periods.front().qualifications)
        if (qe.qualifiers.empty()) return fail(ErrorCode::usage, "trusted list: a qualification element has no qualifier");
    }
  }
  return ok();
}

}  // namespace

Result<std::string> write_trusted_list(const TrustedList& list) {
  QS_TRY_VOID(check_required(list));
  QS_TRY_VOID(xml::ensure_initialized());
  xml::DocPtr doc(xmlNewDoc(BAD_CAST "1.0"));
  if (!doc) return fail(ErrorCode::internal, "trusted list: cannot create an XML document");
  xmlNode* root = xmlNewNode(nullptr, BAD_CAST "TrustServiceStatusList");
  xmlDocSetRootElement(doc.get(), root);
  xmlSetNs(root, xmlNewNs(root, BAD_CAST kTslNs, BAD_CAST "tsl"));
  xmlNewNs(root, BAD_CAST kEccNs, BAD_CAST "ecc");
  xmlNewNs(root, BAD_CAST kTslxNs, BAD_CAST "tslx");
  xmlNewNs(root, BAD_CAST kXadesNs, BAD_CAST "xades");
  xmlNewProp(root, BAD_CAST "Id", BAD_CAST "tsl");
  xmlNewProp(root, BAD_CAST "TSLTag", BAD_CAST kTslTag);

  xmlNode* scheme = tsl(root, "SchemeInformation");
  tsl(scheme, "TSLVersionIdentifier", std::to_string(list.version));
  tsl(scheme, "TSLSequenceNumber", std::to_string(list.sequence_number));
  tsl(scheme, "TSLType", list.tsl_type);
  names(scheme, "SchemeOperatorName", {list.scheme_operator});
  if (!list.territory.empty()) tsl(scheme, "SchemeTerritory", list.territory);
  if (!list.pointers.empty()) {
    xmlNode* pointers = tsl(scheme, "PointersToOtherTSL");
    for (const auto& p : list.pointers) {
      xmlNode* ptr = tsl(pointers, "OtherTSLPointer");
      if (!p.signing_certificates.empty()) {
        xmlNode* identities = tsl(ptr, "ServiceDigitalIdentities");
        for (const auto& der : p.signing_certificates)
          tsl(tsl(tsl(identities, "ServiceDigitalIdentity"), "DigitalId"), "X509Certificate", base64_encode(der));
      }
      tsl(ptr, "TSLLocation", p.location);
      xmlNode* additional = tsl(ptr, "AdditionalInformation");
      if (!p.tsl_type.empty()) tsl(tsl(additional, "OtherInformation"), "TSLType", p.tsl_type);
      if (!p.territory.empty()) tsl(tsl(additional, "OtherInformation"), "SchemeTerritory", p.territory);
      if (!p.mime_type.empty())
        xml::add_element(tsl(additional, "OtherInformation"), kTslxNs, "tslx", "MimeType", p.mime_type);
    }
  }
  tsl(scheme, "ListIssueDateTime", to_rfc3339(list.issued));
  xmlNode* next_update = tsl(scheme, "NextUpdate");
  if (list.next_update) tsl(next_update, "dateTime", to_rfc3339(*list.next_update));

  if (!list.providers.empty()) {
    xmlNode* providers = tsl(root, "TrustServiceProviderList");
    for (const auto& tsp : list.providers) {
      xmlNode* provider = tsl(providers, "TrustServiceProvider");
      xmlNode* info = tsl(provider, "TSPInformation");
      names(info, "TSPName", {tsp.name});
      if (!tsp.trade_names.empty()) names(info, "TSPTradeName", tsp.trade_names);
      xmlNode* services = tsl(provider, "TSPServices");
      for (const auto& svc : tsp.services) {
        xmlNode* service = tsl(services, "TSPService");
        period(tsl(service, "ServiceInformation"), svc.periods.front(), svc);
        if (svc.periods.size() > 1) {
          xmlNode* history = tsl(service, "ServiceHistory");
          for (std::size_t i = 1; i < svc.periods.size(); ++i)
            period(tsl(history, "ServiceHistoryInstance"), svc.periods[i], svc);
        }
      }
    }
  }
  QS_TRY(Bytes out, xml::serialize(doc.get()));
  return to_string(out);
}

}  // namespace qualsig::trust
