// Creating CAdES signatures: the B-B SignerInfo (EN 319 122-1 §5.1/§5.2 signed attributes), the
// detached and enveloping SignedData around it, countersignatures, and the streamed file digest.

#include <openssl/ess.h>
#include <openssl/pkcs7.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "formats/cades_internal.h"
#include "formats/cades_oids.h"

namespace qualsig::formats::cades {
namespace {

using cms::Owned;

constexpr std::size_t kFileChunk = 1u << 20;

bool is_ec(hsm::KeyType type) { return type == hsm::KeyType::ec_p256 || type == hsm::KeyType::ec_p384; }

// X.690 §11.6: "the encodings of the component values of a set-of value shall appear in ascending
// order, the encodings being compared as octet strings with the shorter components being padded
// at their trailing end with 0-octets".
bool der_set_less(const Bytes& a, const Bytes& b) {
  std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

Result<Bytes> octet_string_value(ByteView octets) {
  Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> os(ASN1_OCTET_STRING_new());
  if (!os || ASN1_OCTET_STRING_set(os.get(), octets.data(), static_cast<int>(octets.size())) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  return cms::to_der(os.get(), ASN1_ITEM_rptr(ASN1_OCTET_STRING));
}

Result<Bytes> issuer_and_serial(const X509* cert) {
  Owned<PKCS7_ISSUER_AND_SERIAL, PKCS7_ISSUER_AND_SERIAL_free> ias(PKCS7_ISSUER_AND_SERIAL_new());
  if (!ias || X509_NAME_set(&ias->issuer, X509_get_issuer_name(cert)) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "cannot build IssuerAndSerialNumber"));
  ASN1_INTEGER* serial = ASN1_INTEGER_dup(X509_get0_serialNumber(cert));
  if (serial == nullptr) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  ASN1_INTEGER_free(ias->serial);
  ias->serial = serial;
  return cms::to_der(ias.get(), ASN1_ITEM_rptr(PKCS7_ISSUER_AND_SERIAL));
}

// RFC 5035 §3 SigningCertificateV2 { certs { ESSCertIDv2 { hashAlgorithm (absent for SHA-256, the
// DEFAULT), certHash, issuerSerial } } }.
Result<Bytes> signing_certificate_v2(const X509* cert, core::DigestAlgorithm alg) {
  Owned<ESS_SIGNING_CERT_V2, ESS_SIGNING_CERT_V2_free> sc(
      OSSL_ESS_signing_cert_v2_new_init(core::evp_md(alg), cert, nullptr, 1));
  if (!sc) return fail(core::openssl_error(ErrorCode::internal, "cannot build signing-certificate-v2"));
  return cms::to_der(sc.get(), ASN1_ITEM_rptr(ESS_SIGNING_CERT_V2));
}

// RFC 5652 §11.3: "Dates between 1 January 1950 and 31 December 2049 (inclusive) MUST be encoded
// as UTCTime. Any dates with year values before 1950 or after 2049 MUST be encoded as
// GeneralizedTime." ASN1_TIME_set makes exactly that choice.
Result<Bytes> signing_time_value(TimePoint t) {
  Owned<ASN1_TIME, ASN1_TIME_free> time(ASN1_TIME_set(nullptr, static_cast<time_t>(t.time_since_epoch().count())));
  if (!time) return fail(core::openssl_error(ErrorCode::invalid_input, "signing time out of range"));
  return cms::to_der(time.get(), ASN1_ITEM_rptr(ASN1_TIME));
}

Result<cms::AlgorPtr> signature_algorithm(hsm::KeyType type, core::DigestAlgorithm alg) {
  int nid = NID_undef;
  int param_type = V_ASN1_UNDEF;  // RFC 5758 §3.2: ecdsa-with-SHA2 parameters MUST be absent
  if (is_ec(type)) {
    nid = alg == core::DigestAlgorithm::sha256   ? NID_ecdsa_with_SHA256
          : alg == core::DigestAlgorithm::sha384 ? NID_ecdsa_with_SHA384
                                                 : NID_ecdsa_with_SHA512;
  } else {
    // RFC 4055 §5: for sha256WithRSAEncryption & co. "the parameters MUST be NULL".
    nid = alg == core::DigestAlgorithm::sha256   ? NID_sha256WithRSAEncryption
          : alg == core::DigestAlgorithm::sha384 ? NID_sha384WithRSAEncryption
                                                 : NID_sha512WithRSAEncryption;
    param_type = V_ASN1_NULL;
  }
  cms::AlgorPtr algor(X509_ALGOR_new());
  if (!algor || X509_ALGOR_set0(algor.get(), OBJ_nid2obj(nid), param_type, nullptr) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "cannot build the signature AlgorithmIdentifier"));
  return algor;
}

// Checks a fresh signature with the certificate's key, so a faulty token never leaves a broken
// signature in a document.
Result<void> verify_signature(const X509* cert, hsm::KeyType type, core::DigestAlgorithm alg, ByteView digest,
                              ByteView signature) {
  auto ctx = core::wrap(EVP_PKEY_CTX_new(X509_get0_pubkey(cert), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_signature_md(ctx.get(), core::evp_md(alg)) != 1 ||
      (!is_ec(type) && EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1))
    return fail(core::openssl_error(ErrorCode::crypto, "cannot set up signature verification"));
  if (EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(), digest.size()) != 1)
    return fail(core::openssl_error(ErrorCode::crypto, "the token's signature does not verify with the certificate"));
  return ok();
}

// make_signer_info with a choice about the signing-time attribute (PAdES leaves it out).
Result<cms::SignerInfoPtr> make_signer_info_impl(const detail::SignerInfoRequest& request, bool signing_time_attribute);

Result<void> check_options(const SignOptions& options) {
  if (options.level != Level::b_b && !options.timestamp)
    return fail(ErrorCode::usage, std::string(level_name(options.level)) + " needs a time-stamp function");
  if ((options.level == Level::b_lt || options.level == Level::b_lta) && options.validation_data.ocsp_responses.empty() &&
      options.validation_data.crls.empty())
    return fail(ErrorCode::usage, std::string(level_name(options.level)) + " needs revocation data (OCSP responses or CRLs)");
  for (const X509* c : options.chain)
    if (c == nullptr) return fail(ErrorCode::usage, "null certificate in the chain");
  return ok();
}

Result<Bytes> sign(std::optional<ByteView> content, ByteView content_digest, const X509* signer_cert,
                   const hsm::Signer& signer, const SignOptions& options) {
  QS_TRY_VOID(check_options(options));
  if (content_digest.size() != core::digest_size(options.digest))
    return fail(ErrorCode::usage, std::string("the content digest is not a ") + core::digest_name(options.digest) + " digest");
  QS_TRY(cms::SignerInfoPtr si, make_signer_info_impl({signer_cert, &signer, options.digest, options.signing_time,
                                                        content_digest, true},
                                                       options.signing_time_attribute));

  cms::ContentInfoPtr ci(QS_CADES_CONTENT_INFO_new());
  if (!ci) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  QS_TRY(cms::ObjectPtr signed_data_type, cms::make_oid(oid::kSignedData));
  ASN1_OBJECT_free(ci->type);
  ci->type = signed_data_type.release();
  QS_CADES_SIGNED_DATA* sd = ci->signed_data;
  // RFC 5652 §5.1: version 1 with only issuerAndSerialNumber SignerInfos, id-data, X.509 certificates.
  if (ASN1_INTEGER_set(sd->version, 1) != 1) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  QS_TRY(cms::AlgorPtr digest_alg, cms::digest_algorithm_identifier(options.digest));
  if (sk_X509_ALGOR_push(sd->digest_algorithms, digest_alg.get()) <= 0)
    return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  digest_alg.release();
  QS_TRY(cms::ObjectPtr data_type, cms::make_oid(oid::kData));
  ASN1_OBJECT_free(sd->encap_content->type);
  sd->encap_content->type = data_type.release();
  if (content) {
    sd->encap_content->content = ASN1_OCTET_STRING_new();
    if (sd->encap_content->content == nullptr ||
        ASN1_OCTET_STRING_set(sd->encap_content->content, content->data(), static_cast<int>(content->size())) != 1)
      return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  }
  QS_TRY_VOID(detail::add_certificate(sd, signer_cert));
  for (const X509* c : options.chain) QS_TRY_VOID(detail::add_certificate(sd, c));
  if (sk_QS_CADES_SIGNER_INFO_push(sd->signer_infos, si.get()) <= 0)
    return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  si.release();
  QS_TRY(Bytes der, cms::encode(ci.get()));

  if (options.level == Level::b_b) return der;
  QS_TRY(der, add_signature_timestamp(der, options.timestamp));
  if (options.level == Level::b_t) return der;
  QS_TRY(der, add_validation_data(der, options.validation_data));
  if (options.level == Level::b_lt) return der;
  std::optional<ByteView> detached_digest;
  if (!content) detached_digest = content_digest;
  return add_archive_timestamp(der, detached_digest, options.timestamp);
}

}  // namespace

namespace detail {

Result<cms::SignerInfoPtr> make_signer_info(const SignerInfoRequest& request) { return make_signer_info_impl(request, true); }

}  // namespace detail

namespace {

Result<cms::SignerInfoPtr> make_signer_info_impl(const detail::SignerInfoRequest& request, bool signing_time_attribute) {
  if (request.cert == nullptr || request.signer == nullptr) return fail(ErrorCode::usage, "no signer certificate or signer");
  const hsm::Signer& signer = *request.signer;
  EVP_PKEY* cert_key = X509_get0_pubkey(request.cert);
  if (cert_key == nullptr || EVP_PKEY_eq(cert_key, signer.public_key()) != 1)
    return fail(ErrorCode::usage, "the certificate's public key is not the signer's key");

  // EN 319 122-1 §5.1 / §5.2: content-type (not in countersignatures), message-digest,
  // signing-time, signing-certificate-v2.
  QS_TRY(Bytes md_value, octet_string_value(request.message_digest));
  QS_TRY(Bytes time_value, signing_time_value(request.signing_time));
  QS_TRY(Bytes cert_value, signing_certificate_v2(request.cert, request.digest));
  std::vector<Bytes> attributes;
  auto add = [&](const char* oid, Bytes value) -> Result<void> {
    QS_TRY(cms::AnyPtr attr, cms::make_attribute(oid, {std::move(value)}));
    QS_TRY(Bytes der, cms::to_der(attr.get()));
    attributes.push_back(std::move(der));
    return ok();
  };
  if (request.content_type) {
    QS_TRY(cms::ObjectPtr data, cms::make_oid(oid::kData));
    QS_TRY(Bytes type_value, cms::to_der(data.get(), ASN1_ITEM_rptr(ASN1_OBJECT)));
    QS_TRY_VOID(add(oid::kContentType, std::move(type_value)));
  }
  QS_TRY_VOID(add(oid::kMessageDigest, std::move(md_value)));
  if (signing_time_attribute) QS_TRY_VOID(add(oid::kSigningTime, std::move(time_value)));
  QS_TRY_VOID(add(oid::kSigningCertificateV2, std::move(cert_value)));
  // Stored in DER order, so that verifiers that hash the stored encoding (OpenSSL does) and those
  // that re-encode as DER agree (RFC 5652 §5.4: the signature covers the DER encoding).
  std::sort(attributes.begin(), attributes.end(), der_set_less);

  cms::SignerInfoPtr si(QS_CADES_SIGNER_INFO_new());
  if (!si || ASN1_INTEGER_set(si->version, 1) != 1) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  QS_TRY(Bytes sid, issuer_and_serial(request.cert));
  QS_TRY(cms::AnyPtr sid_any, cms::any_from_der(sid));
  ASN1_TYPE_free(si->sid);
  si->sid = sid_any.release();
  QS_TRY(cms::AlgorPtr digest_alg, cms::digest_algorithm_identifier(request.digest));
  X509_ALGOR_free(si->digest_algorithm);
  si->digest_algorithm = digest_alg.release();
  for (const Bytes& attr : attributes) QS_TRY_VOID(cms::push_raw(&si->signed_attrs, attr));
  bool ec = is_ec(signer.key_type());
  QS_TRY(cms::AlgorPtr sig_alg, signature_algorithm(signer.key_type(), request.digest));
  X509_ALGOR_free(si->signature_algorithm);
  si->signature_algorithm = sig_alg.release();

  // RFC 5652 §5.4: "the message digest is computed on the DER encoding of the SignedAttrs field
  // ... a separate encoding of the signedAttrs field is performed ... with an EXPLICIT SET OF tag".
  QS_TRY(Bytes to_sign, cms::signed_attrs_as_set(si.get()));
  Bytes digest = core::digest(request.digest, to_sign);
  QS_TRY(Bytes signature, signer.sign_digest(digest, request.digest,
                                             ec ? hsm::SignatureScheme::ecdsa : hsm::SignatureScheme::rsa_pkcs1_v15));
  QS_TRY_VOID(verify_signature(request.cert, signer.key_type(), request.digest, digest, signature));
  if (ASN1_OCTET_STRING_set(si->signature, signature.data(), static_cast<int>(signature.size())) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  return si;
}

}  // namespace

namespace detail {

Result<void> add_certificate(QS_CADES_SIGNED_DATA* sd, ByteView der) {
  if (cms::contains_raw(sd->certificates, der)) return ok();
  return cms::push_raw(&sd->certificates, der);
}

Result<void> add_certificate(QS_CADES_SIGNED_DATA* sd, const X509* cert) {
  QS_TRY(Bytes der, core::x509_to_der(cert));
  return add_certificate(sd, der);
}

}  // namespace detail

Result<Bytes> digest_file(const std::filesystem::path& path, core::DigestAlgorithm alg) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return fail(ErrorCode::not_found, "no such file: " + path.string());
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return fail(ErrorCode::environment, "cannot open " + path.string(), std::strerror(errno));
  auto ctx = core::wrap(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), core::evp_md(alg), nullptr) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "cannot start a digest"));
  std::vector<unsigned char> buffer(kFileChunk);
  for (;;) {
    std::size_t n = std::fread(buffer.data(), 1, buffer.size(), file.get());
    if (n > 0 && EVP_DigestUpdate(ctx.get(), buffer.data(), n) != 1)
      return fail(core::openssl_error(ErrorCode::internal, "digest update failed"));
    if (n < buffer.size()) {
      if (std::ferror(file.get())) return fail(ErrorCode::environment, "cannot read " + path.string(), std::strerror(errno));
      break;
    }
  }
  return detail::digest_final(ctx.get(), alg);
}

