#include "formats/cms_structures.h"

#include <openssl/objects.h>

#include <algorithm>
#include <climits>

#include "core/openssl.h"
#include "formats/cades_oids.h"

// clang-format off

ASN1_SEQUENCE(QS_CADES_ATTRIBUTE) = {
    ASN1_SIMPLE(QS_CADES_ATTRIBUTE, type, ASN1_OBJECT),
    // SET OF AttributeValue, kept in stored order: a SEQUENCE OF re-tagged as universal SET.
    ASN1_EX_TYPE(ASN1_TFLG_SEQUENCE_OF | ASN1_TFLG_IMPTAG | ASN1_TFLG_UNIVERSAL, V_ASN1_SET,
                 QS_CADES_ATTRIBUTE, values, ASN1_ANY),
} ASN1_SEQUENCE_END(QS_CADES_ATTRIBUTE)
IMPLEMENT_ASN1_FUNCTIONS(QS_CADES_ATTRIBUTE)

ASN1_SEQUENCE(QS_CADES_SIGNER_INFO) = {
    ASN1_SIMPLE(QS_CADES_SIGNER_INFO, version, ASN1_INTEGER),
    ASN1_SIMPLE(QS_CADES_SIGNER_INFO, sid, ASN1_ANY),
    ASN1_SIMPLE(QS_CADES_SIGNER_INFO, digest_algorithm, X509_ALGOR),
    ASN1_IMP_SEQUENCE_OF_OPT(QS_CADES_SIGNER_INFO, signed_attrs, ASN1_ANY, 0),
    ASN1_SIMPLE(QS_CADES_SIGNER_INFO, signature_algorithm, X509_ALGOR),
    ASN1_SIMPLE(QS_CADES_SIGNER_INFO, signature, ASN1_OCTET_STRING),
    ASN1_IMP_SEQUENCE_OF_OPT(QS_CADES_SIGNER_INFO, unsigned_attrs, ASN1_ANY, 1),
} ASN1_SEQUENCE_END(QS_CADES_SIGNER_INFO)
IMPLEMENT_ASN1_FUNCTIONS(QS_CADES_SIGNER_INFO)

ASN1_SEQUENCE(QS_CADES_ENCAP_CONTENT) = {
    ASN1_SIMPLE(QS_CADES_ENCAP_CONTENT, type, ASN1_OBJECT),
    ASN1_EXP_OPT(QS_CADES_ENCAP_CONTENT, content, ASN1_OCTET_STRING, 0),
} ASN1_SEQUENCE_END(QS_CADES_ENCAP_CONTENT)
IMPLEMENT_ASN1_FUNCTIONS(QS_CADES_ENCAP_CONTENT)

ASN1_SEQUENCE(QS_CADES_SIGNED_DATA) = {
    ASN1_SIMPLE(QS_CADES_SIGNED_DATA, version, ASN1_INTEGER),
    ASN1_EX_TYPE(ASN1_TFLG_SEQUENCE_OF | ASN1_TFLG_IMPTAG | ASN1_TFLG_UNIVERSAL, V_ASN1_SET,
                 QS_CADES_SIGNED_DATA, digest_algorithms, X509_ALGOR),
    ASN1_SIMPLE(QS_CADES_SIGNED_DATA, encap_content, QS_CADES_ENCAP_CONTENT),
    ASN1_IMP_SEQUENCE_OF_OPT(QS_CADES_SIGNED_DATA, certificates, ASN1_ANY, 0),
    ASN1_IMP_SEQUENCE_OF_OPT(QS_CADES_SIGNED_DATA, crls, ASN1_ANY, 1),
    ASN1_EX_TYPE(ASN1_TFLG_SEQUENCE_OF | ASN1_TFLG_IMPTAG | ASN1_TFLG_UNIVERSAL, V_ASN1_SET,
                 QS_CADES_SIGNED_DATA, signer_infos, QS_CADES_SIGNER_INFO),
} ASN1_SEQUENCE_END(QS_CADES_SIGNED_DATA)
IMPLEMENT_ASN1_FUNCTIONS(QS_CADES_SIGNED_DATA)

