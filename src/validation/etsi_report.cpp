// etsi_validation_report: TS 119 102-2 XML written with libxml2's tree API (escaping and
// encoding are libxml2's, never string concatenation).
#include "validation/etsi_report.h"

#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include <memory>

#include "core/digest.h"
#include "core/openssl.h"

namespace qualsig::validation {
namespace {

// TS 119 102-2 V1.4.1 namespace and URI prefixes (§5.1, §5.3).
constexpr const char* kNamespace = "http://uri.etsi.org/19102/v1.4.1#";
constexpr const char* kMainIndication = "urn:etsi:019102:mainindication:";
constexpr const char* kSubIndication = "urn:etsi:019102:subindication:";
constexpr const char* kProcessBasic = "urn:etsi:019102:validationprocess:Basic";
constexpr const char* kProcessLtvm = "urn:etsi:019102:validationprocess:LTVM";
constexpr const char* kProcessLta = "urn:etsi:019102:validationprocess:LTA";
constexpr const char* kObjectCertificate = "urn:etsi:019102:validationObject:certificate";
constexpr const char* kObjectTimestamp = "urn:etsi:019102:validationObject:timestamp";
constexpr const char* kPoeValidation = "urn:etsi:019102:poetype:validation";
constexpr const char* kConstraintApplied = "urn:etsi:019102:constraintStatus:applied";
constexpr const char* kQualityPrefix = "urn:cef:dss:signatureQualification:";  // as DSS names levels
constexpr const char* kDsNamespace = "http://www.w3.org/2000/09/xmldsig#";
constexpr const char* kSha256Uri = "http://www.w3.org/2001/04/xmlenc#sha256";  // XML Encryption §5.7.2

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
const xmlChar* x(const std::string& s) { return x(s.c_str()); }

xmlNode* child(xmlNode* parent, xmlNs* ns, const char* name, const std::string& text = {}) {
  return xmlNewTextChild(parent, ns, x(name), text.empty() ? nullptr : x(text));
}

std::string main_indication_uri(Indication i) {
  switch (i) {
    case Indication::total_passed: return std::string(kMainIndication) + "total-passed";
    case Indication::passed: return std::string(kMainIndication) + "passed";
    case Indication::failed: return std::string(kMainIndication) + "failed";
    case Indication::total_failed: return std::string(kMainIndication) + "total-failed";
    case Indication::indeterminate: break;
  }
  return std::string(kMainIndication) + "indeterminate";
}

// The EN 319 102-1 process the level implies: LTA for -LTA, LTVM for -T/-LT, Basic otherwise.
const char* process_for(const std::string& level) {
  if (level.size() >= 4 && level.compare(level.size() - 4, 4, "-LTA") == 0) return kProcessLta;
  if ((level.size() >= 3 && level.compare(level.size() - 3, 3, "-LT") == 0) ||
      (level.size() >= 2 && level.compare(level.size() - 2, 2, "-T") == 0))
    return kProcessLtvm;
  return kProcessBasic;
}

void validation_object(xmlNode* objects, xmlNs* ns, const std::string& id, const char* type, ByteView der) {
  xmlNode* vo = child(objects, ns, "ValidationObject");
  xmlNewProp(vo, x("id"), x(id));
  child(vo, ns, "ObjectType", type);
  xmlNode* rep = child(vo, ns, "ValidationObjectRepresentation");
  child(rep, ns, "base64", base64_encode(der));
}

}  // namespace

Result<std::string> etsi_validation_report(const ValidationReport& report, const std::vector<std::string>& quality) {
  std::unique_ptr<xmlDoc, DocFree> doc(xmlNewDoc(x("1.0")));
  if (!doc) return fail(ErrorCode::internal, "libxml2 could not allocate the report");
  xmlNode* root = xmlNewDocNode(doc.get(), nullptr, x("ValidationReport"), nullptr);
  xmlDocSetRootElement(doc.get(), root);
  xmlNs* ns = xmlNewNs(root, x(kNamespace), nullptr);
  xmlSetNs(root, ns);
  xmlNs* ds = xmlNewNs(root, x(kDsNamespace), x("ds"));
  xmlNode* objects = nullptr;
  auto objects_node = [&]() {
    if (!objects) objects = xmlNewNode(ns, x("SignatureValidationObjects"));
    return objects;
  };
  for (std::size_t k = 0; k < report.signatures.size(); ++k) {
    const SignatureReport& s = report.signatures[k];
    xmlNode* svr = child(root, ns, "SignatureValidationReport");
    xmlNode* sid = child(svr, ns, "SignatureIdentifier");
    xmlNewProp(sid, x("id"), x(s.id));
    // §4.3.2 SignatureIdentifierType: the signature value identifies the signature in the file.
    if (!s.signature_value.empty()) child(sid, ds, "SignatureValue", base64_encode(s.signature_value));
    child(sid, ns, "HashOnly", "false");
    child(sid, ns, "DocHashOnly", "false");
    xmlNode* constraints = child(svr, ns, "ValidationConstraintsEvaluationReport");
    for (const auto& [block, result] : s.checks) {
      xmlNode* c = child(constraints, ns, "ValidationConstraint");
      child(c, ns, "ValidationConstraintIdentifier", "urn:qualsig:bbb:" + block);
      xmlNode* status = child(c, ns, "ConstraintStatus");
      child(status, ns, "Status", kConstraintApplied);
      xmlNode* vs = child(c, ns, "ValidationStatus");
      std::string r = result.substr(0, result.find(':'));
      child(vs, ns, "MainIndication",
            std::string(kMainIndication) + (r == "PASSED" ? "passed" : r == "FAILED" ? "failed" : "indeterminate"));
    }
    xmlNode* time = child(svr, ns, "ValidationTimeInfo");
    child(time, ns, "ValidationTime", to_rfc3339(report.validation_time));
    xmlNode* bst = child(time, ns, "BestSignatureTime");
    child(bst, ns, "POETime", to_rfc3339(s.best_signature_time));
    child(bst, ns, "TypeOfProof", kPoeValidation);
    xmlNode* attrs = nullptr;
    auto attributes = [&]() { return attrs ? attrs : (attrs = child(svr, ns, "SignatureAttributes")); };
    if (s.claimed_signing_time) {
      xmlNode* st = child(attributes(), ns, "SigningTime");
      xmlNewProp(st, x("Signed"), x("true"));
      child(st, ns, "Time", to_rfc3339(*s.claimed_signing_time));
    }
    // §4.3.5 SACounterSignatureType: each countersignature of this signature (an unsigned
    // attribute of it), referenced by the SHA-256 of its signature value, the value its own
    // SignatureIdentifier carries as ds:SignatureValue.
    for (const SignatureReport& c : report.signatures) {
      if (c.counter_signature_of != s.id || c.signature_value.empty()) continue;
      xmlNode* attribute = child(attributes(), ns, "CounterSignature");
      xmlNewProp(attribute, x("Signed"), x("false"));
      xmlNode* ref = child(attribute, ns, "CounterSignature");
      child(ref, ns, "DigestMethod", kSha256Uri);
      child(ref, ns, "DigestValue", base64_encode(core::sha256(c.signature_value)));
    }
    if (!s.signer_certificate.empty()) {
      std::string id = "C-" + hex_encode(core::sha256(s.signer_certificate)).substr(0, 16);
      validation_object(objects_node(), ns, id, kObjectCertificate, s.signer_certificate);
      xmlNode* info = child(svr, ns, "SignerInformation");
      xmlNode* sc = child(info, ns, "SignerCertificate");
      xmlNewProp(sc, x("VOReference"), x(id));
      if (auto cert = core::x509_from_der(s.signer_certificate))
        child(info, ns, "Signer", core::name_to_string(X509_get_subject_name(cert->get())));
    }
    const std::string q = k < quality.size() ? quality[k] : std::string();
    if (!q.empty()) {
      xmlNode* quality_node = child(svr, ns, "SignatureQuality");
      child(quality_node, ns, "SignatureQualityInformation", kQualityPrefix + q);
    }
    xmlNode* process = child(svr, ns, "SignatureValidationProcess");
    child(process, ns, "SignatureValidationProcessID", process_for(s.level));
    xmlNode* status = child(svr, ns, "SignatureValidationStatus");
    child(status, ns, "MainIndication", main_indication_uri(s.indication));
    if (s.sub_indication) child(status, ns, "SubIndication", std::string(kSubIndication) + sub_indication_name(*s.sub_indication));
    for (const auto& reason : s.reasons) {
      xmlNode* data = child(status, ns, "AssociatedValidationReportData");
      xmlNode* more = child(data, ns, "AdditionalValidationReportData");
      xmlNode* item = child(more, ns, "ReportData");
      child(item, ns, "Type", "urn:qualsig:reason");
      child(item, ns, "Value", reason);
    }
  }
  // Time-stamps are validation objects too (§5.4), with their own result.
  std::size_t ts_index = 0;
  for (const auto& s : report.signatures)
    for (const auto& t : s.timestamps) {
      xmlNode* vo = child(objects_node(), ns, "ValidationObject");
      xmlNewProp(vo, x("id"), x("T-" + std::to_string(++ts_index)));
      child(vo, ns, "ObjectType", kObjectTimestamp);
      xmlNode* rep = child(vo, ns, "ValidationObjectRepresentation");
      child(rep, ns, "direct", s.id + " " + t.type + " " + to_rfc3339(t.gen_time));
      xmlNode* poe = child(vo, ns, "POE");
      child(poe, ns, "POETime", to_rfc3339(t.gen_time));
      child(poe, ns, "TypeOfProof", kPoeValidation);
      xmlNode* vr = child(vo, ns, "ValidationReport");
      xmlNode* st = child(vr, ns, "SignatureValidationStatus");
      child(st, ns, "MainIndication", main_indication_uri(t.indication));
      if (t.sub_indication) child(st, ns, "SubIndication", std::string(kSubIndication) + sub_indication_name(*t.sub_indication));
    }
  if (objects) xmlAddChild(root, objects);
  xmlChar* buffer = nullptr;
  int size = 0;
  xmlDocDumpFormatMemoryEnc(doc.get(), &buffer, &size, "UTF-8", 1);
  if (!buffer) return fail(ErrorCode::internal, "libxml2 could not serialise the report");
  std::string out(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(size));
  xmlFree(buffer);
  return out;
}

}  // namespace qualsig::validation
