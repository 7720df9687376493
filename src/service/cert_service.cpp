#include "service/cert_service.h"

#include <spdlog/spdlog.h>

#include "audit/log_entry.h"
#include "core/fs.h"
#include "core/openssl.h"
#include "hsm/openssl_bridge.h"
#include "pki/certificate_builder.h"
#include "pki/identity_profile.h"
#include "pki/ocsp_cache.h"
#include "pki/ocsp_responder.h"
#include "service/ca_context.h"
#include "service/identity_service.h"

namespace qualsig::service {

namespace {

TimePoint asn1_to_time(const ASN1_TIME* t) {
  struct tm tm {};
  ASN1_TIME_to_tm(t, &tm);
  return TimePoint(std::chrono::seconds(timegm(&tm)));
}

Result<void> after_revocation_change(TrustService& svc, CaContext& ca, TimePoint now);

}  // namespace



namespace {

std::string missing_proofing(TrustService& svc, const store::IdentityRecord& rec) {
  std::string msg = "identity '" + rec.name + "' is not proofed: a qualified certificate (" +
                    std::string(rec.kind == "delegated-agent" ? "QCP-n-qscd" : "QCP-l-qscd") +
                    ") needs IAL2 proofing";
  if (auto proofings = svc.store().proofings(rec.id)) {
    for (const auto& p : *proofings)
      if (p.status == "pending-confirmation")
        return msg + "; the sponsor attestation recorded by " + p.attested_by.value_or("?") +
               " awaits confirmation by a second administrator ('qualsig identity confirm')";
  }
  return msg + "; missing evidence: a SPIFFE X.509-SVID, an OIDC workload token, or a sponsor attestation "
               "confirmed by a second administrator ('qualsig identity proof')";
}

pki::IdentityCertificateProfile profile_for(TrustService& svc, const store::IdentityRecord& rec) {
  pki::IdentityCertificateProfile p;
  p.kind = rec.kind == "delegated-agent" ? pki::SubjectKind::natural_person : pki::SubjectKind::legal_person;
  p.identity_name = rec.name;
  p.organization = rec.organization;
  p.organization_identifier = rec.organization_identifier;
  p.country = rec.country;
  if (rec.acts_for) {
    auto j = nlohmann::json::parse(*rec.acts_for, nullptr, false);
    if (j.is_object()) {
      p.given_name = j.value("given_name", "");
      p.surname = j.value("surname", "");
      p.person_identifier = j.value("identifier", "");
    }
  }
  p.uris.push_back("urn:qualsig:identity:" + rec.name);
  if (rec.spiffe_id) p.uris.push_back(*rec.spiffe_id);
  const auto& c = svc.config().certificates;
  p.pds_url = c.pds_url;
  p.pds_language = c.pds_language;
  p.retention_years = static_cast<int>(c.retention_years);
  return p;
}

Result<store::CertificateRecord> change_status(TrustService& svc, const std::string& serial_hex,
                                               const std::string& to, std::optional<pki::RevocationReason> reason,
                                               std::optional<TimePoint> invalidity, audit::EventType event,
                                               const std::string& actor, TimePoint now) {
  QS_TRY(auto ca, svc.ca_context());
  QS_TRY(auto rec, svc.store().certificate(serial_hex));
  if (rec.status == "revoked") return fail(ErrorCode::conflict, "certificate " + serial_hex + " is already revoked");
  if (to == "valid" && rec.status != "suspended")
    return fail(ErrorCode::conflict, "certificate " + serial_hex + " is not suspended");
  if (to == "suspended" && rec.status == "suspended")
    return fail(ErrorCode::conflict, "certificate " + serial_hex + " is already suspended");
  std::string from = rec.status;
  rec.status = to;
  if (to == "valid") {
    rec.revoked_at.reset();
    rec.revocation_reason.reset();
    rec.invalidity_date.reset();
  } else {
    rec.revoked_at = now;
    rec.revocation_reason = pki::reason_name(*reason);
    rec.invalidity_date = invalidity;
  }
  nlohmann::json details = {{"from", from}, {"to", to}, {"identity", rec.identity_name}};
  if (rec.revocation_reason) details["reason"] = *rec.revocation_reason;
  if (invalidity) details["invalidity_date"] = to_rfc3339(*invalidity);
  QS_TRY_VOID(log_event(svc, event, actor, "certificate:" + serial_hex, {{"certificate", audit::sha256_ref(rec.der)}},
                        details, now));
  QS_TRY_VOID(svc.store().update_certificate_status(rec));
  QS_TRY_VOID(after_revocation_change(svc, *ca, now));
  return rec;
}

constexpr auto kCrlValidity = std::chrono::hours(24);

Result<store::CrlRecord> sign_crl(TrustService& svc, CaContext& ca, const std::string& issuer, TimePoint now) {
  std::vector<pki::RevokedCertificate> entries;
  if (issuer == "issuing") {
    QS_TRY(auto revoked, svc.store().revoked_certificates());
    for (const auto& r : revoked) {
      pki::RevokedCertificate e;
      e.serial_hex = r.serial_hex;
      e.revoked_at = r.revoked_at.value_or(now);
      if (r.revocation_reason) {
        auto reason = pki::parse_reason_name(*r.revocation_reason);
        e.reason = reason ? *reason : pki::RevocationReason::unspecified;
      }
      e.invalidity_date = r.invalidity_date;
      entries.push_back(std::move(e));
    }
  }
  QS_TRY(auto previous, svc.store().crl(issuer));
  std::uint64_t number = previous ? previous->crl_number + 1 : 1;
  X509* cert = issuer == "issuing" ? ca.issuing.get() : ca.root.get();
  EVP_PKEY* key = issuer == "issuing" ? ca.issuing_key.get() : ca.root_key.get();
  // Revoked certificates are never dropped from the list, expired or not: the CRL says so
  // (expiredCertsOnCRL from the CA's own notBefore), so that a current CRL also answers for a
  // certificate that has since expired (EN 319 411-2: status stays available after expiry; the
  // OCSP responder says the same with its archive cutoff).
  QS_TRY(auto crl, pki::build_crl(cert, key, number, now, now + kCrlValidity, entries, asn1_to_time(X509_get0_notBefore(cert))));
  QS_TRY(auto der, pki::crl_to_der(crl.get()));
  store::CrlRecord rec{issuer, number, now, now + kCrlValidity, std::move(der)};
  QS_TRY_VOID(svc.store().put_crl(rec));
  return rec;
}

Result<void> after_revocation_change(TrustService& svc, CaContext& ca, TimePoint now) {
  // Visible at once: no OCSP answer from before the change is served again, and the CRL is
  // re-signed now (RFC 5280 §5: a new CRL on every change, not only at nextUpdate).
  ca.ocsp_cache.invalidate();
  std::lock_guard lock(ca.crl_mutex);
  QS_TRY_VOID(sign_crl(svc, ca, "issuing", now));
  return ok();
}

}  // namespace

Result<store::CertificateRecord> issue_certificate(TrustService& svc, const IssueRequest& r, const std::string& actor,
                                                   TimePoint now) {
  QS_TRY(auto rec, svc.store().identity(r.identity));
  if (rec.state == "pending-proofing" || !rec.assurance_level) return fail(ErrorCode::denied, missing_proofing(svc, rec));
  if (rec.state != "active")
    return fail(ErrorCode::denied, "identity '" + rec.name + "' is " + rec.state + ": no certificate is issued to it");
  const auto& cfg = svc.config().certificates;
  auto validity = r.validity.value_or(std::chrono::days(cfg.default_validity_days));
  if (validity.count() < 1 || validity.count() > static_cast<long>(cfg.max_validity_days))
    return fail(ErrorCode::invalid_input, "validity must be 1.." + std::to_string(cfg.max_validity_days) + " days");
  auto profile = profile_for(svc, rec);
  QS_TRY_VOID(pki::validate(profile));
  QS_TRY(auto ca, svc.ca_context());
  QS_TRY(auto token, svc.token());
  // The identity's key is generated inside the token and never leaves it; every issuance
  // (renewal included) gets a new key.
  Bytes key_id = core::random_bytes(16);
  std::string label = "qualsig-id-" + rec.name;
  QS_TRY(auto kp, token->generate_key(r.key_type, label, key_id));
  auto issued = [&]() -> Result<store::CertificateRecord> {
    QS_TRY(auto pub, token->public_key(kp));
    QS_TRY(auto req, pki::identity_certificate_request(profile, svc.config().profile, pub.get(), now,
                                                       std::chrono::duration_cast<std::chrono::seconds>(validity)));
    QS_TRY(auto cert, pki::issue_certificate(req, ca->issuing.get(), ca->issuing_key.get()));
    QS_TRY(auto der, core::x509_to_der(cert.get()));
    store::CertificateRecord c;
    c.serial_hex = core::serial_to_hex(X509_get0_serialNumber(cert.get()));
    c.identity_id = rec.id;
    c.identity_name = rec.name;
    c.der = std::move(der);
    c.key_id = key_id;
    c.key_label = label;
    c.status = "valid";
    c.issued_at = now;
    c.not_before = asn1_to_time(X509_get0_notBefore(cert.get()));
    c.not_after = asn1_to_time(X509_get0_notAfter(cert.get()));
    QS_TRY(auto pub_der, core::public_key_to_der(pub.get()));
    QS_TRY_VOID(log_event(svc, audit::EventType::certificate_issued, actor, "certificate:" + c.serial_hex,
                          {{"certificate", audit::sha256_ref(c.der)}, {"public_key", audit::sha256_ref(pub_der)}},
                          {{"identity", rec.name}, {"serial", c.serial_hex}, {"not_before", to_rfc3339(c.not_before)},
                           {"not_after", to_rfc3339(c.not_after)},
                           {"profile", rec.kind == "delegated-agent" ? "QCP-n-qscd esign" : "QCP-l-qscd eseal"},
                           {"key", {{"label", label}, {"id", hex_encode(key_id)}, {"type", hsm::key_type_name(r.key_type)}}}},
                          now));
    QS_TRY_VOID(svc.store().put_certificate(c));
    return c;
  }();
  if (!issued) {
    (void)token->destroy_key(kp);  // nothing was released: do not keep the key
    return issued;
  }
  // A CRL published before a certificate was issued says nothing about it (RFC 5280 §3.3; DSS
  // RevocationAfterCertificateIssuance): the issuing CA's CRL is re-signed now, so the current
  // CRL answers for the new certificate at once. The certificate stands if this fails (the next
  // CRL covers it; OCSP answers for it meanwhile).
  {
    std::lock_guard lock(ca->crl_mutex);
    if (auto crl = sign_crl(svc, *ca, "issuing", now); !crl)
      spdlog::warn(nlohmann::json{{"event", "crl_resign_failed"}, {"after", "certificate_issued"},
                                  {"serial", issued->serial_hex}, {"reason", crl.error().message}}.dump());
  }
  return issued;
}

Result<store::CertificateRecord> revoke_certificate(TrustService& svc, const std::string& serial_hex,
                                                    pki::RevocationReason reason, std::optional<TimePoint> invalidity,
                                                    const std::string& actor, TimePoint now) {
  if (reason == pki::RevocationReason::certificate_hold || reason == pki::RevocationReason::remove_from_crl)
    return fail(ErrorCode::invalid_input, "use 'cert suspend' / 'cert reinstate' for certificateHold");
  if (invalidity && *invalidity > now) return fail(ErrorCode::invalid_input, "the invalidity date is in the future");
  return change_status(svc, serial_hex, "revoked", reason, invalidity, audit::EventType::certificate_revoked, actor, now);
}

Result<store::CertificateRecord> suspend_certificate(TrustService& svc, const std::string& serial_hex,
                                                     const std::string& actor, TimePoint now) {
  return change_status(svc, serial_hex, "suspended", pki::RevocationReason::certificate_hold, std::nullopt,
                       audit::EventType::certificate_suspended, actor, now);
}

Result<store::CertificateRecord> reinstate_certificate(TrustService& svc, const std::string& serial_hex,
                                                       const std::string& actor, TimePoint now) {
  return change_status(svc, serial_hex, "valid", std::nullopt, std::nullopt, audit::EventType::certificate_reinstated,
                       actor, now);
}

Result<store::CertificateRecord> find_certificate(TrustService& svc, const std::string& serial_hex) {
  std::string upper = serial_hex;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return svc.store().certificate(upper);
}

Result<std::vector<store::CertificateRecord>> list_certificates(TrustService& svc, const std::optional<std::string>& identity) {
  if (!identity) return svc.store().certificates(std::nullopt);
  QS_TRY(auto rec, svc.store().identity(*identity));
  return svc.store().certificates(rec.id);
}

Result<store::CrlRecord> current_crl(TrustService& svc, const std::string& issuer, TimePoint now) {
  if (issuer != "issuing" && issuer != "root") return fail(ErrorCode::not_found, "no CRL named '" + issuer + "'");
  QS_TRY(auto stored, svc.store().crl(issuer));
  if (stored && now < stored->this_update + (stored->next_update - stored->this_update) / 2) return *stored;
  QS_TRY(auto ca, svc.ca_context());
  std::lock_guard lock(ca->crl_mutex);
  QS_TRY(stored, svc.store().crl(issuer));  // another thread may have re-signed meanwhile
  if (stored && now < stored->this_update + (stored->next_update - stored->this_update) / 2) return *stored;
  return sign_crl(svc, *ca, issuer, now);
}

Bytes ocsp_response(TrustService& svc, ByteView request_der, TimePoint now) {
  auto ca = svc.ca_context();
  pki::OcspOptions options;
  if (!ca) {
    spdlog::error("OCSP: CA unavailable: {}", ca.error().message);
    // RFC 6960 §4.2.1 tryLater: the responder cannot answer now.
    auto resp = core::wrap(OCSP_response_create(OCSP_RESPONSE_STATUS_TRYLATER, nullptr));
    unsigned char* buf = nullptr;
    int len = i2d_OCSP_RESPONSE(resp.get(), &buf);
    Bytes out(buf, buf + std::max(len, 0));
    OPENSSL_free(buf);
    return out;
  }
  // A status change in this process empties the cache at once (after_revocation_change). One
  // made by another process (the CLI beside the server, another node) bumps the store's
  // revocation generation; it is read at most once per millisecond, so a request arriving 1 ms
  // or more after such a commit never gets a cached answer from before it. Reading it on every
  // request made the store's lock the bottleneck of the responder (BENCHMARKS.md).
  auto mono = std::chrono::steady_clock::now().time_since_epoch().count();
  auto last = (*ca)->generation_checked_ns.load(std::memory_order_relaxed);
  if (mono - last >= 1'000'000 && (*ca)->generation_checked_ns.compare_exchange_strong(last, mono)) {
    if (auto generation = svc.store().revocation_generation()) {
      if ((*ca)->cache_generation.exchange(*generation) != *generation) (*ca)->ocsp_cache.invalidate();
    } else {
      (*ca)->ocsp_cache.invalidate();
    }
  }
  // Status stays available for certificates that expired (EN 319 411-2): since the issuing
  // CA's start, nothing is ever removed.
  options.archive_cutoff = asn1_to_time(X509_get0_notBefore((*ca)->issuing.get()));
  pki::OcspResponderIdentity id{(*ca)->issuing.get(), (*ca)->ocsp.get(), (*ca)->ocsp_key.get()};
  pki::StatusLookup lookup = [&svc](const std::string& serial) -> Result<std::optional<pki::CertStatus>> {
    auto rec = svc.store().certificate(serial);
    if (!rec) {
      if (rec.error().code == ErrorCode::not_found) return std::optional<pki::CertStatus>();
      return fail(rec.error());
    }
    pki::CertStatus s;
    if (rec->status == "valid") {
      s.state = pki::CertState::good;
    } else {
      s.state = pki::CertState::revoked;
      s.revoked_at = rec->revoked_at.value_or(TimePoint{});
      auto reason = pki::parse_reason_name(rec->revocation_reason.value_or("unspecified"));
      s.reason = reason ? *reason : pki::RevocationReason::unspecified;
    }
    return std::optional<pki::CertStatus>(s);
  };
  return pki::respond_cached(request_der, id, lookup, options, (*ca)->ocsp_cache, now);
}

}  // namespace qualsig::service
