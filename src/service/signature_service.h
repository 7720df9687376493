#pragma once
// Producing and extending signatures with the service's credentials, TSA and revocation data
// (formats/ does the encoding).

#include <filesystem>
#include <optional>

#include "core/bytes.h"
#include "core/digest.h"
#include "formats/cades.h"
#include "service/trust_service.h"

namespace qualsig::service {

// Raises a signature to `level` ("B-T", "B-LT", "B-LTA") without changing its signed bytes; the
// format is recognised from the bytes (PDF, XML, JWS, else CMS). Our TSA, and for certificates
// this service issued our OCSP response and CRLs:
//   CAdES (EN 319 122-1 §6): signature time-stamp, certificates + revocation values, ATSv3.
//   XAdES (EN 319 132-1 §6): SignatureTimeStamp, CertificateValues + RevocationValues,
//         ArchiveTimeStamp.
//   PAdES (EN 319 142-1 §6): a document time-stamp for B-T, a DSS for B-LT, one more document
//         time-stamp for B-LTA, each an incremental update: the result is the whole new PDF.
//   JAdES (TS 119 182-1 §6): sigTst, xVals + rVals, arcTst in etsiU; a compact JWS becomes the
//         flattened JSON serialisation.
// `detached_document` is the signed document of a detached CAdES/XAdES signature going to B-LTA,
// and of any detached JWS (its signature is verified first).
// Fails with invalid_input (not a signature), conflict (already at or above the level), usage
// (missing document), denied (revocation data for a certificate another CA issued: this version
// does not fetch it online). The extension is logged.
Result<Bytes> extend_signature(TrustService& svc, ByteView signature, const std::string& level,
                               const std::optional<std::filesystem::path>& detached_document, const std::string& actor,
                               TimePoint now);

// The service TSA as a time-stamp callback for formats/ (tokens at `now`).
formats::cades::TimestampFn timestamp_fn(TrustService& svc, TimePoint now);

// B-LT material for a certificate this service issued: the chain and the TSA certificate, an
// OCSP response of our responder for it and the current CRLs of the issuing CA and the root.
// denied for a certificate another CA issued.
Result<formats::cades::ValidationData> signer_validation_data(TrustService& svc, const X509* signer, TimePoint now);


}  // namespace qualsig::service
