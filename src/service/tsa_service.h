#pragma once
// The trust service's timestamp unit (RFC 3161): the /tsa endpoint and the signature and
// archive timestamps qualsig adds itself go through the same pki::timestamp_respond, with
// serials from the store's "tsa-serial" counter (unique and increasing across processes).

#include <optional>

#include "core/bytes.h"
#include "core/digest.h"
#include "service/trust_service.h"

namespace qualsig::service {

// An RFC 3161 TimeStampResp for one DER TimeStampReq (always a DER answer, also for bad input).
Bytes timestamp_response(TrustService& svc, ByteView request_der, TimePoint now);

// A TimeStampToken over `digest` for the service's own use (CAdES signature-time-stamp and
// archive-time-stamp-v3), and for CSC signatures/timestamp with the client's nonce (in the token;
// pki::timestamp_digest's errors).
Result<Bytes> timestamp_token(TrustService& svc, ByteView digest, core::DigestAlgorithm alg, TimePoint now,
                              std::optional<ByteView> nonce = std::nullopt);

}  // namespace qualsig::service
