#include "store/postgres/libpq.h"

#include <dlfcn.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace qualsig::store::pg {
namespace {

// The SONAME libpq has had since PostgreSQL 8.0.
constexpr const char* kLibrary = "libpq.so.5";

struct Loaded {
  Libpq functions;
  std::optional<Error> error;
};

template <typename F>
void bind(void* handle, const char* name, F& out, std::string& missing) {
  out = reinterpret_cast<F>(::dlsym(handle, name));
  if (out == nullptr && missing.empty()) missing = name;
}

Loaded load() {
  Loaded loaded;
  // Never closed: results and connections may outlive any one store.
  void* handle = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    loaded.error = Error{ErrorCode::environment,
                         std::string("PostgreSQL support needs ") + kLibrary + " (Debian package libpq5), which cannot be loaded",
                         why ? why : ""};
    return loaded;
  }
  Libpq& f = loaded.functions;
  std::string missing;
#define QS_BIND(name) bind(handle, #name, f.name, missing)
  QS_BIND(PQconnectdbParams);
  QS_BIND(PQstatus);
  QS_BIND(PQerrorMessage);
  QS_BIND(PQfinish);
  QS_BIND(PQreset);
  QS_BIND(PQsetNoticeProcessor);
  QS_BIND(PQsocket);
  QS_BIND(PQconsumeInput);
  QS_BIND(PQtransactionStatus);
  QS_BIND(PQparameterStatus);
  QS_BIND(PQhost);
  QS_BIND(PQport);
  QS_BIND(PQdb);
  QS_BIND(PQprepare);
  QS_BIND(PQexecPrepared);
  QS_BIND(PQexec);
  QS_BIND(PQresultStatus);
  QS_BIND(PQresultErrorMessage);
  QS_BIND(PQresultErrorField);
  QS_BIND(PQntuples);
  QS_BIND(PQcmdTuples);
  QS_BIND(PQgetisnull);
  QS_BIND(PQgetvalue);
  QS_BIND(PQgetlength);
  QS_BIND(PQclear);
  QS_BIND(PQconninfoParse);
  QS_BIND(PQconninfoFree);
  QS_BIND(PQfreemem);
#undef QS_BIND
  if (!missing.empty())
    loaded.error = Error{ErrorCode::environment, std::string(kLibrary) + " lacks the function " + missing, ""};
  return loaded;
}

const Loaded& loaded() {
  static const Loaded instance = load();  // C++11 §6.7: initialised once, thread-safe
  return instance;
}

}  // namespace

Result<const Libpq*> load_libpq() {
  const Loaded& l = loaded();
  if (l.error) return fail(*l.error);
  return &l.functions;
}

const Libpq& pq() {
  const Loaded& l = loaded();
  if (l.error) std::abort();  // a caller skipped load_libpq(): a programming error
  return l.functions;
}

}  // namespace qualsig::store::pg
