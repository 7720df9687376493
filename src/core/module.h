#pragma once
// Modules loaded on demand: shared objects next to the `qualsig` executable holding code whose
// libraries are costly to load at every process start (qpdf, xmlsec; docs/decisions.md,
// "qpdf and xmlsec are in modules loaded on demand"). A module exports one extern "C" function
// per table it offers; each table starts with a ModuleHeader. Programs that link the code
// directly (tests, benchmarks, fuzzers) never load a module.
//
// Only the executable's own directory is searched (never an environment variable or the
// configuration): no input chooses code to load.

#include <cstdint>

#include "core/result.h"

namespace qualsig::core {

struct ModuleHeader {
  std::uint32_t abi;    // the table's ABI number, raised whenever the table changes
  std::uint32_t size;   // sizeof(the table) as the module was compiled
  const char* version;  // qualsig::kVersion the module was built as
};

// The table that `symbol` in module `file` (e.g. "libqualsig-pdf.so") returns, after checking its
// header against `abi`, `size` and this executable's version. `what` names the feature in
// errors ("PDF support"). A module is never unloaded; loading it again returns the same handle.
// Callers use module_table<T>(), which does this once per table.
// Fails with environment naming the file and dlerror()'s reason (missing, not an ELF object,
// undefined symbol) or the mismatch.
Result<const ModuleHeader*> load_module_table(const char* what, const char* file, const char* symbol,
                                              std::uint32_t abi, std::uint32_t size);

// The table of type T (first member `ModuleHeader header`; static members kAbi, kWhat, kFile,
// kSymbol), loaded on the first call and remembered, failure included, for the process.
template <typename T>
Result<const T*> module_table() {
  static const Result<const ModuleHeader*> loaded =  // C++11 §6.7: once, thread-safe
      load_module_table(T::kWhat, T::kFile, T::kSymbol, T::kAbi, sizeof(T));
  if (!loaded) return fail(loaded.error());
  return reinterpret_cast<const T*>(*loaded);
}

}  // namespace qualsig::core
