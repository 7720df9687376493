#pragma once
// A real SoftHSM2 token in a temporary directory, for tests of code that signs.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "hsm/module.h"
#include "hsm/token.h"
#include "support/temp_dir.h"

namespace qualsig::testing {

inline const Secret& test_user_pin() {
  static const Secret pin(std::string("123456"));
  return pin;
}
inline const Secret& test_so_pin() {
  static const Secret pin(std::string("12345678"));
  return pin;
}

class SoftHsm {
 public:
  // Writes softhsm2.conf into the temp dir, points SOFTHSM2_CONF at it and creates a token.
  SoftHsm(const std::string& label = "qualsig-test", std::size_t pool = 4) {
    auto tokens = m_dir.path() / "tokens";
    std::filesystem::create_directories(tokens);
    auto conf = m_dir.path() / "softhsm2.conf";
    std::ofstream(conf) << "directories.tokendir = " << tokens.string() << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
    auto path = hsm::Module::find_softhsm2();
    if (!path) throw std::runtime_error("SoftHSM2 not installed (scripts/install-deps installs it)");
    auto module = hsm::Module::load(*path);
    if (!module) throw std::runtime_error(module.error().message);
    m_module = *module;
    auto slot = m_module->free_slot();
    if (!slot) throw std::runtime_error(slot.error().message);
    auto init = hsm::Token::initialize(*m_module, slot->id, label, test_so_pin(), test_user_pin());
    if (!init) throw std::runtime_error(init.error().message);
    auto token = hsm::Token::open(m_module, label, test_user_pin(), pool);
    if (!token) throw std::runtime_error(token.error().message);
    m_token = *token;
  }
  ~SoftHsm() {
    m_token.reset();
    m_module.reset();
  }

  // Logs out and closes the sessions (the token stays), e.g. to test a login.
  void close_token() { m_token.reset(); }

  const std::shared_ptr<hsm::Module>& module() const { return m_module; }
  const std::shared_ptr<hsm::Token>& token() const { return m_token; }
  const std::filesystem::path& dir() const { return m_dir.path(); }

 private:
  TempDir m_dir;
  std::shared_ptr<hsm::Module> m_module;
  std::shared_ptr<hsm::Token> m_token;
};

}  // namespace qualsig::testing
