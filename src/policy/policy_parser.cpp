// parse_policy(): the "qualsig-policy/1" schema (docs/policy.md "Document format").

#include <algorithm>

#include "core/canonical_json.h"
#include "core/digest.h"
#include "policy/delegation.h"
#include "policy/duration.h"
#include "policy/policy.h"
#include "policy/schema.h"

namespace qualsig::policy {
namespace {

using nlohmann::json;
using schema::child;
using schema::error_at;

bool policy_name(std::string_view s) {
  return s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}
bool root_principal(std::string_view s) { return is_principal(s, /*allow_identity=*/false); }
bool person(std::string_view s) { return s.substr(0, 7) == "person:" && is_principal(s, false); }

const schema::StringForm kPolicyName{policy_name, "a policy name: [a-z0-9-]{1,64}"};
const schema::StringForm kIdentifier{is_identifier, "an identifier: [a-z0-9][a-z0-9._-]{0,63}"};
const schema::StringForm kRootPrincipal{root_principal, "\"person:NAME\" or \"organisation:ID\""};
const schema::StringForm kPerson{person, "\"person:NAME\""};

// A member `name` of `object` (known to be an object), or nullptr.
const json* member(const json& object, std::string_view name) {
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

Result<TimeWindow> read_window(const json& v, const std::string& p) {
  QS_TRY_VOID(schema::check_object(v, p, {"days", "from", "to", "utc_offset"}, {"days", "from", "to", "utc_offset"}));
  TimeWindow w;
  QS_TRY(const json::array_t* days, schema::read_array(v["days"], child(p, "days")));
  for (std::size_t i = 0; i < days->size(); ++i) {
    const std::string dp = child(child(p, "days"), i);
    if (!(*days)[i].is_string()) return error_at(dp, "must be a day name \"mon\"..\"sun\"");
    auto day = parse_day((*days)[i].get_ref<const std::string&>());
    if (!day) return error_at(dp, day.error().message);
    if (w.days[day->c_encoding()]) return error_at(dp, "duplicate day");
    w.days[day->c_encoding()] = true;
  }
  const auto time_of = [&](std::string_view name, bool allow_24) -> Result<std::chrono::seconds> {
    const std::string tp = child(p, name);
    if (!v[name].is_string()) return error_at(tp, "must be a time string \"HH:MM\"");
    auto t = parse_time_of_day(v[name].get_ref<const std::string&>(), allow_24);
    if (!t) return error_at(tp, t.error().message);
    return t;
  };
  QS_TRY(w.from, time_of("from", false));
  QS_TRY(w.to, time_of("to", true));
  if (w.to <= w.from) {
    return error_at(child(p, "to"), "must be later than \"from\" (a window does not cross midnight; use two windows)");
  }
  if (!v["utc_offset"].is_string()) return error_at(child(p, "utc_offset"), "must be a string \"+HH:MM\"");
  auto offset = parse_utc_offset(v["utc_offset"].get_ref<const std::string&>());
  if (!offset) return error_at(child(p, "utc_offset"), offset.error().message);
  w.utc_offset = *offset;
  return w;
}

Result<RateLimits> read_rate_limits(const json& v, const std::string& p) {
  QS_TRY_VOID(schema::check_object(v, p, {"per_hour", "per_day"}, {}));
  if (v.empty()) return error_at(p, "must set per_hour, per_day or both");
  RateLimits r;
  constexpr std::int64_t kMaxRate = 1'000'000'000;
  if (const json* h = member(v, "per_hour")) {
    QS_TRY(r.per_hour, schema::read_int(*h, child(p, "per_hour"), 1, kMaxRate));
  }
  if (const json* d = member(v, "per_day")) {
    QS_TRY(r.per_day, schema::read_int(*d, child(p, "per_day"), 1, kMaxRate));
  }
  return r;
}

Result<std::vector<ApprovalRule>> read_approvals(const json& v, const std::string& p) {
  QS_TRY(const json::array_t* entries, schema::read_array(v, p));
  std::vector<ApprovalRule> rules;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const json& e = (*entries)[i];
    const std::string ep = child(p, i);
    QS_TRY_VOID(schema::check_object(e, ep, {"above", "required", "group", "valid_for"},
                                     {"above", "required", "group", "valid_for"}));
    ApprovalRule rule;
    QS_TRY(rule.above, schema::read_amount_map(e["above"], child(ep, "above")));
    QS_TRY(rule.required, schema::read_int(e["required"], child(ep, "required"), 1, 100));
    QS_TRY(rule.group, schema::read_string(e["group"], child(ep, "group"), kIdentifier));
    QS_TRY(rule.valid_for, schema::read_duration(e["valid_for"], child(ep, "valid_for"), std::chrono::minutes(1),
                                                 std::chrono::hours(24 * 90)));
    // Two entries with one threshold would make "the requirement that applies" ambiguous.
    for (const auto& [currency, amount] : rule.above) {
      for (std::size_t j = 0; j < rules.size(); ++j) {
        const auto other = rules[j].above.find(currency);
        if (other != rules[j].above.end() && other->second == amount) {
          return error_at(child(child(ep, "above"), currency),
                          "the same threshold as " + child(child(child(p, j), "above"), currency));
        }
      }
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

Result<DelegationRule> read_delegation(const json& v, const std::string& p) {
  QS_TRY_VOID(schema::check_object(v, p, {"required", "from", "scope"}, {"from", "scope"}));
  DelegationRule rule;
  if (const json* r = member(v, "required")) {
    QS_TRY(rule.required, schema::read_bool(*r, child(p, "required")));
  }
  QS_TRY(rule.from, schema::read_string_list(v["from"], child(p, "from"), kRootPrincipal));
  QS_TRY(rule.scope, schema::read_string(v["scope"], child(p, "scope"), kIdentifier));
  return rule;
}

Result<ActivationRule> read_activation(const json& v, const std::string& p) {
  QS_TRY_VOID(schema::check_object(v, p, {"sad_valid_for", "by"}, {"sad_valid_for"}));
  ActivationRule rule;
  QS_TRY(rule.sad_valid_for, schema::read_duration(v["sad_valid_for"], child(p, "sad_valid_for"),
                                                   std::chrono::seconds(1), std::chrono::hours(1)));
  if (const json* by = member(v, "by")) {
    QS_TRY(rule.by, schema::read_string(*by, child(p, "by"), kPerson));
  }
  return rule;
}

Result<Policy> read_policy(const json& doc) {
  QS_TRY_VOID(schema::check_object(doc, "",
                                   {"schema", "name", "version", "description", "document_types", "max_amount",
                                    "counterparties", "time_windows", "rate_limits", "approvals", "delegation",
                                    "activation"},
                                   {"schema", "name", "version", "document_types"}));
  if (!doc["schema"].is_string() || doc["schema"].get_ref<const std::string&>() != kPolicySchema) {
    return error_at("/schema", "must be \"qualsig-policy/1\"");
  }
  Policy policy;
  QS_TRY(policy.name, schema::read_string(doc["name"], "/name", kPolicyName));
  QS_TRY(policy.version, schema::read_int(doc["version"], "/version", 1, core::kMaxSafeInteger));
  if (const json* d = member(doc, "description")) {
    QS_TRY(policy.description, schema::read_string(*d, "/description", schema::kAnyText));
  }
  QS_TRY(policy.document_types, schema::read_string_list(doc["document_types"], "/document_types", kIdentifier));
  if (const json* m = member(doc, "max_amount")) {
    QS_TRY(policy.max_amount, schema::read_amount_map(*m, "/max_amount"));
  }
  if (const json* c = member(doc, "counterparties")) {
    QS_TRY(policy.counterparties, schema::read_string_list(*c, "/counterparties", schema::kAnyText));
  }
  if (const json* t = member(doc, "time_windows")) {
    QS_TRY(const json::array_t* windows, schema::read_array(*t, "/time_windows"));
    policy.time_windows.emplace();
    for (std::size_t i = 0; i < windows->size(); ++i) {
      QS_TRY(TimeWindow w, read_window((*windows)[i], child("/time_windows", i)));
      policy.time_windows->push_back(w);
    }
  }
  if (const json* r = member(doc, "rate_limits")) {
    QS_TRY(policy.rate_limits, read_rate_limits(*r, "/rate_limits"));
  }
  if (const json* a = member(doc, "approvals")) {
    QS_TRY(policy.approvals, read_approvals(*a, "/approvals"));
  }
  if (const json* d = member(doc, "delegation")) {
    QS_TRY(policy.delegation, read_delegation(*d, "/delegation"));
  }
  if (const json* a = member(doc, "activation")) {
    QS_TRY(policy.activation, read_activation(*a, "/activation"));
  }
  return policy;
}

}  // namespace

Result<std::string> policy_hash(const nlohmann::json& document) {
  QS_TRY(std::string canonical, core::canonical_json(document));
  return "sha256:" + hex_encode(core::sha256(as_bytes(canonical)));
}

Result<Policy> parse_policy(std::string_view text) {
  if (text.size() > kMaxPolicyBytes) {
    return fail(ErrorCode::invalid_input, "policy: the document is larger than " + std::to_string(kMaxPolicyBytes) +
                                              " bytes");
  }
  auto parsed = core::parse_json_strict(text, kMaxPolicyDepth);
  if (!parsed) {
    if (parsed.error().message.find("duplicate member name") != std::string::npos) {
      if (std::string where = schema::find_duplicate_member(text); !where.empty()) {
        return error_at(where, "duplicate member name");
      }
    }
    return fail(ErrorCode::invalid_input, "policy: " + parsed.error().message, parsed.error().detail);
  }
  QS_TRY(Policy policy, read_policy(*parsed));
  // Every value read above is a string, a safe integer, a boolean or a container of them, so
  // canonicalisation cannot fail on a document that passed the schema; check anyway.
  QS_TRY(policy.canonical, core::canonical_json(*parsed));
  policy.hash = "sha256:" + hex_encode(core::sha256(as_bytes(policy.canonical)));
  policy.document = std::move(*parsed);
  return policy;
}

}  // namespace qualsig::policy