ASN1_SEQUENCE(QS_CADES_CONTENT_INFO) = {
    ASN1_SIMPLE(QS_CADES_CONTENT_INFO, type, ASN1_OBJECT),
    ASN1_EXP(QS_CADES_CONTENT_INFO, signed_data, QS_CADES_SIGNED_DATA, 0),
} ASN1_SEQUENCE_END(QS_CADES_CONTENT_INFO)
IMPLEMENT_ASN1_FUNCTIONS(QS_CADES_CONTENT_INFO)

ASN1_SEQUENCE(QS_CADES_ATS_HASH_INDEX_V3) = {
    ASN1_SIMPLE(QS_CADES_ATS_HASH_INDEX_V3, hash_algorithm, X509_ALGOR),
    ASN1_SEQUENCE_OF(QS_CADES_ATS_HASH_INDEX_V3, certificates, ASN1_OCTET_STRING),
    ASN1_SEQUENCE_OF(QS_CADES_ATS_HASH_INDEX_V3, crls, ASN1_OCTET_STRING),
    ASN1_SEQUENCE_OF(QS_CADES_ATS_HASH_INDEX_V3, unsigned_attr_values, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(QS_CADES_ATS_HASH_INDEX_V3)
IMPLEMENT_ASN1_FUNCTIONS(QS_CADES_ATS_HASH_INDEX_V3)

ASN1_SEQUENCE(QS_CADES_ATS_HASH_INDEX_V3_DEFAULT) = {
    ASN1_SEQUENCE_OF(QS_CADES_ATS_HASH_INDEX_V3_DEFAULT, certificates, ASN1_OCTET_STRING),
    ASN1_SEQUENCE_OF(QS_CADES_ATS_HASH_INDEX_V3_DEFAULT, crls, ASN1_OCTET_STRING),
    ASN1_SEQUENCE_OF(QS_CADES_ATS_HASH_INDEX_V3_DEFAULT, unsigned_attr_values, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(QS_CADES_ATS_HASH_INDEX_V3_DEFAULT)
IMPLEMENT_ASN1_FUNCTIONS(QS_CADES_ATS_HASH_INDEX_V3_DEFAULT)

// The signed attributes as the signature input: SET OF in stored order (RFC 5652 §5.4).
typedef STACK_OF(ASN1_TYPE) QS_CADES_SIGNED_ATTRS_SET;
DECLARE_ASN1_ITEM(QS_CADES_SIGNED_ATTRS_SET)
ASN1_ITEM_TEMPLATE(QS_CADES_SIGNED_ATTRS_SET) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF | ASN1_TFLG_IMPTAG | ASN1_TFLG_UNIVERSAL, V_ASN1_SET,
                          SignedAttributes, ASN1_ANY)
ASN1_ITEM_TEMPLATE_END(QS_CADES_SIGNED_ATTRS_SET)

// The signed attributes as stored in SignerInfo: [0] IMPLICIT, stored order.
typedef STACK_OF(ASN1_TYPE) QS_CADES_SIGNED_ATTRS_IMPLICIT;
DECLARE_ASN1_ITEM(QS_CADES_SIGNED_ATTRS_IMPLICIT)
ASN1_ITEM_TEMPLATE(QS_CADES_SIGNED_ATTRS_IMPLICIT) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF | ASN1_TFLG_IMPTAG | ASN1_TFLG_CONTEXT, 0,
                          SignedAttributes, ASN1_ANY)
ASN1_ITEM_TEMPLATE_END(QS_CADES_SIGNED_ATTRS_IMPLICIT)

// SignedData.crls and SignerInfo.unsignedAttrs as stored: [1] IMPLICIT, stored order.
typedef STACK_OF(ASN1_TYPE) QS_CADES_IMPLICIT1_SET;
DECLARE_ASN1_ITEM(QS_CADES_IMPLICIT1_SET)
ASN1_ITEM_TEMPLATE(QS_CADES_IMPLICIT1_SET) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF | ASN1_TFLG_IMPTAG | ASN1_TFLG_CONTEXT, 1,
                          Elements, ASN1_ANY)
ASN1_ITEM_TEMPLATE_END(QS_CADES_IMPLICIT1_SET)

// clang-format on

namespace qualsig::formats::cms {

Result<ContentInfoPtr> parse_signed_data(ByteView der) {
  if (der.empty()) return fail(ErrorCode::invalid_input, "CMS input is empty");
  if (der.size() > kMaxCmsSize) return fail(ErrorCode::invalid_input, "CMS input is larger than the accepted maximum");
  const unsigned char* p = der.data();
  ContentInfoPtr ci(d2i_QS_CADES_CONTENT_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!ci) return fail(core::openssl_error(ErrorCode::invalid_input, "not a CMS SignedData (RFC 5652 §5.1)"));
  if (p != der.data() + der.size()) return fail(ErrorCode::invalid_input, "trailing data after the CMS SignedData");
  if (!oid_equals(ci->type, cades::oid::kSignedData))
    return fail(ErrorCode::invalid_input, "CMS content type is not id-signedData");
  if (sk_QS_CADES_SIGNER_INFO_num(ci->signed_data->signer_infos) < 1)
    return fail(ErrorCode::invalid_input, "CMS SignedData has no SignerInfo");
  return ci;
}

Result<Bytes> to_der(const void* value, const ASN1_ITEM* item) {
  unsigned char* buf = nullptr;
  int len = ASN1_item_i2d(static_cast<const ASN1_VALUE*>(value), &buf, item);
  if (len <= 0) return fail(core::openssl_error(ErrorCode::internal, "cannot DER-encode an ASN.1 structure"));
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

Result<Bytes> encode(const QS_CADES_CONTENT_INFO* ci) { return to_der(ci, ASN1_ITEM_rptr(QS_CADES_CONTENT_INFO)); }

Result<Bytes> to_der(const ASN1_TYPE* any) { return to_der(any, ASN1_ITEM_rptr(ASN1_ANY)); }

Result<AnyPtr> any_from_der(ByteView der) {
  if (der.empty()) return fail(ErrorCode::invalid_input, "empty ASN.1 element");
  if (der.size() > kMaxCmsSize) return fail(ErrorCode::invalid_input, "ASN.1 element larger than the accepted maximum");
  const unsigned char* p = der.data();
  AnyPtr any(d2i_ASN1_TYPE(nullptr, &p, static_cast<long>(der.size())));
  if (!any) return fail(core::openssl_error(ErrorCode::invalid_input, "not one DER/BER element"));
  if (p != der.data() + der.size()) return fail(ErrorCode::invalid_input, "trailing data after an ASN.1 element");
  return any;
}

Result<AttributePtr> parse_attribute(const ASN1_TYPE* raw) {
  QS_TRY(Bytes der, to_der(raw));
  const unsigned char* p = der.data();
  AttributePtr attr(d2i_QS_CADES_ATTRIBUTE(nullptr, &p, static_cast<long>(der.size())));
  if (!attr || p != der.data() + der.size())
    return fail(core::openssl_error(ErrorCode::invalid_input, "malformed CMS attribute (RFC 5652 §5.3)"));
  return attr;
}

Result<AnyPtr> make_attribute(const char* oid, const std::vector<Bytes>& values_der) {
  AttributePtr attr(QS_CADES_ATTRIBUTE_new());
  if (!attr) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  QS_TRY(ObjectPtr type, make_oid(oid));
  ASN1_OBJECT_free(attr->type);
  attr->type = type.release();
  for (const Bytes& value : values_der) QS_TRY_VOID(push_raw(&attr->values, value));
  QS_TRY(Bytes der, to_der(attr.get(), ASN1_ITEM_rptr(QS_CADES_ATTRIBUTE)));
  return any_from_der(der);
}

std::string oid_text(const ASN1_OBJECT* obj) {
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof(buf), obj, 1);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof(buf)) return {};
  return std::string(buf, static_cast<std::size_t>(n));
}

bool oid_equals(const ASN1_OBJECT* obj, const char* oid) { return obj != nullptr && oid_text(obj) == oid; }

Result<ObjectPtr> make_oid(const char* oid) {
  ObjectPtr obj(OBJ_txt2obj(oid, 1));
  if (!obj) return fail(core::openssl_error(ErrorCode::internal, std::string("bad object identifier ") + oid));
  return obj;
}

int digest_nid(core::DigestAlgorithm alg) { return EVP_MD_get_type(core::evp_md(alg)); }

Result<core::DigestAlgorithm> digest_of(const X509_ALGOR* alg) {
  const ASN1_OBJECT* obj = nullptr;
  X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
  switch (OBJ_obj2nid(obj)) {
    case NID_sha256: return core::DigestAlgorithm::sha256;
    case NID_sha384: return core::DigestAlgorithm::sha384;
    case NID_sha512: return core::DigestAlgorithm::sha512;
    default: break;
  }
  return fail(ErrorCode::invalid_input, "unsupported digest algorithm " + oid_text(obj) + " (SHA-256/384/512 only)");
}

Result<AlgorPtr> digest_algorithm_identifier(core::DigestAlgorithm alg) {
  AlgorPtr algor(X509_ALGOR_new());
  if (!algor || X509_ALGOR_set0(algor.get(), OBJ_nid2obj(digest_nid(alg)), V_ASN1_UNDEF, nullptr) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "cannot build a digest AlgorithmIdentifier"));
  return algor;
}

