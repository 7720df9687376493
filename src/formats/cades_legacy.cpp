// The message imprints of the time-stamps EN 319 122-1 replaced (RFC 5126 = ETSI TS 101 733
// V1.7): archive-time-stamp-v2 (CAdES-A) and the CAdES-X esc-time-stamp and cert-crl-time-stamp.
// qualsig never writes them; validation recomputes them, so that a real-world CAdES-A or -X file
// is judged on its bytes rather than reported as not checked. Each rule below was confirmed on the
// real files of ../shared/corpus/dss (tests/formats/cades_corpus_test.cpp): the recomputed imprint
// equals the one the TSA signed, which no wrong rule can produce by accident.

#include <openssl/err.h>

#include <algorithm>

#include "formats/cades.h"
#include "formats/cades_internal.h"
#include "formats/cades_oids.h"

namespace qualsig::formats::cades {
namespace {

class Hash {
 public:
  explicit Hash(const EVP_MD* md) : m_ctx(EVP_MD_CTX_new()) {
    m_ok = m_ctx && md != nullptr && EVP_DigestInit_ex(m_ctx.get(), md, nullptr) == 1;
  }
  void update(ByteView bytes) { m_ok = m_ok && EVP_DigestUpdate(m_ctx.get(), bytes.data(), bytes.size()) == 1; }
  Result<Bytes> final() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!m_ok || EVP_DigestFinal_ex(m_ctx.get(), out, &len) != 1)
      return fail(core::openssl_error(ErrorCode::internal, "digest failed"));
    return Bytes(out, out + len);
  }

 private:
  core::UniquePtr<EVP_MD_CTX> m_ctx;
  bool m_ok = false;
};

struct Attribute {
  cms::AttributePtr parsed;
  Bytes der;  // DER of the whole Attribute
};

Result<std::vector<Attribute>> unsigned_attributes(const QS_CADES_SIGNER_INFO* si) {
  std::vector<Attribute> out;
  for (int i = 0; i < sk_ASN1_TYPE_num(si->unsigned_attrs); ++i) {
    QS_TRY(cms::AttributePtr attr, cms::parse_attribute(sk_ASN1_TYPE_value(si->unsigned_attrs, i)));
    QS_TRY(Bytes der, cms::to_der(attr.get(), ASN1_ITEM_rptr(QS_CADES_ATTRIBUTE)));
    out.push_back({std::move(attr), std::move(der)});
  }
  return out;
}

bool holds(const Attribute& attr, ByteView token) {
  for (int j = 0; j < sk_ASN1_TYPE_num(attr.parsed->values); ++j) {
    auto der = cms::to_der(sk_ASN1_TYPE_value(attr.parsed->values, j));
    if (der && std::equal(der->begin(), der->end(), token.begin(), token.end())) return true;
  }
  return false;
}

bool is_one_of(const Attribute& attr, std::initializer_list<const char*> oids) {
  for (const char* o : oids)
    if (cms::oid_equals(attr.parsed->type, o)) return true;
  return false;
}

// RFC 5126 §6.3.5 NOTE: the attributes are included as "attrType and attrValues", i.e. the DER of
// the Attribute without its outer SEQUENCE tag and length.
Result<ByteView> type_and_values(const Attribute& attr) {
  const unsigned char* p = attr.der.data();
  long len = 0;
  int tag = 0, cls = 0;
  const int r = ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(attr.der.size()));
  if ((r & 0x80) != 0 || tag != V_ASN1_SEQUENCE) {
    ERR_clear_error();
    return fail(ErrorCode::internal, "attribute re-encoding is not a SEQUENCE");
  }
  return ByteView(p, static_cast<std::size_t>(len));
}

// Whether `attr`, an archive time-stamp attribute, was provably there before `self_time`: every
// one of its tokens has an earlier genTime.
bool archived_before(const Attribute& attr, const ASN1_GENERALIZEDTIME* self_time) {
  if (sk_ASN1_TYPE_num(attr.parsed->values) == 0) return false;
  for (int j = 0; j < sk_ASN1_TYPE_num(attr.parsed->values); ++j) {
    auto der = cms::to_der(sk_ASN1_TYPE_value(attr.parsed->values, j));
    if (!der) return false;
    auto info = detail::parse_token(*der);
    if (!info) return false;
    if (ASN1_TIME_compare(TS_TST_INFO_get_time(info->get()), self_time) >= 0) return false;
  }
  return true;
}

