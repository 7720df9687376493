// Extending CAdES signatures without touching signed bytes: B-B -> B-T (signature-time-stamp,
// EN 319 122-1 §5.3) and B-T -> B-LT (certificate and revocation values in SignedData).

#include <openssl/ocsp.h>
#include <openssl/ts.h>


#include "formats/cades_internal.h"
#include "formats/cades_oids.h"

// clang-format off

// RFC 5652 §10.2.1 / RFC 5940 §4.1:
//   OtherRevocationInfoFormat ::= SEQUENCE { otherRevInfoFormat OBJECT IDENTIFIER,
//                                            otherRevInfo ANY DEFINED BY otherRevInfoFormat }
// as the RevocationInfoChoice alternative "other [1] IMPLICIT OtherRevocationInfoFormat".
struct QS_CADES_OTHER_REVOCATION_INFO {
  ASN1_OBJECT* format;
  ASN1_TYPE* info;
};
DECLARE_ASN1_FUNCTIONS(QS_CADES_OTHER_REVOCATION_INFO)
ASN1_SEQUENCE(QS_CADES_OTHER_REVOCATION_INFO) = {
    ASN1_SIMPLE(QS_CADES_OTHER_REVOCATION_INFO, format, ASN1_OBJECT),
    ASN1_SIMPLE(QS_CADES_OTHER_REVOCATION_INFO, info, ASN1_ANY),
} ASN1_SEQUENCE_END(QS_CADES_OTHER_REVOCATION_INFO)
IMPLEMENT_ASN1_FUNCTIONS(QS_CADES_OTHER_REVOCATION_INFO)

typedef QS_CADES_OTHER_REVOCATION_INFO QS_CADES_OTHER_REVOCATION_CHOICE;
DECLARE_ASN1_ITEM(QS_CADES_OTHER_REVOCATION_CHOICE)
ASN1_ITEM_TEMPLATE(QS_CADES_OTHER_REVOCATION_CHOICE) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_IMPTAG | ASN1_TFLG_CONTEXT, 1, other, QS_CADES_OTHER_REVOCATION_INFO)
ASN1_ITEM_TEMPLATE_END(QS_CADES_OTHER_REVOCATION_CHOICE)

// clang-format on

