// The building blocks of EN 319 102-1 §5.2 for one CMS SignerInfo (FC, ISC, XCV, CV, SAV) and
// its time-stamps; see path.h.

#include <openssl/cms.h>
#include <openssl/ess.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "formats/cades.h"
#include "formats/cades_oids.h"
#include "validation/crypto_constraints.h"
#include "validation/path.h"

namespace qualsig::validation::detail {
namespace {

// The attribute types of EN 319 122-1 and of the RFC 5126 forms it replaced (clauses there).
using formats::cades::oid::kArchiveTimestampV1;
using formats::cades::oid::kArchiveTimestampV2;
using formats::cades::oid::kArchiveTimestampV3;
using formats::cades::oid::kCertCrlTimestamp;
using formats::cades::oid::kCertificateRefs;
using formats::cades::oid::kCertValues;
using formats::cades::oid::kEscTimestamp;
using formats::cades::oid::kRevocationRefs;
using formats::cades::oid::kRevocationValues;

Verdict failed(SubIndication sub, std::string why) { return {Indication::failed, sub, std::move(why)}; }
Verdict indeterminate(SubIndication sub, std::string why) { return {Indication::indeterminate, sub, std::move(why)}; }

std::string describe(const Verdict& v) {
  if (v.passed()) return "PASSED";
  return std::string(v.indication == Indication::failed ? "FAILED" : "INDETERMINATE") + ": " +
         (v.sub ? sub_indication_name(*v.sub) : "") + (v.reason.empty() ? "" : " (" + v.reason + ")");
}

int signed_count(CMS_SignerInfo* si, int nid) {
  int n = 0;
  for (int idx = CMS_signed_get_attr_by_NID(si, nid, -1); idx >= 0; idx = CMS_signed_get_attr_by_NID(si, nid, idx)) ++n;
  return n;
}

// The single value of a signed attribute, or null.
ASN1_TYPE* signed_value(CMS_SignerInfo* si, int nid) {
  int idx = CMS_signed_get_attr_by_NID(si, nid, -1);
  if (idx < 0) return nullptr;
  X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, idx);
  return X509_ATTRIBUTE_count(attr) == 1 ? X509_ATTRIBUTE_get0_type(attr, 0) : nullptr;
}

// FC (§5.2.2). RFC 5652 §5.3: "If the [signedAttrs] field is present, it MUST contain, at a minimum,
// ... content-type ... message-digest"; §11.1-11.3: each of them, and signing-time, with one value
// and at most once. §11.4: a countersignature's signed attributes "MUST contain a message-digest
// attribute" and "MUST NOT contain a content-type attribute".
Verdict format_checking(CMS_SignerInfo* si, bool signed_attributes, bool counter_signature) {
  if (counter_signature) {
    if (!signed_attributes || signed_count(si, NID_pkcs9_messageDigest) != 1)
      return failed(SubIndication::format_failure, "countersignature without exactly one message-digest attribute");
    if (signed_count(si, NID_pkcs9_contentType) != 0)
      return failed(SubIndication::format_failure, "countersignature with a content-type attribute (RFC 5652 §11.4)");
  } else if (!signed_attributes) {
    return {};
  } else if (signed_count(si, NID_pkcs9_contentType) != 1 || signed_count(si, NID_pkcs9_messageDigest) != 1) {
    return failed(SubIndication::format_failure, "signed attributes lack exactly one content-type and message-digest");
  }
  if (signed_count(si, NID_pkcs9_signingTime) > 1)
    return failed(SubIndication::format_failure, "signing-time attribute present more than once");
  return {};
}

// ISC (§5.2.3): the certificate matching the SignerIdentifier, then the signing-certificate(-v2)
// attribute's first ESSCertID(v2) must be its digest (RFC 5035 §3; OpenSSL's ESS check).
Verdict identify_signer(CMS_SignerInfo* si, const Material& material, core::UniquePtr<X509>& signer) {
  // A signer certificate may be supplied as a trust anchor only (DSS: a trusted certificate source
  // is also a certificate source).
  for (const STACK_OF(X509)* source : {material.pool.get(), material.anchors.get()}) {
    for (int i = 0; !signer && i < sk_X509_num(source); ++i) {
      X509* cert = sk_X509_value(source, i);
      if (CMS_SignerInfo_cert_cmp(si, cert) == 0) {
        X509_up_ref(cert);
        signer = core::wrap(cert);
      }
    }
  }
  if (!signer)
    return indeterminate(SubIndication::no_signing_certificate_found,
                         "no certificate in the signature or the options matches the SignerIdentifier");
  ASN1_TYPE* v2 = signed_value(si, NID_id_smime_aa_signingCertificateV2);
  ASN1_TYPE* v1 = signed_value(si, NID_id_smime_aa_signingCertificate);
  if (v1 == nullptr && v2 == nullptr) return {};
  std::unique_ptr<ESS_SIGNING_CERT_V2, decltype(&ESS_SIGNING_CERT_V2_free)> ssv2(nullptr, &ESS_SIGNING_CERT_V2_free);
  std::unique_ptr<ESS_SIGNING_CERT, decltype(&ESS_SIGNING_CERT_free)> ss(nullptr, &ESS_SIGNING_CERT_free);
  if (v2 != nullptr && v2->type == V_ASN1_SEQUENCE) {
    const unsigned char* p = v2->value.sequence->data;
    ssv2.reset(d2i_ESS_SIGNING_CERT_V2(nullptr, &p, v2->value.sequence->length));
  }
  if (v1 != nullptr && v1->type == V_ASN1_SEQUENCE) {
    const unsigned char* p = v1->value.sequence->data;
    ss.reset(d2i_ESS_SIGNING_CERT(nullptr, &p, v1->value.sequence->length));
  }
  if ((v2 != nullptr && !ssv2) || (v1 != nullptr && !ss)) {
    ERR_clear_error();
    return indeterminate(SubIndication::no_signing_certificate_found, "signing-certificate attribute does not decode");
  }
  // The first ESSCertID names the signer; further ones must be found among the certificates.
  STACK_OF(X509)* candidates = sk_X509_new_null();
  sk_X509_push(candidates, signer.get());
  for (int i = 0; i < sk_X509_num(material.pool.get()); ++i) sk_X509_push(candidates, sk_X509_value(material.pool.get(), i));
  int ok = OSSL_ESS_check_signing_certs(ss.get(), ssv2.get(), candidates, 0);
  sk_X509_free(candidates);
  ERR_clear_error();
  if (ok <= 0)
    return indeterminate(SubIndication::no_signing_certificate_found,
                         "signing-certificate attribute digest does not match the signer's certificate");
  return {};
}

// The signature value of a SignerInfo over "the DER encoding of the SignedAttributes value" (RFC
// 5652 §5.4), verified here rather than by CMS_SignerInfo_verify, which refuses signed attributes
// without content-type, as every countersignature's are (§11.4). DER: the SET OF sorted by encoding
// (X.690 §11.6), as OpenSSL encodes it for its own check.
bool signed_attributes_verify(CMS_SignerInfo* si, X509* signer, const EVP_MD* md) {
  std::vector<Bytes> attributes;
  std::size_t total = 0;
  for (int i = 0; i < CMS_signed_get_attr_count(si); ++i) {
    unsigned char* der = nullptr;
    int len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &der);
    if (len <= 0) return false;
    attributes.emplace_back(der, der + len);
    OPENSSL_free(der);
    total += static_cast<std::size_t>(len);
  }
  std::sort(attributes.begin(), attributes.end(), [](const Bytes& a, const Bytes& b) {
    int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
    return c != 0 ? c < 0 : a.size() < b.size();
  });
  Bytes set{0x31};  // SET OF (X.690 §8.12), definite length (§8.1.3)
  if (total < 0x80) {
    set.push_back(static_cast<std::uint8_t>(total));
  } else {
    Bytes length;
    for (std::size_t n = total; n != 0; n >>= 8) length.insert(length.begin(), static_cast<std::uint8_t>(n & 0xff));
    set.push_back(static_cast<std::uint8_t>(0x80 | length.size()));
    set.insert(set.end(), length.begin(), length.end());
  }
  for (const Bytes& a : attributes) set.insert(set.end(), a.begin(), a.end());
  X509_ALGOR* signature_alg = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, nullptr, &signature_alg);
  auto ctx = core::wrap(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, X509_get0_pubkey(signer)) == 1;
  // RFC 4056 §2.2: RSASSA-PSS; the salt length is read from the signature (any accepted).
  if (ok && signature_alg != nullptr && OBJ_obj2nid(signature_alg->algorithm) == NID_rsassaPss)
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) == 1;
  const ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(si);
  ok = ok && EVP_DigestVerify(ctx.get(), ASN1_STRING_get0_data(sig), static_cast<std::size_t>(ASN1_STRING_length(sig)),
                              set.data(), set.size()) == 1;
  ERR_clear_error();
  return ok;
}

