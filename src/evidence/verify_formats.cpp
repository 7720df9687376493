// Signature step of verify_bundle for the formats other than CAdES: the signature over the
// document, the signer's chain and the time-stamps, each in the form its standard defines.
//   JAdES (ETSI TS 119 182-1): the JWS verifies with x5c[0], which is the bundle's signer; every
//   sigTst token time-stamps the ASCII base64url signature value (§5.3.4).
//   PAdES (ETSI EN 319 142-1): the bundle's signature is the incremental update; the signed PDF is
//   the document followed by it. The CMS in the new signature dictionary signs the digest of its
//   /ByteRange (ISO 32000-1 §12.8.1); signature time-stamps cover its signature value, document
//   time-stamps their own byte ranges (§5.4.3).
//   XAdES (ETSI EN 319 132-1): XMLDSig core validation by xmlsec with the KeyInfo certificate,
//   SigningCertificateV2 and the time-stamp imprints (formats/xades verify); a detached
//   signature is verified over the bundled document.
#include "core/digest.h"
#include "evidence/verify_detail.h"
#include "formats/cades.h"
#include "formats/jades.h"
#include "formats/pades.h"
#include "formats/xades.h"

namespace qualsig::evidence::detail {
namespace {

namespace cades = formats::cades;
namespace jades = formats::jades;
namespace pades = formats::pades;
namespace xades = formats::xades;

void unverifiable(Context& c, const std::string& why) {
  c.check("signature", false, why);
  check_chain(c, nullptr);
  c.check("timestamps", false, "the signature cannot be read, so its time-stamps cannot be checked");
}

void level_and_time(const Context& c, const char* level, std::optional<TimePoint> claimed, bool& ok, std::string& detail) {
  if (!ok) return;
  if (level != c.bundle.level) {
    ok = false;
    detail = std::string("the signature is at level ") + level + ", the bundle says " + c.bundle.level;
  } else if (claimed && c.signing_time && *claimed != *c.signing_time) {
    ok = false;
    detail = "the claimed signing time " + to_rfc3339(*claimed) + " is not the time of the signature.produced entry " +
             to_rfc3339(*c.signing_time);
  }
}

Bytes signature_value(CMS_ContentInfo* cms) {
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  if (!infos || sk_CMS_SignerInfo_num(infos) < 1) return {};
  ASN1_OCTET_STRING* v = CMS_SignerInfo_get0_signature(sk_CMS_SignerInfo_value(infos, 0));
  return Bytes(ASN1_STRING_get0_data(v), ASN1_STRING_get0_data(v) + ASN1_STRING_length(v));
}

void verify_pades(Context& c, const std::optional<Bytes>& content) {
  const Bundle& b = c.bundle;
  if (!content) {
    find_signing_time(c, std::nullopt);
    unverifiable(c, "a PAdES signature is an incremental update of the PDF: the bundle must include the document to verify it");
    return;
  }
  Bytes pdf = *content;
  pdf.insert(pdf.end(), b.signature.begin(), b.signature.end());
  auto info = pades::inspect(pdf);
  if (!info) {
    find_signing_time(c, std::nullopt);
    unverifiable(c, "the document followed by the signature is not a readable PDF: " + info.error().message);
    return;
  }
  // The bundle's signature: the first signature dictionary of the update.
  std::size_t index = info->signatures.size();
  for (std::size_t k = 0; k < info->signatures.size(); ++k) {
    const auto& s = info->signatures[k];
    if (!s.document_timestamp && static_cast<std::size_t>(s.byte_range[2] + s.byte_range[3]) > content->size()) {
      index = k;
      break;
    }
  }
  if (index == info->signatures.size()) {
    find_signing_time(c, std::nullopt);
    unverifiable(c, "the incremental update holds no signature");
    return;
  }
  const auto& sig = info->signatures[index];
  auto cms_info = cades::inspect(sig.contents);
  const unsigned char* p = sig.contents.data();
  auto cms = core::wrap(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(sig.contents.size())));
  if (!cms_info || !cms || !cms_info->digest) {
    find_signing_time(c, std::nullopt);
    unverifiable(c, "the signature dictionary's /Contents is not a CAdES signature with SHA-2" +
                        (cms_info ? std::string() : ": " + cms_info.error().message));
    return;
  }
  find_signing_time(c, std::nullopt);  // PAdES: the time is the log's (the CMS has no signing-time)
  auto digest = pades::byte_range_digest(pdf, sig, *cms_info->digest);
  bool ok = false;
  std::string detail;
  if (!digest) {
    detail = "the byte range cannot be read: " + digest.error().message;
  } else if (!sig.covers_revision) {
    detail = "the signature's byte range does not cover its whole revision";
  } else if (sig.sub_filter != "ETSI.CAdES.detached") {
    detail = "the signature's /SubFilter is " + sig.sub_filter + ", not ETSI.CAdES.detached";
  } else {
    auto certs = untrusted_certificates(c);
    if (c.signer && X509_up_ref(c.signer.get()) == 1 && sk_X509_push(certs.get(), c.signer.get()) <= 0) X509_free(c.signer.get());
    detail = "over the byte range " + std::to_string(sig.byte_range[1]) + "+" + std::to_string(sig.byte_range[3]) + " bytes: " +
             verify_signer_info(cms.get(), certs.get(), DocumentHash{*cms_info->digest, *digest}, ok);
  }
  if (ok && b.detached) {
    ok = false;
    detail = "a PAdES signature is never detached; the bundle says it is";
  }
  auto level = pades::level_of(*info, index);
  level_and_time(c, cades::level_name(level), std::nullopt, ok, detail);
  if (ok) detail = std::string("the PDF signature (") + sig.field_name + ") verifies " + detail + "; " + cades::level_name(level);
  c.check("signature", ok, detail);
  check_chain(c, &cms_info->signer_certificate);
  if (cms_info->signature_timestamps.empty() && index + 1 == info->signatures.size()) {
    bool none_ok = b.level == "B-B";
    c.check("timestamps", none_ok, none_ok ? "none (level B-B)" : "the bundle says " + b.level + " but the PDF has no time-stamp");
    return;
  }
  Bytes value = signature_value(cms.get());
  for (std::size_t k = 0; k < cms_info->signature_timestamps.size(); ++k)
    check_token(c, "signature-time-stamp[" + std::to_string(k) + "]", cms_info->signature_timestamps[k],
                [&](core::DigestAlgorithm alg) -> Result<Bytes> { return core::digest(alg, value); });
  for (std::size_t k = index + 1; k < info->signatures.size(); ++k) {
    const auto& ts = info->signatures[k];
    if (!ts.document_timestamp) continue;
    check_token(c, "document-time-stamp " + ts.field_name, ts.contents,
                [&](core::DigestAlgorithm alg) { return pades::byte_range_digest(pdf, ts, alg); });
  }
}

void verify_xades(Context& c, const std::optional<Bytes>& content) {
  const Bundle& b = c.bundle;
  auto info = xades::inspect(b.signature);
  if (!info) {
    find_signing_time(c, std::nullopt);
    unverifiable(c, "the signature is not a XAdES signature: " + info.error().message);
    return;
  }
  find_signing_time(c, info->signing_time);
  bool detached = info->packaging == xades::Packaging::detached;
  bool ok = false;
  std::string detail;
  if (detached && !content) {
    detail = "the signature is detached and the document is not included: it cannot be verified";
  } else if (auto verified = xades::verify(b.signature, detached ? std::optional<ByteView>(*content) : std::nullopt); !verified) {
    detail = "the XAdES signature does not verify: " + verified.error().message;
  } else if (detached != b.detached) {
    detail = std::string("the signature is ") + (detached ? "detached" : "not detached") + ", the bundle says otherwise";
  } else {
    ok = true;
    detail = std::string("XMLDSig core validation, SigningCertificateV2 and time-stamp imprints verify (") +
             (detached ? "over the bundled document" : info->packaging == xades::Packaging::enveloped ? "enveloped" : "enveloping") + ")";
  }
  level_and_time(c, cades::level_name(info->level), info->signing_time, ok, detail);
  if (ok) detail += std::string("; ") + cades::level_name(info->level);
  c.check("signature", ok, detail);
  check_chain(c, info->signer_certificate.empty() ? nullptr : &info->signer_certificate);
  if (info->signature_timestamps.empty() && info->archive_timestamps.empty()) {
    bool none_ok = b.level == "B-B";
    c.check("timestamps", none_ok, none_ok ? "none (level B-B)" : "the bundle says " + b.level + " but the signature has no time-stamp");
    return;
  }
  // The imprints were compared by xades::verify above (exclusive canonicalisation of
  // ds:SignatureValue, EN 319 132-1 §5.3; the archive input of §5.5.2.2); here each token's
  // signature, TSA chain and genTime are checked against the root.
  for (std::size_t k = 0; k < info->signature_timestamps.size(); ++k)
    check_token(c, "SignatureTimeStamp[" + std::to_string(k) + "]", info->signature_timestamps[k], nullptr, ok);
  for (std::size_t k = 0; k < info->archive_timestamps.size(); ++k)
    check_token(c, "ArchiveTimeStamp[" + std::to_string(k) + "]", info->archive_timestamps[k], nullptr, ok);
}

const char* jades_level(const jades::JwsSignature& s) {
  if (s.signature_timestamps.empty()) return "B-B";
  return s.crl_values.empty() && s.ocsp_values.empty() ? "B-T" : "B-LT";
}

void verify_jades(Context& c, const std::optional<Bytes>& content, const std::optional<DocumentHash>& hash) {
  const Bundle& b = c.bundle;
  std::string_view text(reinterpret_cast<const char*>(b.signature.data()), b.signature.size());
  auto parsed = jades::parse_jws(text);
  if (!parsed || parsed->signatures.size() != 1) {
    find_signing_time(c, std::nullopt);
    c.check("signature", false, parsed ? "the JWS has " + std::to_string(parsed->signatures.size()) + " signatures, not one"
                                       : "the signature is not a JAdES signature: " + parsed.error().message);
    check_chain(c, nullptr);
    c.check("timestamps", false, "the signature does not parse, so its time-stamps cannot be checked");
    return;
  }
  const jades::JwsSignature& sig = parsed->signatures.front();
  find_signing_time(c, sig.signing_time);
  bool detached = !parsed->payload.has_value();
  std::optional<ByteView> payload;
  if (detached && content) payload = ByteView(*content);
  bool ok = false;
  std::string detail;
  if (detached && !content) {
    detail = "the payload is detached and the document is not included: the JWS cannot be verified";
  } else if (auto verified = jades::verify_jws(text, payload); !verified) {
    detail = "the JWS does not verify: " + verified.error().message;
  } else if (!detached && content && *parsed->payload != *content) {
    detail = "the JWS payload is not the bundled document";
  } else if (!detached && !content && (!hash || core::digest(hash->alg, *parsed->payload) != hash->value)) {
    detail = "the JWS payload does not have the document hash " + b.document_hash;
  } else if (detached != b.detached) {
    detail = std::string("the JWS is ") + (detached ? "detached" : "attached") + ", the bundle says otherwise";
  } else if (jades_level(sig) != b.level) {
    detail = std::string("the JWS is at level ") + jades_level(sig) + ", the bundle says " + b.level;
  } else if (sig.signing_time && c.signing_time && *sig.signing_time != *c.signing_time) {
    detail = "sigT " + to_rfc3339(*sig.signing_time) + " is not the time of the signature.produced entry " + to_rfc3339(*c.signing_time);
  } else {
    ok = true;
    detail = std::string("the JWS (") + jades::jws_algorithm_name(sig.alg) + ") verifies over the " +
             (detached ? "detached payload" : "payload") + " with x5c[0]; " + jades_level(sig) + ", sigT " +
             (sig.signing_time ? to_rfc3339(*sig.signing_time) : std::string("absent"));
  }
  c.check("signature", ok, detail);
  check_chain(c, sig.x5c.empty() ? nullptr : &sig.x5c.front());
  if (sig.signature_timestamps.empty()) {
    bool none_ok = b.level == "B-B";
    c.check("timestamps", none_ok, none_ok ? "none (level B-B)" : "the bundle says " + b.level + " but the JWS has no sigTst");
    return;
  }
  for (std::size_t k = 0; k < sig.signature_timestamps.size(); ++k) {
    // TS 119 182-1 §5.3.4: the imprint is over the base64url-encoded JWS signature value.
    check_token(c, "sigTst[" + std::to_string(k) + "]", sig.signature_timestamps[k], [&](core::DigestAlgorithm alg) -> Result<Bytes> {
      return core::digest(alg, ByteView(reinterpret_cast<const unsigned char*>(sig.encoded_signature.data()), sig.encoded_signature.size()));
    });
  }
}

}  // namespace

void verify_other_format(Context& c, const std::optional<Bytes>& content, const std::optional<DocumentHash>& hash) {
  const Bundle& b = c.bundle;
  if (b.format == "jades") {
    verify_jades(c, content, hash);
    return;
  }
  if (b.format == "pades") {
    verify_pades(c, content);
    return;
  }
  if (b.format == "xades") {
    verify_xades(c, content);
    return;
  }
  find_signing_time(c, std::nullopt);
  c.check("signature", false, "format '" + b.format + "' is not verified by this version");
  check_chain(c, nullptr);
  c.check("timestamps", false, "format '" + b.format + "' is not verified by this version");
}

}  // namespace qualsig::evidence::detail
