#include "service/people_service.h"

#include <nlohmann/json.hpp>

#include "audit/log_entry.h"
#include "core/fs.h"
#include "service/identity_service.h"

namespace qualsig::service {
namespace {

Result<void> check_label(const std::string& what, const std::string& value, std::size_t max) {
  if (value.empty() || value.size() > max)
    return fail(ErrorCode::invalid_input, what + " must be 1 to " + std::to_string(max) + " characters");
  for (unsigned char c : value)
    if (c < 0x21 || c > 0x7e)
      return fail(ErrorCode::invalid_input, what + " may only contain printable ASCII characters without spaces");
  return ok();
}

}  // namespace

std::string token_hash(const Secret& token) {
  auto v = token.reveal();
  return audit::sha256_ref(ByteView(reinterpret_cast<const std::uint8_t*>(v.data()), v.size()));
}

Secret new_token(std::string_view prefix) { return Secret(std::string(prefix) + base64url_encode(core::random_bytes(32))); }

Result<AddedPerson> add_person(TrustService& svc, const std::string& name, const std::vector<std::string>& groups,
                               const std::string& actor, TimePoint now) {
  QS_TRY_VOID(check_label("person name", name, 128));
  if (groups.size() > 64) return fail(ErrorCode::invalid_input, "a person may belong to at most 64 groups");
  for (const auto& g : groups) QS_TRY_VOID(check_label("group name", g, 64));
  auto identity = svc.store().identity(name);
  if (identity) return fail(ErrorCode::invalid_input, "'" + name + "' is a non-human identity: identities never approve or delegate as people");
  if (identity.error().code != ErrorCode::not_found) return fail(identity.error());
  AddedPerson added{store::PersonRecord{0, name, groups, "", now, std::nullopt}, new_token("qsp_")};
  added.person.token_hash = token_hash(added.token);
  auto existing = svc.store().person(name);
  if (existing) return fail(ErrorCode::already_exists, "a person named '" + name + "' already exists");
  QS_TRY_VOID(log_event(svc, audit::EventType::operator_note, actor, "person:" + name, {},
                        {{"note", "person added"}, {"groups", groups}}, now));
  QS_TRY(added.person.id, svc.store().create_person(added.person));
  return added;
}

Result<store::PersonRecord> authenticate_person(TrustService& svc, const std::string& name, const Secret& token) {
  auto denied = [&] { return make_error(ErrorCode::denied, "authentication failed for person '" + name + "'"); };
  if (token.empty()) return fail(denied());
  auto person = svc.store().person(name);
  if (!person) {
    if (person.error().code == ErrorCode::not_found) return fail(denied());
    return fail(person.error());
  }
  // Secret::equals compares in constant time; both sides are hashes of the same length.
  if (!Secret(token_hash(token)).equals(person->token_hash) || person->disabled_at) return fail(denied());
  return std::move(*person);
}

Result<std::vector<store::PersonRecord>> list_people(TrustService& svc) { return svc.store().people(); }

}  // namespace qualsig::service
