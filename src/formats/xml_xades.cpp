// Shared XAdES internals (EN 319 132-1): locating a signature's parts, xmlsec core validation,
// the archive time-stamp input (§5.5.2.2) and time-stamp imprints.
#include "formats/xml_xades.h"

#include <openssl/ecdsa.h>
#include <openssl/ts.h>
#include <xmlsec/buffer.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>

#include <algorithm>
#include <cstring>

#include "formats/cades_internal.h"

namespace qualsig::formats::xades::detail {
namespace {

using xml::kDsNs;

bool is_xades_ns(const xmlNode* node) {
  if (node == nullptr || node->ns == nullptr) return false;
  for (const char* ns : {xml::kXadesNs, kXades122Ns, xml::kXades111Ns})
    if (xmlStrcmp(node->ns->href, BAD_CAST ns) == 0) return true;
  return false;
}

// The QualifyingProperties inside a ds:Object child of `signature` whose Target names it.
xmlNode* qualifying_properties_of(xmlNode* signature) {
  std::optional<std::string> id = xml::attribute(signature, "Id");
  for (xmlNode* object : xml::children(signature, kDsNs, "Object")) {
    for (xmlNode* c = object->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE || !is_xades_ns(c) || xmlStrcmp(c->name, BAD_CAST "QualifyingProperties") != 0) continue;
      // EN 319 132-1 §4.3.2: "the Target attribute ... shall refer to the Id attribute of the
      // corresponding ds:Signature".
      if (id && xml::attribute(c, "Target") == "#" + *id) return c;
    }
  }
  return nullptr;
}

struct KeyFree {
  void operator()(xmlSecKey* key) const noexcept { xmlSecKeyDestroy(key); }
};
struct DsigCtxFree {
  void operator()(xmlSecDSigCtx* ctx) const noexcept { xmlSecDSigCtxDestroy(ctx); }
};

// Reference transforms accepted (no XSLT, no decryption); digest and signature algorithms are
// enabled too because xmlsec checks them against the same lists.
Result<void> enable_transforms(xmlSecDSigCtx* ctx) {
  const xmlSecTransformId reference[] = {
      xmlSecTransformInclC14NId, xmlSecTransformInclC14NWithCommentsId, xmlSecTransformInclC14N11Id,
      xmlSecTransformInclC14N11WithCommentsId, xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
      xmlSecTransformEnvelopedId, xmlSecTransformBase64Id, xmlSecTransformXPathId, xmlSecTransformXPath2Id,
      xmlSecTransformXPointerId, xmlSecOpenSSLTransformSha1Id, xmlSecOpenSSLTransformSha224Id,
      xmlSecOpenSSLTransformSha256Id, xmlSecOpenSSLTransformSha384Id, xmlSecOpenSSLTransformSha512Id};
  for (xmlSecTransformId id : reference)
    if (xmlSecDSigCtxEnableReferenceTransform(ctx, id) < 0) return fail(ErrorCode::internal, "xmlsec: cannot enable a transform");
  const xmlSecTransformId signature[] = {
      xmlSecTransformInclC14NId, xmlSecTransformInclC14NWithCommentsId, xmlSecTransformInclC14N11Id,
      xmlSecTransformInclC14N11WithCommentsId, xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
      xmlSecOpenSSLTransformEcdsaSha1Id, xmlSecOpenSSLTransformEcdsaSha224Id, xmlSecOpenSSLTransformEcdsaSha256Id,
      xmlSecOpenSSLTransformEcdsaSha384Id, xmlSecOpenSSLTransformEcdsaSha512Id, xmlSecOpenSSLTransformRsaSha1Id,
      xmlSecOpenSSLTransformRsaSha224Id, xmlSecOpenSSLTransformRsaSha256Id, xmlSecOpenSSLTransformRsaSha384Id,
      xmlSecOpenSSLTransformRsaSha512Id};
  for (xmlSecTransformId id : signature)
    if (xmlSecDSigCtxEnableSignatureTransform(ctx, id) < 0) return fail(ErrorCode::internal, "xmlsec: cannot enable a transform");
  return ok();
}

bool is_detached_uri(const std::optional<std::string>& uri) { return uri && !uri->empty() && uri->front() != '#'; }

}  // namespace

