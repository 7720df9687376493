#pragma once
// `qualsig verify`: EN 319 102-1 validation of any AdES file (validation/validate.h) and, for
// each signature, its qualification against the trusted lists the caller loads (TS 119 615,
// validation/qualification.h). Needs no data directory: it verifies anything, made by anyone.
//
// Trust anchors are the certificates given explicitly plus the certificates of every service in
// the loaded lists (as DSS does: a trusted list is a source of trust anchors).

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "core/openssl.h"
#include "core/result.h"
#include "core/time.h"
#include "trust/trust_store.h"
#include "validation/qualification.h"
#include "validation/validate.h"

namespace qualsig::service {

// What a validation trusts: certificates given explicitly, and private lists with their configured
// signer certificates, a LOTL with its signers, and member-state lists the LOTL announces.
struct TrustInputs {
  std::vector<Bytes> trust_anchors;                          // DER
  std::vector<std::pair<Bytes, std::string>> private_lists;  // (XML, source name)
  std::vector<Bytes> private_list_signers;
  std::optional<std::pair<Bytes, std::string>> lotl;
  std::vector<Bytes> lotl_signers;
  std::vector<std::pair<Bytes, std::string>> member_state_lists;
};

// TrustInputs loaded: every list's signature verified, every anchor parsed once. Immutable once
// loaded, so one ValidationTrust serves any number of validations on any threads (the server
// loads its own at start: TrustService::validation_trust).
struct ValidationTrust {
  trust::TrustStore store;
  std::vector<core::UniquePtr<X509>> anchors;  // the given ones and every listed service's
  std::vector<std::string> lists;              // "private list our-tl.xml (signed by ...)", ...
  std::vector<std::string> warnings;           // lists refused, expired, ...
};

// Loads the lists (a list that does not verify is an error: the caller asked for it) and parses
// the anchors. Fails with invalid_input for a certificate that does not parse.
Result<std::shared_ptr<const ValidationTrust>> load_validation_trust(const TrustInputs& inputs);

class TrustService;

// The trust of the validations a trust service makes for its callers (POST /api/v1/validate):
// its own root CA and what config.json's "validation" section names. Fails with invalid_input
// (a file that is not a certificate or list, a list whose signature does not verify) or
// environment (a file that cannot be read), the message naming the configuration key.
Result<std::shared_ptr<const ValidationTrust>> load_validation_trust(TrustService& service);

// What one validation adds to the trust: the file's own context.
struct VerifyRequest {
  std::vector<Bytes> extra_certificates;   // DER, untrusted
  std::vector<Bytes> crls;                 // DER CertificateList, e.g. `qualsig crl export`
  std::vector<Bytes> ocsp_responses;       // DER OCSPResponse
  std::optional<Bytes> detached_content;
  std::optional<TimePoint> at;             // validation time; default now
  // Online validation: revocation data a path lacks is fetched over HTTP (OCSP, then CRL), each
  // request bounded by this timeout; nullopt: nothing is fetched.
  std::optional<std::chrono::seconds> online;
};

struct VerifiedSignature {
  validation::SignatureReport report;
  std::optional<validation::QualificationResult> qualification;  // nullopt without lists
  // When no loaded list lists the chain (qualification N/A or absent): what the certificate
  // claims on its own, capped at "-QC" because only a trusted list can confirm a QSCD and a
  // QTSP (e.g. "AdESeal-QC (certificate claims only; no trusted list confirms it)").
  std::optional<std::string> certificate_claims;
};

struct VerifyOutcome {
  validation::ValidationReport report;
  std::vector<VerifiedSignature> signatures;  // same order as report.signatures
  std::vector<std::string> lists;             // "private list our-tl.xml (signed by ...)", ...
  std::vector<std::string> warnings;          // lists refused, expired, ...
  bool all_passed = false;                    // every signature TOTAL-PASSED (the exit code)
};

// Validates `file` under `trust` and qualifies every signature whose signer certificate was
// identified.
Result<VerifyOutcome> verify_document(ByteView file, const VerifyRequest& request, const ValidationTrust& trust);

// The outcome as JSON (validation report + qualification per signature).
nlohmann::json to_json(const VerifyOutcome& outcome);
// The outcome as an ETSI TS 119 102-2 validation report (XML), with each signature's
// qualification level where one was determined.
Result<std::string> etsi_report(const VerifyOutcome& outcome);

}  // namespace qualsig::service
