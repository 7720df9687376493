// CSC API v2 and OAuth 2.0 token routes (server/csc_routes.h).
#include "server/csc_routes.h"

#include <openssl/x509.h>

#include "core/bytes.h"
#include "core/openssl.h"
#include "core/time.h"
#include "pki/tsa.h"
#include "server/api_support.h"
#include "service/api_auth.h"
#include "service/csc_service.h"
#include "service/status.h"
#include "service/tsa_service.h"
#include "qualsig/version.h"

#include <spdlog/spdlog.h>

namespace qualsig::server {
namespace {

using service::Principal;
using service::TrustService;

constexpr std::size_t kMaxHashes = 64;
constexpr std::size_t kMaxDocuments = 16;

// Token-endpoint failures are logged like authenticate() does: reason and origin, no secret.
void spdlog_warn_auth(const Request& req, const Error& e) {
  spdlog::warn(nlohmann::json{{"event", "authentication_failed"}, {"method", "token_endpoint"}, {"reason", e.message},
                              {"path", req.path}, {"remote", req.remote}}.dump());
}

Response token_response(const service::IssuedToken& t) {
  // RFC 6749 §5.1: token_type and expires_in; no refresh token for client credentials (§4.4.3).
  auto r = json(200, {{"access_token", std::string(t.access_token.reveal())},
                      {"token_type", "Bearer"},
                      {"expires_in", service::kAccessTokenLifetime.count()}});
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

// RFC 7617 Basic credentials "client_id:secret", each form-urlencoded per RFC 6749 §2.3.1.
Result<std::pair<std::string, Secret>> basic_credentials(const Request& req) {
  auto it = req.headers.find("authorization");
  if (it == req.headers.end()) return fail(ErrorCode::not_found, "no Authorization header");
  std::string_view v = it->second;
  if (v.size() < 6 || (v.substr(0, 6) != "Basic " && v.substr(0, 6) != "basic "))
    return fail(ErrorCode::denied, "invalid client credentials");
  auto raw = base64_decode(v.substr(6));
  if (!raw) return fail(ErrorCode::denied, "invalid client credentials");
  std::string text = to_string(*raw);
  std::fill(raw->begin(), raw->end(), std::uint8_t{0});
  auto colon = text.find(':');
  if (colon == std::string::npos) return fail(ErrorCode::denied, "invalid client credentials");
  auto id = query_params("a=" + text.substr(0, colon));
  auto secret = query_params("a=" + text.substr(colon + 1));
  std::fill(text.begin(), text.end(), '\0');
  if (!id || !secret) return fail(ErrorCode::denied, "invalid client credentials");
  return std::make_pair((*id)["a"], Secret((*secret)["a"]));
}

// The identity behind a signer principal; the CSC credential methods are for identities only.
Result<std::string> signer_identity(const Principal& p) {
  QS_TRY_VOID(require_role(p, {service::kRoleSigner}));
  auto id = p.identity();
  if (!id) return fail(ErrorCode::denied, "only identities use credentials");
  return *id;
}

// CSC credentials/list and /info: userID must be absent or name the caller (notes §3.6).
Result<void> check_user_id(const nlohmann::json& body, const std::string& identity) {
  QS_TRY(auto user, opt_string(body, "userID", 256));
  if (user && *user != identity) return fail(ErrorCode::denied, "userID must be absent or the caller's own");
  return ok();
}

std::string generalized_time(TimePoint t) {
  auto s = to_rfc3339(t);  // 2026-01-01T00:00:00Z
  std::string out;
  for (char c : s)
    if (c != '-' && c != ':' && c != 'T') out += c;
  return out;  // 20260101000000Z
}

Result<nlohmann::json> credential_info(TrustService& svc, const store::CertificateRecord& c, const std::string& certificates,
                                       bool cert_info, bool auth_info, TimePoint now) {
  QS_TRY(auto key, service::csc_key_info(svc, c));
  nlohmann::json k = {{"status", c.status == "valid" ? "enabled" : "disabled"}, {"algo", key.algorithms}, {"len", key.bits}};
  if (!key.curve_oid.empty()) k["curve"] = key.curve_oid;
  nlohmann::json cert = {{"status", service::csc_certificate_status(c, now)}};
  if (certificates != "none") {
    nlohmann::json list = nlohmann::json::array({base64_encode(c.der)});
    if (certificates == "chain") {
      QS_TRY(auto issuing, service::ca_certificate_der(svc, "issuing"));
      QS_TRY(auto root, service::ca_certificate_der(svc, "root"));
      list.push_back(base64_encode(issuing));
      list.push_back(base64_encode(root));
    }
    cert["certificates"] = list;
  }
  if (cert_info) {
    QS_TRY(auto x, svc.parsed_certificate(c.der));
    cert["issuerDN"] = core::name_to_string(X509_get_issuer_name(x.get()));
    cert["subjectDN"] = core::name_to_string(X509_get_subject_name(x.get()));
    cert["serialNumber"] = c.serial_hex;
    cert["validFrom"] = generalized_time(c.not_before);
    cert["validTo"] = generalized_time(c.not_after);
  }
  nlohmann::json out = {{"key", k}, {"cert", cert}, {"auth", {{"mode", "explicit"}}}, {"SCAL", "2"}, {"multisign", kMaxHashes},
                        {"lang", "en-US"}};
  if (auth_info) out["auth"]["objects"] = nlohmann::json::array();  // no PIN/OTP: the caller's authentication is the factor
  out["description"] = "qualsig credential of " + c.identity_name;
  return out;
}

Result<std::string> certificates_param(const nlohmann::json& body) {
  QS_TRY(auto v, opt_string(body, "certificates", 16));
  std::string c = v.value_or("single");
  if (c != "none" && c != "single" && c != "chain")
    return fail(ErrorCode::invalid_input, "'certificates' must be none, single or chain");
  return c;
}

Result<Response> authorization_response(const service::CscAuthorization& a) {
  if (a.sad) return json(200, {{"SAD", std::string(a.sad->reveal())}, {"expiresIn", a.expires_in.count()}});
  return json(202, {{"handle", a.handle}});
}

// Each CSC method authenticates first (401 on failure), then runs `body`.
Handler authenticated(TrustService& svc, Metrics* metrics, std::function<Result<Response>(const Request&, const Principal&)> body) {
  return api([&svc, metrics, body = std::move(body)](const Request& req) -> Result<Response> {
    auto who = authenticate(svc, req, metrics);
    if (!who) return unauthorized(who.error());
    return body(req, *who);
  });
}

void add_info(Router& router) {
  auto info = api([](const Request&) -> Result<Response> {
    return json(200, {{"specs", "2.0.0.2"},
                      {"name", "qualsig"},
                      {"logo", ""},
                      {"region", "EU"},
                      {"lang", "en-US"},
                      {"description", std::string("qualsig ") + kVersion + " remote signing service for non-human identities"},
                      {"authType", {"oauth2client", "TLS"}},
                      {"oauth2", ""},
                      {"methods", {"auth/login", "auth/revoke", "credentials/list", "credentials/info", "credentials/authorize",
                                   "credentials/authorizeCheck", "signatures/signHash", "signatures/signDoc",
                                   "signatures/timestamp"}},
                      {"validationInfo", true},
                      {"signAlgorithms", {{"algos", {"1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4",
                                                     "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12",
                                                     "1.2.840.113549.1.1.13", "1.2.840.113549.1.1.10"}}}},
                      {"signature_formats", {{"formats", {"C", "X", "P", "J"}},
                                             {"envelope_properties", {{"Detached", "Attached"}, {"Enveloped", "Enveloping", "Detached"},
                                                                      {"Certification", "Revision"}, {"Attached", "Detached"}}}}},
                      {"conformance_levels", {"Ades-B-B", "Ades-B-T", "Ades-B-LT", "Ades-B-LTA"}}});
  });
  // CSC clients POST info; some servers serve GET only — accept both (notes §1).
  router.add("POST", "/csc/v2/info", info);
  router.add("GET", "/csc/v2/info", info);
}

void add_auth(Router& router, TrustService& svc, Metrics* m) {
  // RFC 6749 §3.2 token endpoint: client_credentials (secret in the form or Basic, or a TLS
  // client certificate alone) and RFC 7523 jwt-bearer with an OIDC workload token.
  router.add("POST", "/oauth2/token", api([&svc, m](const Request& req) -> Result<Response> {
    QS_TRY(auto form, form_body(req));
    auto grant = form["grant_type"];
    auto now = now_seconds();
    Result<service::IssuedToken> issued = fail(ErrorCode::invalid_input, "unsupported grant_type");
    if (grant == "client_credentials") {
      auto basic = basic_credentials(req);
      if (basic) {
        issued = service::token_for_client(svc, basic->first, basic->second, now);
      } else if (form.count("client_secret")) {
        issued = service::token_for_client(svc, form["client_id"], Secret(form["client_secret"]), now);
      } else if (!req.client_certificates.empty()) {
        auto who = service::principal_from_certificate(svc, req.client_certificates, now);
        if (!who) return unauthorized(who.error());
        issued = service::token_for_principal(svc, *who, now);
      } else {
        return unauthorized(make_error(ErrorCode::denied, "client authentication required"));
      }
    } else if (grant == "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      if (form["assertion"].empty()) return fail(ErrorCode::invalid_input, "'assertion' is required for the jwt-bearer grant");
      issued = service::token_for_jwt(svc, form["assertion"], now);
    } else {
      // RFC 6749 §5.2 unsupported_grant_type.
      auto r = api_problem(make_error(ErrorCode::invalid_input, "grant_type must be client_credentials or "
                                                               "urn:ietf:params:oauth:grant-type:jwt-bearer"));
      auto body = nlohmann::json::parse(r.body);
      body["error"] = "unsupported_grant_type";
      r.body = body.dump();
      return r;
    }
    if (!issued) {
      if (issued.error().code == ErrorCode::denied) {
        spdlog_warn_auth(req, issued.error());
        if (m) m->count_auth_failure("token_endpoint");
        return unauthorized(issued.error());
      }
      return fail(issued.error());
    }
    return token_response(*issued);
  }));
  // CSC auth/login: HTTP Basic with the client's id and secret (notes §3.2).
  router.add("POST", "/csc/v2/auth/login", api([&svc, m](const Request& req) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    auto basic = basic_credentials(req);
    if (!basic) return unauthorized(make_error(ErrorCode::denied, "auth/login needs HTTP Basic client credentials"));
    auto issued = service::token_for_client(svc, basic->first, basic->second, now_seconds());
    if (!issued) {
      if (issued.error().code == ErrorCode::denied) {
        spdlog_warn_auth(req, issued.error());
        if (m) m->count_auth_failure("token_endpoint");
      }
      return issued.error().code == ErrorCode::denied ? unauthorized(issued.error()) : api_problem(issued.error());
    }
    (void)body;
    return json(200, {{"access_token", std::string(issued->access_token.reveal())},
                      {"expires_in", service::kAccessTokenLifetime.count()}});
  }));
  // CSC auth/revoke and RFC 7009 revocation: 204 (an unknown token is not an error).
  router.add("POST", "/csc/v2/auth/revoke", authenticated(svc, m, [&svc](const Request& req, const Principal&) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto token, req_string(body, "token", 512));
    QS_TRY_VOID(service::revoke_token(svc, Secret(token), now_seconds()));
    Response r;
    r.status = 204;
    return r;
  }));
}

