// The administration and audit API (server/admin_routes.h).
#include "server/admin_routes.h"

#include <algorithm>
#include <charconv>

#include "core/time.h"
#include "evidence/bundle.h"
#include "identity/printable.h"
#include "pki/crl.h"
#include "server/api_support.h"
#include "service/api_auth.h"
#include "service/cert_service.h"
#include "service/delegation_service.h"
#include "service/evidence_service.h"
#include "service/governance.h"
#include "service/identity_service.h"
#include "service/people_service.h"
#include "service/record_json.h"
#include "service/sign_service.h"
#include "service/verify_service.h"

namespace qualsig::server {
namespace {

using service::Principal;
using service::TrustService;
using Body = std::function<Result<Response>(const Request&, const Principal&)>;

constexpr std::size_t kDefaultPage = 100;
constexpr std::size_t kMaxPage = 1000;

Handler guarded(TrustService& svc, Metrics* metrics, std::initializer_list<const char*> roles, Body body) {
  std::vector<const char*> allowed(roles);
  return api([&svc, metrics, allowed, body = std::move(body)](const Request& req) -> Result<Response> {
    auto who = authenticate(svc, req, metrics);
    if (!who) return unauthorized(who.error());
    bool ok_role = std::any_of(allowed.begin(), allowed.end(), [&](const char* r) { return who->has_role(r); });
    if (!ok_role) return fail(ErrorCode::denied, "this needs one of the roles: " + [&] {
                           std::string s;
                           for (const char* r : allowed) s += (s.empty() ? "" : ", ") + std::string(r);
                           return s;
                         }());
    return body(req, *who);
  });
}

// The actor recorded in the audit log for an API call.
std::string actor(const Principal& p) { return p.name + " via api"; }

Result<std::size_t> size_param(const std::map<std::string, std::string>& q, const char* name, std::size_t fallback,
                               std::size_t max) {
  auto it = q.find(name);
  if (it == q.end()) return fallback;
  std::size_t v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (it->second.empty() || ec != std::errc() || p != it->second.data() + it->second.size() || v > max)
    return fail(ErrorCode::invalid_input, std::string("query parameter '") + name + "' must be an integer 0.." + std::to_string(max));
  return v;
}

// One page of `items` per ?limit&offset.
Result<Response> page(const Request& req, const nlohmann::json& items) {
  QS_TRY(auto q, query_params(req.query));
  QS_TRY(auto limit, size_param(q, "limit", kDefaultPage, kMaxPage));
  QS_TRY(auto offset, size_param(q, "offset", 0, SIZE_MAX / 2));
  if (limit == 0) return fail(ErrorCode::invalid_input, "query parameter 'limit' must be 1.." + std::to_string(kMaxPage));
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = offset; i < items.size() && out.size() < limit; ++i) out.push_back(items[i]);
  nlohmann::json next = offset + out.size() < items.size() ? nlohmann::json(offset + out.size()) : nlohmann::json(nullptr);
  return json(200, {{"items", out}, {"next_offset", next}, {"total", items.size()}});
}

std::optional<std::string> query_value(const Request& req, const char* name) {
  auto q = query_params(req.query);
  if (!q) return std::nullopt;
  auto it = q->find(name);
  if (it == q->end()) return std::nullopt;
  return it->second;
}

void add_identity_routes(Router& router, TrustService& svc, Metrics* m) {
  using namespace service;
  router.add("GET", "/api/v1/identities", guarded(svc, m, {kRoleAdmin, kRoleAuditor}, [&svc](const Request& req, const Principal&) -> Result<Response> {
    QS_TRY(auto all, list_identities(svc));
    nlohmann::json items = nlohmann::json::array();
    for (const auto& r : all) items.push_back(identity_json(r));
    return page(req, items);
  }));
  router.add("POST", "/api/v1/identities", guarded(svc, m, {kRoleAdmin}, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    RegisterRequest r;
    QS_TRY(r.name, req_string(body, "name", 128));
    QS_TRY(r.kind, req_string(body, "kind", 64));
    QS_TRY(r.sponsor, req_string(body, "sponsor", 256));
    QS_TRY(r.purpose, req_string(body, "purpose", 1024));
    if (auto af = body.find("acts_for"); af != body.end() && !af->is_null()) {
      if (!af->is_object()) return fail(ErrorCode::invalid_input, "'acts_for' must be an object");
      NaturalPerson np;
      QS_TRY(np.given_name, req_string(*af, "given_name", 128));
      QS_TRY(np.surname, req_string(*af, "surname", 128));
      QS_TRY(auto ident, opt_string(*af, "identifier", 128));
      np.identifier = ident.value_or("");
      r.acts_for = np;
    }
    QS_TRY(auto rec, register_identity(svc, r, actor(p), now_seconds()));
    return json(201, identity_json(rec));
  }));
  router.add("POST", "/api/v1/identities/proof", guarded(svc, m, {kRoleAdmin}, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    ProofRequest r;
    QS_TRY(r.identity, req_string(body, "identity", 128));
    QS_TRY(auto method, req_string(body, "method", 16));
    QS_TRY(r.method, parse_proofing_method(method));
    QS_TRY(auto evidence, opt_string(body, "evidence", 1u << 20));
    r.evidence = evidence.value_or("");
    QS_TRY(auto subject, opt_string(body, "expected_subject", 512));
    r.expected_subject = subject;
    r.by = p.name;  // the attesting administrator is the caller
    QS_TRY(auto done, proof_identity(svc, r, actor(p), now_seconds()));
    return json(200, {{"identity", identity_json(done.identity)}, {"proofing_status", done.proofing.status}});
  }));
  router.add("POST", "/api/v1/identities/confirm", guarded(svc, m, {kRoleAdmin}, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto name, req_string(body, "identity", 128));
    QS_TRY(auto done, confirm_identity(svc, name, p.name, now_seconds()));
    return json(200, {{"identity", identity_json(done.identity)}, {"proofing_status", done.proofing.status}});
  }));
  router.add("POST", "/api/v1/identities/state", guarded(svc, m, {kRoleAdmin}, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto name, req_string(body, "identity", 128));
    QS_TRY(auto action, req_string(body, "action", 16));
    auto now = now_seconds();
    using Change = Result<store::IdentityRecord> (*)(TrustService&, const std::string&, const std::string&, TimePoint);
    Change change = action == "suspend" ? &suspend_identity : action == "resume" ? &resume_identity
                    : action == "offboard" ? &offboard_identity : nullptr;
    if (!change) return fail(ErrorCode::invalid_input, "'action' must be suspend, resume or offboard");
    QS_TRY(auto rec, change(svc, name, actor(p), now));
    if (rec.state != "active") (void)svc.store().revoke_access_tokens_of("identity:" + rec.name, now);
    return json(200, identity_json(rec));
  }));
}

