#pragma once
// Producing and extending CAdES signatures with the service's credentials, TSA and revocation
// data (formats/cades.h does the encoding).

#include <optional>

#include "core/bytes.h"
#include "core/digest.h"
#include "formats/cades.h"
#include "service/trust_service.h"

namespace qualsig::service {

// Raises a CAdES signature to `level` ("B-T", "B-LT", "B-LTA"; ETSI EN 319 122-1 §6) without
// changing its signed bytes: signature time-stamp from our TSA, the signer's chain with an OCSP
// response and CRLs for certificates this service issued, an archive-time-stamp-v3.
// `detached_digest` is the document's digest (signature's algorithm) for detached signatures
// going to B-LTA. Fails with invalid_input (not CAdES), conflict (already at or above the
// level), denied (revocation data for a certificate another CA issued: this version does not
// fetch it online). The extension is logged.
Result<Bytes> extend_signature(TrustService& svc, ByteView cms, const std::string& level,
                               std::optional<Bytes> detached_digest, const std::string& actor, TimePoint now);

// B-LT material for a certificate this service issued: the chain and the TSA certificate, an
// OCSP response of our responder for it and the current CRLs of the issuing CA and the root.
// denied for a certificate another CA issued.
Result<formats::cades::ValidationData> signer_validation_data(TrustService& svc, const X509* signer, TimePoint now);

// The digest algorithm of a CAdES signature's signer (for hashing its detached document).
Result<core::DigestAlgorithm> signature_digest_algorithm(ByteView cms);

}  // namespace qualsig::service
