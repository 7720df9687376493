// Signature step of verify_bundle: the CMS signature over the document (RFC 5652 §5.4, §5.6), the
// document's hash, the signer's chain at signing time (RFC 5280 §6), and every signature- and
// archive-time-stamp token (RFC 3161 §2.4.2; ETSI EN 319 122-1 §5.3, §5.5.3) with its imprint.
#include <openssl/objects.h>

#include "core/digest.h"
#include "evidence/verify_detail.h"
#include "formats/cades.h"

namespace qualsig::evidence::detail {
namespace {

namespace cades = formats::cades;

core::UniquePtr<CMS_ContentInfo> parse_cms(ByteView der) {
  const unsigned char* p = der.data();
  return core::wrap(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
}

// eContent of an enveloping signature, if any.
std::optional<Bytes> encapsulated_content(CMS_ContentInfo* cms) {
  ASN1_OCTET_STRING** content = CMS_get0_content(cms);
  if (!content || !*content) return std::nullopt;
  const unsigned char* d = ASN1_STRING_get0_data(*content);
  return Bytes(d, d + ASN1_STRING_length(*content));
}

// The document: its hash must be bundle.document_hash; the bundled copy and an enveloped one agree.
// Returns the content the signature is verified over, if the bundle lets us have it.
std::optional<Bytes> check_document(Context& c, CMS_ContentInfo* cms, const std::optional<DocumentHash>& hash) {
  const Bundle& b = c.bundle;
  auto enveloped = cms ? encapsulated_content(cms) : std::nullopt;
  std::optional<Bytes> content = b.document ? b.document : enveloped;
  if (!hash) {
    c.check("document", false, "the document hash '" + b.document_hash + "' is not <sha256|sha384|sha512>:<hex>");
    return content;
  }
  if (b.document && enveloped && *b.document != *enveloped) {
    c.check("document", false, "the bundled document differs from the content enveloped in the signature");
    return content;
  }
  if (!content) {
    c.check("document", true, "document not included: hash only (" + b.document_hash + ")");
    return content;
  }
  bool same = core::digest(hash->alg, *content) == hash->value;
  bool size_ok = b.document_size < 0 || static_cast<std::size_t>(b.document_size) == content->size();
  c.check("document", same && size_ok,
          !same ? "the document's " + std::string(core::digest_name(hash->alg)) + " is not " + b.document_hash
          : !size_ok ? "the document has " + std::to_string(content->size()) + " bytes, the bundle says " + std::to_string(b.document_size)
                     : std::string(b.document ? "the document" : "the enveloped content") + " (" + std::to_string(content->size()) +
                           " bytes) has the hash " + b.document_hash);
  return content;
}

void check_cms(Context& c, CMS_ContentInfo* cms, const cades::SignatureInfo& info, const std::optional<Bytes>& content,
               const std::optional<DocumentHash>& hash) {
  const Bundle& b = c.bundle;
  if (b.format != "cades") {
    c.check("signature", false, "format '" + b.format + "' is not verified by this version (only cades is)");
    return;
  }
  auto certs = untrusted_certificates(c);
  if (c.signer && X509_up_ref(c.signer.get()) == 1 && sk_X509_push(certs.get(), c.signer.get()) <= 0) X509_free(c.signer.get());
  bool ok = false;
  std::string detail;
  if (info.signer_count != 1) {
    detail = "the signature has " + std::to_string(info.signer_count) + " SignerInfos, not one";
  } else if (content) {
    auto bio = core::wrap(BIO_new_mem_buf(content->data(), static_cast<int>(content->size())));
    // The chain is checked on its own below ("chain"), so that each failure is named once.
    ok = CMS_verify(cms, certs.get(), nullptr, info.detached ? bio.get() : nullptr, nullptr,
                    CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1;
    detail = ok ? "the CMS signature verifies over the document (message-digest and signature value)"
                : "the CMS signature does not verify over the document: " + core::drain_openssl_errors();
  } else {
    detail = "document not included: hash only; " + verify_signer_info(cms, certs.get(), hash, ok);
  }
  if (ok && info.detached != b.detached) {
    ok = false;
    detail = std::string("the signature is ") + (info.detached ? "detached" : "enveloping") + ", the bundle says otherwise";
  }
  if (ok && cades::level_name(info.level) != b.level) {
    ok = false;
    detail = std::string("the signature is at level ") + cades::level_name(info.level) + ", the bundle says " + b.level;
  }
  if (ok && info.signing_time && c.signing_time && *info.signing_time != *c.signing_time) {
    ok = false;
    detail = "the signing-time attribute " + to_rfc3339(*info.signing_time) + " is not the time of the signature.produced entry " +
             to_rfc3339(*c.signing_time);
  }
  if (ok) detail += std::string("; ") + cades::level_name(info.level) + ", signing time " +
                    (info.signing_time ? to_rfc3339(*info.signing_time) : std::string("absent"));
  c.check("signature", ok, detail);
}

}  // namespace

// RFC 5652 §5.4: without the content, the message-digest signed attribute is compared with the
// document hash, and the SignerInfo signature over the DER of the signed attributes is verified.
std::string verify_signer_info(CMS_ContentInfo* cms, STACK_OF(X509)* certs, const std::optional<DocumentHash>& hash,
                               bool& ok) {
  ok = false;
  if (CMS_set1_signers_certs(cms, certs, 0) < 1) return "the signer's certificate is not in the signature or the bundle";
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  if (!infos || sk_CMS_SignerInfo_num(infos) != 1) return "the signature does not have exactly one SignerInfo";
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
  auto* md = static_cast<ASN1_OCTET_STRING*>(
      CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  if (!md) return "the SignerInfo has no message-digest attribute";
  Bytes signed_digest(ASN1_STRING_get0_data(md), ASN1_STRING_get0_data(md) + ASN1_STRING_length(md));
  if (!hash || signed_digest != hash->value) return "the signed message-digest is not the digest of the signed data";
  if (CMS_SignerInfo_verify(si) != 1) {
    core::drain_openssl_errors();
    return "the SignerInfo signature over the signed attributes does not verify";
  }
  ok = true;
  return "the signed message-digest equals the digest and the signature over the signed attributes verifies";
}

std::optional<DocumentHash> parse_document_hash(const std::string& ref) {
  struct Form {
    const char* prefix;
    core::DigestAlgorithm alg;
  };
  for (Form f : {Form{"sha256:", core::DigestAlgorithm::sha256}, Form{"sha384:", core::DigestAlgorithm::sha384},
                 Form{"sha512:", core::DigestAlgorithm::sha512}}) {
    std::string_view p(f.prefix);
    if (ref.rfind(p, 0) != 0) continue;
    auto value = hex_decode(std::string_view(ref).substr(p.size()));
    if (!value || value->size() != core::digest_size(f.alg)) return std::nullopt;
    return DocumentHash{f.alg, std::move(*value)};
  }
  return std::nullopt;
}

void find_signing_time(Context& c, std::optional<TimePoint> claimed) {
  for (const Entry* e : c.of_event("signature.produced"))
    if (str(e->parsed.details, "signature_id") == c.bundle.signature_id) c.signing_time = e->parsed.time;
  if (!c.signing_time && claimed) c.signing_time = claimed;
  c.report.signed_at = c.signing_time;
}

void check_chain(Context& c, const Bytes* embedded) {
  const Bundle& b = c.bundle;
  if (!b.chain.empty()) c.report.root_fingerprint = hex_encode(core::sha256(b.chain.back()));
  if (!c.signer) {
    c.check("chain", false, "the signer certificate does not parse");
    return;
  }
  if (embedded && *embedded != b.signer_certificate) {
    c.check("chain", false, "the signer certificate in the bundle is not the one in the signature");
    return;
  }
  if (c.options.trusted_root && (b.chain.empty() || b.chain.back() != *c.options.trusted_root)) {
    c.check("chain", false, "the bundle's root (SHA-256 " + c.report.root_fingerprint + ") is not the pinned root (SHA-256 " +
                                hex_encode(core::sha256(*c.options.trusted_root)) + ")");
    return;
  }
  // Order: signer <- chain[0] <- ... <- chain[n-1] (the root, self-issued).
  std::vector<core::UniquePtr<X509>> chain;
  const X509* child = c.signer.get();
  for (std::size_t k = 0; k < b.chain.size(); ++k) {
    auto issuer = core::x509_from_der(b.chain[k]);
    if (!issuer) {
      c.check("chain", false, "chain[" + std::to_string(k) + "] does not parse: " + issuer.error().message);
      return;
    }
    if (X509_check_issued(issuer->get(), const_cast<X509*>(child)) != X509_V_OK) {
      c.check("chain", false, "chain[" + std::to_string(k) + "] (" + core::name_to_string(X509_get_subject_name(issuer->get())) +
                                  ") did not issue " + core::name_to_string(X509_get_subject_name(child)));
      return;
    }
    chain.push_back(std::move(*issuer));
    child = chain.back().get();
  }
  auto anchor = trust_anchor(c);
  if (!anchor || !c.signing_time) {
    c.check("chain", false, !anchor ? "there is no root certificate to verify the chain against" : "the signing time is unknown");
    return;
  }
  auto store = store_at(anchor.get(), *c.signing_time);
  auto untrusted = untrusted_certificates(c);
  auto ctx = core::wrap(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx || X509_STORE_CTX_init(ctx.get(), store.get(), c.signer.get(), untrusted.get()) != 1) {
    c.check("chain", false, "out of memory: " + core::drain_openssl_errors());
    return;
  }
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_ANY);
  bool ok = X509_verify_cert(ctx.get()) == 1;
  std::string why = ok ? "" : X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
  core::drain_openssl_errors();
  c.check("chain", ok,
          ok ? core::name_to_string(X509_get_subject_name(c.signer.get())) + " chains to the root (SHA-256 " +
                   hex_encode(core::sha256(b.chain.empty() ? Bytes() : b.chain.back())) + ") at " + to_rfc3339(*c.signing_time)
             : "the signer's chain does not verify at " + to_rfc3339(*c.signing_time) + ": " + why);
}

// Defined in verify_timestamps.cpp.
void check_timestamps(Context& c, CMS_ContentInfo* cms, const cades::SignatureInfo& info, const std::optional<Bytes>& content);

void verify_signature(Context& c) {
  const Bundle& b = c.bundle;
  if (auto cert = core::x509_from_der(b.signer_certificate)) {
    c.signer = std::move(*cert);
    c.signer_serial = core::serial_to_hex(X509_get0_serialNumber(c.signer.get()));
  }
  auto hash = parse_document_hash(b.document_hash);
  if (b.format != "cades" && b.format != "cades-countersignature") {
    verify_other_format(c, check_document(c, nullptr, hash), hash);
    return;
  }
  auto info = cades::inspect(b.signature);
  find_signing_time(c, info ? info->signing_time : std::nullopt);
  auto cms = parse_cms(b.signature);
  auto content = check_document(c, cms.get(), hash);
  if (!info || !cms) {
    c.check("signature", false, "the signature is not a CAdES signature: " + (info ? std::string("CMS does not parse") : info.error().message));
    check_chain(c, nullptr);
    c.check("timestamps", false, "the signature does not parse, so its time-stamps cannot be checked");
    return;
  }
  check_cms(c, cms.get(), *info, content, hash);
  check_chain(c, &info->signer_certificate);
  check_timestamps(c, cms.get(), *info, content);
}

}  // namespace qualsig::evidence::detail