void add_credentials(Router& router, TrustService& svc, Metrics* m) {
  router.add("POST", "/csc/v2/credentials/list", authenticated(svc, m, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto identity, signer_identity(p));
    QS_TRY(auto body, json_object_body(req));
    QS_TRY_VOID(check_user_id(body, identity));
    QS_TRY(bool with_info, opt_bool(body, "credentialInfo", false));
    QS_TRY(bool cert_info, opt_bool(body, "certInfo", false));
    QS_TRY(bool auth_info, opt_bool(body, "authInfo", false));
    QS_TRY(bool only_valid, opt_bool(body, "onlyValid", false));
    QS_TRY(auto certificates, certificates_param(body));
    auto now = now_seconds();
    QS_TRY(auto creds, service::csc_credentials(svc, identity, only_valid, now));
    nlohmann::json ids = nlohmann::json::array(), infos = nlohmann::json::array();
    for (const auto& c : creds) {
      ids.push_back(c.serial_hex);
      if (with_info) {
        QS_TRY(auto info, credential_info(svc, c, certificates, cert_info, auth_info, now));
        info["credentialID"] = c.serial_hex;
        infos.push_back(std::move(info));
      }
    }
    nlohmann::json out = {{"credentialIDs", ids}};
    if (with_info) out["credentialInfos"] = infos;
    if (only_valid) out["onlyValid"] = true;
    return json(200, out);
  }));
  router.add("POST", "/csc/v2/credentials/info", authenticated(svc, m, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto identity, signer_identity(p));
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto id, req_string(body, "credentialID", 128));
    QS_TRY(bool cert_info, opt_bool(body, "certInfo", false));
    QS_TRY(bool auth_info, opt_bool(body, "authInfo", false));
    QS_TRY(auto certificates, certificates_param(body));
    QS_TRY(auto c, service::csc_credential(svc, identity, id));
    QS_TRY(auto info, credential_info(svc, c, certificates, cert_info, auth_info, now_seconds()));
    return json(200, info);
  }));
  router.add("POST", "/csc/v2/credentials/authorize", authenticated(svc, m, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto identity, signer_identity(p));
    QS_TRY(auto body, json_object_body(req));
    service::CscAuthorizeInput in;
    QS_TRY(in.credential_id, req_string(body, "credentialID", 128));
    QS_TRY(auto n, opt_int(body, "numSignatures"));
    if (!n || *n < 1 || *n > static_cast<std::int64_t>(kMaxHashes))
      return fail(ErrorCode::invalid_input, "'numSignatures' is required, 1 to 64");
    in.num_signatures = static_cast<int>(*n);
    QS_TRY(in.hashes, base64_array(body, "hashes", kMaxHashes));
    QS_TRY(auto alg, opt_string(body, "hashAlgorithmOID", 64));
    in.hash_algorithm_oid = alg.value_or("");
    if (in.hash_algorithm_oid.empty()) return fail(ErrorCode::invalid_input, "'hashAlgorithmOID' is required with 'hashes'");
    QS_TRY(auto description, opt_string(body, "description", 500));
    in.description = description.value_or("");
    QS_TRY(auto client_data, opt_string(body, "clientData", 4096));
    in.client_data = client_data.value_or("");
    in.requester = p.name;
    QS_TRY(auto a, service::csc_authorize(svc, identity, in, now_seconds()));
    return authorization_response(a);
  }));
  router.add("POST", "/csc/v2/credentials/authorizeCheck", authenticated(svc, m, [&svc](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto identity, signer_identity(p));
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto handle, req_string(body, "handle", 16 * 1024));
    QS_TRY(auto a, service::csc_authorize_check(svc, identity, handle, now_seconds()));
    return authorization_response(a);
  }));
}

