#pragma once
// Qualification of a signature from its signer's certificate and the trusted lists (ETSI TS 119
// 615 §4.4, TS 119 172-4 for the levels), following DSS where the two differ and recording what
// TS 119 615 would decide instead (see /work/shared/notes/qualification.md §3-§6):
//   1. the trusted-list CA/QC services that list a certificate of the signer's chain;
//   2. the certificate qualification at issuance (notBefore) and at best-signature-time;
//   3. their combination;
//   4. the signature level from the EN 319 102-1 indication and the combined qualification.
// Nothing here reads the clock: every time is a parameter.

#include <openssl/x509.h>

#include <string>
#include <vector>

#include "core/time.h"
#include "trust/trusted_list.h"
#include "validation/indication.h"

namespace qualsig::trust {
class TrustStore;
}

namespace qualsig::validation {

// What a certificate is for (EN 319 412-5 QcType, TS 119 612 ForeSignatures/ForeSeals/...).
enum class CertType { esig, eseal, wsa, unknown };

// "eSig", "eSeal", "WSA", "unknown type".
const char* cert_type_name(CertType type);

// Certificate qualification at one time (qualification.md §3.5), or the combination of the two.
struct CertQualification {
  bool applicable = true;      // false: N/A (no acceptable list, or a conflict between services)
  bool qualified = false;      // QC
  CertType type = CertType::unknown;
  bool qscd = false;           // only meaningful when qualified
  std::vector<std::string> reasons;  // every decision, in words
  // "QC for eSig with QSCD", "QC for WSA", "Cert for eSeal", "N/A", ... (QSCD is never shown for
  // WSA nor for a non-qualified certificate).
  std::string label() const;
  // Same verdict (reasons are not compared).
  bool same_as(const CertQualification& other) const;
};

// Signature levels of TS 119 172-4 as DSS names them (qualification.md §4).
enum class SignatureLevel {
  qesig, qeseal, unknown_qc_qscd, adesig_qc, adeseal_qc, unknown_qc, adesig, adeseal, unknown,
  indeterminate_qesig, indeterminate_qeseal, indeterminate_unknown_qc_qscd, indeterminate_adesig_qc,
  indeterminate_adeseal_qc, indeterminate_unknown_qc, indeterminate_adesig, indeterminate_adeseal,
  indeterminate_unknown, not_ades_qc_qscd, not_ades_qc, not_ades, na };

// "QESig", "AdESig-QC", "Unknown-QC-QSCD", "Indeterminate QESig", "Not AdES but QC with QSCD",
// "Not AdES", "N/A", ... (DSS 5.11+ names; before 5.11 "Unknown-QC-QSCD" was "QES?").
const char* signature_level_name(SignatureLevel level);

// qualification.md §4 table: the level for an EN 319 102-1 indication and a combined certificate
// qualification. PASSED/TOTAL-PASSED, INDETERMINATE and FAILED/TOTAL-FAILED are the three columns.
SignatureLevel signature_level(const CertQualification& combined, Indication indication);

// qualification.md §3.5 (DSS): equal ⇒ that; either N/A ⇒ N/A; else QC iff QC at both, the
// common type or unknown, QSCD as at signing. The reasons of both are kept, prefixed.
CertQualification combine(const CertQualification& at_issuance, const CertQualification& at_signing);

struct QualificationResult {
  SignatureLevel level = SignatureLevel::na;
  CertQualification at_issuance, at_signing, combined;
  // The lists the result rests on, with their authority: "EU LOTL -> DK trusted list",
  // "private list <source>".
  std::vector<std::string> lists;
  bool eu = false;             // true only if every list used was reached from the EU LOTL
  std::vector<std::string> reasons;
};

// One trusted-list service that lists a certificate of the signer's chain by its
// ServiceDigitalIdentity: the level below TrustStore (what TrustStore::services_for yields,
// flattened). Pointers are borrowed and must outlive the qualify_services call.
struct ServiceCandidate {
  const trust::TrustServiceProvider* provider = nullptr;
  const trust::Service* service = nullptr;
  std::string list;            // "EU LOTL -> DK trusted list", "private list <source>"
  std::string territory;       // SchemeTerritory of the list ("DK"; empty for a private list)
  bool eu = false;             // the list was reached from the EU LOTL
  // A third-country list the LOTL recognises by mutual recognition agreement: its equivalences
  // (the list's services are already translated; the certificate's contents are read through
  // them). Null otherwise.
  const std::vector<trust::MraEquivalence>* mra = nullptr;
};

// Qualifies the signature of `signer` (borrowed) given the services that list a certificate of
// its chain (`candidates`, in any order, duplicates allowed). No candidate ⇒ level N/A. A status
// period covers time T when start <= T < end (half-open; DSS is inclusive at both ends). When
// several CA/QC services apply at T and their determinations (status included) differ, the
// qualification at T is N/A (conflict, qualification.md §3.1 step 4).
// Never fails: a certificate whose QC facts cannot be read (malformed QCStatements, a null
// pointer) gives an N/A qualification with the reason.
QualificationResult qualify_services(const X509* signer, const std::vector<ServiceCandidate>& candidates,
                                     TimePoint best_signature_time, Indication indication);

// Qualifies through a TrustStore: `chain` is the signer then its issuers (borrowed X509*, the
// signer may or may not be repeated as chain[0]); the services of every chain certificate found
// by `store.services_for` are the candidates (the store only holds lists it accepted), labelled
// by their list's authority. `best_signature_time` comes from validation (without a signature
// time-stamp: the validation time), `indication` is the EN 319 102-1 indication of the signature.
// Never fails (see qualify_services).
QualificationResult qualify(const X509* signer, const std::vector<const X509*>& chain, const trust::TrustStore& store,
                            TimePoint best_signature_time, Indication indication);

}  // namespace qualsig::validation
