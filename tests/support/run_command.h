#pragma once
// Runs a shell command (an independent verifier such as `openssl`) and captures its output.

#include <cstdio>
#include <string>

namespace qualsig::testing {

struct CommandResult {
  int status;
  std::string output;  // stdout and stderr
};

inline CommandResult run(const std::string& command) {
  CommandResult r{-1, {}};
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) r.output.append(buf, n);
  r.status = ::pclose(pipe);
  return r;
}

}  // namespace qualsig::testing
