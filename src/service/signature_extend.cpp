// extend_signature (service/signature_service.h): raising CAdES, XAdES, PAdES and JAdES signatures to a
// higher baseline level with our TSA and our revocation data, without touching the signed bytes.
#include "audit/log_entry.h"
#include "core/fs.h"
#include "formats/cades.h"
#include "formats/jades.h"
#include "formats/pades.h"
#include "formats/xades.h"
#include "service/signature_service.h"
#include "service/identity_service.h"
#include "service/sign_service.h"
#include "service/trust_service.h"

namespace qualsig::service {
namespace {

namespace cades = formats::cades;
namespace jades = formats::jades;
namespace pades = formats::pades;
namespace xades = formats::xades;

struct Extended {
  Bytes bytes;
  cades::Level from = cades::Level::b_b;
};

bool starts_with(ByteView b, std::string_view prefix) {
  return b.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), b.begin());
}

bool is_xml(ByteView b) {
  std::size_t k = starts_with(b, "\xEF\xBB\xBF") ? 3 : 0;
  while (k < b.size() && (b[k] == ' ' || b[k] == '\t' || b[k] == '\r' || b[k] == '\n')) ++k;
  return k < b.size() && b[k] == '<';
}

bool is_jws(ByteView b) {
  std::size_t k = 0;
  while (k < b.size() && (b[k] == ' ' || b[k] == '\t' || b[k] == '\r' || b[k] == '\n')) ++k;
  return k < b.size() && (b[k] == '{' || (b.size() - k > 4 && b[k] == 'e' && b[k + 1] == 'y'));  // JSON or "eyJ..." header
}

Result<void> not_yet(cades::Level current, cades::Level target) {
  if (current >= target && target != cades::Level::b_lta)
    return fail(ErrorCode::conflict, std::string("the signature is already ") + cades::level_name(current));
  return ok();
}

Result<Bytes> document_bytes(const std::optional<std::filesystem::path>& path, std::size_t limit) {
  if (!path) return fail(ErrorCode::usage, "a detached signature needs the document (--detached DATA) to go to B-LTA");
  QS_TRY(auto text, core::read_file(*path, limit));
  return Bytes(text.begin(), text.end());
}

Result<Extended> extend_cades(TrustService& svc, ByteView cms, cades::Level target,
                              const std::optional<std::filesystem::path>& document, TimePoint now) {
  QS_TRY(auto info, cades::inspect(cms));
  if (info.signer_count != 1) return fail(ErrorCode::invalid_input, "only signatures with exactly one signer can be extended");
  QS_TRY_VOID(not_yet(info.level, target));
  auto ts = timestamp_fn(svc, now);
  Bytes out(cms.begin(), cms.end());
  if (info.level < cades::Level::b_t) {
    QS_TRY(out, cades::add_signature_timestamp(out, ts));
  }
  if (target >= cades::Level::b_lt && info.level < cades::Level::b_lt) {
    if (info.signer_certificate.empty()) return fail(ErrorCode::invalid_input, "the signature does not carry its signer's certificate");
    QS_TRY(auto cert, core::x509_from_der(info.signer_certificate));
    QS_TRY(auto data, signer_validation_data(svc, cert.get(), now));
    QS_TRY(out, cades::add_validation_data(out, data));
  }
  if (target == cades::Level::b_lta) {
    std::optional<Bytes> digest;
    if (info.detached) {
      if (!document) return fail(ErrorCode::usage, "a detached signature needs the document (--detached DATA) to go to B-LTA");
      if (!info.digest) return fail(ErrorCode::invalid_input, "the signature's digest algorithm is not SHA-256, SHA-384 or SHA-512");
      QS_TRY(auto d, digest_document(*document, *info.digest));
      digest = std::move(d.value);
    }
    std::optional<ByteView> d;
    if (digest) d = ByteView(*digest);
    QS_TRY(out, cades::add_archive_timestamp(out, d, ts));
  }
  return Extended{std::move(out), info.level};
}

Result<Extended> extend_xades(TrustService& svc, ByteView xml, cades::Level target,
                              const std::optional<std::filesystem::path>& document, TimePoint now) {
  QS_TRY(auto info, xades::inspect(xml));
  QS_TRY_VOID(not_yet(info.level, target));
  auto ts = timestamp_fn(svc, now);
  const auto alg = core::DigestAlgorithm::sha256;
  Bytes out(xml.begin(), xml.end());
  if (info.level < cades::Level::b_t) {
    QS_TRY(out, xades::add_signature_timestamp(out, ts, alg));
  }
  if (target >= cades::Level::b_lt && info.level < cades::Level::b_lt) {
    if (info.signer_certificate.empty()) return fail(ErrorCode::invalid_input, "the signature does not carry its signer's certificate");
    QS_TRY(auto cert, core::x509_from_der(info.signer_certificate));
    QS_TRY(auto data, signer_validation_data(svc, cert.get(), now));
    QS_TRY(out, xades::add_validation_data(out, data));
  }
  if (target == cades::Level::b_lta) {
    std::optional<Bytes> content;
    if (info.packaging == xades::Packaging::detached) {
      QS_TRY(content, document_bytes(document, xades::kMaxXmlSize));
    }
    std::optional<ByteView> view;
    if (content) view = ByteView(*content);
    QS_TRY(out, xades::add_archive_timestamp(out, view, ts, alg));
  }
  return Extended{std::move(out), info.level};
}

