#pragma once
// Internal to validation/: the validation context (EN 319 102-1 §5.2.4), X.509 certificate
// validation with OpenSSL's X509_verify_cert (§5.2.6 XCV) and revocation status from CRLs and OCSP
// responses that were supplied, embedded or, in online validation, fetched (acceptance as
// notes/validation.md §4 describes; no freshness requirement, as DSS's default policy).

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/openssl.h"
#include "core/result.h"
#include "core/time.h"
#include "validation/indication.h"
#include "validation/signature_cache.h"
#include "validation/validate.h"

namespace qualsig::validation::detail {

// Online validation (ValidationOptions::fetch): the revocation data fetched in one validation run,
// shared by the materials of the run like the signature cache.
struct Online {
  std::function<Result<Bytes>(const core::HttpRequest&)> fetch;
  std::vector<std::shared_ptr<OCSP_BASICRESP>> ocsp;
  std::vector<core::UniquePtr<X509_CRL>> crls;
  std::set<std::string> tried;   // requests made in this run (URL and body): each is made once
  std::set<std::string> down;    // URLs that could not be fetched: not asked again in this run
  std::vector<std::string> log;  // ValidationReport::fetched
  bool current_time = false;     // the run validates at the current time (no validation_time)
};

// Everything a chain or revocation check may use. Owns its objects.
struct Material {
  // Every signature of a certificate, CRL or OCSP response is verified once per validation run
  // (shared by the materials of one run: a PDF's signatures and document time-stamps).
  std::shared_ptr<SignatureCache> signatures = std::make_shared<SignatureCache>();
  core::UniquePtr<STACK_OF(X509)> anchors = core::wrap(sk_X509_new_null());  // trust anchors
  core::UniquePtr<STACK_OF(X509)> pool = core::wrap(sk_X509_new_null());     // untrusted certificates
  std::vector<std::shared_ptr<OCSP_BASICRESP>> ocsp;  // shared: OCSP_BASICRESP has no reference count
  std::vector<core::UniquePtr<X509_CRL>> crls;
  std::shared_ptr<Online> online;  // null: offline
};

// A material holding the same objects as `base` (reference-counted, nothing parsed again), with
// its signature cache and fetched data shared: additions to the copy do not reach `base`.
Material share(const Material& base);

// The options' anchors, certificates, OCSP responses and CRLs, with `signatures` as the run's
// signature cache (a new one if null) and `online` as its fetched data (a new one if null and the
// options have a fetcher). Fails with invalid_input naming the option whose element does not
// decode strictly.
Result<Material> material_from_options(const ValidationOptions& options,
                                       std::shared_ptr<SignatureCache> signatures = nullptr,
                                       std::shared_ptr<Online> online = nullptr);
// Adds a certificate (up-referenced) to the pool unless an equal one is there.
void add_certificate(Material& material, X509* cert);
void add_certificate(STACK_OF(X509)* pool, X509* cert);
// Adds a DER OCSPResponse; ignored unless it decodes and is "successful" with a basic response.
void add_ocsp_response(Material& material, ByteView der);

// ASN1_TIME to TimePoint; nullopt if malformed.
std::optional<TimePoint> to_time_point(const ASN1_TIME* t);
// One-line subject (RFC 2253).
std::string subject_of(const X509* cert);

// Revocation information for one certificate (RFC 5280 CRL or RFC 6960 OCSP).
struct RevocationStatus {
  enum class State { good, revoked, on_hold };
  State state = State::good;
  TimePoint produced_at{};                // CRL thisUpdate / OCSP producedAt
  std::optional<TimePoint> revoked_at;    // revocationTime for revoked / on hold
  std::string source;                     // "CRL" or "OCSP"
};

// The latest acceptable revocation object for `cert` (issued by `issuer`) produced at or before
// `at`: a CRL signed by the issuer, or an OCSP response for its CertID signed by the issuer, a
// delegated responder the issuer certified (id-kp-OCSPSigning), or a trust anchor. "unknown"
// OCSP answers are not acceptable (notes §4 UnknownStatus). nullopt if there is none.
std::optional<RevocationStatus> revocation_status(X509* cert, X509* issuer, const Material& material, TimePoint at);

// Online validation (online.cpp): fetches revocation data for `cert` into material.online — an OCSP
// response from each http:// responder of its AIA until one answers for it, else the CRL of each
// http:// distribution point — each request once per run, every attempt logged. No-op offline.
void fetch_revocation(X509* cert, X509* issuer, const Material& material);
// Online validation (online.cpp): fetches the issuer of `cert` from its AIA caIssuers http://
// URLs (a DER certificate or a certs-only CMS, RFC 5280 §4.2.2.1) into material.pool; true when a
// certificate that names itself the issuer of `cert` was added (its signature is checked by the
// path validation that follows). No-op (false) offline.
bool fetch_issuer(X509* cert, const Material& material);

// Result of X.509 validation of a signer or TSA certificate at a time, with every problem found
// kept apart so the long-term processes can re-judge them at the best signature time.
struct ChainResult {
  bool chain_found = false;                 // a path to a trust anchor exists
  std::optional<SubIndication> structural;  // NO_CERTIFICATE_CHAIN_FOUND / CERTIFICATE_CHAIN_GENERAL_FAILURE
  std::string reason;
  // Non-empty: the leaf's certificate does not allow what it was used for (CHAIN_CONSTRAINTS_FAILURE).
  std::string constraint;
  core::UniquePtr<STACK_OF(X509)> chain;    // leaf first, trust anchor last
  // Per certificate of the chain except the anchor: validity window and revocation.
  struct Link {
    TimePoint not_before{}, not_after{};
    std::optional<RevocationStatus> revocation;  // nullopt: none found
    bool revocation_needed = true;               // false for id-pkix-ocsp-nocheck certificates
  };
  std::vector<Link> links;
};

// Builds and checks the path of `leaf` with X509_verify_cert (validity times are not checked there:
// they are judged by judge_chain), then looks up revocation for every certificate but the anchor,
// fetching it (material.online) for a certificate that needs it and has none. Online, a missing
// issuer is fetched too (fetch_issuer) and the path built again, for up to 4 missing links.
ChainResult build_chain(X509* leaf, const Material& material, TimePoint at);

// A building-block verdict.
struct Verdict {
  Indication indication = Indication::passed;  // passed / failed / indeterminate
  std::optional<SubIndication> sub;
  std::string reason;
  bool passed() const { return indication == Indication::passed; }
};

// The XCV verdict of `chain` at `at`: structural failures first, then the leaf's constraint
// (INDETERMINATE / CHAIN_CONSTRAINTS_FAILURE, EN 319 102-1 §5.2.6), then a revoked signer
// (REVOKED_NO_POE) or CA (REVOKED_CA_NO_POE) whose revocation time is at or before `at`, on hold
// (TRY_LATER), a certificate outside its validity (OUT_OF_BOUNDS_NOT_REVOKED when the signer has
// acceptable "good" revocation data, else OUT_OF_BOUNDS_NO_POE), then missing revocation data
// (TRY_LATER). `require_revocation` false skips the last check (time-stamp units).
Verdict judge_chain(const ChainResult& chain, TimePoint at, bool require_revocation);

// The message imprint a time-stamp token must carry, computed with the token's own hash algorithm
// `md`. An error makes the time-stamp INDETERMINATE with the error's message (sub-indication
// SIGNED_DATA_NOT_FOUND for not_found: the covered data is missing; none otherwise).
using ImprintFn = std::function<Result<Bytes>(const EVP_MD* md)>;

// Validates an RFC 3161 TimeStampToken (EN 319 102-1 §5.4): the imprint must equal `expected`
// (else FAILED/HASH_FAILURE), the CMS signature must verify with the TSA certificate, whose
// extended key usage must be id-kp-timeStamping and whose ESSCertID(v2) must match (else
// FAILED/SIG_CRYPTO_FAILURE), and the TSA certificate's path must reach a trust anchor and be
// valid at `at` (judge_chain without a revocation requirement; else INDETERMINATE). The token's
// certificates are added to `material`. A token that does not decode is FAILED/FORMAT_FAILURE.
TimestampReport validate_timestamp(ByteView token, std::string type, const ImprintFn& expected, Material& material,
                                   TimePoint at);

// Past signature validation of a signature's time-stamps (EN 319 102-1 §5.6.2.4): a token
// INDETERMINATE only because its TSA path expired or was revoked after the validation time's
// reach is PASSED when a PASSED archive time-stamp that `covers` it is a POE at which that path
// (TimestampReport::tsa_path) was valid; repeated until nothing changes. Called before the best
// signature time is taken.
void past_timestamp_validation(std::vector<TimestampReport>& timestamps);

// The building blocks of the basic process (EN 319 102-1 §5.3.4) for one SignerInfo
// (validate_cades_blocks.cpp).
struct SignerBlocks {
  Verdict fc, isc, xcv, cv, sav;   // sav as judged at the validation time
  ChainResult chain;               // the signer's path (empty if ISC failed)
  core::UniquePtr<X509> signer;    // the signing certificate, if identified
  int digest_nid = NID_undef;      // SignerInfo.digestAlgorithm
  std::optional<TimePoint> signing_time;  // the signing-time attribute
  bool signed_attributes = false;  // false: plain CMS signature over the content
  bool counter_signature = false;  // RFC 5652 §11.4 (no content-type attribute)
};

// Runs FC, ISC, XCV and CV, and SAV at `at`, writing the level (B-LT needs revocation values in
// the signature itself: `embedded_revocation`), signer certificate, chain and claimed signing time
// into `out` and one entry per block into out.checks.
// `claimed_signing_time` stands in for a missing signing-time attribute (PAdES /M). A
// countersignature (`counter_signature`, RFC 5652 §11.4) must not have a content-type attribute;
// its cms is formats::cades::CounterSignature::signed_data.
SignerBlocks run_basic_blocks(CMS_ContentInfo* cms, CMS_SignerInfo* si, const ValidationOptions& options,
                              const Material& material, bool embedded_revocation,
                              std::optional<TimePoint> claimed_signing_time, TimePoint at, SignatureReport& out,
                              bool counter_signature = false);
// SAV (§5.2.8): signing-time present and inside the signer certificate's validity, and the
// digest and key acceptable at `at` (crypto_constraints.h).
Verdict signature_acceptance(const SignerBlocks& blocks, TimePoint at);
// The order of §5.3.4: FC, ISC, (VCI), CV before the stored XCV status, then SAV.
Verdict basic_result(const SignerBlocks& blocks);
// The signature-time-stamps and archive-time-stamp(-v3/-v2) of a SignerInfo, validated at `at`.
// Archive time-stamp v3 imprints are computed for the first SignerInfo only (`file` non-empty).
std::vector<TimestampReport> validate_signer_timestamps(CMS_SignerInfo* si, ByteView file,
                                                        const ValidationOptions& options, Material& material,
                                                        TimePoint at);

// The basic result of `blocks`, then §5.5 / §5.6.2.4 with the PASSED time-stamps already in
// sig.timestamps as POEs (archive ones, and document ones when `document_timestamps_archive`,
// allow past signature validation); sets sig's indication, sub-indication, reasons and best
// signature time (which must hold the validation time on entry).
void conclude(const SignerBlocks& blocks, bool document_timestamps_archive, SignatureReport& sig);

// The report of a countersignature that cannot be read as a signature: TOTAL-FAILED /
// FORMAT_FAILURE with `why`, in `format` ("CAdES", "JAdES"), at the validation time `at`.
SignatureReport unreadable_counter_signature(std::string id, std::string parent, std::string format, std::string why,
                                             TimePoint at);

// The JAdES process (validate_jades.cpp): every signature of a compact or JSON JWS. Fails with
// invalid_input if formats::jades::parse_jws refuses the text.
Result<ValidationReport> validate_jws(ByteView text, const ValidationOptions& options, TimePoint at);

// The XAdES process (validate_xades.cpp): every XAdES ds:Signature of an XML document
// (formats::xades::inspect / verify), with its ds:KeyInfo certificates, CertificateValues,
// RevocationValues, SignatureTimeStamp and ArchiveTimeStamp tokens. Fails with invalid_input if
// formats::xades::inspect refuses the document (unacceptable XML, no XAdES signature).
Result<ValidationReport> validate_xml(ByteView file, const ValidationOptions& options, TimePoint at);

// What a container (PAdES) adds to the CMS process for its signature.
struct CmsContext {
  // PAdES document time-stamps that cover the signature, already validated: POEs (EN 319 102-1
  // §5.5.4 step 3, "PAdES document TSTs that cover the signature"), reported with the signature.
  std::vector<TimestampReport> document_timestamps;
  bool document_timestamps_archive = false;  // they protect validation data (B-LTA): PSV may use them
  std::optional<TimePoint> claimed_signing_time;  // PAdES /M, used when the CMS has no signing-time
  // PDF /Contents: bytes after the CMS are the container's padding (ISO 32000-1 §12.8.1 pads with
  // zeros; other bytes there are unsigned, as the whole /Contents is, and get a warning).
  bool container_padding = false;
  // The run's signature cache (the PDF's), or null for a new one.
  std::shared_ptr<SignatureCache> signatures;
  // The run's fetched revocation data (the PDF's), or null for a new one (online validation).
  std::shared_ptr<Online> online;
  // The run's material (the PDF's: the options' and its /DSS's objects), shared instead of parsing
  // the options again; null: from the options (and `signatures`, `online` above).
  const Material* base = nullptr;
};

// The CAdES / CMS process (validate_cades.cpp): every SignerInfo of a DER/BER ContentInfo with
// SignedData. Fails with invalid_input if `file` is no such structure.
Result<ValidationReport> validate_cms(ByteView file, const ValidationOptions& options, TimePoint at,
                                      const CmsContext& context = {});

// The PAdES process (validate_pades.cpp): every signature dictionary of a PDF, each through
// validate_cms over its /ByteRange. Fails with invalid_input if formats::pades::inspect cannot
// read the PDF.
Result<ValidationReport> validate_pdf(ByteView pdf, const ValidationOptions& options, TimePoint at);

}  // namespace qualsig::validation::detail
