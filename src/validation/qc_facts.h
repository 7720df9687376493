#pragma once
// What qualification (ETSI TS 119 615 §4.4, qualification.md §3) needs to know about a
// certificate: its EN 319 412-5 QCStatements, its certificatePolicies, the era of its notBefore,
// and the fields the trusted-list CriteriaList (TS 119 612 §5.5.9.2.2) tests. Also evaluates a
// CriteriaList against those facts.

#include <openssl/x509.h>

#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "trust/trusted_list.h"

namespace qualsig::validation {

// ETSI TS 101 456 §5.2 (Directive 1999/93/EC era) certificate policies, still read for
// certificates issued before eIDAS (qualification.md §3):
inline constexpr const char* kPolicyQcpPublicWithSscd = "0.4.0.1456.1.1";  // QCP+ (qcp-public-with-sscd)
inline constexpr const char* kPolicyQcpPublic = "0.4.0.1456.1.2";          // QCP (qcp-public)

// The facts of one certificate. Plain values; no reference to the certificate is kept.
struct QcFacts {
  TimePoint not_before;
  bool post_eidas = false;             // notBefore >= 2016-06-30T22:00:00Z (trust::kEidasUnixSeconds)
  bool qc_compliance = false;          // EN 319 412-5 §4.2.1 QcCompliance
  bool qc_sscd = false;                // §4.2.2 QcSSCD
  std::vector<std::string> qc_types;   // §4.2.3 QcType OIDs, dotted, as found
  bool qc_cc_legislation = false;      // §4.2.4 QcCClegislation present (non-EU legislation)
  std::vector<std::string> qc_legislation_countries;  // its countries
  std::vector<std::string> qc_statements;  // every statement OID present, dotted (MRA QcStatementSet criteria)
  std::vector<std::string> policies;   // certificatePolicies policyIdentifiers (RFC 5280 §4.2.1.4)
  std::vector<std::string> key_usage;  // names of the keyUsage bits set (TS 119 612 KeyUsageBit names)
  std::vector<std::string> extended_key_usage;  // extKeyUsage KeyPurposeIds, dotted
  std::vector<std::string> subject_attributes;  // attribute type OIDs of the subject DN, dotted
  // Issuer name parts, for the TS 119 615 TSP-name / country comparison (qualification.md §2.5).
  std::string issuer_organization;
  std::string issuer_common_name;
  std::string issuer_country;
};

// Reads the facts of `cert` (borrowed, not kept). Fails with invalid_input when the
// qcStatements extension is present but malformed or duplicated, or when certificatePolicies,
// keyUsage or extKeyUsage are present but do not decode; with usage on a null certificate.
Result<QcFacts> read_qc_facts(const X509* cert);

// TS 119 612 §5.5.9.2.2 CriteriaList against the end-entity facts, as DSS evaluates it: the
// KeyUsage bits listed (one child together) must all have the stated value (no keyUsage
// extension: every bit false); a PolicySet matches when all its OIDs are among the policies; the
// extended key usages and subject attributes (one child each) when all are present; an MRA
// QcStatementSet when the certificate holds each of its statements (with the QcType or
// QcCClegislation country named); nested lists
// recursively. assert all: every child matches (none: true); atLeastOne: some child matches;
// none: no child matches. A list with an otherCriteriaList child this code does not know does
// not match, and a warning is appended to `warnings`.
bool criteria_match(const trust::CriteriaList& criteria, const QcFacts& facts, std::vector<std::string>& warnings);

}  // namespace qualsig::validation
