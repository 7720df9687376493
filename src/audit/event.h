#pragma once
// The closed set of security-relevant events the audit log records (issue: tamper-evident
// audit log). Each capability writes its events from its first day; the names are part of
// the log format and never change meaning.

#include <optional>
#include <string_view>

namespace qualsig::audit {

enum class EventType {
  service_initialised,
  config_changed,
  admin_login,
  identity_registered,
  identity_proofed,
  identity_confirmed,
  identity_suspended,
  identity_resumed,
  identity_offboarded,
  certificate_issued,
  certificate_revoked,
  certificate_suspended,
  certificate_reinstated,
  policy_created,
  policy_changed,
  delegation_granted,
  delegation_revoked,
  sign_requested,
  policy_decided,
  approval_granted,
  approval_rejected,
  sad_issued,
  sad_consumed,
  signature_produced,
  operator_note,
};

// "identity.registered", ... (the name written into entries).
std::string_view event_name(EventType event);
std::optional<EventType> parse_event_name(std::string_view name);

}  // namespace qualsig::audit
