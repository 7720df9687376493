#pragma once
// Internal to formats/: order- and byte-preserving ASN.1 views of CMS SignedData (RFC 5652) and the
// CAdES structures OpenSSL does not model (ETSI EN 319 122-1 ATSHashIndexV3), declared with
// OpenSSL's ASN.1 template macros (cms_structures.cpp), so no DER is written by hand.
//
// Why not OpenSSL's CMS_ContentInfo: re-encoding it sorts every SET OF and has no API for an
// OtherRevocationInfoFormat (RFC 5940 OCSP responses). Extending a signature must not touch the
// signed bytes, and the archive-time-stamp-v3 imprint hashes fields "in their binary encoded form
// without any modification" (EN 319 122-1 §5.5.3). Here every SET OF is a SEQUENCE OF re-tagged as
// SET (the trick OpenSSL's own CMS_Attributes_Verify uses), so stored order is kept, and every
// element that is never changed (certificates, CRLs, attributes, the SignerIdentifier) is an ANY,
// which OpenSSL keeps as the exact received TLV. Only the outer framing is re-encoded (definite
// lengths), so DER input comes back byte for byte.

#include <openssl/asn1t.h>
#include <openssl/safestack.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/digest.h"
#include "core/result.h"

// clang-format off

// RFC 5652 §5.3:  Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
struct QS_CADES_ATTRIBUTE {
  ASN1_OBJECT* type;
  STACK_OF(ASN1_TYPE)* values;  // raw AttributeValue TLVs in stored order
};
DECLARE_ASN1_FUNCTIONS(QS_CADES_ATTRIBUTE)

// RFC 5652 §5.3:
//   SignerInfo ::= SEQUENCE {
//     version CMSVersion, sid SignerIdentifier, digestAlgorithm DigestAlgorithmIdentifier,
//     signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
//     signatureAlgorithm SignatureAlgorithmIdentifier, signature SignatureValue,
//     unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
struct QS_CADES_SIGNER_INFO {
  ASN1_INTEGER* version;
  ASN1_TYPE* sid;                       // IssuerAndSerialNumber or [0] SubjectKeyIdentifier, raw
  X509_ALGOR* digest_algorithm;
  STACK_OF(ASN1_TYPE)* signed_attrs;    // raw Attribute TLVs, stored order; null if absent
  X509_ALGOR* signature_algorithm;
  ASN1_OCTET_STRING* signature;
  STACK_OF(ASN1_TYPE)* unsigned_attrs;  // raw Attribute TLVs, stored order; null if absent
};
DECLARE_ASN1_FUNCTIONS(QS_CADES_SIGNER_INFO)
DEFINE_STACK_OF(QS_CADES_SIGNER_INFO)

// RFC 5652 §5.2:  EncapsulatedContentInfo ::= SEQUENCE {
//     eContentType ContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
struct QS_CADES_ENCAP_CONTENT {
  ASN1_OBJECT* type;
  ASN1_OCTET_STRING* content;  // null: detached
};
DECLARE_ASN1_FUNCTIONS(QS_CADES_ENCAP_CONTENT)

// RFC 5652 §5.1:
//   SignedData ::= SEQUENCE {
//     version CMSVersion, digestAlgorithms DigestAlgorithmIdentifiers,
//     encapContentInfo EncapsulatedContentInfo,
//     certificates [0] IMPLICIT CertificateSet OPTIONAL,
//     crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
//     signerInfos SignerInfos }
struct QS_CADES_SIGNED_DATA {
  ASN1_INTEGER* version;
  STACK_OF(X509_ALGOR)* digest_algorithms;
  QS_CADES_ENCAP_CONTENT* encap_content;
  STACK_OF(ASN1_TYPE)* certificates;  // raw CertificateChoices; null if absent
  STACK_OF(ASN1_TYPE)* crls;          // raw RevocationInfoChoice; null if absent
  STACK_OF(QS_CADES_SIGNER_INFO)* signer_infos;
};
DECLARE_ASN1_FUNCTIONS(QS_CADES_SIGNED_DATA)

// RFC 5652 §3:  ContentInfo ::= SEQUENCE { contentType ContentType, content [0] EXPLICIT ANY }
// with content read as SignedData only.
struct QS_CADES_CONTENT_INFO {
  ASN1_OBJECT* type;
  QS_CADES_SIGNED_DATA* signed_data;
};
DECLARE_ASN1_FUNCTIONS(QS_CADES_CONTENT_INFO)

// EN 319 122-1 §5.5.2:
//   ATSHashIndexV3 ::= SEQUENCE {
//     hashIndAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
//     certificatesHashIndex SEQUENCE OF OCTET STRING,
//     crlsHashIndex SEQUENCE OF OCTET STRING,
//     unsignedAttrValuesHashIndex SEQUENCE OF OCTET STRING }
// Two templates: with the algorithm, and without it (the DEFAULT). An OPTIONAL AlgorithmIdentifier
// followed by a SEQUENCE OF cannot be told apart by tag, so a reader tries one, then the other.
// OpenSSL 3.0 has no STACK_OF(ASN1_OCTET_STRING); the hash values get a stack type of their own.
typedef ASN1_OCTET_STRING QS_CADES_HASH;
DEFINE_STACK_OF(QS_CADES_HASH)
struct QS_CADES_ATS_HASH_INDEX_V3 {
  X509_ALGOR* hash_algorithm;
  STACK_OF(QS_CADES_HASH)* certificates;
  STACK_OF(QS_CADES_HASH)* crls;
  STACK_OF(QS_CADES_HASH)* unsigned_attr_values;
};
DECLARE_ASN1_FUNCTIONS(QS_CADES_ATS_HASH_INDEX_V3)
struct QS_CADES_ATS_HASH_INDEX_V3_DEFAULT {
  STACK_OF(QS_CADES_HASH)* certificates;
  STACK_OF(QS_CADES_HASH)* crls;
  STACK_OF(QS_CADES_HASH)* unsigned_attr_values;
};
DECLARE_ASN1_FUNCTIONS(QS_CADES_ATS_HASH_INDEX_V3_DEFAULT)

