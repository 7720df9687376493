#pragma once
// Tier (a) of the PKCS#11 layer (STYLE.md §4): every CKR_* return value becomes an Error
// that names the C function and the code, with a sentence a user can act on.

#include "core/result.h"
#include "hsm/pkcs11.h"

namespace qualsig::hsm {

// "CKR_PIN_INCORRECT" etc.; "CKR_0x..." for vendor codes.
std::string ckr_name(CK_RV rv);

// An Error for a failed call, e.g. "C_Login: wrong PIN (CKR_PIN_INCORRECT)".
Error pkcs11_error(const char* function, CK_RV rv);

inline Result<void> check_rv(const char* function, CK_RV rv) {
  if (rv == CKR_OK) return ok();
  return fail(pkcs11_error(function, rv));
}

}  // namespace qualsig::hsm
