// Authentication of API callers (service/api_auth.h).
#include "service/api_auth.h"

#include <argon2.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "audit/log_entry.h"
#include "core/fs.h"
#include "core/openssl.h"
#include "identity/jwks.h"
#include "service/oidc_keys.h"
#include "identity/oidc.h"
#include "identity/spiffe.h"
#include "service/cert_service.h"
#include "service/identity_service.h"
#include "service/people_service.h"
#include "service/status.h"

namespace qualsig::service {
namespace {

// RFC 9106 §4 / OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
constexpr std::uint32_t kArgonTime = 2;
constexpr std::uint32_t kArgonMemoryKiB = 19 * 1024;
constexpr std::uint32_t kArgonLanes = 1;
constexpr std::size_t kArgonSalt = 16;
constexpr std::size_t kArgonHash = 32;

bool is_role(std::string_view r) {
  return r == kRoleAdmin || r == kRoleApprover || r == kRoleAuditor || r == kRoleSigner;
}

Error denied(std::string message) { return make_error(ErrorCode::denied, std::move(message)); }

// The principal's current state allows access: identity active, person not disabled.
Result<void> principal_usable(TrustService& svc, const std::string& principal) {
  if (principal.rfind("identity:", 0) == 0) {
    auto rec = svc.store().identity(principal.substr(9));
    if (!rec) return fail(denied("identity of the credential no longer exists"));
    if (rec->state != "active") return fail(denied("identity '" + rec->name + "' is " + rec->state));
    return ok();
  }
  if (principal.rfind("person:", 0) == 0) {
    auto rec = svc.store().person(principal.substr(7));
    if (!rec || rec->disabled_at) return fail(denied("person is disabled or unknown"));
    return ok();
  }
  return ok();
}

Result<IssuedToken> issue(TrustService& svc, const std::string& principal, const std::vector<std::string>& roles,
                          const std::string& client_id, const std::string& grant, TimePoint now) {
  IssuedToken t{new_token("qst_"), {}};
  t.record.token_hash = token_hash(t.access_token);
  t.record.principal = principal;
  t.record.roles = roles;
  t.record.client_id = client_id;
  t.record.grant = grant;
  t.record.issued_at = now;
  t.record.expires_at = now + kAccessTokenLifetime;
  QS_TRY_VOID(svc.store().put_access_token(t.record));
  return t;
}

Result<store::IdentityRecord> active_identity_where(TrustService& svc, const std::function<bool(const store::IdentityRecord&)>& match,
                                                    const std::string& what) {
  QS_TRY(auto all, svc.store().identities());
  for (auto& rec : all) {
    if (!match(rec)) continue;
    if (rec.state != "active") return fail(denied("identity '" + rec.name + "' for " + what + " is " + rec.state));
    return std::move(rec);
  }
  return fail(denied("no identity is registered for " + what));
}

std::string to_pem(const std::vector<std::string>& chain) {
  std::string pem;
  for (const auto& der : chain) {
    pem += "-----BEGIN CERTIFICATE-----\n";
    auto b64 = base64_encode(as_bytes(der));
    for (std::size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
    pem += "-----END CERTIFICATE-----\n";
  }
  return pem;
}

}  // namespace

bool Principal::has_role(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}
std::optional<std::string> Principal::identity() const {
  if (name.rfind("identity:", 0) == 0) return name.substr(9);
  return std::nullopt;
}
std::optional<std::string> Principal::person() const {
  if (name.rfind("person:", 0) == 0) return name.substr(7);
  return std::nullopt;
}

Result<void> check_principal_roles(TrustService& svc, const std::string& principal, const std::vector<std::string>& roles) {
  if (roles.empty()) return fail(ErrorCode::invalid_input, "give at least one role (admin, approver, auditor, signer)");
  for (const auto& r : roles)
    if (!is_role(r)) return fail(ErrorCode::invalid_input, "unknown role '" + r + "' (admin, approver, auditor, signer)");
  auto colon = principal.find(':');
  auto kind = principal.substr(0, colon);
  auto name = colon == std::string::npos ? std::string() : principal.substr(colon + 1);
  if (name.empty() || name.size() > 128 || (kind != "identity" && kind != "person" && kind != "operator"))
    return fail(ErrorCode::invalid_input, "principal must be identity:NAME, person:NAME or operator:NAME");
  for (char c : name)
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) return fail(ErrorCode::invalid_input, "principal name must be printable without spaces");
  auto has = [&](const char* r) { return std::find(roles.begin(), roles.end(), r) != roles.end(); };
  if (kind == "identity") {
    // A non-human identity signs with its own credentials and does nothing else (issue 9).
    if (roles.size() != 1 || !has(kRoleSigner))
      return fail(ErrorCode::invalid_input, "an identity can only have the signer role");
    QS_TRY_VOID(svc.store().identity(name));
  } else {
    if (has(kRoleSigner)) return fail(ErrorCode::invalid_input, "only identities sign");
    if (kind == "operator" && has(kRoleApprover))
      return fail(ErrorCode::invalid_input, "approvers are people (qualsig person add): give person:NAME");
    if (kind == "person") QS_TRY_VOID(svc.store().person(name));
  }
  return ok();
}

Result<std::string> hash_secret(const Secret& secret) {
  auto salt = core::random_bytes(kArgonSalt);
  std::string out(argon2_encodedlen(kArgonTime, kArgonMemoryKiB, kArgonLanes, kArgonSalt, kArgonHash, Argon2_id), '\0');
  auto pw = secret.reveal();
  int rc = argon2id_hash_encoded(kArgonTime, kArgonMemoryKiB, kArgonLanes, pw.data(), pw.size(), salt.data(), salt.size(),
                                 kArgonHash, out.data(), out.size());
  if (rc != ARGON2_OK) return fail(ErrorCode::crypto, std::string("argon2id: ") + argon2_error_message(rc));
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool verify_secret(const Secret& secret, const std::string& phc) {
  if (phc.rfind("$argon2id$", 0) != 0) return false;
  auto pw = secret.reveal();
  return argon2id_verify(phc.c_str(), pw.data(), pw.size()) == ARGON2_OK;
}

Result<NewApiClient> add_api_client(TrustService& svc, const std::string& principal, const std::vector<std::string>& roles,
                                    const std::string& description, const std::string& actor, TimePoint now) {
  QS_TRY_VOID(check_principal_roles(svc, principal, roles));
  if (description.size() > 255) return fail(ErrorCode::invalid_input, "description is at most 255 bytes");
  NewApiClient added{{}, new_token("qss_")};
  auto& c = added.client;
  c.client_id = "qsc_" + hex_encode(core::random_bytes(12));
  c.principal = principal;
  c.roles = roles;
  QS_TRY(c.secret_hash, hash_secret(added.secret));
  c.description = description;
  c.created_at = now;
  c.created_by = actor;
  QS_TRY_VOID(log_event(svc, audit::EventType::operator_note, actor, principal, {},
                        {{"note", "API client added"}, {"client_id", c.client_id}, {"roles", roles}}, now));
  QS_TRY_VOID(svc.store().put_api_client(c));
  return added;
}

Result<store::ApiClientRecord> disable_api_client(TrustService& svc, const std::string& client_id, const std::string& actor,
                                                  TimePoint now) {
  QS_TRY(auto c, svc.store().api_client(client_id));
  QS_TRY_VOID(svc.store().disable_api_client(client_id, now));
  QS_TRY(auto revoked, svc.store().revoke_access_tokens_of(c.principal, now));
  QS_TRY_VOID(log_event(svc, audit::EventType::operator_note, actor, c.principal, {},
                        {{"note", "API client disabled"}, {"client_id", client_id}, {"access_tokens_revoked", revoked}}, now));
  c.disabled_at = now;
  return c;
}

Result<std::vector<store::ApiClientRecord>> list_api_clients(TrustService& svc) { return svc.store().api_clients(); }

Result<IssuedToken> token_for_client(TrustService& svc, const std::string& client_id, const Secret& secret, TimePoint now) {
  auto bad = [] { return denied("invalid client credentials"); };
  if (client_id.empty() || client_id.size() > 64 || secret.empty() || secret.size() > 256) return fail(bad());
  auto c = svc.store().api_client(client_id);
  if (!c) {
    if (c.error().code != ErrorCode::not_found) return fail(c.error());
    // Spend the same time as a real check, so that unknown ids are not told apart by timing.
    static const std::string kDummy = *hash_secret(Secret("qualsig-dummy-secret"));
    (void)verify_secret(secret, kDummy);
    return fail(bad());
  }
  if (!verify_secret(secret, c->secret_hash) || c->disabled_at) return fail(bad());
  QS_TRY_VOID(principal_usable(svc, c->principal));
  return issue(svc, c->principal, c->roles, c->client_id, "client_credentials", now);
}

Result<IssuedToken> token_for_jwt(TrustService& svc, std::string_view jwt, TimePoint now) {
  const auto& cfg = svc.config().proofing;
  if ((cfg.oidc_jwks_file.empty() && cfg.oidc_jwks_url.empty()) || cfg.oidc_issuer.empty() || cfg.oidc_audience.empty())
    return fail(ErrorCode::denied, "OIDC workload tokens are not configured (proofing.oidc_issuer, oidc_audience, oidc_jwks_file or oidc_jwks_url)");
  identity::OidcExpectations ex;
  ex.issuer = cfg.oidc_issuer;
  ex.audience = cfg.oidc_audience;
  auto claims = verify_workload_token(svc, jwt, ex, now);
  // The issuer's keys being unobtainable is our problem (503), not the caller's token (401).
  if (!claims && claims.error().code == ErrorCode::unavailable) return fail(claims.error());
  if (!claims) return fail(denied("workload token refused: " + claims.error().message));
  const std::string subject = claims->issuer + "#" + claims->subject;
  QS_TRY(auto all, svc.store().identities());
  for (const auto& rec : all) {
    QS_TRY(auto proofs, svc.store().proofings(rec.id));
    bool proofed = std::any_of(proofs.begin(), proofs.end(), [&](const store::ProofingRecord& p) {
      return p.method == "oidc" && p.status == "verified" && p.subject == subject;
    });
    if (!proofed) continue;
    if (rec.state != "active") return fail(denied("identity '" + rec.name + "' is " + rec.state));
    return issue(svc, "identity:" + rec.name, {kRoleSigner}, "", "jwt-bearer", now);
  }
  return fail(denied("no identity was proofed with this workload token's issuer and subject"));
}

Result<IssuedToken> token_for_principal(TrustService& svc, const Principal& p, TimePoint now) {
  QS_TRY_VOID(principal_usable(svc, p.name));
  return issue(svc, p.name, p.roles, p.client_id, p.method, now);
}

Result<Principal> authenticate_bearer(TrustService& svc, const Secret& token, TimePoint now) {
  if (token.empty() || token.size() > 256) return fail(denied("invalid access token"));
  auto rec = svc.store().access_token(token_hash(token));
  if (!rec) {
    if (rec.error().code == ErrorCode::not_found) return fail(denied("invalid access token"));
    return fail(rec.error());
  }
  if (rec->revoked_at) return fail(denied("access token revoked"));
  if (now >= rec->expires_at) return fail(denied("access token expired"));
  QS_TRY_VOID(principal_usable(svc, rec->principal));
  if (!rec->client_id.empty()) {
    QS_TRY(auto c, svc.store().api_client(rec->client_id));
    if (c.disabled_at) return fail(denied("API client disabled"));
  }
  return Principal{rec->principal, rec->roles, "access_token", rec->client_id};
}

Result<void> revoke_token(TrustService& svc, const Secret& token, TimePoint now) {
  if (token.empty() || token.size() > 256) return ok();
  auto r = svc.store().revoke_access_token(token_hash(token), now);
  if (!r && r.error().code != ErrorCode::not_found) return r;
  return ok();
}

Result<Principal> principal_from_certificate(TrustService& svc, const std::vector<std::string>& chain, TimePoint now) {
  if (chain.empty()) return fail(denied("no client certificate"));
  QS_TRY(auto leaf, core::x509_from_der(as_bytes(chain.front())));
  // 1. A certificate this service issued to an identity: RFC 5280 path to our root at `now`.
  QS_TRY(auto root_der, ca_certificate_der(svc, "root"));
  QS_TRY(auto issuing_der, ca_certificate_der(svc, "issuing"));
  QS_TRY(auto root, svc.parsed_certificate(root_der));
  QS_TRY(auto issuing, svc.parsed_certificate(issuing_der));
  // Named by our issuing CA: the path is then ours to validate (a name match, not
  // X509_check_issued, which also judges key usage and would turn a bad certificate into a
  // "foreign" one with a less precise reason).
  if (X509_NAME_cmp(X509_get_issuer_name(leaf.get()), X509_get_subject_name(issuing.get())) == 0) {
    auto store = core::wrap(X509_STORE_new());
    auto ctx = core::wrap(X509_STORE_CTX_new());
    // The stack owns its certificates (sk_X509_pop_free): it gets its own reference to the
    // cached issuing certificate.
    auto untrusted = core::wrap(sk_X509_new_null());
    if (!store || !ctx || !untrusted || !X509_STORE_add_cert(store.get(), const_cast<X509*>(root.get())))
      return fail(core::openssl_error(ErrorCode::crypto, "client certificate verification"));
    X509_up_ref(const_cast<X509*>(issuing.get()));
    if (!sk_X509_push(untrusted.get(), const_cast<X509*>(issuing.get()))) {
      X509_free(const_cast<X509*>(issuing.get()));
      return fail(core::openssl_error(ErrorCode::crypto, "client certificate verification"));
    }
    if (!X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()))
      return fail(core::openssl_error(ErrorCode::crypto, "client certificate verification"));
    X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(now));
    if (X509_verify_cert(ctx.get()) != 1)
      return fail(denied(std::string("client certificate does not verify: ") +
                         X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))));
    auto serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf.get()), nullptr);
    if (!serial) return fail(core::openssl_error(ErrorCode::crypto, "client certificate serial"));
    char* hex = BN_bn2hex(serial);
    BN_free(serial);
    std::string serial_hex = hex ? hex : "";
    OPENSSL_free(hex);
    auto rec = svc.store().certificate(serial_hex);
    if (!rec) return fail(denied("client certificate " + serial_hex + " is not an identity certificate of this service"));
    if (to_string(rec->der) != chain.front()) return fail(denied("client certificate " + serial_hex + " differs from the issued one"));
    if (rec->status != "valid") return fail(denied("client certificate " + serial_hex + " is " + rec->status));
    QS_TRY_VOID(principal_usable(svc, "identity:" + rec->identity_name));
    return Principal{"identity:" + rec->identity_name, {kRoleSigner}, "mtls", ""};
  }
  // 2. A SPIFFE X.509-SVID of the configured trust domain (identity/spiffe.h).
  const auto& cfg = svc.config().proofing;
  if (cfg.spiffe_trust_bundle.empty()) return fail(denied("client certificate is not from this service's CA"));
  QS_TRY(auto bundle, core::read_file(resolve(svc.data_dir(), cfg.spiffe_trust_bundle), identity::kMaxPemSize));
  std::optional<std::string> domain;
  if (!cfg.spiffe_trust_domain.empty()) domain = cfg.spiffe_trust_domain;
  auto svid = identity::verify_x509_svid(to_pem(chain), bundle, now, domain);
  if (!svid) return fail(denied("client certificate is neither from this service's CA nor a valid SVID: " + svid.error().message));
  QS_TRY(auto rec, active_identity_where(
                       svc, [&](const store::IdentityRecord& r) { return r.spiffe_id && *r.spiffe_id == svid->spiffe_id; },
                       "SPIFFE ID " + svid->spiffe_id));
  return Principal{"identity:" + rec.name, {kRoleSigner}, "spiffe", ""};
}

}  // namespace qualsig::service