Result<QS_CADES_SIGNER_INFO*> sole_signer(QS_CADES_CONTENT_INFO* ci) {
  int n = sk_QS_CADES_SIGNER_INFO_num(ci->signed_data->signer_infos);
  if (n != 1)
    return fail(ErrorCode::usage, "the SignedData has " + std::to_string(n) +
                                      " SignerInfos; qualsig extends signatures with exactly one signer");
  return sk_QS_CADES_SIGNER_INFO_value(ci->signed_data->signer_infos, 0);
}

Result<std::vector<Bytes>> attribute_values(const STACK_OF(ASN1_TYPE)* attrs, const char* oid) {
  std::vector<Bytes> out;
  for (int i = 0; i < sk_ASN1_TYPE_num(attrs); ++i) {
    QS_TRY(AttributePtr attr, parse_attribute(sk_ASN1_TYPE_value(attrs, i)));
    if (!oid_equals(attr->type, oid)) continue;
    for (int j = 0; j < sk_ASN1_TYPE_num(attr->values); ++j) {
      QS_TRY(Bytes value, to_der(sk_ASN1_TYPE_value(attr->values, j)));
      out.push_back(std::move(value));
    }
  }
  return out;
}

Result<void> push_raw(STACK_OF(ASN1_TYPE)** stack, ByteView der) {
  QS_TRY(AnyPtr any, any_from_der(der));
  if (*stack == nullptr) *stack = sk_ASN1_TYPE_new_null();
  if (*stack == nullptr || sk_ASN1_TYPE_push(*stack, any.get()) <= 0)
    return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  any.release();  // owned by the stack now
  return ok();
}