// CV (§5.2.7): message-digest over the content, then the signature value.
Verdict cryptographic_verification(CMS_ContentInfo* cms, CMS_SignerInfo* si, const SignerBlocks& b,
                                   const ValidationOptions& options) {
  ASN1_OCTET_STRING** econtent = CMS_get0_content(cms);
  ByteView content;
  if (econtent != nullptr && *econtent != nullptr)
    content = ByteView(ASN1_STRING_get0_data(*econtent), static_cast<std::size_t>(ASN1_STRING_length(*econtent)));
  else if (options.detached_content)
    content = *options.detached_content;
  else
    return indeterminate(SubIndication::signed_data_not_found, "detached signature and no detached content given");
  const EVP_MD* md = EVP_get_digestbynid(b.digest_nid);
  if (md == nullptr) return indeterminate(SubIndication::cryptographic_constraints_failure_no_poe, "unknown digest algorithm");
  if (b.signed_attributes) {
    ASN1_TYPE* md_attr = signed_value(si, NID_pkcs9_messageDigest);
    if (md_attr == nullptr || md_attr->type != V_ASN1_OCTET_STRING)
      return failed(SubIndication::format_failure, "message-digest attribute is not one OCTET STRING");
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(content.data(), content.size(), buf, &len, md, nullptr) != 1)
      return indeterminate(SubIndication::cryptographic_constraints_failure_no_poe, "digest not computable");
    const ASN1_OCTET_STRING* want = md_attr->value.octet_string;
    if (static_cast<int>(len) != ASN1_STRING_length(want) || std::memcmp(buf, ASN1_STRING_get0_data(want), len) != 0)
      return failed(SubIndication::hash_failure, "message-digest does not match the signed content");
    int ok = 0;
    if (b.counter_signature) {
      ok = signed_attributes_verify(si, b.signer.get(), md) ? 1 : 0;
    } else {
      CMS_SignerInfo_set1_signer_cert(si, b.signer.get());
      ok = CMS_SignerInfo_verify(si);
    }
    ERR_clear_error();
    if (ok != 1) return failed(SubIndication::sig_crypto_failure, "signature value does not verify with the signer's key");
    return {};
  }
  // RFC 5652 §5.4: without signed attributes the signature is over the content's digest.
  auto ctx = core::wrap(EVP_MD_CTX_new());
  const ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(si);
  int ok = ctx ? EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, X509_get0_pubkey(b.signer.get())) : 0;
  if (ok == 1)
    ok = EVP_DigestVerify(ctx.get(), ASN1_STRING_get0_data(sig), static_cast<std::size_t>(ASN1_STRING_length(sig)),
                          content.data(), content.size());
  ERR_clear_error();
  if (ok != 1) return failed(SubIndication::sig_crypto_failure, "signature value does not verify with the signer's key");
  return {};
}

