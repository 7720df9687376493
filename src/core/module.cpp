#include "core/module.h"

#include <dlfcn.h>

#include <filesystem>
#include <string>

#include "qualsig/version.h"

namespace qualsig::core {

Result<const ModuleHeader*> load_module_table(const char* what, const char* file, const char* symbol,
                                              std::uint32_t abi, std::uint32_t size) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fail(ErrorCode::environment, std::string(what) + ": cannot find the qualsig executable", ec.message());
  const fs::path path = exe.parent_path() / file;
  // Never closed: the module's code may be on any thread's stack until the process ends. A second
  // dlopen of the same file returns the same handle.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();  // names the file and the reason
    return fail(ErrorCode::environment, std::string(what) + " cannot be loaded: " + (why ? why : path.string()));
  }
  using Entry = const ModuleHeader* (*)();
  auto entry = reinterpret_cast<Entry>(::dlsym(handle, symbol));
  const ModuleHeader* table = entry ? entry() : nullptr;
  if (table == nullptr)
    return fail(ErrorCode::environment, std::string(what) + " cannot be loaded: " + path.string() + " has no " + symbol);
  if (std::string(table->version) != kVersion)
    return fail(ErrorCode::environment, std::string(what) + " cannot be loaded: " + path.string() +
                                            " is from qualsig " + table->version + ", this is qualsig " + kVersion);
  if (table->abi != abi || table->size != size)
    return fail(ErrorCode::environment, std::string(what) + " cannot be loaded: " + path.string() +
                                            " is from another build of qualsig " + kVersion + " (table ABI " +
                                            std::to_string(table->abi) + ", " + std::to_string(table->size) +
                                            " bytes; expected " + std::to_string(abi) + ", " + std::to_string(size) + ")");
  return table;
}

}  // namespace qualsig::core
