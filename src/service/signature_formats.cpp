// produce_signature: one request, one format. The levels of every format reuse the same three
// services: our TSA (B-T), our OCSP responder and CRLs (B-LT), an archive or document time-stamp
// (B-LTA).
#include "service/signature_formats.h"

#include "formats/cades.h"
#include "formats/jades.h"
#include "service/ca_context.h"
#include "service/signature_service.h"
#include "service/tsa_service.h"

namespace qualsig::service {
namespace {

namespace cades = formats::cades;
namespace jades = formats::jades;

constexpr std::size_t kMaxJadesPayload = 64u << 20;  // a JWS is read whole; TS 119 182-1 has no limit

bool is_level(const std::string& level) {
  return level == "B-B" || level == "B-T" || level == "B-LT" || level == "B-LTA";
}

struct Common {
  cades::Level level = cades::Level::b_b;
  std::vector<const X509*> chain;
  cades::TimestampFn timestamp;
  cades::ValidationData validation_data;
};

Result<Common> common_options(TrustService& svc, const ProduceInput& in, TimePoint now) {
  auto level = cades::parse_level(in.level);
  if (!level) return fail(ErrorCode::database, "stored level '" + in.level + "' is unknown");
  QS_TRY(auto ca, svc.ca_context());
  Common c;
  c.level = *level;
  c.chain = {ca->issuing.get(), ca->root.get()};
  c.timestamp = [&svc, now](ByteView digest, core::DigestAlgorithm alg) { return timestamp_token(svc, digest, alg, now); };
  if (*level >= cades::Level::b_lt) {
    QS_TRY(c.validation_data, signer_validation_data(svc, in.certificate, now));
  }
  return c;
}

Result<Bytes> produce_cades(const ProduceInput& in, const Common& c, TimePoint now) {
  cades::SignOptions options;
  options.level = c.level;
  options.digest = in.digest;
  options.signing_time = now;
  options.chain = c.chain;
  options.timestamp = c.timestamp;
  options.validation_data = c.validation_data;
  if (in.format == kCadesCounterSignature) return cades::add_counter_signature(*in.content, in.certificate, *in.signer, options);
  if (in.detached) return cades::sign_detached(in.document_digest, in.certificate, *in.signer, options);
  return cades::sign_enveloping(*in.content, in.certificate, *in.signer, options);
}

Result<Bytes> produce_jades(const ProduceInput& in, const Common& c, TimePoint now) {
  jades::SignOptions options;
  options.level = c.level == cades::Level::b_lt ? jades::Level::b_lt
                  : c.level == cades::Level::b_t ? jades::Level::b_t
                                                  : jades::Level::b_b;
  // The compact form has no unprotected header for the etsiU time-stamp (TS 119 182-1 §5.3).
  options.serialization = c.level == cades::Level::b_b ? jades::Serialization::compact : jades::Serialization::json;
  options.detached = in.detached;
  options.signing_time = now;
  options.chain = c.chain;
  options.timestamp = c.timestamp;
  options.validation_data = c.validation_data;
  options.timestamp_digest = in.digest;
  QS_TRY(auto text, jades::sign_jws(*in.content, in.certificate, *in.signer, options));
  return Bytes(text.begin(), text.end());
}

}  // namespace

Result<void> check_format(const std::string& format, const std::string& level, bool detached) {
  if (!is_level(level)) return fail(ErrorCode::invalid_input, "level must be B-B, B-T, B-LT or B-LTA");
  if (format == kCades) return ok();
  if (format == kCadesCounterSignature) {
    if (level != "B-B" || detached)
      return fail(ErrorCode::invalid_input, "a counter-signature is added to the signature file itself, at level B-B");
    return ok();
  }
  if (format == kJades) {
    if (level == "B-LTA")
      return fail(ErrorCode::invalid_input, "JAdES is available at B-B, B-T and B-LT (B-LTA archive time-stamps are not made by this version)");
    return ok();
  }
  return fail(ErrorCode::invalid_input, "format '" + format + "' is not available (cades, cades-countersignature and jades are)");
}

bool needs_content(const std::string& format, const std::string& level, bool detached) {
  (void)level;
  // A JWS with an unencoded detached payload still signs the payload bytes (RFC 7797 §3).
  if (format == kJades || format == kCadesCounterSignature) return true;
  return !detached;
}

std::size_t max_content_size(const std::string& format) {
  if (format == kJades) return kMaxJadesPayload;
  return cades::kMaxEnvelopedContent;
}

Result<Produced> produce_signature(TrustService& svc, const ProduceInput& in, TimePoint now) {
  if (!in.certificate || !in.signer) return fail(ErrorCode::usage, "produce_signature needs the certificate and its signer");
  if (needs_content(in.format, in.level, in.detached) && !in.content)
    return fail(ErrorCode::invalid_input, "a " + in.format + " signature needs the document content, not only its hash");
  QS_TRY(auto c, common_options(svc, in, now));
  Produced out;
  if (in.format == kCades || in.format == kCadesCounterSignature) {
    QS_TRY(out.signature, produce_cades(in, c, now));
  } else if (in.format == kJades) {
    QS_TRY(out.signature, produce_jades(in, c, now));
  } else {
    return fail(ErrorCode::database, "stored format '" + in.format + "' is unknown");
  }
  return out;
}

}  // namespace qualsig::service
