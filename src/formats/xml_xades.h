#pragma once
// Internal to formats/: pieces shared by xades_sign.cpp, xades_extend.cpp and xades_verify.cpp —
// locating the parts of a XAdES signature, the xmlsec core validation, time-stamp imprints.

#include <libxml/tree.h>

#include <optional>
#include <string>
#include <vector>

#include "formats/xades.h"
#include "formats/xml_document.h"

namespace qualsig::formats::xades::detail {

// XAdES v1.2.2 namespace (TS 101 903 v1.2.2), read for old signatures only.
inline constexpr const char* kXades122Ns = "http://uri.etsi.org/01903/v1.2.2#";

// The parts of one XAdES signature; borrowed from the document. Optional parts are null.
struct Located {
  xmlNode* signature = nullptr;
  xmlNode* signed_info = nullptr;
  xmlNode* signature_value = nullptr;
  xmlNode* key_info = nullptr;
  xmlNode* qualifying_properties = nullptr;  // inside a ds:Object child of `signature`
  xmlNode* signed_properties = nullptr;
  xmlNode* unsigned_signature_properties = nullptr;
  const char* xades_ns = xml::kXadesNs;       // namespace of QualifyingProperties
  std::size_t signature_count = 0;            // ds:Signature elements in the document
  std::size_t xades_signature_count = 0;      // xades_signatures(doc).size()
};

// The document's XAdES signatures: every ds:Signature with a ds:Object/xades:QualifyingProperties
// whose Target is "#<its Id>" and no ds:Signature ancestor, in document order, then their
// counter-signatures (EN 319 132-1 §5.4.2: a XAdES ds:Signature that is the child of a
// xades:CounterSignature of one of these), in document order. Signatures inside a signed ds:Object
// belong to their signature and are not listed.
std::vector<xmlNode*> xades_signatures(xmlDoc* doc);

// The signature `signature` countersigns (the nearest ds:Signature ancestor) when it is the child
// of a xades:CounterSignature; null otherwise.
xmlNode* countersigned(xmlNode* signature);

// XAdES signature number `index` (from 0) of xades_signatures. Fails with invalid_input if there
// is no such signature or it lacks SignedInfo / SignatureValue / SignedProperties.
Result<Located> locate(xmlDoc* doc, std::size_t index = 0);

// Parses (safely, xades.h), registers Ids and locates the signature.
struct Parsed {
  xml::DocPtr doc;
  Located parts;
};
Result<Parsed> parse_signature(ByteView xml, std::size_t index = 0);

// The UnsignedSignatureProperties of the signature, created (with UnsignedProperties) if absent.
xmlNode* unsigned_signature_properties(Located& parts);

// The DER certificates of ds:KeyInfo/ds:X509Data/ds:X509Certificate, in document order.
Result<std::vector<Bytes>> key_info_certificates(const Located& parts);

// The KeyInfo certificate whose digest one of SigningCertificateV2 / SigningCertificate's Cert
// elements holds. Fails with denied if no certificate matches (or the property is absent),
// invalid_input if KeyInfo holds no certificate or the property is malformed.
Result<Bytes> signing_certificate(const Located& parts);

// The hash of ds:SignatureMethod (XMLDSig 1.1 §6.4, RFC 6931 §2.3), by the hash name in its
// Algorithm URI; NID_undef when none is recognised.
int signature_method_digest_nid(xmlNode* signed_info);

// Whether ds:SignatureValue verifies over the canonical ds:SignedInfo (XMLDSig 1.1 §3.2.2) with
// `signer`'s key. nullopt when this cannot be decided here (unknown method, RSA-PSS parameters,
// an unreadable value or an unsupported canonicalisation).
std::optional<bool> signature_value_verifies(xmlDoc* doc, xmlNode* signed_info, xmlNode* signature_value, X509* signer);

// Result of the XMLDSig core validation.
struct CoreResult {
  std::vector<Bytes> reference_data;   // each SignedInfo Reference's data after its transforms
};

// xmlsec's XMLDSig core validation (XMLDSig 1.1 §3.2) of parts.signature with the public key of
// `cert_der`: same-document references only, plus the detached one served from
// `detached_content` — a Reference with a URI that is not same-document, or one without URI
// (XMLDSig 1.1 §4.4.3.1: the application knows its data). Fails with denied when the signature or a reference digest does not
// verify (or xmlsec cannot complete the processing), usage when detached content is missing or
// given without a detached reference.
Result<CoreResult> core_verify(const Located& parts, ByteView cert_der, std::optional<ByteView> detached_content);

// EN 319 132-1 §5.5.2.2: the octets an archive time-stamp placed at `archive_timestamp` (null: at
// the end of UnsignedSignatureProperties) covers, canonicalised with `c14n`.
Result<Bytes> archive_timestamp_input(xmlDoc* doc, const Located& parts, const CoreResult& core,
                                      const xmlNode* archive_timestamp, std::string_view c14n);

// The CanonicalizationMethod of a time-stamp element (XAdES: inclusive C14N 1.0 when absent).
std::string timestamp_c14n(xmlNode* timestamp_element);

// Hash algorithm and digest of a TimeStampToken's messageImprint (SHA-1 accepted for reading old
// signatures). Fails with invalid_input for a malformed token.
struct Imprint {
  const EVP_MD* md = nullptr;
  Bytes digest;
};
Result<Imprint> token_imprint(ByteView token);

// Appends <prefix:name Id=..><ds:CanonicalizationMethod Algorithm=exc-c14n/>
// <xades:EncapsulatedTimeStamp>base64</...></...> to `parent` (EN 319 132-1 §5.3, §5.5.2).
Result<void> append_timestamp(xmlNode* parent, const char* ns, const char* prefix, const char* name, ByteView token);

// Time-stamps `input` with `digest` through `timestamp` and checks the token's imprint.
Result<Bytes> timestamp_over(const cades::TimestampFn& timestamp, ByteView input, core::DigestAlgorithm digest);

}  // namespace qualsig::formats::xades::detail
