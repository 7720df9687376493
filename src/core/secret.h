#pragma once
// A secret (PIN, token) that is wiped when it goes away and cannot be printed: there is no
// operator<< and no fmt::formatter, so `fmt::format("{}", secret)` does not compile
// (STYLE.md §4). Read the bytes only where they are handed to the library that needs them.

#include <string>
#include <string_view>

namespace qualsig {

class Secret final {
 public:
  Secret() = default;
  explicit Secret(std::string value) : m_value(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&& other) noexcept : m_value(std::move(other.m_value)) { other.wipe(); }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      wipe();
      m_value = std::move(other.m_value);
      other.wipe();
    }
    return *this;
  }
  ~Secret() { wipe(); }

  bool empty() const { return m_value.empty(); }
  std::size_t size() const { return m_value.size(); }
  // The raw bytes, for the call that consumes them. Do not copy into logs or messages.
  std::string_view reveal() const { return m_value; }

  // Constant-time comparison.
  bool equals(std::string_view other) const;

 private:
  void wipe() noexcept;
  std::string m_value;
};

}  // namespace qualsig