namespace qualsig::formats::cades {
namespace {

using cms::Owned;

Result<void> check_certificate(ByteView der) {
  QS_TRY(auto cert, core::x509_from_der(der));
  (void)cert;
  return ok();
}

Result<void> check_crl(ByteView der) {
  const unsigned char* p = der.data();
  auto crl = core::wrap(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl || p != der.data() + der.size())
    return fail(core::openssl_error(ErrorCode::invalid_input, "not exactly one DER CRL (RFC 5280 §5.1)"));
  return ok();
}

Result<void> check_ocsp_response(ByteView der) {
  const unsigned char* p = der.data();
  auto resp = core::wrap(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
  if (!resp || p != der.data() + der.size())
    return fail(core::openssl_error(ErrorCode::invalid_input, "not exactly one DER OCSPResponse (RFC 6960 §4.2.1)"));
  if (OCSP_response_status(resp.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    return fail(ErrorCode::invalid_input, "OCSP response status is not successful");
  return ok();
}

// The RevocationInfoChoice "other" element for an OCSPResponse (RFC 5940 §4.1).
Result<Bytes> ocsp_revocation_choice(ByteView ocsp_der) {
  Owned<QS_CADES_OTHER_REVOCATION_INFO, QS_CADES_OTHER_REVOCATION_INFO_free> info(QS_CADES_OTHER_REVOCATION_INFO_new());
  if (!info) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  QS_TRY(cms::ObjectPtr format, cms::make_oid(oid::kRiOcspResponse));
  ASN1_OBJECT_free(info->format);
  info->format = format.release();
  QS_TRY(cms::AnyPtr value, cms::any_from_der(ocsp_der));
  ASN1_TYPE_free(info->info);
  info->info = value.release();
  return cms::to_der(info.get(), ASN1_ITEM_rptr(QS_CADES_OTHER_REVOCATION_CHOICE));
}

}  // namespace

const char* level_name(Level level) {
  switch (level) {
    case Level::b_b: return "B-B";
    case Level::b_t: return "B-T";
    case Level::b_lt: return "B-LT";
    case Level::b_lta: return "B-LTA";
  }
  return "?";
}

std::optional<Level> parse_level(std::string_view name) {
  for (Level l : {Level::b_b, Level::b_t, Level::b_lt, Level::b_lta})
    if (name == level_name(l)) return l;
  return std::nullopt;
}

namespace detail {

Result<void> add_unsigned_attribute(QS_CADES_SIGNER_INFO* si, const char* oid, ByteView value_der) {
  QS_TRY(cms::AnyPtr attr, cms::make_attribute(oid, {Bytes(value_der.begin(), value_der.end())}));
  QS_TRY(Bytes der, cms::to_der(attr.get()));
  return cms::push_raw(&si->unsigned_attrs, der);
}

Result<cms::Owned<TS_TST_INFO, TS_TST_INFO_free>> parse_token(ByteView token) {
  // Read with the order-preserving SignedData view rather than d2i_PKCS7: real tokens carry
  // CertificateChoices (attribute certificates) that OpenSSL's PKCS7 type cannot hold.
  QS_TRY(cms::ContentInfoPtr ci, cms::parse_signed_data(token));
  const QS_CADES_ENCAP_CONTENT* encap = ci->signed_data->encap_content;
  if (!cms::oid_equals(encap->type, oid::kTstInfo) || encap->content == nullptr)
    return fail(ErrorCode::invalid_input, "time-stamp token does not hold a TSTInfo (RFC 3161 §2.4.2)");
  const unsigned char* p = ASN1_STRING_get0_data(encap->content);
  const long len = ASN1_STRING_length(encap->content);
  cms::Owned<TS_TST_INFO, TS_TST_INFO_free> info(d2i_TS_TST_INFO(nullptr, &p, len));
  if (!info || p != ASN1_STRING_get0_data(encap->content) + len)
    return fail(core::openssl_error(ErrorCode::invalid_input, "malformed TSTInfo (RFC 3161 §2.4.2)"));
  return info;
}

Result<TokenImprint> token_imprint(ByteView token) {
  QS_TRY(auto info, parse_token(token));
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info.get());
  QS_TRY(core::DigestAlgorithm alg, cms::digest_of(TS_MSG_IMPRINT_get_algo(imprint)));
  const ASN1_OCTET_STRING* msg = TS_MSG_IMPRINT_get_msg(imprint);
  return TokenImprint{alg, Bytes(ASN1_STRING_get0_data(msg), ASN1_STRING_get0_data(msg) + ASN1_STRING_length(msg))};
}

Result<Bytes> request_timestamp(const TimestampFn& timestamp, ByteView digest, core::DigestAlgorithm alg) {
  if (!timestamp) return fail(ErrorCode::usage, "no time-stamp function");
  QS_TRY(Bytes token, timestamp(digest, alg));
  QS_TRY(TokenImprint imprint, token_imprint(token));
  if (imprint.alg != alg || !std::equal(imprint.digest.begin(), imprint.digest.end(), digest.begin(), digest.end()))
    return fail(ErrorCode::invalid_input, "the TSA returned a token for another message imprint");
  return token;
}

Result<Bytes> signed_attribute(const QS_CADES_SIGNER_INFO* si, const char* oid) {
  QS_TRY(std::vector<Bytes> values, cms::attribute_values(si->signed_attrs, oid));
  if (values.size() != 1)
    return fail(ErrorCode::invalid_input, std::string("expected exactly one signed attribute value ") + oid);
  return std::move(values.front());
}

Result<Bytes> content_digest_for(const QS_CADES_CONTENT_INFO* ci, std::optional<ByteView> detached_content_digest,
                                 core::DigestAlgorithm alg) {
  const ASN1_OCTET_STRING* content = ci->signed_data->encap_content->content;
  if (content != nullptr) {
    if (detached_content_digest) return fail(ErrorCode::usage, "the signature is enveloping: pass no document digest");
    return core::digest(alg, ByteView(ASN1_STRING_get0_data(content), static_cast<std::size_t>(ASN1_STRING_length(content))));
  }
  if (!detached_content_digest) return fail(ErrorCode::usage, "the signature is detached: the document digest is needed");
  if (detached_content_digest->size() != core::digest_size(alg))
    return fail(ErrorCode::usage, std::string("the document digest is not a ") + core::digest_name(alg) + " digest");
  return Bytes(detached_content_digest->begin(), detached_content_digest->end());
}

}  // namespace detail

Result<Bytes> add_signature_timestamp(ByteView cms_der, const TimestampFn& timestamp) {
  QS_TRY(cms::ContentInfoPtr ci, cms::parse_signed_data(cms_der));
  QS_TRY(QS_CADES_SIGNER_INFO * si, cms::sole_signer(ci.get()));
  QS_TRY(core::DigestAlgorithm alg, cms::digest_of(si->digest_algorithm));
  // EN 319 122-1 §5.3: "the value of the messageImprint field within TSTInfo ... shall be the hash
  // of the value octets of the signature field within SignerInfo for the signedData being
  // time-stamped."
  Bytes imprint = core::digest(alg, ByteView(ASN1_STRING_get0_data(si->signature),
                                             static_cast<std::size_t>(ASN1_STRING_length(si->signature))));
  QS_TRY(Bytes token, detail::request_timestamp(timestamp, imprint, alg));
  QS_TRY_VOID(detail::add_unsigned_attribute(si, oid::kSignatureTimeStampToken, token));
  return cms::encode(ci.get());
}

Result<Bytes> add_validation_data(ByteView cms_der, const ValidationData& data) {
  if (data.certificates.empty() && data.ocsp_responses.empty() && data.crls.empty())
    return fail(ErrorCode::usage, "no validation data to add");
  QS_TRY(cms::ContentInfoPtr ci, cms::parse_signed_data(cms_der));
  QS_TRY(QS_CADES_SIGNER_INFO * si, cms::sole_signer(ci.get()));
  QS_TRY(std::vector<Bytes> timestamps, cms::attribute_values(si->unsigned_attrs, oid::kSignatureTimeStampToken));
  if (timestamps.empty()) return fail(ErrorCode::conflict, "B-LT needs a signature-time-stamp (B-T) first");
  QS_CADES_SIGNED_DATA* sd = ci->signed_data;
  for (const Bytes& cert : data.certificates) {
    QS_TRY_VOID(check_certificate(cert));
    QS_TRY_VOID(detail::add_certificate(sd, cert));
  }
  for (const Bytes& crl : data.crls) {
    QS_TRY_VOID(check_crl(crl));
    if (!cms::contains_raw(sd->crls, crl)) QS_TRY_VOID(cms::push_raw(&sd->crls, crl));
  }
  for (const Bytes& ocsp : data.ocsp_responses) {
    QS_TRY_VOID(check_ocsp_response(ocsp));
    QS_TRY(Bytes choice, ocsp_revocation_choice(ocsp));
    if (!cms::contains_raw(sd->crls, choice)) QS_TRY_VOID(cms::push_raw(&sd->crls, choice));
  }
  // RFC 5652 §5.1: "IF ((certificates is present) AND (any certificates with a type of other are
  // present)) OR ((crls is present) AND (any crls with a type of other are present)) THEN version
  // MUST be 5".
  if (!data.ocsp_responses.empty() && ASN1_INTEGER_get(sd->version) < 5 && ASN1_INTEGER_set(sd->version, 5) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  return cms::encode(ci.get());
}

}  // namespace qualsig::formats::cades
