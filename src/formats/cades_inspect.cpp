// Reading a CAdES signature: level, content, signer, time-stamps (EN 319 122-1 §5, §6).

#include <openssl/pkcs7.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "formats/cades_internal.h"
#include "formats/cades_oids.h"

// clang-format off

// RFC 5652 §5.3:  SignerIdentifier ::= CHOICE { issuerAndSerialNumber IssuerAndSerialNumber,
//                                               subjectKeyIdentifier [0] SubjectKeyIdentifier }
typedef ASN1_OCTET_STRING QS_CADES_SUBJECT_KEY_ID;
DECLARE_ASN1_ITEM(QS_CADES_SUBJECT_KEY_ID)
ASN1_ITEM_TEMPLATE(QS_CADES_SUBJECT_KEY_ID) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_IMPTAG | ASN1_TFLG_CONTEXT, 0, subjectKeyIdentifier, ASN1_OCTET_STRING)
ASN1_ITEM_TEMPLATE_END(QS_CADES_SUBJECT_KEY_ID)

// clang-format on

namespace qualsig::formats::cades {
namespace {

using cms::Owned;

// RFC 5652 §11.3: "The SignedAttributes ... MUST NOT include multiple instances of the
// signing-time attribute"; SigningTime ::= Time (UTCTime or GeneralizedTime).
Result<std::optional<TimePoint>> signing_time_of(const QS_CADES_SIGNER_INFO* si) {
  QS_TRY(std::vector<Bytes> values, cms::attribute_values(si->signed_attrs, oid::kSigningTime));
  if (values.empty()) return std::optional<TimePoint>();
  if (values.size() != 1) return fail(ErrorCode::invalid_input, "more than one signing-time value");
  const unsigned char* p = values.front().data();
  Owned<ASN1_TIME, ASN1_TIME_free> time(d2i_ASN1_TIME(nullptr, &p, static_cast<long>(values.front().size())));
  std::tm tm{};
  if (!time || p != values.front().data() + values.front().size() || ASN1_TIME_to_tm(time.get(), &tm) != 1)
    return fail(ErrorCode::invalid_input, "malformed signing-time attribute");
  using namespace std::chrono;
  sys_days day = year{tm.tm_year + 1900} / month{static_cast<unsigned>(tm.tm_mon + 1)} / static_cast<unsigned>(tm.tm_mday);
  return std::optional<TimePoint>(day + hours{tm.tm_hour} + minutes{tm.tm_min} + seconds{tm.tm_sec});
}

// The certificate the SignerIdentifier names, among SignedData.certificates; empty if absent.
Result<Bytes> signer_certificate_of(const QS_CADES_SIGNED_DATA* sd, const QS_CADES_SIGNER_INFO* si) {
  QS_TRY(Bytes sid, cms::to_der(si->sid));
  const unsigned char* p = sid.data();
  Owned<PKCS7_ISSUER_AND_SERIAL, PKCS7_ISSUER_AND_SERIAL_free> ias;
  Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> ski;
  if (si->sid->type == V_ASN1_SEQUENCE) {
    ias.reset(d2i_PKCS7_ISSUER_AND_SERIAL(nullptr, &p, static_cast<long>(sid.size())));
  } else {
    ski.reset(reinterpret_cast<ASN1_OCTET_STRING*>(
        ASN1_item_d2i(nullptr, &p, static_cast<long>(sid.size()), ASN1_ITEM_rptr(QS_CADES_SUBJECT_KEY_ID))));
  }
  if ((!ias && !ski) || p != sid.data() + sid.size())
    return fail(core::openssl_error(ErrorCode::invalid_input, "malformed SignerIdentifier (RFC 5652 §5.3)"));
  for (int i = 0; i < sk_ASN1_TYPE_num(sd->certificates); ++i) {
    const ASN1_TYPE* choice = sk_ASN1_TYPE_value(sd->certificates, i);
    if (choice->type != V_ASN1_SEQUENCE) continue;  // other CertificateChoices are never signer certificates here
    QS_TRY(Bytes der, cms::to_der(choice));
    QS_TRY(auto cert, core::x509_from_der(der));
    bool match = false;
    if (ias) {
      match = X509_NAME_cmp(ias->issuer, X509_get_issuer_name(cert.get())) == 0 &&
              ASN1_INTEGER_cmp(ias->serial, X509_get0_serialNumber(cert.get())) == 0;
    } else {
      const ASN1_OCTET_STRING* key_id = X509_get0_subject_key_id(cert.get());
      match = key_id != nullptr && ASN1_OCTET_STRING_cmp(key_id, ski.get()) == 0;
    }
    if (match) return der;
  }
  return Bytes{};
}

Result<void> check_counter_signature(const Bytes& der) {
  const unsigned char* p = der.data();
  cms::SignerInfoPtr si(d2i_QS_CADES_SIGNER_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!si || p != der.data() + der.size())
    return fail(core::openssl_error(ErrorCode::invalid_input, "malformed countersignature (RFC 5652 §11.4)"));
  return ok();
}

}  // namespace

Result<std::vector<CounterSignature>> counter_signatures(ByteView cms_der, std::size_t signer, std::size_t max) {
  QS_TRY(cms::ContentInfoPtr ci, cms::parse_signed_data(cms_der));
  QS_CADES_SIGNED_DATA* sd = ci->signed_data;
  if (signer >= static_cast<std::size_t>(sk_QS_CADES_SIGNER_INFO_num(sd->signer_infos)))
    return fail(ErrorCode::invalid_input, "the SignedData has no SignerInfo " + std::to_string(signer + 1));
  struct Pending {
    std::vector<std::size_t> path;
    Bytes countersigned_value;  // the parent's signature value octets
    Bytes counter;              // the countersignature attribute value (a SignerInfo)
  };
  std::vector<Pending> pending;  // a stack: depth first, in stored order
  auto push_counters = [&pending](const std::vector<std::size_t>& path, const QS_CADES_SIGNER_INFO* si) -> Result<void> {
    QS_TRY(std::vector<Bytes> values, cms::attribute_values(si->unsigned_attrs, oid::kCountersignature));
    Bytes value(ASN1_STRING_get0_data(si->signature), ASN1_STRING_get0_data(si->signature) + ASN1_STRING_length(si->signature));
    for (std::size_t k = values.size(); k-- > 0;) {
      std::vector<std::size_t> child = path;
      child.push_back(k);
      pending.push_back({std::move(child), value, std::move(values[k])});
    }
    return ok();
  };
  QS_TRY_VOID(push_counters({}, sk_QS_CADES_SIGNER_INFO_value(sd->signer_infos, static_cast<int>(signer))));

  // Each countersignature is written into the parsed SignedData in place of its signers, digest
  // algorithms and content, encoded, and the originals put back.
  Owned<QS_CADES_ENCAP_CONTENT, QS_CADES_ENCAP_CONTENT_free> encap(QS_CADES_ENCAP_CONTENT_new());
  if (!encap) return fail(ErrorCode::internal, "out of memory");
  QS_TRY(auto id_data, cms::make_oid(oid::kData));
  encap->type = id_data.release();
  encap->content = ASN1_OCTET_STRING_new();
  if (encap->content == nullptr) return fail(ErrorCode::internal, "out of memory");
  std::vector<CounterSignature> out;
  while (!pending.empty()) {
    Pending p = std::move(pending.back());
    pending.pop_back();
    if (out.size() == max)
      return fail(ErrorCode::invalid_input, "more than " + std::to_string(max) + " countersignatures of one signature");
    const unsigned char* q = p.counter.data();
    cms::SignerInfoPtr counter(d2i_QS_CADES_SIGNER_INFO(nullptr, &q, static_cast<long>(p.counter.size())));
    if (!counter || q != p.counter.data() + p.counter.size())
      return fail(core::openssl_error(ErrorCode::invalid_input, "malformed countersignature (RFC 5652 §11.4)"));
    QS_TRY_VOID(push_counters(p.path, counter.get()));
    if (ASN1_OCTET_STRING_set(encap->content, p.countersigned_value.data(), static_cast<int>(p.countersigned_value.size())) != 1)
      return fail(ErrorCode::internal, "out of memory");
    STACK_OF(QS_CADES_SIGNER_INFO)* signers = sk_QS_CADES_SIGNER_INFO_new_null();
    STACK_OF(X509_ALGOR)* digests = sk_X509_ALGOR_new_null();
    X509_ALGOR* digest = X509_ALGOR_dup(counter->digest_algorithm);
    if (digest != nullptr && sk_X509_ALGOR_push(digests, digest) <= 0) {
      X509_ALGOR_free(digest);
      digest = nullptr;
    }
    bool built = signers != nullptr && digest != nullptr && sk_QS_CADES_SIGNER_INFO_push(signers, counter.get()) > 0;
    Result<Bytes> der = fail(ErrorCode::internal, "out of memory");
    if (built) {
      std::swap(sd->signer_infos, signers);
      std::swap(sd->digest_algorithms, digests);
      QS_CADES_ENCAP_CONTENT* original = std::exchange(sd->encap_content, encap.get());
      der = cms::encode(ci.get());
      sd->encap_content = original;
      std::swap(sd->digest_algorithms, digests);
      std::swap(sd->signer_infos, signers);
    }
    sk_QS_CADES_SIGNER_INFO_free(signers);  // the SignerInfo itself stays owned by `counter`
    sk_X509_ALGOR_pop_free(digests, X509_ALGOR_free);
    QS_TRY(Bytes encoded, std::move(der));
    out.push_back({std::move(p.path), std::move(encoded)});
  }
  return out;
}

Result<SignatureInfo> inspect(ByteView cms_der) {
  QS_TRY(cms::ContentInfoPtr ci, cms::parse_signed_data(cms_der));
  const QS_CADES_SIGNED_DATA* sd = ci->signed_data;
  const QS_CADES_SIGNER_INFO* si = sk_QS_CADES_SIGNER_INFO_value(sd->signer_infos, 0);
  SignatureInfo info;
  info.signer_count = static_cast<std::size_t>(sk_QS_CADES_SIGNER_INFO_num(sd->signer_infos));
  info.detached = sd->encap_content->content == nullptr;
  if (auto alg = cms::digest_of(si->digest_algorithm)) info.digest = *alg;
  QS_TRY(info.signing_time, signing_time_of(si));
  QS_TRY(info.signer_certificate, signer_certificate_of(sd, si));
  // attribute_values decodes every attribute of the set, so each signed attribute (read for the
  // signing time above) and unsigned attribute (below) must be well-formed.
  QS_TRY(info.signature_timestamps, cms::attribute_values(si->unsigned_attrs, oid::kSignatureTimeStampToken));
  QS_TRY(info.archive_timestamps, cms::attribute_values(si->unsigned_attrs, oid::kArchiveTimestampV3));
  for (const Bytes& token : info.signature_timestamps) QS_TRY_VOID(detail::parse_token(token));
  for (const Bytes& token : info.archive_timestamps) QS_TRY_VOID(detail::parse_token(token));
  QS_TRY(std::vector<Bytes> counters, cms::attribute_values(si->unsigned_attrs, oid::kCountersignature));
  for (const Bytes& counter : counters) QS_TRY_VOID(check_counter_signature(counter));
  info.counter_signatures = counters.size();
  info.certificates = static_cast<std::size_t>(std::max(0, sk_ASN1_TYPE_num(sd->certificates)));
  info.revocation_values = static_cast<std::size_t>(std::max(0, sk_ASN1_TYPE_num(sd->crls)));

  if (!info.archive_timestamps.empty()) {
    info.level = Level::b_lta;
  } else if (!info.signature_timestamps.empty()) {
    info.level = info.revocation_values > 0 ? Level::b_lt : Level::b_t;
  } else {
    info.level = Level::b_b;
  }
  return info;
}

}  // namespace qualsig::formats::cades
