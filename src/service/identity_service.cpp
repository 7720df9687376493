#include "service/identity_service.h"

#include "service/oidc_keys.h"

#include <algorithm>

#include "audit/log_entry.h"
#include "core/canonical_json.h"
#include "core/fs.h"
#include "identity/dual_control.h"
#include "identity/oidc.h"
#include "identity/spiffe.h"
#include "service/cert_service.h"
#include "service/oidc_keys.h"

namespace qualsig::service {
namespace {

Result<void> check_name(const std::string& what, const std::string& v, std::size_t max) {
  if (v.empty()) return fail(ErrorCode::invalid_input, what + " must not be empty");
  if (v.size() > max) return fail(ErrorCode::invalid_input, what + " is longer than " + std::to_string(max) + " characters");
  for (unsigned char c : v)
    if (c < 0x20 || c == 0x7f) return fail(ErrorCode::invalid_input, what + " contains control characters");
  return ok();
}

// Identity names go into certificate subjects, URIs and log subjects: a conservative alphabet.
Result<void> check_identity_name(const std::string& name) {
  QS_TRY_VOID(check_name("identity name", name, 64));
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return fail(ErrorCode::invalid_input, "identity name may contain only letters, digits, '-', '_' and '.'");
  return ok();
}

std::string subject_of(const std::string& name) { return "identity:" + name; }

Result<store::IdentityRecord> set_state(TrustService& svc, const std::string& name, const std::string& from,
                                        const std::string& to, audit::EventType event, const std::string& actor,
                                        TimePoint now) {
  QS_TRY(auto rec, svc.store().identity(name));
  if (rec.state != from)
    return fail(ErrorCode::conflict, "identity '" + name + "' is " + rec.state + ", not " + from);
  rec.state = to;
  rec.updated_at = now;
  QS_TRY_VOID(log_event(svc, event, actor, subject_of(name), {}, {{"from", from}, {"to", to}}, now));
  QS_TRY_VOID(svc.store().update_identity(rec));
  return rec;
}

}  // namespace

Result<std::uint64_t> log_event(TrustService& svc, audit::EventType event, const std::string& actor, const std::string& subject,
                       std::map<std::string, std::string> refs, nlohmann::json details, TimePoint now) {
  QS_TRY(auto log, svc.audit_log());
  audit::EntryDraft d;
  d.event = event;
  d.actor = actor;
  d.subject = subject;
  d.refs = std::move(refs);
  d.details = std::move(details);
  QS_TRY(auto appended, log->append(d, now));
  return appended.seq;
}

Result<store::IdentityRecord> register_identity(TrustService& svc, const RegisterRequest& r, const std::string& actor,
                                                TimePoint now) {
  QS_TRY_VOID(check_identity_name(r.name));
  if (std::find(std::begin(kIdentityKinds), std::end(kIdentityKinds), r.kind) == std::end(kIdentityKinds))
    return fail(ErrorCode::invalid_input, "kind must be service-account, workload, ai-agent or delegated-agent");
  QS_TRY_VOID(check_name("sponsor", r.sponsor, 128));
  if (r.purpose.size() > 1024) return fail(ErrorCode::invalid_input, "purpose is longer than 1024 characters");
  nlohmann::json acts_for;
  if (r.kind == "delegated-agent") {
    if (!r.acts_for)
      return fail(ErrorCode::invalid_input, "a delegated-agent needs the natural person it acts for (--acts-for)");
    QS_TRY_VOID(check_name("given name of the person acted for", r.acts_for->given_name, 64));
    QS_TRY_VOID(check_name("surname of the person acted for", r.acts_for->surname, 64));
    acts_for = {{"given_name", r.acts_for->given_name}, {"surname", r.acts_for->surname},
                {"identifier", r.acts_for->identifier}};
  } else if (r.acts_for) {
    return fail(ErrorCode::invalid_input, "only a delegated-agent acts for a natural person");
  }
  store::IdentityRecord rec;
  rec.name = r.name;
  rec.kind = r.kind;
  rec.state = "pending-proofing";
  rec.organization = svc.config().profile.organization;
  rec.organization_identifier = svc.config().profile.organization_identifier;
  rec.country = svc.config().profile.country;
  rec.sponsor = r.sponsor;
  rec.purpose = r.purpose;
  if (!acts_for.is_null()) {
    QS_TRY(auto text, core::canonical_json(acts_for));
    rec.acts_for = text;
  }
  rec.created_at = rec.updated_at = now;
  if (auto existing = svc.store().identity(r.name))
    return fail(ErrorCode::already_exists, "an identity named '" + r.name + "' already exists");
  nlohmann::json details = {{"kind", rec.kind}, {"sponsor", rec.sponsor}, {"purpose", rec.purpose},
                            {"organization_identifier", rec.organization_identifier}};
  if (!acts_for.is_null()) details["acts_for"] = acts_for;
  // Logged first: a registration that is not in the log did not happen.
  QS_TRY_VOID(log_event(svc, audit::EventType::identity_registered, actor, subject_of(r.name), {}, details, now));
  QS_TRY(rec.id, svc.store().create_identity(rec));
  return rec;
}

Result<ProofingMethod> parse_proofing_method(std::string_view name) {
  if (name == "spiffe") return ProofingMethod::spiffe;
  if (name == "oidc") return ProofingMethod::oidc;
  if (name == "sponsor") return ProofingMethod::sponsor;
  return fail(ErrorCode::invalid_input, "proofing method must be spiffe, oidc or sponsor");
}

Result<ProofResult> proof_identity(TrustService& svc, const ProofRequest& r, const std::string& actor, TimePoint now) {
  QS_TRY(auto rec, svc.store().identity(r.identity));
  if (rec.state == "offboarded" || rec.state == "suspended")
    return fail(ErrorCode::conflict, "identity '" + r.identity + "' is " + rec.state);
  const auto& cfg = svc.config().proofing;
  store::ProofingRecord p;
  p.identity_id = rec.id;
  p.created_at = now;
  p.assurance_level = identity::assurance_level_name(identity::AssuranceLevel::ial2);
  nlohmann::json evidence;
  switch (r.method) {
    case ProofingMethod::spiffe: {
      if (cfg.spiffe_trust_bundle.empty())
        return fail(ErrorCode::environment, "no SPIFFE trust bundle configured (proofing.spiffe_trust_bundle)");
      QS_TRY(auto bundle, core::read_file(resolve(svc.data_dir(), cfg.spiffe_trust_bundle), 1u << 20));
      std::optional<std::string> domain;
      if (!cfg.spiffe_trust_domain.empty()) domain = cfg.spiffe_trust_domain;
      QS_TRY(auto v, identity::verify_x509_svid(r.evidence, bundle, now, domain));
      p.method = "spiffe";
      p.status = "verified";
      p.subject = v.spiffe_id;
      evidence = {{"spiffe_id", v.spiffe_id}, {"trust_domain", v.trust_domain},
                  {"leaf_sha256", v.leaf_fingerprint_sha256}, {"not_after", to_rfc3339(v.not_after)}};
      rec.spiffe_id = v.spiffe_id;
      break;
    }
    case ProofingMethod::oidc: {
      if ((cfg.oidc_jwks_file.empty() && cfg.oidc_jwks_url.empty()) || cfg.oidc_issuer.empty() || cfg.oidc_audience.empty())
        return fail(ErrorCode::environment,
                    "OIDC proofing is not configured (proofing.oidc_issuer, oidc_audience, oidc_jwks_file or oidc_jwks_url)");
      identity::OidcExpectations ex;
      ex.issuer = cfg.oidc_issuer;
      ex.audience = cfg.oidc_audience;
      ex.subject = r.expected_subject;
      QS_TRY(auto claims, verify_workload_token(svc, r.evidence, ex, now));
      p.method = "oidc";
      p.status = "verified";
      p.subject = claims.issuer + "#" + claims.subject;
      evidence = {{"iss", claims.issuer}, {"sub", claims.subject}, {"aud", claims.audience},
                  {"exp", to_rfc3339(claims.expires_at)}, {"iat", to_rfc3339(claims.issued_at)},
                  {"jti", claims.jwt_id}, {"kid", claims.key_id}, {"alg", claims.algorithm},
                  // The token itself is a bearer credential: only its hash is kept.
                  {"token_sha256", audit::sha256_ref(as_bytes(r.evidence))}};
      break;
    }
    case ProofingMethod::sponsor: {
      QS_TRY_VOID(check_name("attesting administrator (--by)", r.by, 128));
      p.method = "sponsor";
      p.status = "pending-confirmation";
      p.subject = rec.sponsor;
      p.attested_by = r.by;
      evidence = {{"sponsor", rec.sponsor}, {"attested_by", r.by}, {"statement",
                  "the sponsor vouches that this identity exists, is needed for its stated purpose, and is accountable to them"}};
      break;
    }
  }
  QS_TRY(auto evidence_text, core::canonical_json(evidence));
  p.evidence = evidence_text;
  p.evidence_hash = audit::sha256_ref(as_bytes(evidence_text));
  bool active = p.status == "verified";
  QS_TRY_VOID(log_event(svc, audit::EventType::identity_proofed, actor, subject_of(r.identity),
                        {{"evidence", p.evidence_hash}},
                        {{"method", p.method}, {"status", p.status}, {"subject", p.subject},
                         {"assurance_level", p.assurance_level}},
                        now));
  QS_TRY(p.id, svc.store().add_proofing(p));
  if (active) {
    rec.state = "active";
    rec.assurance_level = p.assurance_level;
  }
  rec.updated_at = now;
  QS_TRY_VOID(svc.store().update_identity(rec));
  return ProofResult{rec, p};
}

Result<ProofResult> confirm_identity(TrustService& svc, const std::string& name, const std::string& by, TimePoint now) {
  QS_TRY(auto rec, svc.store().identity(name));
  QS_TRY(auto proofings, svc.store().proofings(rec.id));
  auto it = std::find_if(proofings.rbegin(), proofings.rend(),
                         [](const store::ProofingRecord& p) { return p.status == "pending-confirmation"; });
  if (it == proofings.rend())
    return fail(ErrorCode::conflict, "identity '" + name + "' has no sponsor attestation waiting for confirmation");
  QS_TRY_VOID(identity::check_confirmation(it->attested_by.value_or(""), by));
  auto p = *it;
  p.status = "confirmed";
  p.confirmed_by = by;
  p.confirmed_at = now;
  QS_TRY_VOID(log_event(svc, audit::EventType::identity_confirmed, "admin:" + by, subject_of(name),
                        {{"evidence", p.evidence_hash}},
                        {{"attested_by", *p.attested_by}, {"confirmed_by", by}, {"assurance_level", p.assurance_level}},
                        now));
  QS_TRY_VOID(svc.store().update_proofing(p));
  if (rec.state == "pending-proofing") rec.state = "active";
  rec.assurance_level = p.assurance_level;
  rec.updated_at = now;
  QS_TRY_VOID(svc.store().update_identity(rec));
  return ProofResult{rec, p};
}

Result<IdentityView> show_identity(TrustService& svc, const std::string& name) {
  QS_TRY(auto rec, svc.store().identity(name));
  QS_TRY(auto proofings, svc.store().proofings(rec.id));
  QS_TRY(auto certs, svc.store().certificates(rec.id));
  return IdentityView{rec, proofings, certs};
}

Result<std::vector<store::IdentityRecord>> list_identities(TrustService& svc) { return svc.store().identities(); }

Result<store::IdentityRecord> suspend_identity(TrustService& svc, const std::string& name, const std::string& actor, TimePoint now) {
  return set_state(svc, name, "active", "suspended", audit::EventType::identity_suspended, actor, now);
}

Result<store::IdentityRecord> resume_identity(TrustService& svc, const std::string& name, const std::string& actor, TimePoint now) {
  return set_state(svc, name, "suspended", "active", audit::EventType::identity_resumed, actor, now);
}

Result<store::IdentityRecord> offboard_identity(TrustService& svc, const std::string& name, const std::string& actor,
                                                TimePoint now) {
  QS_TRY(auto rec, svc.store().identity(name));
  if (rec.state == "offboarded") return fail(ErrorCode::conflict, "identity '" + name + "' is already offboarded");
  // Every certificate that can still be used is revoked first (RFC 5280 cessationOfOperation).
  QS_TRY(auto certs, svc.store().certificates(rec.id));
  for (const auto& c : certs)
    if (c.status != "revoked")
      QS_TRY_VOID(revoke_certificate(svc, c.serial_hex, pki::RevocationReason::cessation_of_operation, std::nullopt, actor, now));
  std::string from = rec.state;
  rec.state = "offboarded";
  rec.updated_at = now;
  QS_TRY_VOID(log_event(svc, audit::EventType::identity_offboarded, actor, subject_of(name), {},
                        {{"from", from}, {"revoked_certificates", certs.size()}}, now));
  QS_TRY_VOID(svc.store().update_identity(rec));
  return rec;
}

}  // namespace qualsig::service
