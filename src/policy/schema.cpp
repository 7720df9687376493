#include "policy/schema.h"

#include <optional>
#include <set>

#include "policy/duration.h"
#include "policy/policy.h"
#include "policy/text.h"

namespace qualsig::policy::schema {
namespace {

bool any_text(std::string_view s) { return s.front() != ' ' && s.back() != ' '; }

std::string join(std::initializer_list<std::string_view> names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

// Records where the SAX parser is, to name a duplicate member by its pointer.
class DuplicateFinder final {
 public:
  bool null() { return value(); }
  bool boolean(bool /*unused*/) { return value(); }
  bool number_integer(json::number_integer_t /*unused*/) { return value(); }
  bool number_unsigned(json::number_unsigned_t /*unused*/) { return value(); }
  bool number_float(json::number_float_t /*unused*/, const json::string_t& /*unused*/) { return value(); }
  bool string(json::string_t& /*unused*/) { return value(); }
  bool binary(json::binary_t& /*unused*/) { return value(); }
  bool start_object(std::size_t /*unused*/) { return open(true); }
  bool start_array(std::size_t /*unused*/) { return open(false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& name) {
    Frame& top = m_stack.back();
    if (!top.names.insert(name).second) {
      m_found = child(container_pointer(), name);
      return false;
    }
    top.member = name;
    return true;
  }
  bool parse_error(std::size_t /*unused*/, const std::string& /*unused*/, const json::exception& /*unused*/) {
    return false;
  }
  std::string found() const { return m_found.value_or(""); }

 private:
  struct Frame {
    bool is_object;
    std::set<std::string> names;
    std::string member;       // objects: the member being read
    std::size_t elements = 0; // arrays: elements completed
  };
  // Pointer of the innermost open container.
  std::string container_pointer() const {
    std::string p;
    for (std::size_t i = 0; i + 1 < m_stack.size(); ++i) {
      p = m_stack[i].is_object ? child(p, m_stack[i].member) : child(p, m_stack[i].elements);
    }
    return p;
  }
  bool value() {
    if (!m_stack.empty() && !m_stack.back().is_object) ++m_stack.back().elements;
    return true;
  }
  bool open(bool is_object) {
    m_stack.push_back(Frame{is_object, {}, {}, 0});
    return true;
  }
  bool close() {
    m_stack.pop_back();
    return value();
  }

  std::vector<Frame> m_stack;
  std::optional<std::string> m_found;
};

}  // namespace

const StringForm kAnyText{any_text, "text without leading or trailing spaces"};

std::string escape_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string child(const std::string& pointer, std::string_view member) { return pointer + "/" + escape_token(member); }
std::string child(const std::string& pointer, std::size_t index) { return pointer + "/" + std::to_string(index); }

Unexpected error_at(const std::string& pointer, const std::string& what) {
  return fail(ErrorCode::invalid_input, "policy: " + (pointer.empty() ? std::string("(root)") : printable(pointer, 120)) +
                                            ": " + what);
}

Result<void> check_object(const json& value, const std::string& pointer, std::initializer_list<std::string_view> known,
                          std::initializer_list<std::string_view> required) {
  if (!value.is_object()) return error_at(pointer, "must be an object");
  if (value.size() > kMaxListEntries) return error_at(pointer, "must have at most 1000 members");
  for (const auto& [name, member] : value.items()) {
    bool is_known = false;
    for (auto k : known) is_known = is_known || name == k;
    if (!is_known) return error_at(child(pointer, name), "unknown member (allowed: " + join(known) + ")");
  }
  for (auto r : required) {
    if (!value.contains(r)) return error_at(child(pointer, r), "required member missing");
  }
  return ok();
}

Result<std::string> read_string(const json& value, const std::string& pointer, const StringForm& form) {
  if (!value.is_string()) return error_at(pointer, std::string("must be a string: ") + form.description);
  const auto& s = value.get_ref<const std::string&>();
  if (s.empty()) return error_at(pointer, std::string("must not be empty: ") + form.description);
  if (s.size() > kMaxStringBytes) return error_at(pointer, "must be at most 256 bytes long");
  if (!is_printable_utf8(s)) return error_at(pointer, "must not contain control characters");
  if (!form.accepts(s)) return error_at(pointer, std::string("must be ") + form.description);
  return s;
}

Result<std::int64_t> read_int(const json& value, const std::string& pointer, std::int64_t min, std::int64_t max) {
  const std::string range = "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (value.is_number_unsigned()) {
    const auto u = value.get<json::number_unsigned_t>();
    if (u > static_cast<json::number_unsigned_t>(max) || static_cast<std::int64_t>(u) < min) {
      return error_at(pointer, range);
    }
    return static_cast<std::int64_t>(u);
  }
  if (!value.is_number_integer()) return error_at(pointer, range);
  const auto n = value.get<json::number_integer_t>();
  if (n < min || n > max) return error_at(pointer, range);
  return n;
}

Result<bool> read_bool(const json& value, const std::string& pointer) {
  if (!value.is_boolean()) return error_at(pointer, "must be true or false");
  return value.get<bool>();
}

Result<const json::array_t*> read_array(const json& value, const std::string& pointer) {
  if (!value.is_array()) return error_at(pointer, "must be an array");
  if (value.empty()) return error_at(pointer, "must not be empty");
  if (value.size() > kMaxListEntries) return error_at(pointer, "must have at most 1000 entries");
  return &value.get_ref<const json::array_t&>();
}

Result<std::vector<std::string>> read_string_list(const json& value, const std::string& pointer,
                                                  const StringForm& form) {
  QS_TRY(const json::array_t* array, read_array(value, pointer));
  std::vector<std::string> out;
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < array->size(); ++i) {
    QS_TRY(std::string s, read_string((*array)[i], child(pointer, i), form));
    if (auto [it, inserted] = seen.emplace(s, i); !inserted) {
      return error_at(child(pointer, i), "duplicate of " + child(pointer, it->second));
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<Amount> read_amount(const json& value, const std::string& pointer) {
  if (value.is_string()) {
    auto amount = Amount::parse(value.get_ref<const std::string&>());
    if (!amount) return error_at(pointer, "must be a decimal amount: " + amount.error().message);
    return amount;
  }
  if (value.is_number_integer()) {
    QS_TRY(std::int64_t units, read_int(value, pointer, 0, Amount::kMaxUnits));
    return Amount::from_units(units);
  }
  return error_at(pointer, "must be a decimal string like \"10000.00\" or an integer (never a floating-point number)");
}

Result<std::map<std::string, Amount>> read_amount_map(const json& value, const std::string& pointer) {
  if (!value.is_object()) return error_at(pointer, "must be an object of currency code to amount");
  if (value.empty()) return error_at(pointer, "must name at least one currency");
  if (value.size() > kMaxListEntries) return error_at(pointer, "must have at most 1000 members");
  std::map<std::string, Amount> out;
  for (const auto& [code, amount] : value.items()) {
    if (!is_currency_code(code)) {
      return error_at(child(pointer, code), "member name must be an ISO 4217 currency code (three capital letters)");
    }
    QS_TRY(Amount a, read_amount(amount, child(pointer, code)));
    out.emplace(code, a);
  }
  return out;
}

Result<std::chrono::seconds> read_duration(const json& value, const std::string& pointer, std::chrono::seconds min,
                                           std::chrono::seconds max) {
  if (!value.is_string()) return error_at(pointer, "must be a duration string like \"72h\"");
  auto d = parse_duration(value.get_ref<const std::string&>());
  if (!d) return error_at(pointer, d.error().message);
  if (*d < min || *d > max) {
    return error_at(pointer, "must be from " + format_duration(min) + " to " + format_duration(max));
  }
  return d;
}

std::string find_duplicate_member(std::string_view text) {
  DuplicateFinder finder;
  try {
    (void)json::sax_parse(text.begin(), text.end(), &finder, json::input_format_t::json, /*strict=*/true,
                          /*ignore_comments=*/false);
  } catch (const json::exception&) {  // boundary with a throwing library: no duplicate found
    return {};
  }
  return finder.found();
}

}  // namespace qualsig::policy::schema
