// B-LTA: the archive-time-stamp-v3 attribute and its ats-hash-index-v3 (ETSI EN 319 122-1
// §5.5.2, §5.5.3). Checked against a real DSS-made B-LTA signature in
// tests/formats/cades_corpus_test.cpp.

#include <openssl/err.h>

#include <algorithm>
#include <set>

#include "formats/cades_internal.h"
#include "formats/cades_oids.h"

namespace qualsig::formats::cades {
namespace {

using cms::Owned;
// Hex strings, not Bytes: GCC 12 at -O3 reports a false -Wstringop-overread for std::set<Bytes>.
using HashSet = std::set<std::string>;

Result<void> push_hash(STACK_OF(QS_CADES_HASH) * stack, const Bytes& hash) {
  Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> os(ASN1_OCTET_STRING_new());
  if (!os || ASN1_OCTET_STRING_set(os.get(), hash.data(), static_cast<int>(hash.size())) != 1 ||
      sk_QS_CADES_HASH_push(stack, os.get()) <= 0)
    return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  os.release();
  return ok();
}

// §5.5.2: "certificatesHashIndex ... Each one contains the hash value of one instance of
// CertificateChoices within certificates field of the root SignedData"; crlsHashIndex likewise for
// RevocationInfoChoice within crls. Hashes of the stored encodings.
Result<std::vector<Bytes>> element_hashes(const STACK_OF(ASN1_TYPE) * elements, core::DigestAlgorithm alg) {
  std::vector<Bytes> out;
  for (int i = 0; i < sk_ASN1_TYPE_num(elements); ++i) {
    QS_TRY(Bytes der, cms::to_der(sk_ASN1_TYPE_value(elements, i)));
    out.push_back(core::digest(alg, der));
  }
  return out;
}

// §5.5.2 (V1.1.1): "unsignedAttrValuesHashIndex ... Each one shall contain the hash value of the
// octets resulting from concatenating the Attribute.attrType field and one of the instances of
// AttributeValue within the Attribute.attrValues within the unsignedAttrs field."
// With `of_type`, only the values of attributes of that type (OID text), in stored order.
Result<std::vector<Bytes>> unsigned_value_hashes(const QS_CADES_SIGNER_INFO* si, core::DigestAlgorithm alg,
                                                 const char* of_type = nullptr) {
  std::vector<Bytes> out;
  for (int i = 0; i < sk_ASN1_TYPE_num(si->unsigned_attrs); ++i) {
    QS_TRY(cms::AttributePtr attr, cms::parse_attribute(sk_ASN1_TYPE_value(si->unsigned_attrs, i)));
    if (of_type != nullptr && cms::oid_text(attr->type) != of_type) continue;
    QS_TRY(Bytes type, cms::to_der(attr->type, ASN1_ITEM_rptr(ASN1_OBJECT)));
    for (int j = 0; j < sk_ASN1_TYPE_num(attr->values); ++j) {
      QS_TRY(Bytes value, cms::to_der(sk_ASN1_TYPE_value(attr->values, j)));
      Bytes input = type;
      input.insert(input.end(), value.begin(), value.end());
      out.push_back(core::digest(alg, input));
    }
  }
  return out;
}

struct HashIndex {
  core::DigestAlgorithm alg;
  std::vector<Bytes> certificates, crls, unsigned_attr_values;
};

std::vector<Bytes> octets_of(const STACK_OF(QS_CADES_HASH) * stack) {
  std::vector<Bytes> out;
  for (int i = 0; i < sk_QS_CADES_HASH_num(stack); ++i) {
    const ASN1_OCTET_STRING* os = sk_QS_CADES_HASH_value(stack, i);
    out.emplace_back(ASN1_STRING_get0_data(os), ASN1_STRING_get0_data(os) + ASN1_STRING_length(os));
  }
  return out;
}

// Reads an ATSHashIndexV3 with or without its hashIndAlgorithm (DEFAULT id-sha256).
Result<HashIndex> parse_hash_index(ByteView der) {
  const unsigned char* p = der.data();
  Owned<QS_CADES_ATS_HASH_INDEX_V3, QS_CADES_ATS_HASH_INDEX_V3_free> full(
      d2i_QS_CADES_ATS_HASH_INDEX_V3(nullptr, &p, static_cast<long>(der.size())));
  if (full && p == der.data() + der.size()) {
    QS_TRY(core::DigestAlgorithm alg, cms::digest_of(full->hash_algorithm));
    return HashIndex{alg, octets_of(full->certificates), octets_of(full->crls), octets_of(full->unsigned_attr_values)};
  }
  ERR_clear_error();
  p = der.data();
  Owned<QS_CADES_ATS_HASH_INDEX_V3_DEFAULT, QS_CADES_ATS_HASH_INDEX_V3_DEFAULT_free> dflt(
      d2i_QS_CADES_ATS_HASH_INDEX_V3_DEFAULT(nullptr, &p, static_cast<long>(der.size())));
  if (dflt && p == der.data() + der.size())
    return HashIndex{core::DigestAlgorithm::sha256, octets_of(dflt->certificates), octets_of(dflt->crls),
                     octets_of(dflt->unsigned_attr_values)};
  return fail(core::openssl_error(ErrorCode::invalid_input, "malformed ats-hash-index-v3 (EN 319 122-1 §5.5.2)"));
}

// The ats-hash-index-v3 a token carries as an unsigned attribute (§5.5.3): its stored value and
// its reading.
struct TokenIndex {
  Bytes der;
  HashIndex index;
};
Result<TokenIndex> token_hash_index(ByteView token) {
  QS_TRY(cms::ContentInfoPtr token_ci, cms::parse_signed_data(token));
  QS_TRY(QS_CADES_SIGNER_INFO * token_si, cms::sole_signer(token_ci.get()));
  QS_TRY(std::vector<Bytes> indexes, cms::attribute_values(token_si->unsigned_attrs, oid::kAtsHashIndexV3));
  if (indexes.size() != 1)
    return fail(ErrorCode::invalid_input, "the archive time-stamp token has no single ats-hash-index-v3");
  QS_TRY(HashIndex index, parse_hash_index(indexes.front()));
  return TokenIndex{std::move(indexes.front()), std::move(index)};
}

// §5.5.2: "The ats-hash-index-v3 is invalid if it contains a reference for which the original
// value is not found".
Result<void> check_references(const std::vector<Bytes>& referenced, const std::vector<Bytes>& present, const char* what) {
  HashSet have;
  for (const Bytes& h : present) have.insert(hex_encode(h));
  for (const Bytes& h : referenced)
    if (have.count(hex_encode(h)) == 0)
      return fail(ErrorCode::denied, std::string("ats-hash-index-v3 references a ") + what + " the signature does not hold");
  return ok();
}

Result<Bytes> message_digest_value(const QS_CADES_SIGNER_INFO* si) {
  QS_TRY(Bytes raw, detail::signed_attribute(si, oid::kMessageDigest));
  const unsigned char* p = raw.data();
  Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> os(d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(raw.size())));
  if (!os || p != raw.data() + raw.size()) return fail(ErrorCode::invalid_input, "malformed message-digest attribute");
  return Bytes(ASN1_STRING_get0_data(os.get()), ASN1_STRING_get0_data(os.get()) + ASN1_STRING_length(os.get()));
}

}  // namespace

