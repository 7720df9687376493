#include "service/tsa_service.h"

#include "core/log.h"
#include "pki/tsa.h"
#include "service/ca_context.h"

namespace qualsig::service {
namespace {

pki::TsaSerialSource serials(TrustService& svc) {
  return [&svc]() { return svc.store().next_counter("tsa-serial"); };
}

pki::TsaIdentity identity(const CaContext& ca) {
  // The chain goes with every token that asks for certificates, so that a verifier holding
  // only the root can check it (ETSI EN 319 422 §5.2: the TSA's certificate identifies it).
  return pki::TsaIdentity{ca.tsa.get(), ca.tsa_key.get(), {ca.issuing.get(), ca.root.get()}};
}

}  // namespace

Bytes timestamp_response(TrustService& svc, ByteView request_der, TimePoint now) {
  auto ca = svc.ca_context();
  if (!ca) {
    spdlog::error("tsa: {}", ca.error().message);
    // Answered as systemFailure by the same code, with no key to sign: identity unusable.
    return pki::timestamp_respond(request_der, pki::TsaIdentity{}, pki::TsaOptions{}, serials(svc), now);
  }
  return pki::timestamp_respond(request_der, identity(**ca), pki::TsaOptions{}, serials(svc), now);
}

Result<Bytes> timestamp_token(TrustService& svc, ByteView digest, core::DigestAlgorithm alg, TimePoint now,
                              std::optional<ByteView> nonce) {
  QS_TRY(auto ca, svc.ca_context());
  return pki::timestamp_digest(digest, alg, identity(*ca), pki::TsaOptions{}, serials(svc), now, nonce);
}

}  // namespace qualsig::service
