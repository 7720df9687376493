#pragma once
// Internal to evidence/verify*.cpp: the state the verification steps share. Not part of the
// library's interface.

#include <openssl/cms.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/checkpoint.h"
#include "audit/log_entry.h"
#include "core/digest.h"
#include "core/openssl.h"
#include "evidence/verify.h"

namespace qualsig::evidence::detail {

// One bundle entry after the log step: parsed (if it parses) and whether it is proven, i.e.
// its inclusion proof leads to the checkpoint root.
struct Entry {
  std::size_t index = 0;  // in Bundle::entries
  audit::ParsedEntry parsed;
  bool proven = false;
};

struct Context {
  const Bundle& bundle;
  const VerifyOptions& options;
  Report& report;

  std::optional<audit::Checkpoint> checkpoint;  // the note text as parsed (signature checked or not)
  std::vector<Entry> entries;                   // the entries that parse, in bundle order

  // Filled by the signature step.
  std::optional<TimePoint> signing_time;  // of the signature.produced entry (CMS signing-time if absent)
  core::UniquePtr<X509> signer;           // bundle.signer_certificate, parsed
  std::string signer_serial;              // upper-case hex, as the service logs it

  void check(std::string element, bool ok, std::string detail) {
    report.checks.push_back(Check{std::move(element), ok, std::move(detail)});
  }

  // Entries of one event name, in bundle (seq) order.
  std::vector<const Entry*> of_event(std::string_view event) const {
    std::vector<const Entry*> out;
    for (const auto& e : entries)
      if (e.parsed.event == event) out.push_back(&e);
    return out;
  }
};

// A string member of a JSON object, or "" when absent or not a string.
inline std::string str(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A member of a JSON object, or null when absent or `j` is not an object (never throws).
inline const nlohmann::json& member(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it != j.end() ? *it : kNull;
}

// Both sides of a comparison for a check's detail: "'a' (bundle) vs 'b' (log)".
std::string differs(const std::string& what, const std::string& bundle_value, const std::string& log_value);

// Steps, in the order verify_bundle runs them. Each appends its checks; none fails.
void verify_log(Context& c);         // verify_log.cpp: checkpoint, key, inclusion of every entry
void verify_signature(Context& c);   // verify_signature.cpp: CMS, document, chain, timestamps
void verify_revocation(Context& c);  // verify_revocation.cpp: OCSP responses and CRLs at signing time
void verify_records(Context& c);     // verify_records.cpp: bundle records against the log entries
void verify_identity(Context& c);    // verify_identity.cpp: identity, proofing, certificate, delegation
void verify_sequence(Context& c);    // verify_identity.cpp: order of the events in the log
void fill_facts(Context& c);         // verify_facts.cpp: report facts, timeline, qualification

// Shared by the per-format signature checks (verify_signature.cpp, verify_formats.cpp).
struct DocumentHash {
  core::DigestAlgorithm alg = core::DigestAlgorithm::sha256;
  Bytes value;
};
// "<sha256|sha384|sha512>:<hex>" as the service writes document hashes; nullopt otherwise.
std::optional<DocumentHash> parse_document_hash(const std::string& ref);
// The signing time every later check uses: the time of the signature.produced entry (the log's
// clock, proven by the checkpoint), else the time the signature itself claims.
void find_signing_time(Context& c, std::optional<TimePoint> claimed);
// RFC 5652 §5.4 without the content: the message-digest signed attribute must be `digest`'s value
// and the SignerInfo signature over the DER of the signed attributes must verify with the
// signer certificate (from the CMS or `certs`). Sets ok; returns the detail for the report.
std::string verify_signer_info(CMS_ContentInfo* cms, STACK_OF(X509)* certs, const std::optional<DocumentHash>& digest, bool& ok);
// The "chain" check: bundle signer <- bundle chain <- root at the signing time. When the
// signature embeds its signer certificate (`embedded`, DER), it must be the bundle's.
void check_chain(Context& c, const Bytes* embedded);
// One "timestamps" check of an RFC 3161 token (signature and TSA chain at genTime, genTime not
// before the signing time) whose messageImprint must be expected(the token's hash algorithm).
// Without `expected`, the imprint was compared by the format's own verifier, whose verdict is
// `imprint_verified`.
void check_token(Context& c, const std::string& what, ByteView der,
                 const std::function<Result<Bytes>(core::DigestAlgorithm)>& expected, bool imprint_verified = false);
// The signature step for JAdES, PAdES and XAdES bundles (verify_formats.cpp); `content` is the
// document when the bundle has it.
void verify_other_format(Context& c, const std::optional<Bytes>& content, const std::optional<DocumentHash>& hash);

// An ASN.1 UTCTime/GeneralizedTime as a TimePoint; nullopt if absent or malformed.
std::optional<TimePoint> asn1_time(const ASN1_TIME* t);
// An X509_STORE trusting `root` only, checking at `at` (X509_VERIFY_PARAM_set_time). nullptr on
// allocation failure.
core::UniquePtr<X509_STORE> store_at(const X509* root, TimePoint at);
// The pinned root or the last certificate of the bundle's chain, parsed; nullptr if none parses.
core::UniquePtr<X509> trust_anchor(const Context& c);
// Every certificate of the bundle except the trust anchor: chain and service certificates.
core::UniquePtr<STACK_OF(X509)> untrusted_certificates(const Context& c);

}  // namespace qualsig::evidence::detail