namespace detail {

Result<Bytes> build_ats_hash_index(const QS_CADES_SIGNED_DATA* sd, const QS_CADES_SIGNER_INFO* si,
                                   core::DigestAlgorithm alg) {
  Owned<QS_CADES_ATS_HASH_INDEX_V3, QS_CADES_ATS_HASH_INDEX_V3_free> index(QS_CADES_ATS_HASH_INDEX_V3_new());
  if (!index) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  // hashIndAlgorithm is written although SHA-256 is its DEFAULT: DSS, the reference validator,
  // writes it always and older DSS versions required it.
  QS_TRY(cms::AlgorPtr algor, cms::digest_algorithm_identifier(alg));
  X509_ALGOR_free(index->hash_algorithm);
  index->hash_algorithm = algor.release();
  QS_TRY(std::vector<Bytes> certs, element_hashes(sd->certificates, alg));
  QS_TRY(std::vector<Bytes> crls, element_hashes(sd->crls, alg));
  QS_TRY(std::vector<Bytes> values, unsigned_value_hashes(si, alg));
  for (const Bytes& h : certs) QS_TRY_VOID(push_hash(index->certificates, h));
  for (const Bytes& h : crls) QS_TRY_VOID(push_hash(index->crls, h));
  for (const Bytes& h : values) QS_TRY_VOID(push_hash(index->unsigned_attr_values, h));
  return cms::to_der(index.get(), ASN1_ITEM_rptr(QS_CADES_ATS_HASH_INDEX_V3));
}

Result<Bytes> signer_info_fields(const QS_CADES_SIGNER_INFO* si) {
  Bytes out;
  auto append = [&out](Result<Bytes> der) -> Result<void> {
    if (!der) return fail(der.error());
    out.insert(out.end(), der->begin(), der->end());
    return ok();
  };
  QS_TRY_VOID(append(cms::to_der(si->version, ASN1_ITEM_rptr(ASN1_INTEGER))));
  QS_TRY_VOID(append(cms::to_der(si->sid)));
  QS_TRY_VOID(append(cms::to_der(si->digest_algorithm, ASN1_ITEM_rptr(X509_ALGOR))));
  if (si->signed_attrs != nullptr) QS_TRY_VOID(append(cms::signed_attrs_as_stored(si)));
  QS_TRY_VOID(append(cms::to_der(si->signature_algorithm, ASN1_ITEM_rptr(X509_ALGOR))));
  QS_TRY_VOID(append(cms::to_der(si->signature, ASN1_ITEM_rptr(ASN1_OCTET_STRING))));
  return out;
}

Result<Bytes> ats_v3_imprint(const QS_CADES_CONTENT_INFO* ci, const QS_CADES_SIGNER_INFO* si, ByteView content_digest,
                             ByteView ats_hash_index_der, core::DigestAlgorithm alg) {
  // §5.5.3: "The input for the archive-time-stamp-v3's message imprint computation shall be the
  // concatenation (in the order shown by the list below) of the signed data hash (see bullet 2
  // below) and certain fields in their binary encoded form without any modification and including
  // the tag, length and value octets:
  //   1) The SignedData.encapContentInfo.eContentType.
  //   2) The octets representing the hash of the signed data. ...
  //   3) The fields version, sid, digestAlgorithm, signedAttrs, signatureAlgorithm, and signature
  //      within the SignedData.signerInfos's item corresponding to the signature being archive
  //      time-stamped, in their order of appearance.
  //   4) A single instance of ATSHashIndexV3 type ... contained in the ats-hash-index-v3 attribute."
  auto ctx = core::wrap(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), core::evp_md(alg), nullptr) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "cannot start a digest"));
  auto update = [&](ByteView bytes) -> Result<void> {
    if (EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1)
      return fail(core::openssl_error(ErrorCode::internal, "digest update failed"));
    return ok();
  };
  QS_TRY(Bytes content_type, cms::to_der(ci->signed_data->encap_content->type, ASN1_ITEM_rptr(ASN1_OBJECT)));
  QS_TRY_VOID(update(content_type));
  QS_TRY_VOID(update(content_digest));
  QS_TRY(Bytes fields, signer_info_fields(si));
  QS_TRY_VOID(update(fields));
  QS_TRY_VOID(update(ats_hash_index_der));
  return detail::digest_final(ctx.get(), alg);
}

}  // namespace detail