// Counts the outcome of a signing call: one "signed" per signature made, else "denied" (SAD,
// policy, credential) or "failed"; token and crypto failures also as HSM errors.
template <typename T>
void count_outcome(Metrics* m, const Result<T>& r, std::size_t signatures) {
  if (!m) return;
  if (r) {
    for (std::size_t i = 0; i < signatures; ++i) m->count_signature("signed");
    return;
  }
  auto code = r.error().code;
  m->count_signature(code == ErrorCode::denied || code == ErrorCode::conflict || code == ErrorCode::not_found ? "denied" : "failed");
  if (code == ErrorCode::token || code == ErrorCode::crypto) m->count_hsm_error();
}

// CSC API v2 signatures/timestamp (csc-api-v2.md §3.15): an RFC 3161 TimeStampToken from the
// service's TSA over `hash`, with the client's `nonce` in it when given. The same TSA path as
// /tsa (serials from the store, the token's key in the HSM).
void add_timestamp(Router& router, TrustService& svc, Metrics* m) {
  router.add("POST", "/csc/v2/signatures/timestamp", authenticated(svc, m, [&svc](const Request& req, const Principal&) -> Result<Response> {
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto hash_text, req_string(body, "hash", 256));
    auto hash = base64_decode(hash_text);
    if (!hash || hash->empty()) return fail(ErrorCode::invalid_input, "'hash' must be non-empty base64");
    // "hashAlgo" in the v2 text, "hashAlgorithmOID" as elsewhere in v2: both are read (notes §3.15).
    QS_TRY(auto algo, opt_string(body, "hashAlgo", 64));
    QS_TRY(auto algo_oid, opt_string(body, "hashAlgorithmOID", 64));
    if (algo && algo_oid && *algo != *algo_oid)
      return fail(ErrorCode::invalid_input, "'hashAlgo' and 'hashAlgorithmOID' name different algorithms");
    if (!algo && !algo_oid) return fail(ErrorCode::invalid_input, "'hashAlgo' is required");
    QS_TRY(auto alg, service::digest_from_oid(algo ? *algo : *algo_oid));
    if (hash->size() != core::digest_size(alg)) return fail(ErrorCode::invalid_input, "Invalid digest value length");
    QS_TRY(auto nonce_hex, opt_string(body, "nonce", 2 * pki::kMaxNonceOctets));
    std::optional<Bytes> nonce;
    if (nonce_hex) {
      nonce = hex_decode(*nonce_hex);
      if (!nonce || nonce->empty()) return fail(ErrorCode::invalid_input, "'nonce' must be a non-empty hex string");
    }
    std::optional<ByteView> nonce_view;
    if (nonce) nonce_view = ByteView(*nonce);
    QS_TRY(auto token, service::timestamp_token(svc, *hash, alg, now_seconds(), nonce_view));
    return json(200, {{"timestamp", base64_encode(token)}});
  }));
}