// RFC 5126 §6.4.1: "The value of the messageImprint field within TimeStampToken shall be a hash
// of the concatenation of:
//   - the encapContentInfo element of the SignedData sequence;
//   - any external content being protected by the signature, if the eContent element of the
//     encapContentInfo is omitted;
//   - the Certificates and crls elements of the SignedData sequence, when present, and;
//   - all data elements in the SignerInfo sequence including all signed and unsigned attributes."
// and NOTE 2: "all the data elements ... are DER encoded, including tag and length octets".
// "All unsigned attributes" are those the token could cover: every other attribute except the
// archive time-stamps not provably made before it (a later one covers this one, not the reverse).
// The unsignedAttrs keep their [1] tag; DER sorting of the SET may have put this token anywhere
// among them (the corpus files have it before the signature time-stamp), so stored position says
// nothing about what it covers.
Result<Bytes> archive_v2_imprint(const QS_CADES_CONTENT_INFO* ci, const QS_CADES_SIGNER_INFO* si,
                                 const std::vector<Attribute>& attrs, std::size_t self, ByteView token,
                                 std::optional<ByteView> detached_content, const EVP_MD* md) {
  const QS_CADES_SIGNED_DATA* sd = ci->signed_data;
  if (sd->encap_content->content == nullptr && !detached_content)
    return fail(ErrorCode::not_found, "detached content needed for the archive-time-stamp-v2 imprint");
  QS_TRY(auto info, detail::parse_token(token));
  const ASN1_GENERALIZEDTIME* self_time = TS_TST_INFO_get_time(info.get());

  Hash h(md);
  QS_TRY(Bytes encap, cms::to_der(sd->encap_content, ASN1_ITEM_rptr(QS_CADES_ENCAP_CONTENT)));
  h.update(encap);
  if (sd->encap_content->content == nullptr) h.update(*detached_content);
  if (sd->certificates != nullptr) {
    QS_TRY(Bytes certificates, cms::implicit_set(sd->certificates, 0));
    h.update(certificates);
  }
  if (sd->crls != nullptr) {
    QS_TRY(Bytes crls, cms::implicit_set(sd->crls, 1));
    h.update(crls);
  }
  QS_TRY(Bytes fields, detail::signer_info_fields(si));
  h.update(fields);
  STACK_OF(ASN1_TYPE)* covered = sk_ASN1_TYPE_new_null();
  if (covered == nullptr) return fail(ErrorCode::internal, "out of memory");
  struct Free {
    STACK_OF(ASN1_TYPE) * s;
    ~Free() { sk_ASN1_TYPE_free(s); }  // the elements are borrowed from si
  } free_covered{covered};
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    if (i == self) continue;
    const bool archive = is_one_of(attrs[i], {oid::kArchiveTimestampV1, oid::kArchiveTimestampV2, oid::kArchiveTimestampV3});
    if (archive && !archived_before(attrs[i], self_time)) continue;
    if (sk_ASN1_TYPE_push(covered, sk_ASN1_TYPE_value(si->unsigned_attrs, static_cast<int>(i))) <= 0)
      return fail(ErrorCode::internal, "out of memory");
  }
  QS_TRY(Bytes unsigned_attrs, cms::implicit_set(covered, 1));
  h.update(unsigned_attrs);
  return h.final();
}

// RFC 5126 §6.3.5 (esc-time-stamp): "a hash of the concatenated values (without the type or
// length encoding for that value) of the following data objects:
//   - OCTETSTRING of the SignatureValue field within SignerInfo;
//   - signature-time-stamp, or a time-mark operated by a Time-Marking Authority;
//   - complete-certificate-references attribute; and
//   - complete-revocation-references attribute."
// §6.3.6 (cert-crl-time-stamp): the two reference attributes only. The attribute-certificate
// and -revocation references join them when present (§6.3.5 NOTE). The attributes are taken in
// stored order: in Signature-C-X-1.p7m the revocation references come first, and only that order
// gives the TSA's imprint.
Result<Bytes> x_imprint(const QS_CADES_SIGNER_INFO* si, const std::vector<Attribute>& attrs, bool with_signature,
                        const EVP_MD* md) {
  Hash h(md);
  if (with_signature) h.update(ByteView(ASN1_STRING_get0_data(si->signature), static_cast<std::size_t>(ASN1_STRING_length(si->signature))));
  for (const Attribute& attr : attrs) {
    const bool covered = is_one_of(attr, {oid::kCertificateRefs, oid::kRevocationRefs, oid::kAttrCertificateRefs,
                                          oid::kAttrRevocationRefs}) ||
                         (with_signature && is_one_of(attr, {oid::kSignatureTimeStampToken}));
    if (!covered) continue;
    QS_TRY(ByteView part, type_and_values(attr));
    h.update(part);
  }
  return h.final();
}

}  // namespace

Result<Bytes> legacy_timestamp_imprint(ByteView cms_der, ByteView token, std::optional<ByteView> detached_content,
                                       const EVP_MD* md) {
  QS_TRY(cms::ContentInfoPtr ci, cms::parse_signed_data(cms_der));
  QS_TRY(QS_CADES_SIGNER_INFO * si, cms::sole_signer(ci.get()));
  QS_TRY(std::vector<Attribute> attrs, unsigned_attributes(si));
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    if (!holds(attrs[i], token)) continue;
    if (is_one_of(attrs[i], {oid::kArchiveTimestampV2}))
      return archive_v2_imprint(ci.get(), si, attrs, i, token, detached_content, md);
    if (is_one_of(attrs[i], {oid::kEscTimestamp})) return x_imprint(si, attrs, true, md);
    if (is_one_of(attrs[i], {oid::kCertCrlTimestamp})) return x_imprint(si, attrs, false, md);
    if (is_one_of(attrs[i], {oid::kArchiveTimestampV1}))
      return fail(ErrorCode::usage, "archive-time-stamp (v1, TS 101 733 V1.6) imprints are not computed by qualsig");
  }
  return fail(ErrorCode::invalid_input,
              "the token is not an archive-time-stamp-v2, esc-time-stamp or cert-crl-time-stamp of the signer");
}

}  // namespace qualsig::formats::cades