bool has_unsigned(CMS_SignerInfo* si, const char* oid) {
  auto obj = core::wrap(OBJ_txt2obj(oid, 1));
  return obj && CMS_unsigned_get_attr_by_OBJ(si, obj.get(), -1) >= 0;
}

// The form the signature has (EN 319 122-1 §6 baseline levels; the RFC 5126 / TS 101 733 forms
// C, X, XL, A when their reference attributes are present), in the order DSS decides it
// (CAdESSignature.getDataFoundUpToLevel): structural, not whether it validates.
std::string level_of(CMS_SignerInfo* si, bool signed_attributes, bool has_revocation_values) {
  if (!signed_attributes || (signed_value(si, NID_id_smime_aa_signingCertificateV2) == nullptr &&
                             signed_value(si, NID_id_smime_aa_signingCertificate) == nullptr))
    return "not a baseline profile";
  if (CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1) < 0) return "CAdES-BASELINE-B";
  bool archive = has_unsigned(si, kArchiveTimestampV3) || has_unsigned(si, kArchiveTimestampV2) ||
                 has_unsigned(si, kArchiveTimestampV1);
  bool complete_refs = has_unsigned(si, kCertificateRefs) && has_unsigned(si, kRevocationRefs);
  if (!complete_refs) {
    if (!has_revocation_values) return "CAdES-BASELINE-T";
    return has_unsigned(si, kArchiveTimestampV3) ? "CAdES-BASELINE-LTA" : "CAdES-BASELINE-LT";
  }
  if (!has_unsigned(si, kEscTimestamp) && !has_unsigned(si, kCertCrlTimestamp)) return "CAdES-C";
  if (!has_unsigned(si, kCertValues) || !has_unsigned(si, kRevocationValues)) return "CAdES-X";
  return archive ? "CAdES-A" : "CAdES-XL";
}

