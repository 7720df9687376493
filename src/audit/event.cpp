#include "audit/event.h"

#include <array>
#include <utility>

namespace qualsig::audit {
namespace {

constexpr std::array<std::pair<EventType, std::string_view>, 25> kNames{{
    {EventType::service_initialised, "service.initialised"},
    {EventType::config_changed, "config.changed"},
    {EventType::admin_login, "admin.login"},
    {EventType::identity_registered, "identity.registered"},
    {EventType::identity_proofed, "identity.proofed"},
    {EventType::identity_confirmed, "identity.confirmed"},
    {EventType::identity_suspended, "identity.suspended"},
    {EventType::identity_resumed, "identity.resumed"},
    {EventType::identity_offboarded, "identity.offboarded"},
    {EventType::certificate_issued, "certificate.issued"},
    {EventType::certificate_revoked, "certificate.revoked"},
    {EventType::certificate_suspended, "certificate.suspended"},
    {EventType::certificate_reinstated, "certificate.reinstated"},
    {EventType::policy_created, "policy.created"},
    {EventType::policy_changed, "policy.changed"},
    {EventType::delegation_granted, "delegation.granted"},
    {EventType::delegation_revoked, "delegation.revoked"},
    {EventType::sign_requested, "sign.requested"},
    {EventType::policy_decided, "policy.decided"},
    {EventType::approval_granted, "approval.granted"},
    {EventType::approval_rejected, "approval.rejected"},
    {EventType::sad_issued, "sad.issued"},
    {EventType::sad_consumed, "sad.consumed"},
    {EventType::signature_produced, "signature.produced"},
    {EventType::operator_note, "operator.note"},
}};

}  // namespace

std::string_view event_name(EventType event) {
  for (const auto& [e, name] : kNames)
    if (e == event) return name;
  return "unknown";
}

std::optional<EventType> parse_event_name(std::string_view name) {
  for (const auto& [e, n] : kNames)
    if (n == name) return e;
  return std::nullopt;
}

}  // namespace qualsig::audit
