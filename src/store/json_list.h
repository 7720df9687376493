#pragma once
// Lists of strings (roles, groups, scopes, document hashes) are stored as JSON arrays of
// strings in one text column, by both backends.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qualsig::store {

inline std::string to_json_list(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }

// Reads what to_json_list wrote; anything else (which only a damaged database holds) gives the
// strings it can find, never an exception.
inline std::vector<std::string> from_json_list(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& e : j)
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

}  // namespace qualsig::store