void add_certificate_routes(Router& router, TrustService& svc, Metrics* m) {
  using namespace service;
  router.add("GET", "/api/v1/certificates", guarded(svc, m, {kRoleAdmin, kRoleAuditor}, [&svc](const Request& req, const Principal&) -> Result<Response> {
    QS_TRY(auto all, list_certificates(svc, query_value(req, "identity")));
    nlohmann::json items = nlohmann::json::array();
    for (const auto& c : all) items.push_back(cert_json(c));
    return page(req, items);
  }));
  router.add("POST", "/api/v1/certificates", guarded(svc, m, {kRoleAdmin}, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    IssueRequest r;
    QS_TRY(r.identity, req_string(body, "identity", 128));
    QS_TRY(auto days, opt_int(body, "validity_days"));
    if (days) {
      if (*days < 1 || *days > 3650) return fail(ErrorCode::invalid_input, "'validity_days' must be 1..3650");
      r.validity = std::chrono::days(*days);
    }
    QS_TRY(auto key_type, opt_string(body, "key_type", 16));
    if (key_type) {
      QS_TRY(r.key_type, hsm::parse_key_type(*key_type));
    }
    QS_TRY(auto c, issue_certificate(svc, r, actor(p), now_seconds()));
    return json(201, cert_json(c));
  }));
  router.add("POST", "/api/v1/certificates/revoke", guarded(svc, m, {kRoleAdmin}, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto serial, req_string(body, "serial", 128));
    QS_TRY(auto reason_name, opt_string(body, "reason", 64));
    QS_TRY(auto reason, pki::parse_reason_name(reason_name.value_or("unspecified")));
    auto now = now_seconds();
    QS_TRY(auto c, revoke_certificate(svc, serial, reason, std::nullopt, actor(p), now));
    return json(200, cert_json(c));
  }));
}

