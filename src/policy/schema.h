#pragma once
// Building blocks of the policy schema check (policy_parser.cpp): typed readers that name the
// offending value by its RFC 6901 JSON Pointer. Every failure is ErrorCode::invalid_input with
// the message "policy: <pointer>: <what is wrong>". Internal to policy/.

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "policy/amount.h"

namespace qualsig::policy::schema {

using nlohmann::json;

// RFC 6901 §3: "~" is written "~0" and "/" is written "~1" inside a reference token.
std::string escape_token(std::string_view token);
// `pointer` extended by one member name or array index.
std::string child(const std::string& pointer, std::string_view member);
std::string child(const std::string& pointer, std::size_t index);

// The error for the value at `pointer`; the root ("") is shown as "(root)", and a pointer is
// cut to 120 bytes of printable text.
Unexpected error_at(const std::string& pointer, const std::string& what);

// A string value's allowed form: a predicate and the words that describe it in an error
// ("a document type: [a-z0-9][a-z0-9._-]{0,63}").
struct StringForm {
  bool (*accepts)(std::string_view);
  const char* description;
};
extern const StringForm kAnyText;  // printable, no leading or trailing space

// `value` must be an object whose member names are all in `known`, with every name in
// `required` present. An unknown member is reported at its own pointer, a missing one at the
// pointer it would have.
Result<void> check_object(const json& value, const std::string& pointer, std::initializer_list<std::string_view> known,
                          std::initializer_list<std::string_view> required);

// A string of 1..kMaxStringBytes bytes of printable UTF-8 that `form` accepts.
Result<std::string> read_string(const json& value, const std::string& pointer, const StringForm& form);
// An integer in [min, max] (JSON integers only: 2.0 and "2" are refused).
Result<std::int64_t> read_int(const json& value, const std::string& pointer, std::int64_t min, std::int64_t max);
Result<bool> read_bool(const json& value, const std::string& pointer);
// An array of 1..kMaxListEntries elements (the array itself; elements are read by the caller).
Result<const json::array_t*> read_array(const json& value, const std::string& pointer);
// An array of 1..kMaxListEntries distinct strings of `form`.
Result<std::vector<std::string>> read_string_list(const json& value, const std::string& pointer, const StringForm& form);
// A decimal string ("10000.00") or a JSON integer; see Amount::parse.
Result<Amount> read_amount(const json& value, const std::string& pointer);
// An object of 1..kMaxListEntries members, each an ISO 4217 code mapping to an amount.
Result<std::map<std::string, Amount>> read_amount_map(const json& value, const std::string& pointer);
// A duration ("72h") within [min, max]; see parse_duration.
Result<std::chrono::seconds> read_duration(const json& value, const std::string& pointer, std::chrono::seconds min,
                                           std::chrono::seconds max);

// The JSON Pointer of the first member name that occurs twice in one object of `text`, or an
// empty string if there is none (or the text stops parsing before one).
std::string find_duplicate_member(std::string_view text);

}  // namespace qualsig::policy::schema
