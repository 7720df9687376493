#pragma once
// AdES signature validation, ETSI EN 319 102-1 V1.4.1: the basic process (§5.3), the process for
// signatures with time and long-term validation material (§5.5) and, for signatures carrying an
// archive time-stamp, past signature validation (§5.6.2.4), following the building blocks of
// §5.2 as /work/shared/notes/validation.md describes them (DSS default policy).
//
// What is covered: CAdES and plain CMS SignedData (every SignerInfo), PAdES (every signature
// dictionary, document time-stamps as POEs), JAdES (compact and JSON JWS, every signature) and
// XAdES (every XAdES ds:Signature of an XML document, validate_xades.cpp).
// Validation material comes from the signature (for PAdES also the certificates, OCSP responses
// and CRLs of the PDF's /DSS) and the options; revocation data is fetched only when the options
// give a fetcher (online validation, `verify --online`).
// Thread-safe; no state is kept between calls.

#include <nlohmann/json.hpp>
#include <openssl/types.h>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/http_fetch.h"
#include "core/result.h"
#include "core/time.h"
#include "validation/indication.h"

namespace qualsig::validation {

namespace detail {
struct ChainResult;  // validation/path.h
}

// The validation context (EN 319 102-1 §5.2.4) and the inputs of the process. All DER.
struct ValidationOptions {
  std::vector<Bytes> trust_anchors;         // certificates a chain must reach (any certificate, not only roots)
  // More trust anchors, already parsed and borrowed for the call: a server's, parsed once at start
  // rather than once per validation (a LOTL names thousands). Shared between threads read-only.
  std::vector<const X509*> parsed_trust_anchors;
  std::vector<Bytes> extra_certificates;    // untrusted intermediates (e.g. from the corpus' extracted/)
  std::vector<Bytes> extra_ocsp_responses;  // OCSPResponse (RFC 6960 §4.2.1)
  std::vector<Bytes> extra_crls;            // CertificateList (RFC 5280 §5.1)
  std::optional<TimePoint> validation_time;  // the "current time" of the process; default: the system clock
  std::optional<Bytes> detached_content;     // the signed document of a detached signature
  // Online validation: when a certificate of a path (signer, CA, TSA) has no acceptable revocation
  // data among the above and the signature's own, it is fetched — an OCSP response from the
  // responder its AIA names (RFC 5280 §4.2.2.1, request as RFC 6960 Appendix A.1), else the CRL of
  // its CRL distribution point (RFC 5280 §4.2.1.13) — and accepted as embedded data would be.
  // Null (the default): nothing is fetched. Normally core::http_fetch; a failed fetch is reported
  // in ValidationReport::fetched and leaves the data missing (TRY_LATER), never an error.
  std::function<Result<Bytes>(const core::HttpRequest&)> fetch;
};

// One time-stamp token of a signature, validated as EN 319 102-1 §5.4 describes (imprint,
// signature, TSA chain to a trust anchor at the validation time).
struct TimestampReport {
  // "signature-time-stamp", "archive-time-stamp-v3", "document-time-stamp" (PAdES), or the legacy
  // "archive-time-stamp-v2", "archive-time-stamp-v1", "esc-time-stamp", "cert-crl-time-stamp"
  // (imprints of the legacy forms are not recomputed: INDETERMINATE at best).
  std::string type;
  TimePoint gen_time{};
  Indication indication = Indication::indeterminate;  // PASSED / FAILED / INDETERMINATE
  std::optional<SubIndication> sub_indication;
  std::string tsa;  // subject of the TSA certificate (one line, RFC 2253); empty if not found
  std::vector<std::string> reasons;
  // An archive time-stamp: the countersignatures of its signature it covers (positions among the
  // signature's own countersignatures, 0-based): CAdES those whose values its ats-hash-index-v3
  // lists, XAdES and JAdES those before it. It is listed among their time-stamps too, as their POE.
  std::vector<std::size_t> counter_signatures;
  // An archive time-stamp: the time-stamps of the same signature it covers (indices into the
  // signature's `timestamps`): CAdES those whose attribute values its ats-hash-index-v3 lists
  // (archive-time-stamp-v2: all but archive time-stamps not made before it), PAdES those of
  // earlier revisions, XAdES and JAdES those before it. A PASSED one is a POE of each (past
  // signature validation of time-stamps, EN 319 102-1 §5.6.2.4).
  std::vector<std::size_t> covers;
  // The TSA's path as built at the validation time, kept so that it can be judged again at a
  // POE; null when the token failed before its path was looked at. Not part of any report.
  std::shared_ptr<const detail::ChainResult> tsa_path;
};

// The outcome for one signature (one SignerInfo of a CMS, one PDF signature dictionary).
struct SignatureReport {
  std::string id;      // "S-1", "S-2", ... in SignerInfo order; PAdES: the field name; a CMS
                       // countersignature: its parent's id and "-CS-1", "-CS-2", ...
  std::string counter_signature_of;  // the countersigned signature's id; empty for others
  std::string format;  // "CAdES" (signed attributes present), "CMS", "PAdES" or "JAdES"
  // Structural: "CAdES-BASELINE-B" ... "-LTA", the RFC 5126 forms "CAdES-C"/"-X"/"-XL"/"-A",
  // "PAdES-BASELINE-B" ... "-LTA", "PAdES-BES", "JAdES-BASELINE-B" ... "-LTA", "document-time-stamp"
  // (PAdES entry of a document time-stamp that covers no signature), or "not a baseline profile".
  std::string level;
  Indication indication = Indication::indeterminate;  // TOTAL-PASSED / TOTAL-FAILED / INDETERMINATE
  std::optional<SubIndication> sub_indication;
  // Building block -> "PASSED", "FAILED: why", "INDETERMINATE: why" (blocks that did not run are absent).
  std::vector<std::pair<std::string, std::string>> checks;
  std::vector<std::string> reasons;  // the ones that decided the indication
  Bytes signer_certificate;          // DER, empty if not identified
  // The signature value as the file carries it (CMS SignerInfo signature, XAdES ds:SignatureValue
  // decoded, JWS signature); empty when it cannot be read. Identifies the signature in reports.
  Bytes signature_value;
  std::vector<Bytes> chain;          // signer first, to the trust anchor (when built)
  std::optional<TimePoint> claimed_signing_time;
  bool signing_time_attribute = false;  // CMS: the signed attributes hold signing-time (RFC 5652 §11.3)
  TimePoint best_signature_time{};   // earliest POE of the signature (validation time without one)
  std::vector<TimestampReport> timestamps;
};

// The outcome for one file.
struct ValidationReport {
  std::string document_format;  // "CAdES" (CMS SignedData input), "PAdES" or "JAdES"
  // CMS: one per SignerInfo, in order, then every countersignature (RFC 5652 §11.4, depth first,
  // validated as a signature of its parent's signature value); XAdES and JAdES likewise (their
  // counter-signatures after the signatures: EN 319 132-1 §5.4.2, TS 119 182-1 §5.3.2). PAdES: one per
  // signature dictionary in file order; each PAdES document time-stamp is validated once and
  // listed in the timestamps of every signature it covers (as a POE of that signature); one that
  // covers no signature gets an entry of its own.
  std::vector<SignatureReport> signatures;
  TimePoint validation_time{};
  // Online validation: one line per fetch, in order ("OCSP http://... for CN=...: response
  // received", "CRL http://...: cannot fetch ...: connect failed").
  std::vector<std::string> fetched;
};

// Detects the format and validates every signature. A CMS that parses but is broken inside gives a
// report (FORMAT_FAILURE, HASH_FAILURE, ...), never an error. Fails only for unusable input or
// requests: invalid_input "not a signature format qualsig knows" for bytes that are no CMS
// SignedData (truncated, trailing data, random) and for PDFs formats::pades::inspect cannot read,
// for JWS texts formats::jades::parse_jws refuses and for XML without a XAdES signature
// formats::xades::inspect can read; invalid_input for an option that does not decode (a trust anchor, CRL, ...).
// `file` is read during the call only.
Result<ValidationReport> validate(ByteView file, const ValidationOptions& options);

// The report as JSON: {"documentFormat", "validationTime", "signatures": [{"id", "format",
// "level", "indication", "subIndication", "checks": [{"block","result"}], "reasons",
// "signerCertificate" (base64), "chain" (base64 list), "claimedSigningTime", "bestSignatureTime",
// "counterSignatureOf", "timestamps": [...]}], "fetched": [...] (online validation only)}. Times are RFC 3339; absent
// optionals are omitted.
nlohmann::json to_json(const ValidationReport& report);

}  // namespace qualsig::validation
