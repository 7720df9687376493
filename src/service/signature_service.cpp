// sign_with_sad (service/sign_service.h): the SAD is consumed, the credential re-checked, the
// signature made with the identity's key in the token (service/signature_formats.cpp) and logged.
#include "service/signature_service.h"

#include <openssl/ocsp.h>

#include "audit/log_entry.h"
#include "core/fs.h"
#include "core/openssl.h"
#include "formats/cades.h"
#include "service/ca_context.h"
#include "service/cert_service.h"
#include "service/credential.h"
#include "service/delegation_service.h"
#include "service/identity_service.h"
#include "service/people_service.h"
#include "service/sign_service.h"
#include "service/tsa_service.h"

namespace qualsig::service {
namespace {

namespace cades = formats::cades;

Result<core::DigestAlgorithm> digest_of_ref(const std::string& ref) {
  if (ref.rfind("sha256:", 0) == 0) return core::DigestAlgorithm::sha256;
  if (ref.rfind("sha384:", 0) == 0) return core::DigestAlgorithm::sha384;
  if (ref.rfind("sha512:", 0) == 0) return core::DigestAlgorithm::sha512;
  return fail(ErrorCode::database, "unknown document hash form: " + ref);
}

// An OCSP request for `cert` (issued by `issuer`), answered by our own responder (RFC 6960).
Result<Bytes> own_ocsp_response(TrustService& svc, const X509* cert, const X509* issuer, TimePoint now) {
  auto id = OCSP_cert_to_id(EVP_sha256(), cert, issuer);
  if (!id) return fail(core::openssl_error(ErrorCode::crypto, "OCSP certificate id"));
  auto req = core::wrap(OCSP_REQUEST_new());
  if (!req || !OCSP_request_add0_id(req.get(), id)) {
    OCSP_CERTID_free(id);
    return fail(core::openssl_error(ErrorCode::crypto, "OCSP request"));
  }
  int len = i2d_OCSP_REQUEST(req.get(), nullptr);
  if (len <= 0) return fail(core::openssl_error(ErrorCode::crypto, "OCSP request encoding"));
  Bytes der(static_cast<std::size_t>(len));
  auto* p = der.data();
  i2d_OCSP_REQUEST(req.get(), &p);
  auto resp = ocsp_response(svc, der, now);
  // Only a successful answer is validation data.
  const unsigned char* q = resp.data();
  auto parsed = core::wrap(d2i_OCSP_RESPONSE(nullptr, &q, static_cast<long>(resp.size())));
  if (!parsed || OCSP_response_status(parsed.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    return fail(ErrorCode::unavailable, "the OCSP responder gave no successful answer for the signer's certificate");
  return resp;
}

// The signature itself, once the SAD is consumed and the request and credential re-checked.
Result<Produced> make_signature(TrustService& svc, const store::SignRequestRecord& req, const Credential& credential,
                                core::DigestAlgorithm alg, const SignInput& input, TimePoint now) {
  QS_TRY(auto cert, svc.parsed_certificate(credential.certificate.der));
  QS_TRY(auto signer, svc.key_signer(credential.certificate.key_id));
  ProduceInput produce;
  produce.format = req.format;
  produce.level = req.level;
  produce.detached = req.detached;
  produce.digest = alg;
  produce.document_digest = input.digest;
  produce.content = input.content;
  produce.document_name = req.document_name;
  QS_TRY(produce.options, parse_format_options(req.format_options));
  produce.certificate = cert.get();
  produce.signer = signer.get();
  if ((input.scheme || input.pss) && req.format != kRaw)
    return fail(ErrorCode::invalid_input, "a signature algorithm is chosen only for raw signature values");
  produce.scheme = input.scheme;
  produce.pss = input.pss;
  return produce_signature(svc, produce, now);
}

}  // namespace

cades::TimestampFn timestamp_fn(TrustService& svc, TimePoint now) {
  return [&svc, now](ByteView digest, core::DigestAlgorithm alg) { return timestamp_token(svc, digest, alg, now); };
}

Result<cades::ValidationData> signer_validation_data(TrustService& svc, const X509* signer, TimePoint now) {
  QS_TRY(auto ca, svc.ca_context());
  if (X509_check_issued(const_cast<X509*>(ca->issuing.get()), const_cast<X509*>(signer)) != X509_V_OK)
    return fail(ErrorCode::denied, "the signer's certificate was not issued by this trust service: its revocation data "
                                   "would have to be fetched online, which this version does not do");
  cades::ValidationData d;
  for (const X509* c : {ca->issuing.get(), ca->root.get(), ca->tsa.get()}) {
    QS_TRY(auto der, core::x509_to_der(c));
    d.certificates.push_back(std::move(der));
  }
  QS_TRY(auto ocsp, own_ocsp_response(svc, signer, ca->issuing.get(), now));
  d.ocsp_responses.push_back(std::move(ocsp));
  for (const char* issuer : {"issuing", "root"}) {
    QS_TRY(auto crl, current_crl(svc, issuer, now));
    d.crls.push_back(std::move(crl.der));
  }
  return d;
}

Result<DocumentDigest> digest_document(const std::filesystem::path& path, core::DigestAlgorithm alg) {
  DocumentDigest d;
  d.name = path.filename().string();
  d.alg = alg;
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size == 0) return fail(ErrorCode::invalid_input, path.string() + " is empty: there is nothing to sign");
  QS_TRY(d.value, cades::digest_file(path, alg));
  d.size = ec ? -1 : static_cast<std::int64_t>(size);
  return d;
}

Result<SignOutput> sign_with_sad(TrustService& svc, const Secret& sad, const SignInput& input, TimePoint now) {
  // Consumed first, atomically: of concurrent uses of one SAD exactly one gets past this line.
  QS_TRY(auto activation, svc.store().consume_sad(token_hash(sad), now));
  return sign_with_consumed_sad(svc, activation, input, now);
}

Result<SignOutput> sign_with_consumed_sad(TrustService& svc, const store::SadRecord& activation, const SignInput& input,
                                          TimePoint now) {
  QS_TRY(auto req, svc.store().sign_request(activation.request_id));
  if ((input.identity && *input.identity != req.identity_name) ||
      (input.credential && *input.credential != activation.credential))
    return fail(ErrorCode::denied, "the SAD was not issued for this caller's credential");
  if (req.status != "allowed" && req.status != "approved")
    return fail(ErrorCode::denied, "sign request " + req.id + " is " + req.status);
  QS_TRY(auto alg, digest_of_ref(req.document_hash));
  DocumentDigest presented{"", alg, input.digest, -1};
  if (input.digest.size() != core::digest_size(alg) || document_hash_ref(presented) != req.document_hash ||
      std::find(activation.document_hashes.begin(), activation.document_hashes.end(), req.document_hash) ==
          activation.document_hashes.end())
    return fail(ErrorCode::invalid_input, "the document is not the one request " + req.id + " was authorised for");
  if (needs_content(req.format, req.level, req.detached) && !input.content)
    return fail(ErrorCode::invalid_input, "a " + req.format + " signature needs the document content");
  // Content given where the digest would do is still used (a detached JWS signs it: RFC 7797).
  if (input.content && core::digest(alg, *input.content) != input.digest)
    return fail(ErrorCode::invalid_input, "the document content does not match its hash");
  QS_TRY(auto credential, check_credential(svc, req.identity_name, activation.credential, now));
  {
    auto decision = nlohmann::json::parse(req.decision, nullptr, false);
    QS_TRY_VOID(recheck_delegation(svc, req.identity_name, decision.is_object() ? decision : nlohmann::json::object(), now));
  }
  audit::EntryDraft consumed;
  consumed.event = audit::EventType::sad_consumed;
  consumed.actor = req.requester;
  consumed.subject = "request:" + req.id;
  consumed.refs = document_refs(req.document_hash, {{"sad", activation.token_hash}});
  consumed.details = {{"request", req.id}, {"document_hash", req.document_hash}, {"credential", activation.credential}};
  // When no signature comes of the consumed SAD, its entry is appended alone.
  auto log_consumption_alone = [&] {
    return log_event(svc, consumed.event, consumed.actor, consumed.subject, consumed.refs, consumed.details, now);
  };

  auto produced = make_signature(svc, req, credential, alg, input, now);
  if (!produced) {
    // The SAD is spent all the same: the log says so before the caller hears why no signature came.
    QS_TRY_VOID(log_consumption_alone());
    return fail(std::move(produced).error());
  }
  store::LogCompanion record;
  store::SignatureRecord& sig = record.signature;
  sig.id = "sig-" + hex_encode(core::random_bytes(8));
  sig.request_id = req.id;
  sig.identity_id = credential.identity.id;
  sig.identity_name = credential.identity.name;
  sig.certificate_serial = credential.certificate.serial_hex;
  sig.format = req.format;
  sig.level = req.level;
  sig.document_hash = req.document_hash;
  sig.signature_hash = audit::sha256_ref(produced->signature);
  sig.signature = std::move(produced->signature);
  sig.created_at = now;
  record.request_status = req.status;
  audit::EntryDraft made;
  made.event = audit::EventType::signature_produced;
  made.actor = "identity:" + req.identity_name;
  made.subject = "identity:" + req.identity_name;
  made.refs = document_refs(req.document_hash, {{"signature", sig.signature_hash}});
  made.details = {{"signature_id", sig.id}, {"document_hash", req.document_hash}, {"credential", sig.certificate_serial},
                  {"request", req.id}, {"format", sig.format}, {"level", sig.level}, {"detached", req.detached}};
  // DESIGN.md step 6: the entries are durable before the signature leaves the service. The two
  // entries and the signature's record (store::LogCompanion) are one transaction: one commit
  // where there were three, and no signature is stored unlogged or logged unstored.
  QS_TRY(auto log, svc.audit_log());
  auto appended = log->append_all({consumed, made}, now, &record);
  if (!appended) {
    // E.g. the request moved on meanwhile (conflict): nothing of the signature was written.
    QS_TRY_VOID(log_consumption_alone());
    return fail(std::move(appended).error());
  }
  return SignOutput{std::move(sig), appended->back().seq, produced->appended_to_document};
}

}  // namespace qualsig::service