namespace {
xmlNode* enclosing_signature(xmlNode* node) {
  for (xmlNode* up = node->parent; up != nullptr && up->type == XML_ELEMENT_NODE; up = up->parent)
    if (xml::is_element(up, kDsNs, "Signature")) return up;
  return nullptr;
}
}  // namespace

xmlNode* countersigned(xmlNode* signature) {
  xmlNode* parent = signature->parent;
  if (parent == nullptr || parent->type != XML_ELEMENT_NODE || parent->ns == nullptr || parent->ns->href == nullptr ||
      xmlStrcmp(parent->name, BAD_CAST "CounterSignature") != 0)
    return nullptr;
  // TS 101 903 (all versions) and EN 319 132-1: the element is in a namespace of this family.
  std::string_view ns(reinterpret_cast<const char*>(parent->ns->href));
  if (!ns.starts_with("http://uri.etsi.org/01903/")) return nullptr;
  return enclosing_signature(signature);
}

std::vector<xmlNode*> xades_signatures(xmlDoc* doc) {
  std::vector<xmlNode*> out, counters;
  auto listed = [&](xmlNode* sig) {
    return std::find(out.begin(), out.end(), sig) != out.end() ||
           std::find(counters.begin(), counters.end(), sig) != counters.end();
  };
  // Document order puts every signature before the ones nested in it.
  for (xmlNode* sig : xml::descendants(xmlDocGetRootElement(doc), kDsNs, "Signature")) {
    if (qualifying_properties_of(sig) == nullptr) continue;
    xmlNode* enclosing = enclosing_signature(sig);
    if (enclosing == nullptr)
      out.push_back(sig);
    else if (countersigned(sig) == enclosing && listed(enclosing))
      counters.push_back(sig);
  }
  out.insert(out.end(), counters.begin(), counters.end());
  return out;
}

Result<Located> locate(xmlDoc* doc, std::size_t index) {
  xmlNode* root = xmlDocGetRootElement(doc);
  Located parts;
  parts.signature_count = xml::descendants(root, kDsNs, "Signature").size();
  std::vector<xmlNode*> signatures = xades_signatures(doc);
  parts.xades_signature_count = signatures.size();
  if (signatures.empty()) return fail(ErrorCode::invalid_input, "XAdES: no ds:Signature with xades:QualifyingProperties");
  if (index >= signatures.size())
    return fail(ErrorCode::invalid_input, "XAdES: the document has " + std::to_string(signatures.size()) +
                                              " XAdES signature(s), no number " + std::to_string(index + 1));
  parts.signature = signatures[index];
  parts.qualifying_properties = qualifying_properties_of(parts.signature);
  parts.xades_ns = reinterpret_cast<const char*>(parts.qualifying_properties->ns->href);
  parts.signed_info = xml::first_child(parts.signature, kDsNs, "SignedInfo");
  parts.signature_value = xml::first_child(parts.signature, kDsNs, "SignatureValue");
  parts.key_info = xml::first_child(parts.signature, kDsNs, "KeyInfo");
  parts.signed_properties = xml::first_child(parts.qualifying_properties, parts.xades_ns, "SignedProperties");
  xmlNode* up = xml::first_child(parts.qualifying_properties, parts.xades_ns, "UnsignedProperties");
  parts.unsigned_signature_properties = xml::first_child(up, parts.xades_ns, "UnsignedSignatureProperties");
  if (parts.signed_info == nullptr || parts.signature_value == nullptr || parts.signed_properties == nullptr)
    return fail(ErrorCode::invalid_input, "XAdES: the signature lacks SignedInfo, SignatureValue or SignedProperties");
  return parts;
}

Result<Parsed> parse_signature(ByteView xml, std::size_t index) {
  QS_TRY(xml::DocPtr doc, xml::parse(xml, kMaxXmlSize, kMaxXmlDepth));
  QS_TRY_VOID(xml::register_ids(doc.get()));
  QS_TRY(Located parts, locate(doc.get(), index));
  return Parsed{std::move(doc), parts};
}