Result<Bytes> add_archive_timestamp(ByteView cms_der, std::optional<ByteView> detached_content_digest,
                                    const TimestampFn& timestamp) {
  QS_TRY(cms::ContentInfoPtr ci, cms::parse_signed_data(cms_der));
  QS_TRY(QS_CADES_SIGNER_INFO * si, cms::sole_signer(ci.get()));
  QS_TRY(core::DigestAlgorithm alg, cms::digest_of(si->digest_algorithm));
  QS_TRY(std::vector<Bytes> timestamps, cms::attribute_values(si->unsigned_attrs, oid::kSignatureTimeStampToken));
  if (timestamps.empty() || sk_ASN1_TYPE_num(ci->signed_data->crls) < 1)
    return fail(ErrorCode::conflict, "B-LTA needs a B-LT signature (signature-time-stamp and revocation data) first");
  QS_TRY(Bytes content_digest, detail::content_digest_for(ci.get(), detached_content_digest, alg));
  if (detached_content_digest) {
    QS_TRY(Bytes signed_digest, message_digest_value(si));
    if (signed_digest != content_digest)
      return fail(ErrorCode::invalid_input, "the document digest does not match the signature's message-digest");
  }
  QS_TRY(Bytes index, detail::build_ats_hash_index(ci->signed_data, si, alg));
  QS_TRY(Bytes imprint, detail::ats_v3_imprint(ci.get(), si, content_digest, index, alg));
  QS_TRY(Bytes token, detail::request_timestamp(timestamp, imprint, alg));
  // §5.5.3: "The archive-time-stamp-v3 attribute ... shall contain the ats-hash-index-v3 attribute
  // ... as an unsigned attribute" of the time-stamp token's SignerInfo.
  QS_TRY(cms::ContentInfoPtr token_ci, cms::parse_signed_data(token));
  QS_TRY(QS_CADES_SIGNER_INFO * token_si, cms::sole_signer(token_ci.get()));
  QS_TRY_VOID(detail::add_unsigned_attribute(token_si, oid::kAtsHashIndexV3, index));
  QS_TRY(Bytes archive_token, cms::encode(token_ci.get()));
  QS_TRY_VOID(detail::add_unsigned_attribute(si, oid::kArchiveTimestampV3, archive_token));
  return cms::encode(ci.get());
}