Bytes to_der(X509* cert) {
  auto der = core::x509_to_der(cert);
  return der ? *der : Bytes{};
}

}  // namespace

Verdict signature_acceptance(const SignerBlocks& b, TimePoint at) {
  // DSS default policy: SigningTime present (FAIL) and SigningTimeInCertRange (FAIL).
  if (!b.signing_time) return indeterminate(SubIndication::sig_constraints_failure, "no signing-time attribute");
  if (b.signer && (*b.signing_time < to_time_point(X509_get0_notBefore(b.signer.get())).value_or(TimePoint::max()) ||
                   *b.signing_time > to_time_point(X509_get0_notAfter(b.signer.get())).value_or(TimePoint::min())))
    return indeterminate(SubIndication::sig_constraints_failure, "claimed signing time outside the signer certificate's validity");
  AlgorithmVerdict digest = digest_at(b.digest_nid, at);
  if (!digest.acceptable)
    return indeterminate(SubIndication::cryptographic_constraints_failure_no_poe,
                         digest.name + " is not acceptable at " + to_rfc3339(at) + " (TS 119 312)");
  if (b.signer) {
    AlgorithmVerdict key = key_at(X509_get0_pubkey(b.signer.get()), at);
    if (!key.acceptable)
      return indeterminate(SubIndication::cryptographic_constraints_failure_no_poe,
                           key.name + " is not acceptable at " + to_rfc3339(at) + " (TS 119 312)");
  }
  return {};
}

Verdict basic_result(const SignerBlocks& b) {
  if (!b.fc.passed()) return b.fc;
  if (!b.isc.passed()) return b.isc;
  // §5.3.4 step 5: "A broken hash outranks a bad chain" (notes §1.2).
  if (!b.cv.passed()) return b.cv;
  if (!b.xcv.passed()) return b.xcv;
  return b.sav;
}

