#pragma once
// Small helpers every command file uses: who the operator is, opening the service, times.

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "core/secret.h"
#include "core/time.h"
#include "service/trust_service.h"

namespace qualsig::cli {

// The actor recorded in the log for commands run from a shell: "operator:$USER".
inline std::string operator_actor() {
  const char* user = std::getenv("USER");
  return std::string("operator:") + (user && *user ? user : "unknown");
}

inline Result<std::unique_ptr<service::TrustService>> open_service(Globals& g) {
  return service::TrustService::open(g.data_dir);
}

// Runs `body` with an opened service; errors become the CLI's error line.
template <typename F>
int with_service(Globals& g, F&& body) {
  auto svc = open_service(g);
  if (!svc) return g.out.error(svc.error());
  return body(**svc);
}

inline Result<std::optional<TimePoint>> parse_time_opt(const std::string& text) {
  if (text.empty()) return std::optional<TimePoint>();
  auto t = parse_rfc3339(text);
  if (!t) return fail(ErrorCode::usage, "not an RFC 3339 time: " + text);
  return std::optional<TimePoint>(*t);
}

// A secret from a file (--token-file) or else from an environment variable — never from argv
// (CLI.md). Trailing newlines are removed. Fails with usage when neither is set.
Result<Secret> read_secret(const std::string& file, const char* env, const std::string& what);

}  // namespace qualsig::cli
