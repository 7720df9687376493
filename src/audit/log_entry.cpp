#include "audit/log_entry.h"

#include "core/canonical_json.h"
#include "core/digest.h"

namespace qualsig::audit {
namespace {

Result<void> check_ref(const std::string& name, const std::string& value) {
  constexpr std::string_view kPrefix = "sha256:";
  if (name.empty()) return fail(ErrorCode::invalid_input, "audit entry: empty ref name");
  if (value.size() != kPrefix.size() + 64 || value.compare(0, kPrefix.size(), kPrefix) != 0 ||
      !hex_decode(std::string_view(value).substr(kPrefix.size())))
    return fail(ErrorCode::invalid_input, "audit entry: ref '" + name + "' is not sha256:<64 hex digits>");
  return ok();
}

}  // namespace

std::string sha256_ref(ByteView data) { return "sha256:" + hex_encode(core::sha256(data)); }

Result<std::string> make_entry(const EntryDraft& d, std::uint64_t seq, TimePoint time, const std::optional<Hash>& prev) {
  if (!d.details.is_object()) return fail(ErrorCode::invalid_input, "audit entry: details must be an object");
  nlohmann::json refs = nlohmann::json::object();
  for (const auto& [k, v] : d.refs) {
    QS_TRY_VOID(check_ref(k, v));
    refs[k] = v;
  }
  nlohmann::json j = {
      {"seq", seq},     {"time", to_rfc3339(time)}, {"event", std::string(event_name(d.event))},
      {"actor", d.actor}, {"subject", d.subject},   {"refs", refs},
      {"details", d.details},
  };
  if (prev) j["prev"] = to_hex(*prev);
  return core::canonical_json(j);
}

Result<ParsedEntry> parse_entry(std::string_view text) {
  QS_TRY(auto j, core::parse_json_strict(text));
  if (!j.is_object()) return fail(ErrorCode::invalid_input, "audit entry is not a JSON object");
  auto str = [&](const char* key, std::string& out) -> Result<void> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return fail(ErrorCode::invalid_input, std::string("audit entry: '") + key + "' missing or not a string");
    out = it->get<std::string>();
    return ok();
  };
  ParsedEntry e;
  auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_unsigned()) return fail(ErrorCode::invalid_input, "audit entry: 'seq' missing or not a non-negative integer");
  e.seq = seq->get<std::uint64_t>();
  std::string time;
  QS_TRY_VOID(str("time", time));
  auto t = parse_rfc3339(time);
  if (!t) return fail(ErrorCode::invalid_input, "audit entry: 'time' is not RFC 3339");
  e.time = *t;
  QS_TRY_VOID(str("event", e.event));
  QS_TRY_VOID(str("actor", e.actor));
  QS_TRY_VOID(str("subject", e.subject));
  auto refs = j.find("refs");
  if (refs == j.end() || !refs->is_object()) return fail(ErrorCode::invalid_input, "audit entry: 'refs' missing or not an object");
  for (const auto& [k, v] : refs->items()) {
    if (!v.is_string()) return fail(ErrorCode::invalid_input, "audit entry: ref '" + k + "' is not a string");
    QS_TRY_VOID(check_ref(k, v.get<std::string>()));
    e.refs[k] = v.get<std::string>();
  }
  auto details = j.find("details");
  if (details == j.end() || !details->is_object()) return fail(ErrorCode::invalid_input, "audit entry: 'details' missing or not an object");
  e.details = *details;
  if (auto prev = j.find("prev"); prev != j.end()) {
    if (!prev->is_string()) return fail(ErrorCode::invalid_input, "audit entry: 'prev' is not a string");
    auto bytes = hex_decode(prev->get<std::string>());
    auto h = bytes ? hash_from_bytes(*bytes) : std::nullopt;
    if (!h) return fail(ErrorCode::invalid_input, "audit entry: 'prev' is not a 32-byte hex hash");
    e.prev = *h;
  }
  for (const auto& [k, v] : j.items())
    if (k != "seq" && k != "time" && k != "event" && k != "actor" && k != "subject" && k != "refs" &&
        k != "details" && k != "prev")
      return fail(ErrorCode::invalid_input, "audit entry: unknown field '" + k + "'");
  QS_TRY(auto canonical, core::canonical_json(j));
  if (canonical != text) return fail(ErrorCode::invalid_input, "audit entry is not in canonical form (RFC 8785)");
  return e;
}

}  // namespace qualsig::audit