xmlNode* unsigned_signature_properties(Located& parts) {
  if (parts.unsigned_signature_properties != nullptr) return parts.unsigned_signature_properties;
  xmlNode* up = xml::first_child(parts.qualifying_properties, parts.xades_ns, "UnsignedProperties");
  if (up == nullptr) up = xml::add_element(parts.qualifying_properties, parts.xades_ns, "xades", "UnsignedProperties");
  // EN 319 132-1 §4.3.6: UnsignedSignatureProperties comes first in UnsignedProperties.
  xmlNode* usp = xmlNewNode(nullptr, BAD_CAST "UnsignedSignatureProperties");
  if (up->children != nullptr)
    xmlAddPrevSibling(up->children, usp);
  else
    xmlAddChild(up, usp);
  xmlSetNs(usp, up->ns);
  parts.unsigned_signature_properties = usp;
  return usp;
}

Result<std::vector<Bytes>> key_info_certificates(const Located& parts) {
  std::vector<Bytes> out;
  for (xmlNode* data : xml::children(parts.key_info, kDsNs, "X509Data")) {
    for (xmlNode* cert : xml::children(data, kDsNs, "X509Certificate")) {
      QS_TRY(Bytes der, xml::base64_content(cert, "X509Certificate"));
      QS_TRY_VOID(core::x509_from_der(der));
      out.push_back(std::move(der));
    }
  }
  return out;
}

Result<Bytes> signing_certificate(const Located& parts) {
  QS_TRY(std::vector<Bytes> certs, key_info_certificates(parts));
  if (certs.empty()) return fail(ErrorCode::invalid_input, "XAdES: no certificate in ds:KeyInfo");
  xmlNode* ssp = xml::first_child(parts.signed_properties, parts.xades_ns, "SignedSignatureProperties");
  // EN 319 132-1 §5.2.2 SigningCertificateV2; TS 101 903 SigningCertificate for older signatures.
  xmlNode* sc = xml::first_child(ssp, parts.xades_ns, "SigningCertificateV2");
  if (sc == nullptr) sc = xml::first_child(ssp, parts.xades_ns, "SigningCertificate");
  if (sc == nullptr) return fail(ErrorCode::denied, "XAdES: no SigningCertificateV2 / SigningCertificate property");
  for (xmlNode* cert : xml::children(sc, parts.xades_ns, "Cert")) {
    xmlNode* cert_digest = xml::first_child(cert, parts.xades_ns, "CertDigest");
    // ds:DigestMethod / ds:DigestValue; XAdES v1.1.1 put them in its own namespace.
    xmlNode* method = xml::first_child(cert_digest, kDsNs, "DigestMethod");
    xmlNode* value = xml::first_child(cert_digest, kDsNs, "DigestValue");
    if (method == nullptr) method = xml::first_child(cert_digest, parts.xades_ns, "DigestMethod");
    if (value == nullptr) value = xml::first_child(cert_digest, parts.xades_ns, "DigestValue");
    if (method == nullptr || value == nullptr) return fail(ErrorCode::invalid_input, "XAdES: malformed CertDigest");
    const EVP_MD* md = xml::digest_for_uri(xml::attribute(method, "Algorithm").value_or(""));
    if (md == nullptr) return fail(ErrorCode::invalid_input, "XAdES: unsupported CertDigest algorithm");
    QS_TRY(Bytes expected, xml::base64_content(value, "CertDigest/DigestValue"));
    for (const Bytes& der : certs) {
      unsigned char out[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      if (EVP_Digest(der.data(), der.size(), out, &len, md, nullptr) != 1) return core::openssl_error(ErrorCode::crypto, "digest failed");
      if (Bytes(out, out + len) == expected) return der;
    }
  }
  return fail(ErrorCode::denied, "XAdES: the signing certificate digest matches no certificate in ds:KeyInfo");
}

int signature_method_digest_nid(xmlNode* signed_info) {
  xmlNode* method = xml::first_child(signed_info, kDsNs, "SignatureMethod");
  std::string uri = xml::attribute(method, "Algorithm").value_or("");
  for (auto [name, nid] : {std::pair{"sha512", NID_sha512}, {"sha384", NID_sha384}, {"sha256", NID_sha256},
                           {"sha224", NID_sha224}, {"sha1", NID_sha1}})
    if (uri.find(name) != std::string::npos) return nid;
  return NID_undef;
}

std::optional<bool> signature_value_verifies(xmlDoc* doc, xmlNode* signed_info, xmlNode* signature_value, X509* signer) {
  if (signed_info == nullptr || signature_value == nullptr || signer == nullptr) return std::nullopt;
  xmlNode* method = xml::first_child(signed_info, kDsNs, "SignatureMethod");
  std::string uri = xml::attribute(method, "Algorithm").value_or("");
  const EVP_MD* md = EVP_get_digestbynid(signature_method_digest_nid(signed_info));
  if (md == nullptr || uri.find("MGF1") != std::string::npos) return std::nullopt;
  xmlNode* c14n_method = xml::first_child(signed_info, kDsNs, "CanonicalizationMethod");
  auto input = xml::canonicalize(doc, signed_info, xml::attribute(c14n_method, "Algorithm").value_or(""));
  auto value = xml::base64_content(signature_value, "SignatureValue");
  EVP_PKEY* key = X509_get0_pubkey(signer);
  if (!input || !value || key == nullptr) return std::nullopt;
  Bytes sig = *value;
  if (EVP_PKEY_base_id(key) == EVP_PKEY_EC) {
    // XMLDSig 1.1 §6.4.3: r||s, each the size of the group order.
    if (sig.empty() || sig.size() % 2 != 0) return false;
    auto der = core::ecdsa_raw_to_der(sig);
    if (!der) return std::nullopt;
    sig = std::move(*der);
  }
  auto ctx = core::wrap(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  bool ok = EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), input->data(), input->size()) == 1;
  ERR_clear_error();
  return ok;
}

