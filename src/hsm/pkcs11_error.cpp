#include "hsm/pkcs11_error.h"

#include <fmt/format.h>

namespace qualsig::hsm {
namespace {

struct RvInfo {
  CK_RV rv;
  const char* name;
  const char* meaning;  // nullptr: the name says it all
  ErrorCode code;
};

// PKCS#11 v2.40 §5.1 (return values). Codes a user can act on get a sentence.
constexpr RvInfo kRvTable[] = {
    {CKR_CANCEL, "CKR_CANCEL", "operation cancelled", ErrorCode::token},
    {CKR_HOST_MEMORY, "CKR_HOST_MEMORY", "out of memory in the PKCS#11 module", ErrorCode::token},
    {CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID", "no such slot", ErrorCode::token},
    {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR", "the token reported a general error", ErrorCode::token},
    {CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED", "the token could not perform the function", ErrorCode::token},
    {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD", "bad arguments", ErrorCode::internal},
    {CKR_NO_EVENT, "CKR_NO_EVENT", nullptr, ErrorCode::token},
    {CKR_NEED_TO_CREATE_THREADS, "CKR_NEED_TO_CREATE_THREADS", nullptr, ErrorCode::token},
    {CKR_CANT_LOCK, "CKR_CANT_LOCK", "the module cannot use OS locking", ErrorCode::token},
    {CKR_ATTRIBUTE_READ_ONLY, "CKR_ATTRIBUTE_READ_ONLY", "attribute is read-only", ErrorCode::token},
    {CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE", "attribute is sensitive and cannot be read", ErrorCode::denied},
    {CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID", "attribute type not supported", ErrorCode::token},
    {CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID", "attribute value not accepted", ErrorCode::token},
    {CKR_DATA_INVALID, "CKR_DATA_INVALID", "data not accepted by the mechanism", ErrorCode::invalid_input},
    {CKR_DATA_LEN_RANGE, "CKR_DATA_LEN_RANGE", "data length out of range for the mechanism", ErrorCode::invalid_input},
    {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR", "the token device failed", ErrorCode::token},
    {CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY", "the token is out of memory (full?)", ErrorCode::token},
    {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED", "the token was removed", ErrorCode::token},
    {CKR_FUNCTION_CANCELED, "CKR_FUNCTION_CANCELED", nullptr, ErrorCode::token},
    {CKR_FUNCTION_NOT_PARALLEL, "CKR_FUNCTION_NOT_PARALLEL", nullptr, ErrorCode::token},
    {CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED", "the module does not support this function", ErrorCode::token},
    {CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID", "the key handle is not valid", ErrorCode::token},
    {CKR_KEY_SIZE_RANGE, "CKR_KEY_SIZE_RANGE", "key size not supported", ErrorCode::token},
    {CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT", "key type does not match the mechanism", ErrorCode::token},
    {CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED", "the key may not be used for this", ErrorCode::denied},
    {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID", "mechanism not supported by the token", ErrorCode::token},
    {CKR_MECHANISM_PARAM_INVALID, "CKR_MECHANISM_PARAM_INVALID", "bad mechanism parameters", ErrorCode::token},
    {CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID", "object handle is not valid", ErrorCode::token},
    {CKR_OPERATION_ACTIVE, "CKR_OPERATION_ACTIVE", "another operation is active on the session", ErrorCode::internal},
    {CKR_OPERATION_NOT_INITIALIZED, "CKR_OPERATION_NOT_INITIALIZED", nullptr, ErrorCode::internal},
    {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT", "wrong PIN", ErrorCode::token},
    {CKR_PIN_INVALID, "CKR_PIN_INVALID", "PIN has invalid characters", ErrorCode::token},
    {CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE", "PIN too short or too long for the token", ErrorCode::token},
    {CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED", "PIN expired", ErrorCode::token},
    {CKR_PIN_LOCKED, "CKR_PIN_LOCKED", "PIN locked after too many wrong attempts", ErrorCode::token},
    {CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED", "session was closed", ErrorCode::token},
    {CKR_SESSION_COUNT, "CKR_SESSION_COUNT", "too many sessions open on the token", ErrorCode::token},
    {CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID", "session handle is not valid", ErrorCode::token},
    {CKR_SESSION_PARALLEL_NOT_SUPPORTED, "CKR_SESSION_PARALLEL_NOT_SUPPORTED", nullptr, ErrorCode::token},
    {CKR_SESSION_READ_ONLY, "CKR_SESSION_READ_ONLY", "session is read-only", ErrorCode::token},
    {CKR_SESSION_EXISTS, "CKR_SESSION_EXISTS", "a session is open on the token", ErrorCode::token},
    {CKR_SESSION_READ_ONLY_EXISTS, "CKR_SESSION_READ_ONLY_EXISTS", nullptr, ErrorCode::token},
    {CKR_SESSION_READ_WRITE_SO_EXISTS, "CKR_SESSION_READ_WRITE_SO_EXISTS", nullptr, ErrorCode::token},
    {CKR_SIGNATURE_INVALID, "CKR_SIGNATURE_INVALID", "signature is invalid", ErrorCode::denied},
    {CKR_SIGNATURE_LEN_RANGE, "CKR_SIGNATURE_LEN_RANGE", nullptr, ErrorCode::invalid_input},
    {CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE", "object template incomplete", ErrorCode::internal},
    {CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT", "object template inconsistent", ErrorCode::internal},
    {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT", "no token in the slot", ErrorCode::token},
    {CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED", "token not recognised", ErrorCode::token},
    {CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED", "token is write-protected", ErrorCode::token},
    {CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN", nullptr, ErrorCode::token},
    {CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN", "not logged in to the token", ErrorCode::token},
    {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED", "the token's user PIN is not set", ErrorCode::token},
    {CKR_USER_TYPE_INVALID, "CKR_USER_TYPE_INVALID", nullptr, ErrorCode::internal},
    {CKR_USER_ANOTHER_ALREADY_LOGGED_IN, "CKR_USER_ANOTHER_ALREADY_LOGGED_IN", "another user is logged in", ErrorCode::token},
    {CKR_USER_TOO_MANY_TYPES, "CKR_USER_TOO_MANY_TYPES", nullptr, ErrorCode::token},
    {CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL", nullptr, ErrorCode::internal},
    {CKR_RANDOM_NO_RNG, "CKR_RANDOM_NO_RNG", "the token has no random number generator", ErrorCode::token},
    {CKR_DOMAIN_PARAMS_INVALID, "CKR_DOMAIN_PARAMS_INVALID", "curve or domain parameters not supported", ErrorCode::token},
    {CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED", "module not initialised", ErrorCode::internal},
    {CKR_CRYPTOKI_ALREADY_INITIALIZED, "CKR_CRYPTOKI_ALREADY_INITIALIZED", nullptr, ErrorCode::token},
};

const RvInfo* find(CK_RV rv) {
  for (const auto& info : kRvTable)
    if (info.rv == rv) return &info;
  return nullptr;
}

}  // namespace

std::string ckr_name(CK_RV rv) {
  if (const auto* info = find(rv)) return info->name;
  return fmt::format("CKR_0x{:08X}", rv);
}

Error pkcs11_error(const char* function, CK_RV rv) {
  const auto* info = find(rv);
  if (info == nullptr)
    return make_error(ErrorCode::token, fmt::format("{}: token error ({})", function, ckr_name(rv)));
  if (info->meaning == nullptr)
    return make_error(info->code, fmt::format("{}: {}", function, info->name));
  return make_error(info->code, fmt::format("{}: {} ({})", function, info->meaning, info->name));
}

}  // namespace qualsig::hsm
