#pragma once
// Tier (b): a loaded PKCS#11 module. Shared ownership keeps the module loaded (and
// C_Initialize'd) while any Token or Session made from it is alive.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "hsm/pkcs11.h"

namespace qualsig::hsm {

struct SlotInfo {
  CK_SLOT_ID id = 0;
  bool token_present = false;
  bool token_initialized = false;
  std::string token_label;      // trimmed of the padding spaces
  std::string manufacturer;
  std::string model;
  std::string serial;
  unsigned long free_private_memory = 0;  // CK_UNAVAILABLE_INFORMATION when unknown
};

// Which token to use: by label (the usual way), optionally narrowed by serial number or slot
// id (RFC 7512 "token", "serial", "slot-id"). Every set field must match.
struct TokenSelector {
  TokenSelector(std::string token_label = {}) : label(std::move(token_label)) {}  // NOLINT implicit
  std::string label;
  std::optional<std::string> serial;
  std::optional<CK_SLOT_ID> slot_id;
  std::string describe() const;
};

class Module final : public std::enable_shared_from_this<Module> {
 public:
  // dlopen()s `path`, gets its function list and calls C_Initialize with OS locking; returns
  // the already loaded Module when this process has one for `path`.
  // Fails with ErrorCode::token naming the path when the file is missing or not a module.
  static Result<std::shared_ptr<Module>> load(const std::filesystem::path& path);

  // The SoftHSM2 module as Debian installs it, if present.
  static std::optional<std::filesystem::path> find_softhsm2();

  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const CK_FUNCTION_LIST* functions() const { return m_fn; }
  const std::filesystem::path& path() const { return m_path; }

  Result<std::vector<SlotInfo>> slots() const;
  // The one initialised token matching `selector` (SoftHSM2 renumbers slots after
  // C_InitToken, so tokens are found by label, not slot). Several matches are an error.
  Result<SlotInfo> find_token(const TokenSelector& selector) const;
  // An uninitialised slot where a new token can be created.
  Result<SlotInfo> free_slot() const;

 private:
  Module(std::filesystem::path path, void* handle, CK_FUNCTION_LIST* fn);
  static Result<std::shared_ptr<Module>> load_uncached(const std::filesystem::path& path);
  std::filesystem::path m_path;
  void* m_handle = nullptr;
  CK_FUNCTION_LIST* m_fn = nullptr;
};

// Fixed-width blank-padded PKCS#11 text field -> trimmed string.
std::string trim_padded(const unsigned char* data, std::size_t size);

}  // namespace qualsig::hsm
