#include "core/result.h"

namespace qualsig {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_input: return "invalid_input";
    case ErrorCode::usage: return "usage";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::denied: return "denied";
    case ErrorCode::already_exists: return "already_exists";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::pending: return "pending";
    case ErrorCode::environment: return "environment";
    case ErrorCode::token: return "token";
    case ErrorCode::database: return "database";
    case ErrorCode::crypto: return "crypto";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

}  // namespace qualsig
