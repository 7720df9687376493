#pragma once
// Helpers for the trusted-list tests: the DSS corpus lists (tests skip when absent) and xmllint
// --xpath as the independent reader of their content.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "core/bytes.h"
#include "support/run_command.h"

namespace qualsig::trust::testing {

inline std::filesystem::path corpus_tl(const std::string& name) {
  return std::filesystem::path(QUALSIG_CORPUS_DIR) / "dss" / "tl" / name;
}

inline std::filesystem::path corpus_extracted(const std::string& name) {
  return std::filesystem::path(QUALSIG_CORPUS_DIR) / "dss" / "extracted" / name;
}

inline Bytes read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// `xmllint --xpath expr file`, trimmed of the trailing newline; throws when xmllint fails (an
// empty node set is "" for string() and count() expressions).
inline std::string xpath(const std::filesystem::path& file, const std::string& expr) {
  auto r = qualsig::testing::run("xmllint --xpath \"" + expr + "\" '" + file.string() + "'");
  if (r.status != 0) throw std::runtime_error("xmllint --xpath " + expr + ": " + r.output);
  while (!r.output.empty() && (r.output.back() == '\n' || r.output.back() == ' ')) r.output.pop_back();
  return r.output;
}

// An xsd:dateTime converted to Unix seconds by GNU date (not by qualsig).
inline long long gnu_date_seconds(const std::string& text) {
  auto r = qualsig::testing::run("date -u -d '" + text + "' +%s");
  if (r.status != 0) throw std::runtime_error("date: " + r.output);
  return std::stoll(r.output);
}

}  // namespace qualsig::trust::testing

// Skips the test when the shared corpus is not there (a user's clone).
#define QS_REQUIRE_CORPUS(path)                                                            \
  do {                                                                                     \
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "corpus file absent: " << (path);  \
  } while (0)