namespace {
// The name under which a Reference without URI gets the detached content from xmlsec, for the
// duration of core_verify only (a relative name: xmlsec's "Local" URI type, served by DetachedScope).
constexpr const char* kNoUriName = "qualsig-detached-content-of-a-reference-without-URI";

// Gives a Reference without URI the URI kNoUriName while alive, and takes it away again.
class TemporaryUri {
 public:
  explicit TemporaryUri(xmlNode* ref) : m_ref(ref) {
    if (m_ref != nullptr) xmlSetProp(m_ref, BAD_CAST "URI", BAD_CAST kNoUriName);
  }
  ~TemporaryUri() {
    if (m_ref != nullptr) xmlUnsetProp(m_ref, BAD_CAST "URI");
  }
  TemporaryUri(const TemporaryUri&) = delete;
  TemporaryUri& operator=(const TemporaryUri&) = delete;

 private:
  xmlNode* m_ref;
};
}  // namespace

Result<CoreResult> core_verify(const Located& parts, ByteView cert_der, std::optional<ByteView> detached_content) {
  CoreResult result;
  std::vector<std::string> detached_uris;
  xmlNode* without_uri = nullptr;
  for (xmlNode* ref : xml::children(parts.signed_info, kDsNs, "Reference")) {
    std::optional<std::string> uri = xml::attribute(ref, "URI");
    if (!uri) {
      // XMLDSig 1.1 §4.4.3.1: "If the URI attribute is omitted altogether, the receiving
      // application is expected to know the identity of the object": here, the detached content.
      std::string type = xml::attribute(ref, "Type").value_or("");
      if (type.size() >= 16 && type.compare(type.size() - 16, 16, "SignedProperties") == 0)
        return fail(ErrorCode::invalid_input, "XAdES: the SignedProperties ds:Reference has no URI");
      if (without_uri != nullptr) return fail(ErrorCode::usage, "XAdES: more than one ds:Reference without URI");
      without_uri = ref;
      detached_uris.push_back(kNoUriName);
      continue;
    }
    if (*uri == kNoUriName) return fail(ErrorCode::invalid_input, "XAdES: a ds:Reference URI is reserved by qualsig");
    if (is_detached_uri(uri)) detached_uris.push_back(*uri);
  }
  if (detached_uris.size() > 1) return fail(ErrorCode::usage, "XAdES: more than one detached reference");
  if (!detached_uris.empty() && !detached_content)
    return fail(ErrorCode::usage, "XAdES: the signature has a detached reference; its content is needed");
  if (detached_uris.empty() && detached_content)
    return fail(ErrorCode::usage, "XAdES: detached content given, but the signature has no detached reference");

  QS_TRY(auto cert, core::x509_from_der(cert_der));
  EVP_PKEY* pkey = X509_get_pubkey(cert.get());
  if (pkey == nullptr) return core::openssl_error(ErrorCode::invalid_input, "XAdES: unusable certificate key");
  xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
  if (data == nullptr) {
    EVP_PKEY_free(pkey);
    return fail(ErrorCode::invalid_input, "XAdES: xmlsec does not support the certificate's key");
  }
  std::unique_ptr<xmlSecKey, KeyFree> key(xmlSecKeyCreate());
  if (!key || xmlSecKeySetValue(key.get(), data) < 0) {
    xmlSecKeyDataDestroy(data);
    return fail(ErrorCode::internal, "xmlsec: cannot create a key");
  }
  std::unique_ptr<xmlSecDSigCtx, DsigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return fail(ErrorCode::internal, "xmlsec: cannot create a signature context");
  ctx->signKey = key.release();
  ctx->flags |= XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
  ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
  std::optional<xml::DetachedScope> scope;
  if (!detached_uris.empty()) {
    // A relative name is "Local", an absolute URI "Remote": both are served only by DetachedScope.
    ctx->enabledReferenceUris |= xmlSecTransformUriTypeLocal | xmlSecTransformUriTypeRemote;
    scope.emplace(detached_uris.front(), *detached_content);
  }
  QS_TRY_VOID(enable_transforms(ctx.get()));
  // A Reference without URI: the SignatureValue is checked here over ds:SignedInfo as signed;
  // xmlsec then checks the references with a URI naming the detached content set on that
  // Reference (which changes the canonical SignedInfo, so xmlsec's own signature check is not
  // the verdict), and the URI is taken away again before anything else reads the signature.
  std::optional<bool> signed_as_is;
  if (without_uri != nullptr) {
    signed_as_is = signature_value_verifies(parts.signature->doc, parts.signed_info, parts.signature_value, cert.get());
    if (!signed_as_is)
      return fail(ErrorCode::invalid_input, "XAdES: the SignatureValue of a signature with a ds:Reference without URI cannot be checked by qualsig (its method)");
    if (!*signed_as_is) return fail(ErrorCode::denied, "XAdES: XMLDSig core validation failed (signature value)");
  }
  int rc = 0;
  {
    TemporaryUri temporary(without_uri);
    rc = xmlSecDSigCtxVerify(ctx.get(), parts.signature);
  }
  ERR_clear_error();
  if (rc < 0) return fail(ErrorCode::denied, "XAdES: XMLDSig core validation could not be completed (unresolvable or malformed reference?)");
  xmlSecSize n = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
  if (without_uri != nullptr) {
    // Every reference processed and each digest matched (xmlsec stops at the first mismatch).
    std::size_t refs = xml::children(parts.signed_info, kDsNs, "Reference").size();
    bool all = n == refs;
    for (xmlSecSize i = 0; all && i < n; ++i) {
      auto* ref = static_cast<xmlSecDSigReferenceCtxPtr>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, i));
      all = ref != nullptr && ref->status == xmlSecDSigStatusSucceeded;
    }
    if (!all) return fail(ErrorCode::denied, "XAdES: XMLDSig core validation failed (reference digest)");
  } else if (ctx->status != xmlSecDSigStatusSucceeded) {
    return fail(ErrorCode::denied, "XAdES: XMLDSig core validation failed (signature or reference digest)");
  }
  for (xmlSecSize i = 0; i < n; ++i) {
    auto* ref = static_cast<xmlSecDSigReferenceCtxPtr>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, i));
    xmlSecBufferPtr buf = ref != nullptr ? xmlSecDSigReferenceCtxGetPreDigestBuffer(ref) : nullptr;
    if (buf == nullptr) return fail(ErrorCode::internal, "xmlsec: no pre-digest data for a reference");
    const xmlSecByte* p = xmlSecBufferGetData(buf);
    result.reference_data.emplace_back(p, p + xmlSecBufferGetSize(buf));
  }
  return result;
}

