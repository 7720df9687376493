#pragma once
// Validation status indications, ETSI EN 319 102-1 V1.3.1 §5.1.3 (Table 5): the main
// indication and the sub-indication that says why.

#include <optional>
#include <string>

namespace qualsig::validation {

// §5.1.3: TOTAL-PASSED / TOTAL-FAILED / INDETERMINATE for a signature; building blocks report
// PASSED / FAILED / INDETERMINATE.
enum class Indication { total_passed, passed, indeterminate, failed, total_failed };

// §5.1.3 Table 5 sub-indications.
enum class SubIndication {
  // with TOTAL-FAILED / FAILED
  format_failure,
  hash_failure,
  sig_crypto_failure,
  revoked,
  sig_constraints_failure,
  chain_constraints_failure,
  certificate_chain_general_failure,
  cryptographic_constraints_failure,
  expired,
  not_yet_valid,
  policy_processing_error,
  signature_policy_not_available,
  timestamp_order_failure,
  no_signing_certificate_found,
  no_certificate_chain_found,
  revoked_no_poe,
  revoked_ca_no_poe,
  out_of_bounds_no_poe,
  out_of_bounds_not_revoked,
  cryptographic_constraints_failure_no_poe,
  no_poe,
  try_later,
  signed_data_not_found,
  // INDETERMINATE only
  generic,
};

// "TOTAL-PASSED", "INDETERMINATE", ... as the standard writes them.
inline const char* indication_name(Indication i) {
  switch (i) {
    case Indication::total_passed: return "TOTAL-PASSED";
    case Indication::passed: return "PASSED";
    case Indication::indeterminate: return "INDETERMINATE";
    case Indication::failed: return "FAILED";
    case Indication::total_failed: return "TOTAL-FAILED";
  }
  return "INDETERMINATE";
}

// "HASH_FAILURE", "OUT_OF_BOUNDS_NO_POE", ... as the standard writes them.
inline const char* sub_indication_name(SubIndication s) {
  switch (s) {
    case SubIndication::format_failure: return "FORMAT_FAILURE";
    case SubIndication::hash_failure: return "HASH_FAILURE";
    case SubIndication::sig_crypto_failure: return "SIG_CRYPTO_FAILURE";
    case SubIndication::revoked: return "REVOKED";
    case SubIndication::sig_constraints_failure: return "SIG_CONSTRAINTS_FAILURE";
    case SubIndication::chain_constraints_failure: return "CHAIN_CONSTRAINTS_FAILURE";
    case SubIndication::certificate_chain_general_failure: return "CERTIFICATE_CHAIN_GENERAL_FAILURE";
    case SubIndication::cryptographic_constraints_failure: return "CRYPTO_CONSTRAINTS_FAILURE";
    case SubIndication::expired: return "EXPIRED";
    case SubIndication::not_yet_valid: return "NOT_YET_VALID";
    case SubIndication::policy_processing_error: return "POLICY_PROCESSING_ERROR";
    case SubIndication::signature_policy_not_available: return "SIGNATURE_POLICY_NOT_AVAILABLE";
    case SubIndication::timestamp_order_failure: return "TIMESTAMP_ORDER_FAILURE";
    case SubIndication::no_signing_certificate_found: return "NO_SIGNING_CERTIFICATE_FOUND";
    case SubIndication::no_certificate_chain_found: return "NO_CERTIFICATE_CHAIN_FOUND";
    case SubIndication::revoked_no_poe: return "REVOKED_NO_POE";
    case SubIndication::revoked_ca_no_poe: return "REVOKED_CA_NO_POE";
    case SubIndication::out_of_bounds_no_poe: return "OUT_OF_BOUNDS_NO_POE";
    case SubIndication::out_of_bounds_not_revoked: return "OUT_OF_BOUNDS_NOT_REVOKED";
    case SubIndication::cryptographic_constraints_failure_no_poe: return "CRYPTO_CONSTRAINTS_FAILURE_NO_POE";
    case SubIndication::no_poe: return "NO_POE";
    case SubIndication::try_later: return "TRY_LATER";
    case SubIndication::signed_data_not_found: return "SIGNED_DATA_NOT_FOUND";
    case SubIndication::generic: return "GENERIC";
  }
  return "GENERIC";
}

}  // namespace qualsig::validation
