#pragma once
// Result<T>: expected failures as values (STYLE.md §6). Member names follow C++23
// std::expected so the type can become an alias once the toolchain has it.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace qualsig {

// What went wrong, as a closed set. cli/ maps it to an exit code, server/ to an HTTP
// problem type; the domain never knows either.
enum class ErrorCode {
  invalid_input,     // malformed or hostile input (bytes, JSON, config, arguments)
  usage,             // the caller asked for something that makes no sense
  not_found,         // a named thing does not exist
  denied,            // policy, authorisation or a negative verification result
  already_exists,    // create of something that is there
  conflict,          // state does not allow the operation
  pending,           // waits for approvals
  environment,       // files, permissions, disk, missing programs
  token,             // PKCS#11 module, slot, PIN, key
  database,          // store unavailable or corrupt
  crypto,            // a cryptographic operation failed
  unavailable,       // a dependency is down; retry may help
  internal,          // broken invariant
};

const char* error_code_name(ErrorCode code);

// One error type. `message` is safe to show a user (never a secret); `detail` goes to the
// log only and may hold library diagnostics (still never a secret).
struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  std::string detail;
};

inline Error make_error(ErrorCode code, std::string message, std::string detail = {}) {
  return Error{code, std::move(message), std::move(detail)};
}

// Wrapper that marks a value as the error alternative (like std::unexpected).
struct Unexpected {
  Error error;
};
inline Unexpected fail(ErrorCode code, std::string message, std::string detail = {}) {
  return Unexpected{Error{code, std::move(message), std::move(detail)}};
}
inline Unexpected fail(Error error) { return Unexpected{std::move(error)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT implicit
  Result(Unexpected u) : m_v(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT
  Result(Error e) : m_v(std::in_place_index<1>, std::move(e)) {}  // NOLINT

  bool has_value() const { return m_v.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(m_v); }
  const T& value() const& { assert(has_value()); return std::get<0>(m_v); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(m_v)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!has_value()); return std::get<1>(m_v); }
  Error&& error() && { assert(!has_value()); return std::get<1>(std::move(m_v)); }

 private:
  std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Unexpected u) : m_error(std::move(u.error)), m_failed(true) {}  // NOLINT
  Result(Error e) : m_error(std::move(e)), m_failed(true) {}  // NOLINT

  bool has_value() const { return !m_failed; }
  explicit operator bool() const { return has_value(); }
  void value() const { assert(has_value()); }
  const Error& error() const& { assert(m_failed); return m_error; }
  Error&& error() && { assert(m_failed); return std::move(m_error); }

 private:
  Error m_error;
  bool m_failed = false;
};

inline Result<void> ok() { return {}; }

}  // namespace qualsig

// Propagate an error: `QS_TRY(auto x, expr);` or `QS_TRY_VOID(expr);`.
#define QS_CONCAT_INNER(a, b) a##b
#define QS_CONCAT(a, b) QS_CONCAT_INNER(a, b)
#define QS_TRY_VOID(expr)                                         \
  do {                                                            \
    auto&& qs_try_r_ = (expr);                                    \
    if (!qs_try_r_) return ::qualsig::fail(std::move(qs_try_r_).error()); \
  } while (0)
#define QS_TRY_IMPL(tmp, decl, expr)                              \
  auto tmp = (expr);                                              \
  if (!tmp) return ::qualsig::fail(std::move(tmp).error());       \
  decl = std::move(tmp).value()
#define QS_TRY(decl, expr) QS_TRY_IMPL(QS_CONCAT(qs_try_, __LINE__), decl, expr)