bool contains_raw(const STACK_OF(ASN1_TYPE)* stack, ByteView der) {
  for (int i = 0; i < sk_ASN1_TYPE_num(stack); ++i) {
    auto have = to_der(sk_ASN1_TYPE_value(stack, i));
    if (have && std::equal(have->begin(), have->end(), der.begin(), der.end())) return true;
  }
  return false;
}

Result<Bytes> signed_attrs_as_set(const QS_CADES_SIGNER_INFO* si) {
  if (si->signed_attrs == nullptr) return fail(ErrorCode::invalid_input, "SignerInfo has no signed attributes");
  return to_der(si->signed_attrs, ASN1_ITEM_rptr(QS_CADES_SIGNED_ATTRS_SET));
}

Result<Bytes> signed_attrs_as_stored(const QS_CADES_SIGNER_INFO* si) {
  if (si->signed_attrs == nullptr) return fail(ErrorCode::invalid_input, "SignerInfo has no signed attributes");
  return to_der(si->signed_attrs, ASN1_ITEM_rptr(QS_CADES_SIGNED_ATTRS_IMPLICIT));
}

Result<Bytes> implicit_set(const STACK_OF(ASN1_TYPE) * elements, int tag) {
  if (tag == 0) return to_der(elements, ASN1_ITEM_rptr(QS_CADES_SIGNED_ATTRS_IMPLICIT));
  if (tag == 1) return to_der(elements, ASN1_ITEM_rptr(QS_CADES_IMPLICIT1_SET));
  return fail(ErrorCode::internal, "implicit_set: tag 0 or 1 only");
}

}  // namespace qualsig::formats::cms
