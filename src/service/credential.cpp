#include "service/credential.h"

namespace qualsig::service {
namespace {

Result<void> check_identity_state(const store::IdentityRecord& id) {
  if (id.state == "active") return ok();
  if (id.state == "suspended") return fail(ErrorCode::denied, "identity '" + id.name + "' is suspended and cannot sign");
  if (id.state == "offboarded") return fail(ErrorCode::denied, "identity '" + id.name + "' is offboarded and cannot sign");
  if (id.state == "pending-proofing")
    return fail(ErrorCode::denied, "identity '" + id.name + "' is not proofed yet and cannot sign");
  return fail(ErrorCode::denied, "identity '" + id.name + "' is " + id.state + " and cannot sign");
}

// Why this certificate cannot sign at `now`; nullopt when it can.
std::optional<std::string> unusable(const store::CertificateRecord& c, TimePoint now) {
  std::string who = "certificate " + c.serial_hex;
  if (c.status == "revoked")
    return who + " is revoked (" + c.revocation_reason.value_or("unspecified") + ") since " +
           to_rfc3339(c.revoked_at.value_or(now));
  if (c.status == "suspended") return who + " is suspended (certificateHold) since " + to_rfc3339(c.revoked_at.value_or(now));
  if (c.status != "valid") return who + " has status " + c.status;
  if (now < c.not_before) return who + " is not valid before " + to_rfc3339(c.not_before);
  if (now >= c.not_after) return who + " expired at " + to_rfc3339(c.not_after);
  return std::nullopt;
}

}  // namespace

Result<Credential> usable_credential(TrustService& svc, const std::string& name, TimePoint now) {
  QS_TRY(auto identity, svc.store().identity(name));
  QS_TRY_VOID(check_identity_state(identity));
  QS_TRY(auto certs, svc.store().certificates(identity.id));
  const store::CertificateRecord* best = nullptr;
  const store::CertificateRecord* latest = nullptr;
  for (const auto& c : certs) {
    if (!latest || c.issued_at > latest->issued_at) latest = &c;
    if (!unusable(c, now) && (!best || c.issued_at > best->issued_at)) best = &c;
  }
  if (best) return Credential{std::move(identity), *best};
  if (!latest)
    return fail(ErrorCode::denied, "identity '" + name + "' has no certificate: issue one with `qualsig cert issue --identity " + name + "`");
  return fail(ErrorCode::denied, "identity '" + name + "' cannot sign: " + *unusable(*latest, now));
}

Result<Credential> check_credential(TrustService& svc, const std::string& name, const std::string& serial_hex,
                                    TimePoint now) {
  QS_TRY(auto identity, svc.store().identity(name));
  QS_TRY_VOID(check_identity_state(identity));
  QS_TRY(auto cert, svc.store().certificate(serial_hex));
  if (cert.identity_id != identity.id)
    return fail(ErrorCode::denied, "certificate " + serial_hex + " does not belong to identity '" + name + "'");
  if (auto why = unusable(cert, now)) return fail(ErrorCode::denied, "identity '" + name + "' cannot sign: " + *why);
  return Credential{std::move(identity), std::move(cert)};
}

}  // namespace qualsig::service