SignerBlocks run_basic_blocks(CMS_ContentInfo* cms, CMS_SignerInfo* si, const ValidationOptions& options,
                              const Material& material, bool embedded_revocation,
                              std::optional<TimePoint> claimed_signing_time, TimePoint at, SignatureReport& out,
                              bool counter_signature) {
  SignerBlocks b;
  b.signed_attributes = CMS_signed_get_attr_count(si) > 0;
  b.counter_signature = counter_signature;
  out.format = b.signed_attributes ? "CAdES" : "CMS";
  if (const ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(si))
    out.signature_value.assign(ASN1_STRING_get0_data(value), ASN1_STRING_get0_data(value) + ASN1_STRING_length(value));
  X509_ALGOR* digest_alg = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest_alg, nullptr);
  if (digest_alg != nullptr) b.digest_nid = OBJ_obj2nid(digest_alg->algorithm);
  ASN1_TYPE* st = signed_value(si, NID_pkcs9_signingTime);
  if (st != nullptr && (st->type == V_ASN1_UTCTIME || st->type == V_ASN1_GENERALIZEDTIME))
    b.signing_time = to_time_point(st->value.utctime);
  if (!b.signing_time && st == nullptr) b.signing_time = claimed_signing_time;
  out.claimed_signing_time = b.signing_time;
  out.signing_time_attribute = st != nullptr;
  out.level = level_of(si, b.signed_attributes, embedded_revocation);

  b.fc = format_checking(si, b.signed_attributes, counter_signature);
  out.checks.emplace_back("FC (5.2.2)", describe(b.fc));
  if (!b.fc.passed()) return b;
  b.isc = identify_signer(si, material, b.signer);
  out.checks.emplace_back("ISC (5.2.3)", describe(b.isc));
  if (b.signer) out.signer_certificate = to_der(b.signer.get());
  if (!b.isc.passed()) return b;
  out.checks.emplace_back("VCI (5.2.4)", "PASSED (no signature policy processed)");
  b.chain = build_chain(b.signer.get(), material, at);
  b.xcv = judge_chain(b.chain, at, true);
  out.checks.emplace_back("XCV (5.2.6)", describe(b.xcv));
  for (int i = 0; b.chain.chain && i < sk_X509_num(b.chain.chain.get()); ++i)
    out.chain.push_back(to_der(sk_X509_value(b.chain.chain.get(), i)));
  b.cv = cryptographic_verification(cms, si, b, options);
  out.checks.emplace_back("CV (5.2.7)", describe(b.cv));
  b.sav = signature_acceptance(b, at);
  out.checks.emplace_back("SAV (5.2.8)", describe(b.sav));
  return b;
}

