#pragma once
// Helpers for the identity tests: running the independent tools (node + jose, openssl) and
// temporary directories. Header-only, as tests/identity/CMakeLists.txt compiles *_test.cpp only.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>

namespace qualsig::identity::test {

struct CommandOutput {
  int exit_status = -1;  // -1 when the command did not exit normally
  std::string out;
};

// Runs `command` through /bin/sh, capturing stdout (stderr goes where the caller redirects it).
inline CommandOutput run_command(const std::string& command) {
  CommandOutput result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) result.out.append(buf, n);
  const int status = ::pclose(pipe);
  if (WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  return result;
}

inline bool have_program(const std::string& name) {
  return run_command("command -v " + name + " >/dev/null 2>&1").exit_status == 0;
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ostringstream s;
  s << std::ifstream(path, std::ios::binary).rdbuf();
  return s.str();
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir final {
 public:
  explicit TempDir(const std::string& prefix) {
    std::random_device rd;
    m_path = std::filesystem::temp_directory_path() /
             (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(m_path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  const std::filesystem::path& path() const { return m_path; }
  std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

 private:
  std::filesystem::path m_path;
};

inline std::filesystem::path interop_dir() {
  return std::filesystem::path(QUALSIG_SOURCE_DIR) / "tests" / "interop";
}

// Why the node-based interop tools cannot run here, or nullopt when they can.
inline std::optional<std::string> node_interop_unavailable() {
  if (!have_program("node")) {
    return "node is not installed: the JWT tests need tests/interop/make_jwt.mjs (run scripts/install-deps)";
  }
  if (!std::filesystem::exists(interop_dir() / "node_modules" / "jose")) {
    return "tests/interop/node_modules/jose is missing: run scripts/install-deps (npm ci in tests/interop)";
  }
  return std::nullopt;
}

}  // namespace qualsig::identity::test
