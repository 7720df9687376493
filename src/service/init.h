#pragma once
// `qualsig init`: creates a complete trust service in a data directory, or nothing.
//
// Everything is built in a staging directory next to the target and renamed into place at
// the end (rename(2) is atomic), so a failure or a kill at any point leaves either the old
// state or a complete service. Keys are generated inside the token; the PINs of the
// embedded SoftHSM2 token are generated into 0600 files unless given in the environment.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "store/store.h"

namespace qualsig::service {

struct InitOptions {
  std::filesystem::path data_dir;
  // Unset fields take the value from the config template, else the defaults.
  std::optional<std::string> organization;
  std::optional<std::string> organization_identifier;
  std::optional<std::string> country;
  std::optional<std::string> base_url;
  // A config.json to start from (e.g. pointing at a vendor PKCS#11 module).
  std::optional<std::filesystem::path> config_template;
  // Use an existing token in this module instead of creating a SoftHSM2 token.
  std::optional<std::string> pkcs11_module;
  std::optional<std::string> token_label;
  TimePoint now;
};

struct InitResult {
  bool created = false;  // false: the directory was already initialised; nothing changed
  std::filesystem::path data_dir;
  std::vector<std::filesystem::path> pin_files;  // PIN files written (embedded token only)
  std::vector<store::CaCertificate> certificates;
};

// Environment variables that supply the embedded token's PINs instead of generated files.
inline constexpr const char* kUserPinEnv = "QUALSIG_TOKEN_PIN";
inline constexpr const char* kSoPinEnv = "QUALSIG_TOKEN_SO_PIN";

Result<InitResult> initialize(const InitOptions& options);

}  // namespace qualsig::service
