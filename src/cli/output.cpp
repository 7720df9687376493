#include "cli/output.h"

#include <spdlog/spdlog.h>

#include <iostream>

namespace qualsig::cli {

int exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_input:
    case ErrorCode::denied:
    case ErrorCode::not_found:
    case ErrorCode::already_exists:
    case ErrorCode::conflict: return kExitNegative;
    case ErrorCode::usage: return kExitUsage;
    case ErrorCode::pending: return kExitPending;
    case ErrorCode::environment:
    case ErrorCode::token:
    case ErrorCode::database:
    case ErrorCode::unavailable:
    case ErrorCode::crypto: return kExitEnvironment;
    case ErrorCode::internal: return kExitInternal;
  }
  return kExitInternal;
}

int Output::error(const Error& e) const {
  std::cerr << "error: " << e.message << std::endl;
  if (!e.detail.empty()) spdlog::debug("{}: {}", e.message, e.detail);
  if (json) print_json({{"error", e.message}, {"code", error_code_name(e.code)}});
  return exit_code_for(e.code);
}

int Output::usage_error(const std::string& message) const {
  return error(make_error(ErrorCode::usage, message));
}

void Output::print_json(const nlohmann::json& doc) const {
  std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

}  // namespace qualsig::cli