std::vector<TimestampReport> validate_signer_timestamps(CMS_SignerInfo* si, ByteView file,
                                                        const ValidationOptions& options, Material& material,
                                                        TimePoint at) {
  std::vector<TimestampReport> out;
  // Each token of `out` and its position among all unsigned attribute values (each value of each
  // attribute, in stored order: the numbering of formats::cades::archived_unsigned_values).
  std::vector<ByteView> tokens;
  std::vector<std::size_t> positions;
  std::size_t position = 0;
  const ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(si);
  ByteView signature_value(ASN1_STRING_get0_data(sig), static_cast<std::size_t>(ASN1_STRING_length(sig)));
  for (int i = 0; i < CMS_unsigned_get_attr_count(si); ++i) {
    X509_ATTRIBUTE* attr = CMS_unsigned_get_attr(si, i);
    const ASN1_OBJECT* obj = X509_ATTRIBUTE_get0_object(attr);
    char oid[80];
    OBJ_obj2txt(oid, sizeof oid, obj, 1);
    std::string type;
    ImprintFn imprint;
    if (OBJ_obj2nid(obj) == NID_id_smime_aa_timeStampToken) {
      // EN 319 122-1 §5.3: the imprint is "the hash of the value octets of the signature field".
      type = "signature-time-stamp";
      imprint = [signature_value](const EVP_MD* md) -> Result<Bytes> {
        unsigned char buf[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        if (EVP_Digest(signature_value.data(), signature_value.size(), buf, &len, md, nullptr) != 1)
          return fail(ErrorCode::crypto, "digest not computable");
        return Bytes(buf, buf + len);
      };
    } else if (std::string(oid) == kArchiveTimestampV3) {
      type = "archive-time-stamp-v3";  // imprint per token, below
    } else if (std::string(oid) == kArchiveTimestampV2 || std::string(oid) == kArchiveTimestampV1 ||
               std::string(oid) == kEscTimestamp || std::string(oid) == kCertCrlTimestamp) {
      // Legacy RFC 5126 / TS 101 733 forms: imprints recomputed by formats::cades (v1 excepted).
      type = std::string(oid) == kArchiveTimestampV2   ? "archive-time-stamp-v2"
             : std::string(oid) == kArchiveTimestampV1 ? "archive-time-stamp-v1"
             : std::string(oid) == kEscTimestamp       ? "esc-time-stamp"
                                                       : "cert-crl-time-stamp";
    } else {
      position += static_cast<std::size_t>(std::max(X509_ATTRIBUTE_count(attr), 0));
      continue;
    }
    for (int j = 0; j < X509_ATTRIBUTE_count(attr); ++j, ++position) {
      ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attr, j);
      if (value == nullptr || value->type != V_ASN1_SEQUENCE) continue;
      ByteView token(value->value.sequence->data, static_cast<std::size_t>(value->value.sequence->length));
      ImprintFn fn = imprint;
      if (type != "signature-time-stamp" && type != "archive-time-stamp-v3") {
        fn = [file, token, &options, type](const EVP_MD* md) -> Result<Bytes> {
          if (file.empty()) return fail(ErrorCode::usage, type + " imprint computed for the first signer only");
          std::optional<ByteView> content;
          if (options.detached_content) content = ByteView(*options.detached_content);
          return formats::cades::legacy_timestamp_imprint(file, token, content, md);
        };
      } else if (type == "archive-time-stamp-v3") {
        // EN 319 122-1 §5.5.3: the imprint depends on the token's own ats-hash-index-v3.
        fn = [file, token, &options](const EVP_MD* md) -> Result<Bytes> {
          if (file.empty()) return fail(ErrorCode::usage, "archive-time-stamp-v3 imprint computed for the first signer only");
          std::optional<Bytes> content_digest;
          if (options.detached_content) {
            unsigned char buf[EVP_MAX_MD_SIZE];
            unsigned int len = 0;
            if (EVP_Digest(options.detached_content->data(), options.detached_content->size(), buf, &len, md, nullptr) != 1)
              return fail(ErrorCode::crypto, "digest not computable");
            content_digest = Bytes(buf, buf + len);
          }
          std::optional<ByteView> digest_view;
          if (content_digest) digest_view = ByteView(*content_digest);
          auto r = formats::cades::archive_timestamp_imprint(file, token, digest_view);
          // An enveloping signature takes no document digest (content given needlessly).
          if (!r && r.error().code == ErrorCode::usage && digest_view)
            r = formats::cades::archive_timestamp_imprint(file, token, std::nullopt);
          if (!r && r.error().code == ErrorCode::usage && !options.detached_content)
            return fail(ErrorCode::not_found, "detached content needed for the archive-time-stamp-v3 imprint");
          return r;
        };
      }
      out.push_back(validate_timestamp(token, type, fn, material, at));
      tokens.push_back(token);
      positions.push_back(position);
      // Which countersignatures it protects (read only where there are any): a PASSED one is a
      // POE of them too (EN 319 102-1 §5.6.2.4 with the hash index of EN 319 122-1 §5.5.2).
      if (type == "archive-time-stamp-v3" && !file.empty() &&
          CMS_unsigned_get_attr_by_NID(si, NID_pkcs9_countersignature, -1) >= 0) {
        auto covered = formats::cades::archived_counter_signatures(file, token);
        if (covered) out.back().counter_signatures = std::move(*covered);
      }
    }
  }
  // The time-stamps each archive time-stamp protects (its POEs, past_timestamp_validation):
  // v3 those whose attribute values its ats-hash-index-v3 lists (EN 319 122-1 §5.5.2); v2 every
  // other unsigned attribute but the archive time-stamps not made before it (RFC 5126 §6.4.1,
  // as legacy_timestamp_imprint reads it).
  for (std::size_t a = 0; a < out.size() && !file.empty(); ++a) {
    if (out[a].type == "archive-time-stamp-v3") {
      auto listed = formats::cades::archived_unsigned_values(file, tokens[a]);
      if (!listed) continue;
      for (std::size_t e = 0; e < out.size(); ++e)
        if (e != a && std::find(listed->begin(), listed->end(), positions[e]) != listed->end()) out[a].covers.push_back(e);
    } else if (out[a].type == "archive-time-stamp-v2") {
      for (std::size_t e = 0; e < out.size(); ++e)
        if (e != a && (out[e].type.rfind("archive", 0) != 0 || out[e].gen_time < out[a].gen_time)) out[a].covers.push_back(e);
    }
  }
  return out;
}

}  // namespace qualsig::validation::detail