void add_policy_routes(Router& router, TrustService& svc, Metrics* m) {
  using namespace service;
  router.add("GET", "/api/v1/policies", guarded(svc, m, {kRoleAdmin, kRoleAuditor}, [&svc](const Request& req, const Principal&) -> Result<Response> {
    QS_TRY(auto all, svc.store().policies());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& pol : all)
      items.push_back({{"id", pol.id}, {"name", pol.name}, {"version", pol.version}, {"hash", pol.hash},
                       {"document", nlohmann::json::parse(pol.document, nullptr, false)},
                       {"created_at", to_rfc3339(pol.created_at)}, {"created_by", pol.created_by}});
    return page(req, items);
  }));
  router.add("POST", "/api/v1/policies", guarded(svc, m, {kRoleAdmin}, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    auto ids = body.find("identities");
    auto doc = body.find("policy");
    if (ids == body.end() || !ids->is_array() || doc == body.end() || !doc->is_object())
      return fail(ErrorCode::invalid_input, "give 'identities' (array of names) and 'policy' (the policy document)");
    std::vector<std::string> names;
    for (const auto& n : *ids) {
      if (!n.is_string()) return fail(ErrorCode::invalid_input, "'identities' must hold names");
      names.push_back(n.get<std::string>());
    }
    QS_TRY(auto pol, set_policy(svc, names, doc->dump(), actor(p), now_seconds()));
    return json(201, {{"id", pol.id}, {"name", pol.name}, {"version", pol.version}, {"hash", pol.hash}});
  }));
}

void add_delegation_routes(Router& router, TrustService& svc, Metrics* m) {
  using namespace service;
  router.add("GET", "/api/v1/delegations", guarded(svc, m, {kRoleAdmin, kRoleAuditor}, [&svc](const Request& req, const Principal&) -> Result<Response> {
    QS_TRY(auto all, list_delegations(svc, query_value(req, "delegate")));
    auto now = now_seconds();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& d : all) items.push_back(delegation_json(d, now));
    return page(req, items);
  }));
  // A person delegates only their own authority (they are the caller, as with the CLI's
  // --token-file); an organisation's delegation, or an identity's narrowing re-delegation, is an
  // admin's act.
  router.add("POST", "/api/v1/delegations", guarded(svc, m, {kRoleAdmin, kRoleApprover}, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    DelegationGrant g;
    QS_TRY(g.delegator, req_string(body, "delegator", 256));
    QS_TRY(g.delegate, req_string(body, "delegate", 128));
    if (g.delegator.rfind("person:", 0) == 0) {
      if (p.name != g.delegator) return fail(ErrorCode::denied, "a person delegates only their own authority: authenticate as " + g.delegator);
    } else if (!p.has_role(kRoleAdmin)) {
      return fail(ErrorCode::denied, "this delegation needs the admin role");
    }
    auto scopes = body.find("scopes");
    if (scopes == body.end() || !scopes->is_array() || scopes->empty())
      return fail(ErrorCode::invalid_input, "'scopes' must be a non-empty array of document types");
    for (const auto& sc : *scopes) {
      if (!sc.is_string()) return fail(ErrorCode::invalid_input, "'scopes' must hold strings");
      g.scopes.push_back(sc.get<std::string>());
    }
    QS_TRY(auto expires, req_string(body, "expires_at", 64));
    auto until = parse_rfc3339(expires);
    if (!until) return fail(ErrorCode::invalid_input, "'expires_at' must be an RFC 3339 time, e.g. 2027-01-01T00:00:00Z");
    g.expires_at = *until;
    QS_TRY(auto from, opt_time(body, "not_before"));
    if (from) g.not_before = *from;
    QS_TRY(g.parent, opt_string(body, "parent", 128));
    auto now = now_seconds();
    QS_TRY(auto d, grant_delegation(svc, g, actor(p), now));
    return json(201, delegation_json(d, now));
  }));
  router.add("POST", "/api/v1/delegations/revoke", guarded(svc, m, {kRoleAdmin}, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto id, req_string(body, "id", 128));
    auto now = now_seconds();
    QS_TRY(auto d, revoke_delegation(svc, id, actor(p), now));
    return json(200, delegation_json(d, now));
  }));
}