// clang-format on

namespace qualsig::formats::cms {

template <typename T, void (*Free)(T*)>
struct FreeWith {
  void operator()(T* p) const noexcept { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, FreeWith<T, Free>>;

using ContentInfoPtr = Owned<QS_CADES_CONTENT_INFO, QS_CADES_CONTENT_INFO_free>;
using SignerInfoPtr = Owned<QS_CADES_SIGNER_INFO, QS_CADES_SIGNER_INFO_free>;
using AttributePtr = Owned<QS_CADES_ATTRIBUTE, QS_CADES_ATTRIBUTE_free>;
using AnyPtr = Owned<ASN1_TYPE, ASN1_TYPE_free>;
using AlgorPtr = Owned<X509_ALGOR, X509_ALGOR_free>;
using ObjectPtr = Owned<ASN1_OBJECT, ASN1_OBJECT_free>;

// The largest CMS structure accepted from a caller (an enveloping signature of the largest content
// plus its validation data).
inline constexpr std::size_t kMaxCmsSize = (64u << 20) + (16u << 20);

// Parses a DER/BER ContentInfo holding a SignedData. Fails with invalid_input on anything else:
// truncation, trailing data, another content type, no SignerInfo, an input above kMaxCmsSize.
Result<ContentInfoPtr> parse_signed_data(ByteView der);
// DER of the whole ContentInfo.
Result<Bytes> encode(const QS_CADES_CONTENT_INFO* ci);

// DER of any template value.
Result<Bytes> to_der(const void* value, const ASN1_ITEM* item);
// DER of a raw element (the exact stored TLV for SEQUENCE/SET/context-tagged elements).
Result<Bytes> to_der(const ASN1_TYPE* any);
// An ANY that holds `der` (one complete TLV) verbatim. Fails with invalid_input if `der` is not
// exactly one TLV.
Result<AnyPtr> any_from_der(ByteView der);

// Strictly decoded attribute from a raw element of signed_attrs/unsigned_attrs.
Result<AttributePtr> parse_attribute(const ASN1_TYPE* raw);
// A raw attribute element with `oid` and the given raw values.
Result<AnyPtr> make_attribute(const char* oid, const std::vector<Bytes>& values_der);

// "1.2.3" text of an OID; empty on failure.
std::string oid_text(const ASN1_OBJECT* obj);
bool oid_equals(const ASN1_OBJECT* obj, const char* oid);
Result<ObjectPtr> make_oid(const char* oid);

// DigestAlgorithm of an AlgorithmIdentifier (SHA-256/384/512 only).
Result<core::DigestAlgorithm> digest_of(const X509_ALGOR* alg);
// AlgorithmIdentifier of a digest, parameters absent (RFC 5754 §2: "Implementations MUST generate
// SHA2 AlgorithmIdentifiers with absent parameters").
Result<AlgorPtr> digest_algorithm_identifier(core::DigestAlgorithm alg);
int digest_nid(core::DigestAlgorithm alg);

// The SignerInfo every CAdES operation works on: the one and only SignerInfo. Several parallel
// signers are refused with `usage` (qualsig writes one signer per SignedData).
Result<QS_CADES_SIGNER_INFO*> sole_signer(QS_CADES_CONTENT_INFO* ci);

// The values (raw TLVs) of every attribute of type `oid` in `attrs` (may be null), in order.
Result<std::vector<Bytes>> attribute_values(const STACK_OF(ASN1_TYPE)* attrs, const char* oid);

// Appends a raw element to *stack, creating the stack when null.
Result<void> push_raw(STACK_OF(ASN1_TYPE)** stack, ByteView der);
// True if *stack holds an element whose stored encoding equals `der`.
bool contains_raw(const STACK_OF(ASN1_TYPE)* stack, ByteView der);

// DER of the signed attributes as the signature covers them: "the DER encoding of the
// SignedAttributes value" with an EXPLICIT SET OF tag (RFC 5652 §5.4), in stored order.
Result<Bytes> signed_attrs_as_set(const QS_CADES_SIGNER_INFO* si);
// The signed attributes with their [0] IMPLICIT tag, as stored (EN 319 122-1 §5.5.3 item 3).
Result<Bytes> signed_attrs_as_stored(const QS_CADES_SIGNER_INFO* si);
// `elements` (raw TLVs, stored order) under a [tag] IMPLICIT SET OF tag, tag 0 or 1: the framing of
// SignedData.certificates ([0]) and .crls and SignerInfo.unsignedAttrs ([1]).
Result<Bytes> implicit_set(const STACK_OF(ASN1_TYPE) * elements, int tag);

}  // namespace qualsig::formats::cms