Result<Bytes> sign_detached(ByteView content_digest, const X509* signer_cert, const hsm::Signer& signer,
                            const SignOptions& options) {
  return sign(std::nullopt, content_digest, signer_cert, signer, options);
}

Result<Bytes> sign_enveloping(ByteView content, const X509* signer_cert, const hsm::Signer& signer,
                              const SignOptions& options) {
  if (content.size() > kMaxEnvelopedContent)
    return fail(ErrorCode::invalid_input, "content larger than 64 MiB: sign it detached");
  Bytes digest = core::digest(options.digest, content);
  return sign(content, digest, signer_cert, signer, options);
}

Result<Bytes> add_counter_signature(ByteView cms_der, const X509* cert, const hsm::Signer& signer,
                                    const SignOptions& options) {
  if (options.level != Level::b_b) return fail(ErrorCode::usage, "counter-signatures are made at level B-B");
  for (const X509* c : options.chain)
    if (c == nullptr) return fail(ErrorCode::usage, "null certificate in the chain");
  QS_TRY(cms::ContentInfoPtr ci, cms::parse_signed_data(cms_der));
  QS_TRY(QS_CADES_SIGNER_INFO * target, cms::sole_signer(ci.get()));
  // RFC 5652 §11.4: "The input to the message-digesting process is the contents octets of the DER
  // encoding of the signatureValue field of the SignerInfo value with which the attribute is
  // associated."
  Bytes digest = core::digest(options.digest, ByteView(ASN1_STRING_get0_data(target->signature),
                                                       static_cast<std::size_t>(ASN1_STRING_length(target->signature))));
  QS_TRY(cms::SignerInfoPtr counter,
         detail::make_signer_info({cert, &signer, options.digest, options.signing_time, digest, false}));
  QS_TRY(Bytes counter_der, cms::to_der(counter.get(), ASN1_ITEM_rptr(QS_CADES_SIGNER_INFO)));
  QS_TRY_VOID(detail::add_unsigned_attribute(target, oid::kCountersignature, counter_der));
  QS_TRY_VOID(detail::add_certificate(ci->signed_data, cert));
  for (const X509* c : options.chain) QS_TRY_VOID(detail::add_certificate(ci->signed_data, c));
  return cms::encode(ci.get());
}

}  // namespace qualsig::formats::cades

namespace qualsig::formats::cades::detail {

Result<Bytes> digest_final(EVP_MD_CTX* ctx, core::DigestAlgorithm alg) {
  Bytes out(core::digest_size(alg));
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, out.data(), &len) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "digest final failed"));
  out.resize(len);
  return out;
}

}  // namespace qualsig::formats::cades::detail