void add_request_routes(Router& router, TrustService& svc, Metrics* m) {
  using namespace service;
  router.add("GET", "/api/v1/sign-requests", guarded(svc, m, {kRoleAdmin, kRoleApprover, kRoleAuditor}, [&svc](const Request& req, const Principal&) -> Result<Response> {
    QS_TRY(auto all, list_sign_requests(svc, query_value(req, "status"), 10000));
    nlohmann::json items = nlohmann::json::array();
    for (const auto& r : all) items.push_back(request_json(r));
    return page(req, items);
  }));
  // An approver (a person: service/people_service) approves or rejects, bound to the hash shown.
  router.add("POST", "/api/v1/sign-requests/decision", guarded(svc, m, {kRoleApprover}, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    auto person_name = p.person();
    if (!person_name) return fail(ErrorCode::denied, "only people approve");
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto id, req_string(body, "request", 128));
    QS_TRY(auto decision, req_string(body, "decision", 16));
    if (decision != "approve" && decision != "reject") return fail(ErrorCode::invalid_input, "'decision' must be approve or reject");
    QS_TRY(auto hash, req_string(body, "document_hash", 256));
    QS_TRY(auto person, svc.store().person(*person_name));
    QS_TRY(auto d, decide_request(svc, id, person, decision == "approve", hash, now_seconds()));
    return json(200, {{"request", request_json(d.request)}, {"tally", d.tally}});
  }));
}

void add_client_routes(Router& router, TrustService& svc, Metrics* m) {
  using namespace service;
  router.add("GET", "/api/v1/api-clients", guarded(svc, m, {kRoleAdmin}, [&svc](const Request& req, const Principal&) -> Result<Response> {
    QS_TRY(auto all, list_api_clients(svc));
    nlohmann::json items = nlohmann::json::array();
    for (const auto& c : all) items.push_back(client_json(c));
    return page(req, items);
  }));
  router.add("POST", "/api/v1/api-clients", guarded(svc, m, {kRoleAdmin}, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto principal, req_string(body, "principal", 140));
    auto roles_it = body.find("roles");
    if (roles_it == body.end() || !roles_it->is_array()) return fail(ErrorCode::invalid_input, "'roles' must be an array");
    std::vector<std::string> roles;
    for (const auto& r : *roles_it) {
      if (!r.is_string()) return fail(ErrorCode::invalid_input, "'roles' must hold strings");
      roles.push_back(r.get<std::string>());
    }
    QS_TRY(auto description, opt_string(body, "description", 255));
    QS_TRY(auto added, add_api_client(svc, principal, roles, description.value_or(""), actor(p), now_seconds()));
    auto out = client_json(added.client);
    out["client_secret"] = std::string(added.secret.reveal());  // shown once
    return json(201, out);
  }));
  router.add("POST", "/api/v1/api-clients/disable", guarded(svc, m, {kRoleAdmin}, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto id, req_string(body, "client_id", 64));
    QS_TRY(auto c, disable_api_client(svc, id, actor(p), now_seconds()));
    return json(200, client_json(c));
  }));
}