Result<Bytes> archive_timestamp_imprint(ByteView cms_der, ByteView archive_timestamp_token,
                                        std::optional<ByteView> detached_content_digest) {
  QS_TRY(cms::ContentInfoPtr ci, cms::parse_signed_data(cms_der));
  QS_TRY(QS_CADES_SIGNER_INFO * si, cms::sole_signer(ci.get()));
  QS_TRY(detail::TokenImprint token_imprint, detail::token_imprint(archive_timestamp_token));
  QS_TRY(TokenIndex stored, token_hash_index(archive_timestamp_token));
  const HashIndex& index = stored.index;
  // §5.5.2: hashIndAlgorithm "shall be the same as the hash algorithm used for computing the
  // archive time-stamp's message imprint".
  if (index.alg != token_imprint.alg)
    return fail(ErrorCode::invalid_input, "ats-hash-index-v3 and the time-stamp use different hash algorithms");
  QS_TRY(std::vector<Bytes> certs, element_hashes(ci->signed_data->certificates, index.alg));
  QS_TRY(std::vector<Bytes> crls, element_hashes(ci->signed_data->crls, index.alg));
  QS_TRY(std::vector<Bytes> values, unsigned_value_hashes(si, index.alg));
  QS_TRY_VOID(check_references(index.certificates, certs, "certificate"));
  QS_TRY_VOID(check_references(index.crls, crls, "CRL or OCSP response"));
  QS_TRY_VOID(check_references(index.unsigned_attr_values, values, "unsigned attribute value"));
  QS_TRY(Bytes content_digest, detail::content_digest_for(ci.get(), detached_content_digest, index.alg));
  return detail::ats_v3_imprint(ci.get(), si, content_digest, stored.der, index.alg);
}

namespace {

// The positions of the sole signer's unsigned attribute values (of type `of_type`, or all) whose
// hash the token's ats-hash-index-v3 lists, in stored order.
Result<std::vector<std::size_t>> listed_values(ByteView cms_der, ByteView archive_timestamp_token, const char* of_type) {
  QS_TRY(cms::ContentInfoPtr ci, cms::parse_signed_data(cms_der));
  QS_TRY(QS_CADES_SIGNER_INFO * si, cms::sole_signer(ci.get()));
  QS_TRY(TokenIndex stored, token_hash_index(archive_timestamp_token));
  HashSet listed;
  for (const Bytes& h : stored.index.unsigned_attr_values) listed.insert(hex_encode(h));
  QS_TRY(std::vector<Bytes> values, unsigned_value_hashes(si, stored.index.alg, of_type));
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < values.size(); ++k)
    if (listed.count(hex_encode(values[k])) != 0) out.push_back(k);
  return out;
}

}  // namespace

Result<std::vector<std::size_t>> archived_counter_signatures(ByteView cms_der, ByteView archive_timestamp_token) {
  // In stored order: the order counter_signatures numbers them in.
  return listed_values(cms_der, archive_timestamp_token, oid::kCountersignature);
}

Result<std::vector<std::size_t>> archived_unsigned_values(ByteView cms_der, ByteView archive_timestamp_token) {
  return listed_values(cms_der, archive_timestamp_token, nullptr);
}

}  // namespace qualsig::formats::cades
