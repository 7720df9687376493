#pragma once
// Exporting the evidence bundle of one signature (evidence/bundle.h) from the store and the log.

#include <filesystem>
#include <optional>
#include <string>

#include "evidence/bundle.h"
#include "service/trust_service.h"

namespace qualsig::service {

struct ExportOptions {
  // The signed document, included in the bundle (its hash must be the signed one). Without it
  // — and always with without_document — the bundle carries the document's hash only.
  std::optional<std::filesystem::path> document;
  bool without_document = false;
};

// Gathers everything about `signature_id`: the signature, the certificates (signer, issuing CA,
// root, TSA, OCSP responder), revocation data for the signer at signing time (the OCSP responses
// and CRLs embedded at B-LT and above; for lower levels our OCSP answer and CRLs as of `now`,
// which still show the certificate's status and revocation time if any), the identity and its
// proofing, the request, policy and decision, approvals, delegation chain, SAD, and every log
// entry that mentions the identity's proofing, its certificate, the request or the signature —
// each with an inclusion proof to a checkpoint signed now. Errors: not_found (no such signature),
// invalid_input (the document given is not the signed one).
Result<evidence::Bundle> export_bundle(TrustService& svc, const std::string& signature_id, const ExportOptions& options,
                                       TimePoint now);

}  // namespace qualsig::service