void add_audit_api_routes(Router& router, TrustService& svc, Metrics* m) {
  using namespace service;
  // The evidence bundle of a signature (without the document: a remote caller sends none).
  router.add("POST", "/api/v1/evidence", guarded(svc, m, {kRoleAuditor, kRoleAdmin}, [&svc](const Request& req, const Principal&) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto id, req_string(body, "signature_id", 128));
    ExportOptions options;
    options.without_document = true;
    QS_TRY(auto bundle, export_bundle(svc, id, options, now_seconds()));
    Response r;
    r.content_type = "application/json";
    r.body = evidence::to_json_text(bundle);
    return r;
  }));
  router.add("GET", "/api/v1/governance", guarded(svc, m, {kRoleAuditor, kRoleAdmin}, [&svc](const Request&, const Principal&) -> Result<Response> {
    QS_TRY(auto report, governance_report(svc, now_seconds()));
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : report.findings)
      findings.push_back({{"identity", f.identity}, {"severity", f.severity}, {"risk", f.risk}, {"owasp_nhi", f.owasp},
                          {"nist_csf", f.nist_csf}, {"detail", f.detail}});
    return json(200, {{"generated_at", to_rfc3339(report.generated_at)}, {"identities", report.identities}, {"findings", findings}});
  }));
}

// EN 319 102-1 validation and TS 119 615 qualification of any signed file, as `qualsig verify`
// does, under the service's own trust (its root CA and config.json's "validation" lists). The
// caller adds the file's context (untrusted certificates, CRLs, OCSP responses), never trust:
// a report that said TOTAL-PASSED under anchors the caller chose would carry the service's name
// for the caller's choice. Nothing is fetched (no --online: a request must not make the server
// reach URLs a signed file names).
void add_validation_routes(Router& router, TrustService& svc, Metrics* m) {
  using namespace service;
  router.add("POST", "/api/v1/validate", guarded(svc, m, {kRoleSigner, kRoleApprover, kRoleAuditor, kRoleAdmin},
                                                 [&svc](const Request& req, const Principal&) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    // Unknown members are refused, not ignored: a caller who sends "trust_anchors" or "online"
    // must learn that the service did not use them.
    static constexpr std::string_view kMembers[] = {"document", "detached_content", "validation_time", "certificates",
                                                    "crls", "ocsp_responses", "report"};
    for (const auto& [key, value] : body.items())
      if (std::find(std::begin(kMembers), std::end(kMembers), key) == std::end(kMembers))
        return fail(ErrorCode::invalid_input, "unknown member " + identity::quote_untrusted(key) +
                                                  " (this service validates under its own trust: anchors and lists are its configuration)");
    QS_TRY(auto document_text, req_string(body, "document", SIZE_MAX));
    auto document = base64_decode(document_text);
    if (!document || document->empty()) return fail(ErrorCode::invalid_input, "'document' must be non-empty base64 (the signed file)");
    VerifyRequest r;
    QS_TRY(auto detached, opt_string(body, "detached_content", SIZE_MAX));
    if (detached) {
      auto bytes = base64_decode(*detached);
      if (!bytes) return fail(ErrorCode::invalid_input, "'detached_content' must be base64 (the signed document of a detached signature)");
      r.detached_content = std::move(*bytes);
    }
    QS_TRY(r.at, opt_time(body, "validation_time"));
    QS_TRY(r.extra_certificates, base64_array(body, "certificates", 256));
    QS_TRY(r.crls, base64_array(body, "crls", 256));
    QS_TRY(r.ocsp_responses, base64_array(body, "ocsp_responses", 256));
    QS_TRY(auto report, opt_string(body, "report", 16));
    if (report && *report != "etsi") return fail(ErrorCode::invalid_input, "'report' must be \"etsi\" (an ETSI TS 119 102-2 validation report)");
    QS_TRY(auto trust, svc.validation_trust());
    QS_TRY(auto outcome, verify_document(*document, r, *trust));
    auto out = to_json(outcome);
    if (report) {
      QS_TRY(out["etsi_report"], etsi_report(outcome));
    }
    return json(200, out);
  }));
}

}  // namespace

void add_admin_routes(Router& router, TrustService& svc, std::shared_ptr<Metrics> metrics) {
  Metrics* m = metrics.get();  // owned by the Server, which outlives every request
  add_identity_routes(router, svc, m);
  add_certificate_routes(router, svc, m);
  add_policy_routes(router, svc, m);
  add_delegation_routes(router, svc, m);
  add_request_routes(router, svc, m);
  add_client_routes(router, svc, m);
  add_audit_api_routes(router, svc, m);
  add_validation_routes(router, svc, m);
}

}  // namespace qualsig::server