void add_signatures(Router& router, TrustService& svc, Metrics* m) {
  router.add("POST", "/csc/v2/signatures/signHash", authenticated(svc, m, [&svc, m](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto identity, signer_identity(p));
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto id, req_string(body, "credentialID", 128));
    QS_TRY(auto sad, req_string(body, "SAD", 64 * 1024));
    QS_TRY(auto hashes, base64_array(body, "hashes", kMaxHashes));
    if (hashes.empty()) return fail(ErrorCode::invalid_input, "'hashes' is required");
    QS_TRY(auto alg, opt_string(body, "hashAlgorithmOID", 64));
    QS_TRY(auto sign_algo, req_string(body, "signAlgo", 64));
    // CSC API v2 signatures/signHash: signAlgoParams, base64 DER, conditional: given when the
    // signature algorithm takes parameters (RSASSA-PSS).
    QS_TRY(auto params_text, opt_string(body, "signAlgoParams", 1024));
    std::optional<Bytes> params;
    if (params_text) {
      params = base64_decode(*params_text);
      if (!params || params->empty()) return fail(ErrorCode::invalid_input, "'signAlgoParams' must be non-empty base64");
    }
    QS_TRY(auto mode, opt_string(body, "operationMode", 4));
    if (mode && *mode != "S") return fail(ErrorCode::invalid_input, "only synchronous operation (operationMode S) is offered");
    auto signed_ = service::csc_sign_hash(svc, identity, id, Secret(std::move(sad)), hashes, alg.value_or(""), sign_algo,
                                          now_seconds(), params);
    count_outcome(m, signed_, hashes.size());
    QS_TRY(auto sigs, std::move(signed_));
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : sigs) out.push_back(base64_encode(s));
    return json(200, {{"signatures", out}});
  }));
  router.add("POST", "/csc/v2/signatures/signDoc", authenticated(svc, m, [&svc, m](const Request& req, const Principal& p) -> Result<Response> {
    QS_TRY(auto identity, signer_identity(p));
    QS_TRY(auto body, json_object_body(req));
    QS_TRY(auto id, req_string(body, "credentialID", 128));
    QS_TRY(auto sad, req_string(body, "SAD", 64 * 1024));
    // CSC API v2 signatures/signDoc: "documents" and/or "documentDigests" (both are accepted).
    auto docs = body.find("documents");
    auto digests = body.find("documentDigests");
    if (docs == body.end() && digests == body.end())
      return fail(ErrorCode::invalid_input, "give 'documents' or 'documentDigests'");
    if ((docs != body.end() && (!docs->is_array() || docs->empty())) ||
        (digests != body.end() && (!digests->is_array() || digests->empty())))
      return fail(ErrorCode::invalid_input, "'documents' and 'documentDigests' must be non-empty arrays");
    std::vector<service::CscDocument> in;
    if (docs != body.end()) {
      if (docs->size() > kMaxDocuments) return fail(ErrorCode::invalid_input, "at most 16 documents");
      for (const auto& d : *docs) {
        if (!d.is_object()) return fail(ErrorCode::invalid_input, "each document must be an object");
        QS_TRY(auto content, req_string(d, "document", 64u << 20));
        auto bytes = base64_decode(content);
        if (!bytes || bytes->empty()) return fail(ErrorCode::invalid_input, "'document' must be non-empty base64");
        QS_TRY(auto format, req_string(d, "signature_format", 4));
        QS_TRY(auto level, opt_string(d, "conformance_level", 16));
        in.push_back(service::CscDocument{std::move(*bytes), std::nullopt, core::DigestAlgorithm::sha256, format,
                                          level.value_or("Ades-B-B")});
      }
    }
    if (digests != body.end()) {
      if (digests->size() > kMaxDocuments) return fail(ErrorCode::invalid_input, "at most 16 documentDigests");
      for (const auto& d : *digests) {
        if (!d.is_object()) return fail(ErrorCode::invalid_input, "each documentDigests entry must be an object");
        QS_TRY(auto hashes, base64_array(d, "hashes", kMaxHashes));
        if (hashes.empty()) return fail(ErrorCode::invalid_input, "documentDigests 'hashes' is required");
        QS_TRY(auto alg_oid, opt_string(d, "hashAlgorithmOID", 64));
        QS_TRY(auto alg, service::digest_from_oid(alg_oid.value_or("2.16.840.1.101.3.4.2.1")));
        QS_TRY(auto format, req_string(d, "signature_format", 4));
        QS_TRY(auto level, opt_string(d, "conformance_level", 16));
        // signAlgo (required) must name this hash; csc_sign_doc checks that it fits the key.
        QS_TRY(auto sign_algo, req_string(d, "signAlgo", 64));
        QS_TRY(auto scheme, service::scheme_from_sign_algo(sign_algo, alg));
        QS_TRY(auto params_text, opt_string(d, "signAlgoParams", 1024));
        if (params_text) {
          auto params = base64_decode(*params_text);
          if (!params || params->empty()) return fail(ErrorCode::invalid_input, "'signAlgoParams' must be non-empty base64");
          QS_TRY_VOID(service::check_sign_algo_params(sign_algo, alg, *params));
        }
        QS_TRY(auto envelope, opt_string(d, "signed_envelope_property", 16));
        if (envelope && *envelope != "Detached")
          return fail(ErrorCode::invalid_input, "from documentDigests only a Detached signature can be made");
        if (in.size() + hashes.size() > kMaxHashes) return fail(ErrorCode::invalid_input, "at most 64 signatures per call");
        for (auto& h : hashes)
          in.push_back(service::CscDocument{{}, std::move(h), alg, format, level.value_or("Ades-B-B"), scheme});
      }
    }
    // The validation-info flag has two names in the wild (notes §3.14): both are read.
    QS_TRY(bool info, opt_bool(body, "returnValidationInfo", false));
    QS_TRY(bool info_long, opt_bool(body, "returnValidationInformation", false));
    auto now = now_seconds();
    // Gathered before signing, at the signing time itself (as B-LT material is): a failure here
    // leaves the SAD unconsumed instead of losing the signatures it made.
    std::optional<formats::cades::ValidationData> validation;
    if (info || info_long) {
      QS_TRY(validation, service::csc_validation_info(svc, identity, id, now));
    }
    auto signed_ = service::csc_sign_doc(svc, identity, id, Secret(std::move(sad)), in, now);
    count_outcome(m, signed_, in.size());
    QS_TRY(auto out, std::move(signed_));
    nlohmann::json with = nlohmann::json::array(), objects = nlohmann::json::array();
    for (const auto& d : out) (d.attached ? with : objects).push_back(base64_encode(d.bytes));
    nlohmann::json r = nlohmann::json::object();
    if (!with.empty()) r["DocumentWithSignature"] = with;
    if (!objects.empty()) r["SignatureObject"] = objects;
    if (validation) {
      auto encode = [](const std::vector<Bytes>& items) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& b : items) a.push_back(base64_encode(b));
        return a;
      };
      // CSC API v2 signDoc output validationInfo: ocsp (DER OCSPResponse, RFC 6960 §4.2.1), crl
      // (DER CertificateList, RFC 5280 §5.1), certificates (DER).
      r["validationInfo"] = {{"ocsp", encode(validation->ocsp_responses)},
                             {"crl", encode(validation->crls)},
                             {"certificates", encode(validation->certificates)}};
    }
    return json(200, r);
  }));
}

}  // namespace

void add_csc_routes(Router& router, TrustService& svc, std::shared_ptr<Metrics> metrics) {
  // Handlers keep a plain pointer: the Server owns the Metrics (ServerOptions::metrics) and
  // outlives every request.
  add_info(router);
  add_auth(router, svc, metrics.get());
  add_credentials(router, svc, metrics.get());
  add_signatures(router, svc, metrics.get());
  add_timestamp(router, svc, metrics.get());
}

}  // namespace qualsig::server
