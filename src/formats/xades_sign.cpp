// XAdES B-B signing (ETSI EN 319 132-1 V1.1.1 §5.2, §6.3) on XMLDSig 1.1; higher levels through
// the add_* functions (xades_extend.cpp).
#include <openssl/asn1t.h>
#include <openssl/x509v3.h>

#include "formats/xades.h"
#include "formats/xml_xades.h"

// RFC 5035 §4 (referenced by EN 319 132-1 §5.2.2 for IssuerSerialV2):
//   IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
struct QS_XADES_ISSUER_SERIAL {
  GENERAL_NAMES* issuer;
  ASN1_INTEGER* serial;
};
DECLARE_ASN1_FUNCTIONS(QS_XADES_ISSUER_SERIAL)
ASN1_SEQUENCE(QS_XADES_ISSUER_SERIAL) = {
  ASN1_SEQUENCE_OF(QS_XADES_ISSUER_SERIAL, issuer, GENERAL_NAME),
  ASN1_SIMPLE(QS_XADES_ISSUER_SERIAL, serial, ASN1_INTEGER),
} ASN1_SEQUENCE_END(QS_XADES_ISSUER_SERIAL)
IMPLEMENT_ASN1_FUNCTIONS(QS_XADES_ISSUER_SERIAL)

namespace qualsig::formats::xades {
namespace {

using xml::kDsNs;
using xml::kXadesNs;

struct AlgorithmChoice {
  const char* signature_method;
  hsm::SignatureScheme scheme;
  std::size_t ec_field_size;  // 0 for RSA
};

// ECDSA: RFC 6931 §2.3.6 (ecdsa-sha256/384/512); RSA PKCS#1 v1.5: RFC 6931 §2.3.2 (rsa-sha256/...).
Result<AlgorithmChoice> algorithm_for(hsm::KeyType type, core::DigestAlgorithm digest) {
  const bool ec = type == hsm::KeyType::ec_p256 || type == hsm::KeyType::ec_p384;
  const std::size_t field = type == hsm::KeyType::ec_p256 ? 32 : type == hsm::KeyType::ec_p384 ? 48 : 0;
  switch (digest) {
    case core::DigestAlgorithm::sha256:
      return ec ? AlgorithmChoice{"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", hsm::SignatureScheme::ecdsa, field}
                : AlgorithmChoice{"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", hsm::SignatureScheme::rsa_pkcs1_v15, 0};
    case core::DigestAlgorithm::sha384:
      return ec ? AlgorithmChoice{"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", hsm::SignatureScheme::ecdsa, field}
                : AlgorithmChoice{"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", hsm::SignatureScheme::rsa_pkcs1_v15, 0};
    case core::DigestAlgorithm::sha512:
      return ec ? AlgorithmChoice{"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512", hsm::SignatureScheme::ecdsa, field}
                : AlgorithmChoice{"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", hsm::SignatureScheme::rsa_pkcs1_v15, 0};
  }
  return fail(ErrorCode::usage, "XAdES: unsupported digest algorithm");
}


// EN 319 132-1 §5.2.2: IssuerSerialV2 "shall contain ... the base64 encoding of the DER-encoded
// IssuerSerial" of RFC 5035 with the issuer as a directoryName.
Result<std::string> issuer_serial_v2(const X509* cert) {
  std::unique_ptr<QS_XADES_ISSUER_SERIAL, decltype(&QS_XADES_ISSUER_SERIAL_free)> is(QS_XADES_ISSUER_SERIAL_new(),
                                                                                    &QS_XADES_ISSUER_SERIAL_free);
  GENERAL_NAME* name = GENERAL_NAME_new();
  X509_NAME* issuer = X509_NAME_dup(X509_get_issuer_name(cert));
  if (!is || name == nullptr || issuer == nullptr) {
    GENERAL_NAME_free(name);
    X509_NAME_free(issuer);
    return core::openssl_error(ErrorCode::internal, "XAdES: out of memory");
  }
  GENERAL_NAME_set0_value(name, GEN_DIRNAME, issuer);
  if (sk_GENERAL_NAME_push(is->issuer, name) == 0) {
    GENERAL_NAME_free(name);
    return core::openssl_error(ErrorCode::internal, "XAdES: out of memory");
  }
  ASN1_INTEGER_free(is->serial);
  is->serial = ASN1_INTEGER_dup(X509_get0_serialNumber(cert));
  unsigned char* der = nullptr;
  int len = i2d_QS_XADES_ISSUER_SERIAL(is.get(), &der);
  if (len <= 0) return core::openssl_error(ErrorCode::internal, "XAdES: cannot encode IssuerSerial");
  std::string out = base64_encode(ByteView(der, static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return out;
}

xmlNode* add_with_algorithm(xmlNode* parent, const char* name, const char* algorithm) {
  xmlNode* n = xml::add_element(parent, kDsNs, "ds", name);
  xmlNewProp(n, BAD_CAST "Algorithm", BAD_CAST algorithm);
  return n;
}

struct Ids {
  std::string signature, signed_properties, data_reference, object, signature_value;
};

// <ds:Reference Id URI [Type]><ds:Transforms>...</ds:Transforms><ds:DigestMethod/><ds:DigestValue/>.
xmlNode* add_reference(xmlNode* signed_info, const char* id, const std::string& uri, const char* type,
                       std::initializer_list<const char*> transforms, core::DigestAlgorithm digest) {
  xmlNode* ref = xml::add_element(signed_info, kDsNs, "ds", "Reference");
  if (id != nullptr) xmlNewProp(ref, BAD_CAST "Id", BAD_CAST id);
  if (type != nullptr) xmlNewProp(ref, BAD_CAST "Type", BAD_CAST type);
  xmlNewProp(ref, BAD_CAST "URI", BAD_CAST uri.c_str());
  if (transforms.size() > 0) {
    xmlNode* list = xml::add_element(ref, kDsNs, "ds", "Transforms");
    for (const char* t : transforms) add_with_algorithm(list, "Transform", t);
  }
  add_with_algorithm(ref, "DigestMethod", xml::digest_uri(digest));
  xml::add_element(ref, kDsNs, "ds", "DigestValue");
  return ref;
}

void set_digest_value(xmlNode* reference, ByteView digest) {
  xmlNode* value = xml::first_child(reference, kDsNs, "DigestValue");
  std::string text = base64_encode(digest);
  xmlNodeSetContent(value, BAD_CAST text.c_str());
}

// ds:Object/xades:QualifyingProperties with the B-B signed properties (EN 319 132-1 §5.2).
Result<xmlNode*> add_qualifying_properties(xmlNode* signature, const Ids& ids, const X509* cert, const SignOptions& options,
                                           const std::string& mime_type) {
  xmlNode* object = xml::add_element(signature, kDsNs, "ds", "Object");
  xmlNode* qp = xml::add_element(object, kXadesNs, "xades", "QualifyingProperties");
  xmlNewProp(qp, BAD_CAST "Target", BAD_CAST("#" + ids.signature).c_str());
  xmlNode* sp = xml::add_element(qp, kXadesNs, "xades", "SignedProperties");
  xmlNewProp(sp, BAD_CAST "Id", BAD_CAST ids.signed_properties.c_str());
  xmlNode* ssp = xml::add_element(sp, kXadesNs, "xades", "SignedSignatureProperties");
  // §5.2.1: SigningTime, xs:dateTime in UTC.
  xml::add_element(ssp, kXadesNs, "xades", "SigningTime", to_rfc3339(options.signing_time));
  // §5.2.2: SigningCertificateV2 / Cert { CertDigest, IssuerSerialV2 }.
  QS_TRY(Bytes cert_der, core::x509_to_der(cert));
  xmlNode* scv2 = xml::add_element(ssp, kXadesNs, "xades", "SigningCertificateV2");
  xmlNode* c = xml::add_element(scv2, kXadesNs, "xades", "Cert");
  xmlNode* cd = xml::add_element(c, kXadesNs, "xades", "CertDigest");
  add_with_algorithm(cd, "DigestMethod", xml::digest_uri(options.digest));
  xml::add_element(cd, kDsNs, "ds", "DigestValue", base64_encode(core::digest(options.digest, cert_der)));
  QS_TRY(std::string issuer_serial, issuer_serial_v2(cert));
  xml::add_element(c, kXadesNs, "xades", "IssuerSerialV2", issuer_serial);
  // §5.2.4: DataObjectFormat with ObjectReference to the data reference and its MimeType.
  xmlNode* sdop = xml::add_element(sp, kXadesNs, "xades", "SignedDataObjectProperties");
  xmlNode* dof = xml::add_element(sdop, kXadesNs, "xades", "DataObjectFormat");
  xmlNewProp(dof, BAD_CAST "ObjectReference", BAD_CAST("#" + ids.data_reference).c_str());
  xml::add_element(dof, kXadesNs, "xades", "MimeType", mime_type);
  return sp;
}

Result<void> check_options(const X509* signer_cert, const hsm::Signer& signer, const SignOptions& options) {
  if (signer_cert == nullptr) return fail(ErrorCode::usage, "XAdES: no signer certificate");
  const EVP_PKEY* cert_key = X509_get0_pubkey(signer_cert);
  if (cert_key == nullptr || EVP_PKEY_eq(cert_key, signer.public_key()) != 1)
    return fail(ErrorCode::usage, "XAdES: the certificate's public key is not the signer's key");
  if (options.level != cades::Level::b_b && !options.timestamp)
    return fail(ErrorCode::usage, "XAdES B-T and higher need a time-stamp function");
  if ((options.level == cades::Level::b_lt || options.level == cades::Level::b_lta) &&
      options.validation_data.crls.empty() && options.validation_data.ocsp_responses.empty())
    return fail(ErrorCode::usage, "XAdES B-LT and higher need at least one CRL or OCSP response");
  for (const X509* c : options.chain)
    if (c == nullptr) return fail(ErrorCode::usage, "XAdES: null certificate in the chain");
  return ok();
}

// What the data reference covers.
struct DataSpec {
  Packaging packaging;
  ByteView content;  // enveloping: the bytes carried; detached: the given digest
  std::string uri;   // detached only
};

// Builds and signs a B-B ds:Signature as the last child of `parent` (the root element of `doc`,
// or null for a standalone signature document) and returns the serialised document.
Result<Bytes> sign_b_b(xml::DocPtr doc, const DataSpec& data, const X509* cert, const hsm::Signer& signer,
                       const SignOptions& options) {
  QS_TRY(AlgorithmChoice alg, algorithm_for(signer.key_type(), options.digest));
  Ids ids;
  for (std::string* id : {&ids.signature, &ids.signed_properties, &ids.data_reference, &ids.object, &ids.signature_value}) {
    QS_TRY(std::string v, xml::random_id());
    *id = std::move(v);
  }
  xmlNode* signature = nullptr;
  if (data.packaging == Packaging::enveloped) {
    signature = xml::add_element(xmlDocGetRootElement(doc.get()), kDsNs, "ds", "Signature");
  } else {
    signature = xmlNewDocNode(doc.get(), nullptr, BAD_CAST "Signature", nullptr);
    xmlDocSetRootElement(doc.get(), signature);
    xmlSetNs(signature, xmlNewNs(signature, BAD_CAST kDsNs, BAD_CAST "ds"));
  }
  xmlNewProp(signature, BAD_CAST "Id", BAD_CAST ids.signature.c_str());
  xmlNode* signed_info = xml::add_element(signature, kDsNs, "ds", "SignedInfo");
  add_with_algorithm(signed_info, "CanonicalizationMethod", xml::kExcC14n);
  add_with_algorithm(signed_info, "SignatureMethod", alg.signature_method);
  xmlNode* data_ref = nullptr;
  std::string mime = options.mime_type;
  switch (data.packaging) {
    case Packaging::enveloped:
      data_ref = add_reference(signed_info, ids.data_reference.c_str(), "", nullptr,
                               {xml::kEnvelopedTransform, xml::kExcC14n}, options.digest);
      if (mime.empty()) mime = "text/xml";
      break;
    case Packaging::enveloping:
      data_ref = add_reference(signed_info, ids.data_reference.c_str(), "#" + ids.object, nullptr, {xml::kBase64Transform},
                               options.digest);
      break;
    case Packaging::detached:
      data_ref = add_reference(signed_info, ids.data_reference.c_str(), data.uri, nullptr, {}, options.digest);
      break;
  }
  if (mime.empty()) mime = "application/octet-stream";
  xmlNode* sp_ref = add_reference(signed_info, nullptr, "#" + ids.signed_properties, xml::kSignedPropertiesType,
                                  {xml::kExcC14n}, options.digest);
  xmlNode* signature_value = xml::add_element(signature, kDsNs, "ds", "SignatureValue");
  xmlNewProp(signature_value, BAD_CAST "Id", BAD_CAST ids.signature_value.c_str());
  xmlNode* x509_data = xml::add_element(xml::add_element(signature, kDsNs, "ds", "KeyInfo"), kDsNs, "ds", "X509Data");
  std::vector<const X509*> certs{cert};
  certs.insert(certs.end(), options.chain.begin(), options.chain.end());
  for (const X509* c : certs) {
    QS_TRY(Bytes der, core::x509_to_der(c));
    xml::add_element(x509_data, kDsNs, "ds", "X509Certificate", base64_encode(der));
  }
  if (data.packaging == Packaging::enveloping) {
    // XMLDSig 1.1 §4.6: Object with Encoding base64; its text is the document's base64.
    xmlNode* object = xml::add_element(signature, kDsNs, "ds", "Object", base64_encode(data.content));
    xmlNewProp(object, BAD_CAST "Id", BAD_CAST ids.object.c_str());
    xmlNewProp(object, BAD_CAST "MimeType", BAD_CAST mime.c_str());
    xmlNewProp(object, BAD_CAST "Encoding", BAD_CAST xml::kBase64Transform);
  }
  QS_TRY(xmlNode* signed_properties, add_qualifying_properties(signature, ids, cert, options, mime));
  // Every Id is registered; one colliding with the enveloped document's is refused here.
  QS_TRY_VOID(xml::register_ids(doc.get()));

  // Reference digests (XMLDSig 1.1 §3.1.1), canonicalised by libxml2.
  switch (data.packaging) {
    case Packaging::enveloped: {
      // URI="": the whole document without comments; enveloped-signature removes this signature.
      QS_TRY(Bytes c14n, xml::canonicalize(doc.get(), nullptr, xml::kExcC14n, signature));
      set_digest_value(data_ref, core::digest(options.digest, c14n));
      break;
    }
    case Packaging::enveloping: set_digest_value(data_ref, core::digest(options.digest, data.content)); break;
    case Packaging::detached: set_digest_value(data_ref, data.content); break;
  }
  QS_TRY(Bytes sp_c14n, xml::canonicalize(doc.get(), signed_properties, xml::kExcC14n));
  set_digest_value(sp_ref, core::digest(options.digest, sp_c14n));

  // XMLDSig 1.1 §3.1.2: sign the canonical SignedInfo.
  QS_TRY(Bytes si_c14n, xml::canonicalize(doc.get(), signed_info, xml::kExcC14n));
  QS_TRY(Bytes sig, signer.sign_digest(core::digest(options.digest, si_c14n), options.digest, alg.scheme));
  // The token's signature is checked against the certificate before it is used.
  {
    auto md_ctx = core::wrap(EVP_MD_CTX_new());
    const EVP_MD* md = core::evp_md(options.digest);
    if (!md_ctx || EVP_DigestVerifyInit(md_ctx.get(), nullptr, md, nullptr, X509_get0_pubkey(cert)) != 1 ||
        EVP_DigestVerify(md_ctx.get(), sig.data(), sig.size(), si_c14n.data(), si_c14n.size()) != 1)
      return core::openssl_error(ErrorCode::crypto, "XAdES: the token's signature does not verify with the certificate");
  }
  if (alg.scheme == hsm::SignatureScheme::ecdsa) {
    QS_TRY(Bytes raw, core::ecdsa_der_to_raw(sig, alg.ec_field_size));  // XMLDSig 1.1 §6.4.3: r || s
    sig = std::move(raw);
  }
  xmlNodeSetContent(signature_value, BAD_CAST base64_encode(sig).c_str());
  return xml::serialize(doc.get());
}

// B-B -> the requested level through the add_* functions.
Result<Bytes> raise_level(Bytes xml, std::optional<ByteView> detached_content, const SignOptions& options) {
  if (options.level == cades::Level::b_b) return xml;
  QS_TRY(xml, xades::add_signature_timestamp(xml, options.timestamp, options.digest));
  if (options.level == cades::Level::b_t) return xml;
  cades::ValidationData data = options.validation_data;
  QS_TRY(xml, xades::add_validation_data(xml, data));
  if (options.level == cades::Level::b_lt) return xml;
  return xades::add_archive_timestamp(xml, detached_content, options.timestamp, options.digest);
}

}  // namespace

Result<Bytes> sign(ByteView document, const X509* signer_cert, const hsm::Signer& signer, const SignOptions& options) {
  QS_TRY_VOID(check_options(signer_cert, signer, options));
  QS_TRY_VOID(xml::ensure_initialized());
  xml::DocPtr doc;
  DataSpec data{options.packaging, document, {}};
  switch (options.packaging) {
    case Packaging::enveloped: {
      QS_TRY(xml::DocPtr parsed, xml::parse(document, kMaxXmlSize, kMaxXmlDepth - 8));
      // inspect, verify and the add_* functions work on the first XAdES signature of a document,
      // so a second (parallel) one could never be extended or checked: refused.
      if (detail::locate(parsed.get()))
        return fail(ErrorCode::conflict, "XAdES: the document already holds a XAdES signature; parallel signatures are not supported");
      doc = std::move(parsed);
      break;
    }
    case Packaging::enveloping:
      if (document.size() > kMaxXmlSize / 2) return fail(ErrorCode::invalid_input, "XAdES: document too large to envelop");
      doc.reset(xmlNewDoc(BAD_CAST "1.0"));
      break;
    case Packaging::detached: return fail(ErrorCode::usage, "XAdES: detached signatures are made with sign_detached");
  }
  if (!doc) return fail(ErrorCode::internal, "XML: cannot create a document");
  QS_TRY(Bytes out, sign_b_b(std::move(doc), data, signer_cert, signer, options));
  auto verified = verify(out);
  if (!verified) {
    Error e = std::move(verified).error();
    return fail(ErrorCode::crypto, "XAdES: the new signature does not verify: " + e.message, e.detail);
  }
  return raise_level(std::move(out), std::nullopt, options);
}

Result<Bytes> sign_detached(ByteView document_digest, const X509* signer_cert, const hsm::Signer& signer,
                            const SignOptions& options) {
  QS_TRY_VOID(check_options(signer_cert, signer, options));
  QS_TRY_VOID(xml::ensure_initialized());
  if (options.packaging != Packaging::detached) return fail(ErrorCode::usage, "XAdES: sign_detached needs Packaging::detached");
  if (options.detached_uri.empty() || options.detached_uri.front() == '#')
    return fail(ErrorCode::usage, "XAdES: a detached signature needs a document URI that is not a same-document reference");
  if (document_digest.size() != core::digest_size(options.digest))
    return fail(ErrorCode::usage, "XAdES: the document digest has the wrong length");
  if (options.level == cades::Level::b_lta)
    return fail(ErrorCode::usage, "XAdES: a detached B-LTA needs the document; sign B-LT, then add_archive_timestamp");
  xml::DocPtr doc(xmlNewDoc(BAD_CAST "1.0"));
  if (!doc) return fail(ErrorCode::internal, "XML: cannot create a document");
  QS_TRY(Bytes out, sign_b_b(std::move(doc), DataSpec{Packaging::detached, document_digest, options.detached_uri}, signer_cert,
                             signer, options));
  return raise_level(std::move(out), std::nullopt, options);
}

}  // namespace qualsig::formats::xades
