// Reading (inspect) and verifying (verify) XAdES signatures (ETSI EN 319 132-1 V1.1.1).
#include <algorithm>

#include "formats/xades.h"
#include "formats/xml_xades.h"

namespace qualsig::formats::xades {
namespace {

using detail::Located;
using xml::kDsNs;

// xs:dateTime as written by signers: RFC 3339 profile, optionally with fractional seconds, which
// are dropped (TimePoint has whole seconds).
Result<TimePoint> parse_signing_time(std::string text) {
  std::erase_if(text, [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
  std::size_t dot = text.find('.');
  if (dot != std::string::npos) {
    std::size_t end = dot + 1;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    text.erase(dot, end - dot);
  }
  auto t = parse_rfc3339(text);
  if (!t) return fail(ErrorCode::invalid_input, "XAdES: malformed SigningTime");
  return *t;
}

// The DER tokens of a time-stamp element's EncapsulatedTimeStamp children (v1.3.2 namespace for
// ArchiveTimeStamp in v1.4.1; the signature's own namespace otherwise).
Result<std::vector<Bytes>> encapsulated_tokens(xmlNode* ts, const char* xades_ns) {
  std::vector<Bytes> out;
  for (xmlNode* c = ts->children; c != nullptr; c = c->next) {
    if (!xml::is_element(c, xades_ns, "EncapsulatedTimeStamp") && !xml::is_element(c, xml::kXadesNs, "EncapsulatedTimeStamp"))
      continue;
    QS_TRY(Bytes token, xml::base64_content(c, "EncapsulatedTimeStamp"));
    out.push_back(std::move(token));
  }
  return out;
}

bool is_archive_timestamp(const xmlNode* node, const char* xades_ns) {
  return xml::is_element(node, xml::kXades141Ns, "ArchiveTimeStamp") || xml::is_element(node, xades_ns, "ArchiveTimeStamp");
}

// From the data references: URI "" -> enveloped; "#id" of a ds:Object child of the signature ->
// enveloping; a URI that is not same-document, or none (XMLDSig 1.1 §4.4.3.1) -> detached. The
// SignedProperties reference and other same-document references (e.g. to elements of the
// enclosing document) are skipped.
Packaging packaging_of(const Located& parts) {
  bool any_detached = false;
  bool any_enveloping = false;
  for (xmlNode* ref : xml::children(parts.signed_info, kDsNs, "Reference")) {
    std::optional<std::string> given = xml::attribute(ref, "URI");
    if (!given) {
      any_detached = true;
      continue;
    }
    const std::string& uri = *given;
    if (uri.empty()) return Packaging::enveloped;
    if (uri.front() != '#') {
      any_detached = true;
      continue;
    }
    for (xmlNode* object : xml::children(parts.signature, kDsNs, "Object"))
      if (xml::attribute(object, "Id") == uri.substr(1)) any_enveloping = true;
  }
  if (any_enveloping) return Packaging::enveloping;
  if (any_detached) return Packaging::detached;
  return Packaging::enveloped;
}

Result<SignatureInfo> read_info(const Located& parts) {
  SignatureInfo info;
  info.signature_count = parts.signature_count;
  info.xades_signature_count = parts.xades_signature_count;
  info.packaging = packaging_of(parts);
  xmlNode* ssp = xml::first_child(parts.signed_properties, parts.xades_ns, "SignedSignatureProperties");
  if (xmlNode* st = xml::first_child(ssp, parts.xades_ns, "SigningTime"); st != nullptr) {
    QS_TRY(TimePoint t, parse_signing_time(xml::text(st)));
    info.signing_time = t;
  }
  QS_TRY(std::vector<Bytes> certs, detail::key_info_certificates(parts));
  if (!certs.empty()) {
    // The certificate the signing-certificate property names; the first one when none matches.
    auto cert = detail::signing_certificate(parts);
    if (!cert && cert.error().code != ErrorCode::denied) return fail(std::move(cert).error());
    info.signer_certificate = cert ? std::move(cert).value() : certs.front();
  }
  bool has_values = false;
  if (parts.unsigned_signature_properties != nullptr) {
    for (xmlNode* c = parts.unsigned_signature_properties->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if (xml::is_element(c, parts.xades_ns, "SignatureTimeStamp")) {
        QS_TRY(std::vector<Bytes> tokens, encapsulated_tokens(c, parts.xades_ns));
        for (Bytes& t : tokens) info.signature_timestamps.push_back(std::move(t));
      } else if (is_archive_timestamp(c, parts.xades_ns)) {
        QS_TRY(std::vector<Bytes> tokens, encapsulated_tokens(c, parts.xades_ns));
        for (Bytes& t : tokens) info.archive_timestamps.push_back(std::move(t));
      } else if (xml::is_element(c, parts.xades_ns, "CertificateValues")) {
        has_values = true;
        for (xmlNode* v = c->children; v != nullptr; v = v->next) info.certificate_values += v->type == XML_ELEMENT_NODE ? 1 : 0;
      } else if (xml::is_element(c, parts.xades_ns, "RevocationValues")) {
        has_values = true;
        for (xmlNode* group = c->children; group != nullptr; group = group->next)
          for (xmlNode* v = group->type == XML_ELEMENT_NODE ? group->children : nullptr; v != nullptr; v = v->next)
            info.revocation_values += v->type == XML_ELEMENT_NODE ? 1 : 0;
      }
    }
  }
  if (!info.archive_timestamps.empty())
    info.level = cades::Level::b_lta;
  else if (!info.signature_timestamps.empty())
    info.level = has_values ? cades::Level::b_lt : cades::Level::b_t;
  return info;
}

// The Reference to SignedProperties: Type http://uri.etsi.org/01903#SignedProperties (EN 319
// 132-1 §6.3) and URI "#<Id>" resolving to this signature's own SignedProperties element. XAdES
// v1.1.1/v1.2.2 signatures may use Type "<namespace>SignedProperties", and may reference the
// whole document or the enclosing ds:Object with an XPath filter: then the reference's data after its transforms (from xmlsec)
// must be exactly the inclusive canonical SignedProperties (XMLDSig's node-set conversion).
Result<void> check_signed_properties_reference(xmlDoc* doc, const Located& parts, const detail::CoreResult& core) {
  std::optional<std::string> id = xml::attribute(parts.signed_properties, "Id");
  std::optional<std::string> object_id = xml::attribute(parts.qualifying_properties->parent, "Id");
  const bool legacy = std::string_view(parts.xades_ns) != xml::kXadesNs;
  const std::string legacy_type = std::string(parts.xades_ns) + "SignedProperties";
  std::vector<xmlNode*> refs = xml::children(parts.signed_info, kDsNs, "Reference");
  // EN 319 132-1 §4.3.1 / XMLDSig: besides SignedProperties, at least one signed data object.
  if (refs.size() < 2) return fail(ErrorCode::denied, "XAdES: the signature references no data object besides SignedProperties");
  for (std::size_t i = 0; i < refs.size(); ++i) {
    std::string type = xml::attribute(refs[i], "Type").value_or("");
    std::string uri = xml::attribute(refs[i], "URI").value_or("");
    const bool typed = type == xml::kSignedPropertiesType || (legacy && type == legacy_type);
    if (typed && id && uri == "#" + *id) {
      xmlAttr* target = xmlGetID(doc, BAD_CAST id->c_str());
      if (target != nullptr && target->parent == parts.signed_properties) return ok();
    }
    if (legacy && type == legacy_type && (uri.empty() || (object_id && uri == "#" + *object_id)) &&
        i < core.reference_data.size()) {
      QS_TRY(Bytes c14n, xml::canonicalize(doc, parts.signed_properties, xml::kC14n10));
      if (core.reference_data[i] == c14n) return ok();
    }
  }
  return fail(ErrorCode::denied, "XAdES: no ds:Reference of Type SignedProperties covers this signature's SignedProperties");
}

// Signature wrapping (XSW): a same-document Reference must resolve (Ids are unique, see
// xml::register_ids), and one that points to a ds:Object must point to a ds:Object of this
// signature, not to one moved elsewhere (e.g. into a wrapper element) with a forged one in its place.
Result<void> check_reference_targets(xmlDoc* doc, const Located& parts) {
  for (xmlNode* ref : xml::children(parts.signed_info, kDsNs, "Reference")) {
    std::string uri = xml::attribute(ref, "URI").value_or("");
    if (uri.empty() || uri.front() != '#') continue;
    xmlAttr* target = xmlGetID(doc, BAD_CAST uri.substr(1).c_str());
    if (target == nullptr || target->parent == nullptr)
      return fail(ErrorCode::denied, "XAdES: a ds:Reference points to an Id that does not exist");
    if (xml::is_element(target->parent, kDsNs, "Object") && target->parent->parent != parts.signature)
      return fail(ErrorCode::denied, "XAdES: a ds:Reference points to a ds:Object outside its signature (signature wrapping)");
  }
  return ok();
}

// The imprint of every signature time-stamp (§5.3) and archive time-stamp (§5.5.2.2) token.
Result<void> check_timestamps(xmlDoc* doc, const Located& parts, const detail::CoreResult& core) {
  if (parts.unsigned_signature_properties == nullptr) return ok();
  for (xmlNode* c = parts.unsigned_signature_properties->children; c != nullptr; c = c->next) {
    const bool signature_ts = xml::is_element(c, parts.xades_ns, "SignatureTimeStamp");
    const bool archive_ts = xml::is_element(c, xml::kXades141Ns, "ArchiveTimeStamp");
    if (!signature_ts && !archive_ts) continue;
    std::string c14n = detail::timestamp_c14n(c);
    Bytes input;
    if (signature_ts) {
      QS_TRY(Bytes b, xml::canonicalize(doc, parts.signature_value, c14n));
      input = std::move(b);
    } else {
      QS_TRY(Bytes b, detail::archive_timestamp_input(doc, parts, core, c, c14n));
      input = std::move(b);
    }
    QS_TRY(std::vector<Bytes> tokens, encapsulated_tokens(c, parts.xades_ns));
    for (const Bytes& token : tokens) {
      QS_TRY(detail::Imprint imprint, detail::token_imprint(token));
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      if (EVP_Digest(input.data(), input.size(), md, &len, imprint.md, nullptr) != 1)
        return core::openssl_error(ErrorCode::crypto, "XAdES: digest failed");
      if (Bytes(md, md + len) != imprint.digest)
        return fail(ErrorCode::denied, signature_ts ? "XAdES: a SignatureTimeStamp does not cover ds:SignatureValue"
                                                    : "XAdES: an ArchiveTimeStamp's imprint does not match the signature");
    }
  }
  return ok();
}

}  // namespace

Result<SignatureInfo> inspect(ByteView xml, std::size_t index) {
  QS_TRY(detail::Parsed parsed, detail::parse_signature(xml, index));
  return read_info(parsed.parts);
}

Result<SignatureInfo> verify(ByteView xml, std::optional<ByteView> detached_content, std::size_t index) {
  QS_TRY(detail::Parsed parsed, detail::parse_signature(xml, index));
  const Located& parts = parsed.parts;
  QS_TRY(SignatureInfo info, read_info(parts));
  QS_TRY(Bytes cert, detail::signing_certificate(parts));
  QS_TRY_VOID(check_reference_targets(parsed.doc.get(), parts));
  QS_TRY(detail::CoreResult core, detail::core_verify(parts, cert, detached_content));
  QS_TRY_VOID(check_signed_properties_reference(parsed.doc.get(), parts, core));
  QS_TRY_VOID(check_timestamps(parsed.doc.get(), parts, core));
  info.signer_certificate = std::move(cert);
  return info;
}

}  // namespace qualsig::formats::xades
