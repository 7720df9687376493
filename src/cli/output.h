#pragma once
// How the CLI answers: human text or one JSON document on stdout (--json), errors as one
// `error:` line on stderr, and exit codes from one table (CLI.md).

#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"

namespace qualsig::cli {

// CLI.md exit codes.
enum ExitCode : int {
  kExitOk = 0,
  kExitNegative = 1,
  kExitUsage = 2,
  kExitEnvironment = 3,
  kExitPending = 4,
  kExitInternal = 70,
};

// The one table from error codes to exit codes.
int exit_code_for(ErrorCode code);

struct Output {
  bool json = false;

  // Prints the error line (and the JSON error object with --json); returns the exit code.
  int error(const Error& e) const;
  int usage_error(const std::string& message) const;
  void print_json(const nlohmann::json& doc) const;
};

}  // namespace qualsig::cli
