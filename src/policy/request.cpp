#include "policy/request.h"

#include "core/canonical_json.h"
#include "policy/schema.h"
#include "policy/text.h"

namespace qualsig::policy {
namespace {

using nlohmann::json;
using schema::child;

bool identity_name(std::string_view s) { return is_identity_name(s); }
bool any(std::string_view) { return true; }
const schema::StringForm kIdentityName{identity_name, "an identity name (letters, digits, '-', '_', '.')"};
const schema::StringForm kPrintable{any, "printable text"};

// The schema readers speak of "policy: "; this document is a request.
Error relabel(Error e) {
  constexpr std::string_view kFrom = "policy: ";
  if (e.message.compare(0, kFrom.size(), kFrom) == 0) e.message = "request: " + e.message.substr(kFrom.size());
  return e;
}

Result<TimePoint> read_time(const json& v, const std::string& p) {
  if (v.is_string()) {
    if (auto t = parse_rfc3339(v.get_ref<const std::string&>())) return *t;
  }
  return schema::error_at(p, "must be an RFC 3339 time like \"2026-11-25T10:00:00+01:00\"");
}

Result<Delegation> read_link(const json& v, const std::string& p) {
  QS_TRY_VOID(schema::check_object(v, p,
                                   {"id", "delegator", "delegate", "scopes", "not_before", "expires_at", "revoked_at",
                                    "parent_id"},
                                   {"id", "delegator", "delegate", "scopes", "not_before", "expires_at"}));
  Delegation d;
  QS_TRY(d.id, schema::read_string(v["id"], child(p, "id"), kPrintable));
  QS_TRY(d.delegator, schema::read_string(v["delegator"], child(p, "delegator"), kPrintable));
  QS_TRY(d.delegate, schema::read_string(v["delegate"], child(p, "delegate"), kPrintable));
  QS_TRY(std::vector<std::string> scopes, schema::read_string_list(v["scopes"], child(p, "scopes"), kPrintable));
  d.scopes.insert(scopes.begin(), scopes.end());
  QS_TRY(d.not_before, read_time(v["not_before"], child(p, "not_before")));
  QS_TRY(d.expires_at, read_time(v["expires_at"], child(p, "expires_at")));
  if (v.contains("revoked_at")) {
    QS_TRY(d.revoked_at, read_time(v["revoked_at"], child(p, "revoked_at")));
  }
  if (v.contains("parent_id")) {
    QS_TRY(d.parent_id, schema::read_string(v["parent_id"], child(p, "parent_id"), kPrintable));
  }
  return d;
}

Result<TestRequest> read_request(const json& doc) {
  QS_TRY_VOID(schema::check_object(doc, "",
                                   {"identity", "document_type", "attributes", "time", "signatures_last_hour",
                                    "signatures_last_day", "delegation_chain"},
                                   {"identity", "document_type", "time"}));
  TestRequest t;
  SignRequest& r = t.request;
  QS_TRY(r.identity, schema::read_string(doc["identity"], "/identity", kIdentityName));
  QS_TRY(r.document_type, schema::read_string(doc["document_type"], "/document_type", kPrintable));
  QS_TRY(r.now, read_time(doc["time"], "/time"));
  if (doc.contains("attributes")) {
    const json& a = doc["attributes"];
    if (!a.is_object()) return schema::error_at("/attributes", "must be an object of strings");
    if (a.size() > kMaxListEntries) return schema::error_at("/attributes", "must have at most 1000 members");
    for (const auto& [name, value] : a.items()) {
      if (name.empty() || name.size() > kMaxStringBytes || !is_printable_utf8(name)) {
        return schema::error_at(child("/attributes", name), "member name must be 1..256 bytes of printable text");
      }
      QS_TRY(std::string s, schema::read_string(value, child("/attributes", name), kPrintable));
      r.attributes.emplace(name, std::move(s));
    }
  }
  constexpr std::int64_t kMaxCount = core::kMaxSafeInteger;
  if (doc.contains("signatures_last_hour")) {
    QS_TRY(std::int64_t n, schema::read_int(doc["signatures_last_hour"], "/signatures_last_hour", 0, kMaxCount));
    r.signatures_last_hour = static_cast<std::uint64_t>(n);
  }
  if (doc.contains("signatures_last_day")) {
    QS_TRY(std::int64_t n, schema::read_int(doc["signatures_last_day"], "/signatures_last_day", 0, kMaxCount));
    r.signatures_last_day = static_cast<std::uint64_t>(n);
  }
  if (doc.contains("delegation_chain")) {
    const json& c = doc["delegation_chain"];
    if (!c.is_array()) return schema::error_at("/delegation_chain", "must be an array of delegations");
    if (c.size() > kMaxDelegationChain) return schema::error_at("/delegation_chain", "must have at most 8 links");
    for (std::size_t i = 0; i < c.size(); ++i) {
      QS_TRY(Delegation d, read_link(c[i], child("/delegation_chain", i)));
      t.chain.push_back(std::move(d));
    }
  }
  return t;
}

}  // namespace

Result<TestRequest> parse_test_request(std::string_view text) {
  if (text.size() > kMaxPolicyBytes) {
    return fail(ErrorCode::invalid_input, "request: the document is larger than " + std::to_string(kMaxPolicyBytes) +
                                              " bytes");
  }
  auto parsed = core::parse_json_strict(text, kMaxPolicyDepth);
  if (!parsed) {
    if (parsed.error().message.find("duplicate member name") != std::string::npos) {
      if (std::string where = schema::find_duplicate_member(text); !where.empty()) {
        return relabel(schema::error_at(where, "duplicate member name").error);
      }
    }
    return fail(ErrorCode::invalid_input, "request: " + parsed.error().message, parsed.error().detail);
  }
  auto request = read_request(*parsed);
  if (!request) return relabel(std::move(request).error());
  return request;
}

}  // namespace qualsig::policy
