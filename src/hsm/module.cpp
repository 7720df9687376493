#include "hsm/module.h"

#include <dlfcn.h>
#include <openssl/err.h>

#include <map>
#include <mutex>

#include "hsm/pkcs11_error.h"

namespace qualsig::hsm {
namespace fs = std::filesystem;

std::string trim_padded(const unsigned char* data, std::size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  auto end = s.find_last_not_of(' ');
  return end == std::string::npos ? std::string() : s.substr(0, end + 1);
}

std::optional<fs::path> Module::find_softhsm2() {
  for (const char* p : {"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so"}) {
    std::error_code ec;
    if (fs::exists(p, ec)) return fs::path(p);
  }
  return std::nullopt;
}

Module::Module(fs::path path, void* handle, CK_FUNCTION_LIST* fn)
    : m_path(std::move(path)), m_handle(handle), m_fn(fn) {}

Result<std::shared_ptr<Module>> Module::load(const fs::path& path) {
  // One Module per module file and process: PKCS#11 allows one C_Initialize per application,
  // and a second owner's C_Finalize would pull the module from under the first.
  static std::mutex registry_mutex;
  static std::map<fs::path, std::weak_ptr<Module>> registry;
  std::lock_guard lock(registry_mutex);
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  if (auto it = registry.find(canonical); it != registry.end())
    if (auto existing = it->second.lock()) return existing;
  QS_TRY(auto module, load_uncached(path));
  registry[canonical] = module;
  return module;
}

Result<std::shared_ptr<Module>> Module::load_uncached(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    return fail(ErrorCode::token, "PKCS#11 module not found: " + path.string());
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return fail(ErrorCode::token, "cannot load PKCS#11 module " + path.string(), why ? why : "");
  }
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(handle, "C_GetFunctionList"));
  if (get_list == nullptr) {
    ::dlclose(handle);
    return fail(ErrorCode::token, "not a PKCS#11 module (no C_GetFunctionList): " + path.string());
  }
  CK_FUNCTION_LIST* fn = nullptr;
  if (CK_RV rv = get_list(&fn); rv != CKR_OK || fn == nullptr) {
    ::dlclose(handle);
    return fail(pkcs11_error("C_GetFunctionList", rv));
  }
  // The module may be called from several threads; let it use the OS primitives.
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  CK_RV rv = fn->C_Initialize(&args);
  // SoftHSM2 shares libcrypto with us and leaves entries on the error queue here.
  ERR_clear_error();
  if (rv != CKR_OK) {
    ::dlclose(handle);
    auto err = pkcs11_error("C_Initialize", rv);
    err.message += " (module " + path.string() + ")";
    return fail(std::move(err));
  }
  return std::shared_ptr<Module>(new Module(path, handle, fn));
}

Module::~Module() {
  if (m_fn != nullptr) m_fn->C_Finalize(nullptr);
  ERR_clear_error();
  // The module is deliberately not dlclose()d: some modules (SoftHSM2 among them) register
  // atexit handlers and thread-local destructors that would then point into unmapped code.
}

Result<std::vector<SlotInfo>> Module::slots() const {
  CK_ULONG count = 0;
  QS_TRY_VOID(check_rv("C_GetSlotList", m_fn->C_GetSlotList(CK_FALSE, nullptr, &count)));
  std::vector<CK_SLOT_ID> ids(count);
  QS_TRY_VOID(check_rv("C_GetSlotList", m_fn->C_GetSlotList(CK_FALSE, ids.data(), &count)));
  ids.resize(count);
  std::vector<SlotInfo> out;
  for (CK_SLOT_ID id : ids) {
    CK_SLOT_INFO si{};
    QS_TRY_VOID(check_rv("C_GetSlotInfo", m_fn->C_GetSlotInfo(id, &si)));
    SlotInfo info;
    info.id = id;
    info.token_present = (si.flags & CKF_TOKEN_PRESENT) != 0;
    if (info.token_present) {
      CK_TOKEN_INFO ti{};
      QS_TRY_VOID(check_rv("C_GetTokenInfo", m_fn->C_GetTokenInfo(id, &ti)));
      info.token_initialized = (ti.flags & CKF_TOKEN_INITIALIZED) != 0;
      info.token_label = trim_padded(ti.label, sizeof(ti.label));
      info.manufacturer = trim_padded(ti.manufacturerID, sizeof(ti.manufacturerID));
      info.model = trim_padded(ti.model, sizeof(ti.model));
      info.serial = trim_padded(ti.serialNumber, sizeof(ti.serialNumber));
      info.free_private_memory = ti.ulFreePrivateMemory;
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::string TokenSelector::describe() const {
  std::string d = "labelled '" + label + "'";
  if (serial) d += " with serial " + *serial;
  if (slot_id) d += " in slot " + std::to_string(*slot_id);
  return d;
}

Result<SlotInfo> Module::find_token(const TokenSelector& selector) const {
  QS_TRY(auto all, slots());
  std::optional<SlotInfo> found;
  for (auto& s : all) {
    if (!s.token_present || !s.token_initialized) continue;
    if (!selector.label.empty() && s.token_label != selector.label) continue;
    if (selector.serial && s.serial != *selector.serial) continue;
    if (selector.slot_id && s.id != *selector.slot_id) continue;
    if (found) return fail(ErrorCode::token, "several tokens " + selector.describe() + " in PKCS#11 module " + m_path.string());
    found = s;
  }
  if (!found) return fail(ErrorCode::token, "no token " + selector.describe() + " in PKCS#11 module " + m_path.string());
  return *found;
}

Result<SlotInfo> Module::free_slot() const {
  QS_TRY(auto all, slots());
  for (auto& s : all)
    if (s.token_present && !s.token_initialized) return s;
  return fail(ErrorCode::token, "no uninitialised slot in PKCS#11 module " + m_path.string());
}

}  // namespace qualsig::hsm