// TS 119 182-1 §6 (formats::jades::extend_jws). A detached JWS needs its document: its signature
// is verified before anything is added, and a B-LTA arcTst covers the payload.
Result<Extended> extend_jades(TrustService& svc, ByteView text, cades::Level target,
                              const std::optional<std::filesystem::path>& document, TimePoint now) {
  const std::string_view jws(reinterpret_cast<const char*>(text.data()), text.size());
  QS_TRY(auto doc, jades::parse_jws(jws));
  if (doc.signatures.size() != 1)
    return fail(ErrorCode::invalid_input, "the JWS holds " + std::to_string(doc.signatures.size()) + " signatures; one is extended at a time");
  const jades::JwsSignature& s = doc.signatures.front();
  std::optional<Bytes> content;
  if (!doc.payload) {
    if (!document) return fail(ErrorCode::usage, "a detached JWS needs its document (--detached DATA) to be extended");
    QS_TRY(content, document_bytes(document, jades::kMaxJwsSize));
  }
  const jades::Level to = jades::from_cades_level(target);  // B-B was refused by extend_signature
  const jades::Level from = jades::level_of(s);
  jades::ExtendOptions options;
  options.timestamp = timestamp_fn(svc, now);
  if (to >= jades::Level::b_lt && from < jades::Level::b_lt) {
    if (s.x5c.empty()) return fail(ErrorCode::invalid_input, "the signature does not carry its signer's certificate (x5c)");
    QS_TRY(auto cert, core::x509_from_der(s.x5c.front()));
    QS_TRY(options.validation_data, signer_validation_data(svc, cert.get(), now));
  }
  std::optional<ByteView> detached;
  if (content) detached = ByteView(*content);
  QS_TRY(auto extended, jades::extend_jws(jws, to, detached, options));
  return Extended{Bytes(extended.jws.begin(), extended.jws.end()), jades::to_cades_level(extended.from)};
}

// The last signature of the PDF, at the level pades::level_of finds.
Result<Extended> extend_pades(TrustService& svc, ByteView pdf, cades::Level target, TimePoint now) {
  QS_TRY(auto info, pades::inspect(pdf));
  std::optional<std::size_t> last;
  for (std::size_t k = 0; k < info.signatures.size(); ++k)
    if (!info.signatures[k].document_timestamp) last = k;
  if (!last) return fail(ErrorCode::invalid_input, "the PDF has no signature to extend");
  QS_TRY(auto cms, cades::inspect(info.signatures[*last].contents));
  const cades::Level level = pades::level_of(info, *last);
  const bool t = level >= cades::Level::b_t, lt = level >= cades::Level::b_lt;
  QS_TRY_VOID(not_yet(level, target));
  auto ts = timestamp_fn(svc, now);
  const auto alg = cms.digest.value_or(core::DigestAlgorithm::sha256);
  Bytes out(pdf.begin(), pdf.end());
  auto append = [&out](const Bytes& increment) { out.insert(out.end(), increment.begin(), increment.end()); };
  if (!t) {
    QS_TRY(auto inc, pades::add_document_timestamp_increment(out, ts, alg));
    append(inc);
  }
  if (target >= cades::Level::b_lt && !lt) {
    if (cms.signer_certificate.empty()) return fail(ErrorCode::invalid_input, "the signature does not carry its signer's certificate");
    QS_TRY(auto cert, core::x509_from_der(cms.signer_certificate));
    QS_TRY(auto data, signer_validation_data(svc, cert.get(), now));
    QS_TRY(auto inc, pades::add_validation_data_increment(out, data));
    append(inc);
  }
  if (target == cades::Level::b_lta) {
    QS_TRY(auto inc, pades::add_document_timestamp_increment(out, ts, alg));
    append(inc);
  }
  return Extended{std::move(out), level};
}

}  // namespace

Result<Bytes> extend_signature(TrustService& svc, ByteView signature, const std::string& level_name,
                               const std::optional<std::filesystem::path>& detached_document, const std::string& actor,
                               TimePoint now) {
  auto target = cades::parse_level(level_name);
  if (!target || *target == cades::Level::b_b) return fail(ErrorCode::usage, "--to must be B-T, B-LT or B-LTA");
  Extended ext;
  if (starts_with(signature, "%PDF-")) {
    QS_TRY(ext, extend_pades(svc, signature, *target, now));
  } else if (is_xml(signature)) {
    QS_TRY(ext, extend_xades(svc, signature, *target, detached_document, now));
  } else if (is_jws(signature)) {
    QS_TRY(ext, extend_jades(svc, signature, *target, detached_document, now));
  } else {
    QS_TRY(ext, extend_cades(svc, signature, *target, detached_document, now));
  }
  QS_TRY_VOID(log_event(svc, audit::EventType::operator_note, actor, "signature:" + audit::sha256_ref(signature),
                        {{"signature", audit::sha256_ref(ext.bytes)}, {"previous", audit::sha256_ref(signature)}},
                        {{"note", "signature extended"}, {"from", cades::level_name(ext.from)}, {"to", level_name}}, now));
  return std::move(ext.bytes);
}

}  // namespace qualsig::service