Result<Bytes> archive_timestamp_input(xmlDoc* doc, const Located& parts, const CoreResult& core,
                                      const xmlNode* archive_timestamp, std::string_view c14n) {
  Bytes input;
  auto append = [&input](const Bytes& b) { input.insert(input.end(), b.begin(), b.end()); };
  // Step 1: "the ds:Reference elements ... in their order of appearance within ds:SignedInfo ...
  // process each one according to the reference processing model of XMLDSIG" (octets, as digested).
  for (const Bytes& data : core.reference_data) append(data);
  // Step 2: ds:SignedInfo, ds:SignatureValue and ds:KeyInfo, if present, canonicalised.
  for (xmlNode* node : {parts.signed_info, parts.signature_value, parts.key_info}) {
    if (node == nullptr) continue;
    QS_TRY(Bytes c, xml::canonicalize(doc, node, c14n));
    append(c);
  }
  // Step 3: the unsigned signature properties before this time-stamp, in order.
  if (parts.unsigned_signature_properties != nullptr) {
    for (xmlNode* c = parts.unsigned_signature_properties->children; c != nullptr && c != archive_timestamp; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      QS_TRY(Bytes b, xml::canonicalize(doc, c, c14n));
      append(b);
    }
  }
  // Step 4: the ds:Object elements "except that one containing the QualifyingProperties element"
  // (TS 101 903 v1.4.1 §8.2.1 wording, which DSS implements: referenced Objects included too).
  for (xmlNode* object : xml::children(parts.signature, kDsNs, "Object")) {
    if (parts.qualifying_properties->parent == object) continue;
    QS_TRY(Bytes b, xml::canonicalize(doc, object, c14n));
    append(b);
  }
  return input;
}

