#include "core/secret.h"

#include <openssl/crypto.h>

namespace qualsig {

void Secret::wipe() noexcept {
  if (!m_value.empty()) OPENSSL_cleanse(m_value.data(), m_value.size());
  m_value.clear();
}

bool Secret::equals(std::string_view other) const {
  if (other.size() != m_value.size()) return false;
  return CRYPTO_memcmp(other.data(), m_value.data(), other.size()) == 0;
}

}  // namespace qualsig