std::string timestamp_c14n(xmlNode* timestamp_element) {
  xmlNode* method = xml::first_child(timestamp_element, kDsNs, "CanonicalizationMethod");
  return xml::attribute(method, "Algorithm").value_or(xml::kC14n10);
}

Result<Imprint> token_imprint(ByteView token) {
  QS_TRY(auto tst, cades::detail::parse_token(token));
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(tst.get());
  const X509_ALGOR* algor = imprint != nullptr ? TS_MSG_IMPRINT_get_algo(imprint) : nullptr;
  const ASN1_OBJECT* obj = nullptr;
  if (algor != nullptr) X509_ALGOR_get0(&obj, nullptr, nullptr, algor);
  const EVP_MD* md = obj != nullptr ? EVP_get_digestbyobj(obj) : nullptr;
  if (md == nullptr) return fail(ErrorCode::invalid_input, "XAdES: time-stamp token with an unknown imprint hash");
  const ASN1_OCTET_STRING* msg = TS_MSG_IMPRINT_get_msg(imprint);
  Imprint out;
  out.md = md;
  out.digest.assign(ASN1_STRING_get0_data(msg), ASN1_STRING_get0_data(msg) + ASN1_STRING_length(msg));
  return out;
}

Result<void> append_timestamp(xmlNode* parent, const char* ns, const char* prefix, const char* name, ByteView token) {
  QS_TRY(std::string id, xml::random_id());
  xmlNode* ts = xml::add_element(parent, ns, prefix, name);
  xmlNewProp(ts, BAD_CAST "Id", BAD_CAST id.c_str());
  xmlNode* method = xml::add_element(ts, kDsNs, "ds", "CanonicalizationMethod");
  xmlNewProp(method, BAD_CAST "Algorithm", BAD_CAST xml::kExcC14n);
  // EncapsulatedTimeStamp is in the v1.3.2 namespace in both (EN 319 132-1 §5.3, §5.5.2).
  xml::add_element(ts, xml::kXadesNs, "xades", "EncapsulatedTimeStamp", base64_encode(token));
  return ok();
}

Result<Bytes> timestamp_over(const cades::TimestampFn& timestamp, ByteView input, core::DigestAlgorithm digest) {
  if (!timestamp) return fail(ErrorCode::usage, "XAdES: no time-stamp function");
  return cades::detail::request_timestamp(timestamp, core::digest(digest, input), digest);
}

}  // namespace qualsig::formats::xades::detail
