#include "server/service_routes.h"

#include "server/admin_routes.h"
#include "server/csc_routes.h"
#include "server/openapi_route.h"

#include "core/openssl.h"
#include "hsm/openssl_bridge.h"
#include "service/cert_service.h"
#include "service/tsa_service.h"
#include "service/status.h"

#include <charconv>

namespace qualsig::server {

namespace {

// A non-negative decimal query parameter ("seq=12&size=40"); absent -> nullopt.
Result<std::optional<std::uint64_t>> number_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    auto value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || p != value.data() + value.size())
      return fail(ErrorCode::invalid_input, "query parameter '" + std::string(name) + "' must be a non-negative integer");
    return std::optional<std::uint64_t>(v);
  }
  return std::optional<std::uint64_t>();
}

nlohmann::json proof_json(const audit::Proof& proof) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : proof) out.push_back(base64_encode(ByteView(h.data(), h.size())));
  return out;
}

void add_audit_routes(Router& router, service::TrustService& svc) {
  // The latest signed checkpoint, as a C2SP signed note (text/plain, like tlog-checkpoint
  // servers publish it).
  router.add("GET", "/audit/checkpoint", [&svc](const Request&) -> Result<Response> {
    QS_TRY(auto latest, svc.store().latest_checkpoint());
    if (!latest) return fail(ErrorCode::not_found, "no checkpoint has been signed yet");
    Response r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = latest->note;
    return r;
  });
  // RFC 9162 §2.1.3: inclusion proof of entry `seq` in the tree of size `size` (default:
  // the latest checkpoint's).
  router.add("GET", "/audit/proof/inclusion", [&svc](const Request& req) -> Result<Response> {
    QS_TRY(auto seq, number_param(req.query, "seq"));
    QS_TRY(auto size, number_param(req.query, "size"));
    if (!seq) return fail(ErrorCode::invalid_input, "query parameter 'seq' is required");
    QS_TRY(auto log, svc.audit_log());
    QS_TRY_VOID(log->refresh());
    if (!size) {
      QS_TRY(auto latest, svc.store().latest_checkpoint());
      if (!latest) return fail(ErrorCode::not_found, "no checkpoint has been signed yet");
      size = latest->tree_size;
    }
    if (*seq >= *size) return fail(ErrorCode::invalid_input, "seq must be below the tree size");
    if (*size > log->size()) return fail(ErrorCode::not_found, "the log has only " + std::to_string(log->size()) + " entries");
    QS_TRY(auto row, svc.store().log_row(*seq));
    QS_TRY(auto proof, log->inclusion_proof(*seq, *size));
    return json(200, {{"seq", *seq}, {"tree_size", *size}, {"leaf_hash", base64_encode(row.leaf_hash)},
                      {"inclusion_proof", proof_json(proof)}});
  });
  // RFC 9162 §2.1.4: consistency proof between tree sizes `from` and `to` (default: current).
  router.add("GET", "/audit/proof/consistency", [&svc](const Request& req) -> Result<Response> {
    QS_TRY(auto from, number_param(req.query, "from"));
    QS_TRY(auto to, number_param(req.query, "to"));
    if (!from) return fail(ErrorCode::invalid_input, "query parameter 'from' is required");
    QS_TRY(auto log, svc.audit_log());
    QS_TRY_VOID(log->refresh());
    std::uint64_t end = to ? *to : log->size();
    if (end > log->size()) return fail(ErrorCode::not_found, "the log has only " + std::to_string(log->size()) + " entries");
    if (*from == 0 || *from > end) return fail(ErrorCode::invalid_input, "'from' must be in 1..to");
    QS_TRY(auto proof, log->consistency_proof(*from, end));
    return json(200, {{"from", *from}, {"to", end}, {"consistency_proof", proof_json(proof)}});
  });
}

}  // namespace

// RFC 3986 §2.1 percent-decoding of one path segment; nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    auto b = hex_decode(in.substr(i + 1, 2));
    if (!b) return std::nullopt;
    out += static_cast<char>((*b)[0]);
    i += 2;
  }
  return out;
}

Response ocsp_answer(Bytes der) {
  Response r;
  r.content_type = "application/ocsp-response";  // RFC 6960 Appendix C.2
  r.body = to_string(der);
  return r;
}

void add_revocation_routes(Router& router, service::TrustService& svc) {
  // RFC 5280 §4.2.1.13: CRLs at the distribution points named in the certificates, DER,
  // application/pkix-crl (RFC 2585 §4.2), over plain HTTP.
  for (const char* issuer : {"issuing", "root"}) {
    router.add(
        "GET", std::string("/crl/") + issuer + ".crl",
        [&svc, issuer = std::string(issuer)](const Request&) -> Result<Response> {
          QS_TRY(auto crl, service::current_crl(svc, issuer, now_seconds()));
          Response r;
          r.content_type = "application/pkix-crl";
          r.body = to_string(crl.der);
          return r;
        },
        Listener::both);
  }
  // RFC 6960 Appendix A.1: POST with application/ocsp-request ...
  router.add(
      "POST", "/ocsp",
      [&svc](const Request& req) -> Result<Response> {
        return ocsp_answer(service::ocsp_response(svc, as_bytes(req.body), now_seconds()));
      },
      Listener::both);
  // ... and GET {url}/{url-encoding of base64 of the DER request}. A request that does not
  // decode is answered with an OCSP malformedRequest, as one that does not parse.
  router.add(
      "GET", "/ocsp/*",
      [&svc](const Request& req) -> Result<Response> {
        auto encoded = std::string_view(req.path).substr(std::string_view("/ocsp/").size());
        auto b64 = percent_decode(encoded);
        std::optional<Bytes> der = b64 ? base64_decode(*b64) : std::nullopt;
        return ocsp_answer(service::ocsp_response(svc, der ? ByteView(*der) : ByteView(), now_seconds()));
      },
      Listener::both);
}

void add_tsa_route(Router& router, service::TrustService& svc) {
  // RFC 3161 §3.4: a TimeStampReq POSTed as application/timestamp-query is answered with a
  // TimeStampResp as application/timestamp-reply — also a rejection (status and failInfo in
  // the body, HTTP 200). Another content type is not a time-stamp request at all: 415.
  router.add(
      "POST", "/tsa",
      [&svc](const Request& req) -> Result<Response> {
        auto ct = req.headers.find("content-type");
        std::string type = ct == req.headers.end() ? "" : ct->second.substr(0, ct->second.find(';'));
        while (!type.empty() && type.back() == ' ') type.pop_back();
        for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (type != "application/timestamp-query")
          return problem(415, "Unsupported Media Type", "POST /tsa takes an RFC 3161 TimeStampReq as application/timestamp-query");
        Response r;
        r.content_type = "application/timestamp-reply";
        r.body = to_string(service::timestamp_response(svc, as_bytes(req.body), now_seconds()));
        return r;
      },
      Listener::both);
}

void add_service_routes(Router& router, service::TrustService& svc, std::shared_ptr<Metrics> metrics) {
  add_audit_routes(router, svc);
  add_csc_routes(router, svc, metrics);
  add_admin_routes(router, svc, metrics);
  add_revocation_routes(router, svc);
  add_tsa_route(router, svc);
  add_openapi_route(router);
  for (const char* role : {"root", "issuing"}) {
    // RFC 5280 §4.2.2.1: caIssuers over HTTP is a DER certificate, application/pkix-cert
    // (RFC 2585 §4.1).
    router.add(
        "GET", std::string("/ca/") + role + ".crt",
        [&svc, role = std::string(role)](const Request&) -> Result<Response> {
          QS_TRY(auto der, service::ca_certificate_der(svc, role));
          Response r;
          r.content_type = "application/pkix-cert";
          r.body = to_string(der);
          r.headers.emplace_back("Cache-Control", "public, max-age=3600");
          return r;
        },
        Listener::both);
  }
}

Result<std::unique_ptr<Server>> make_server(service::TrustService& svc, const ServeOptions& o) {
  const auto& cfg = svc.config().server;
  // The metrics of this server. Routes that sign or authenticate get this pointer and call
  // count_signature / count_hsm_error / count_auth_failure; Server::metrics() returns it.
  auto metrics = std::make_shared<Metrics>();
  metrics->add_gauge("qualsig_audit_log_entries", "Entries in the audit log.",
                     [&svc]() -> std::optional<double> {
                       auto size = svc.store().log_size();
                       if (!size) return std::nullopt;
                       return static_cast<double>(*size);
                     });
  metrics->add_gauge("qualsig_token_ready", "1 if the token is logged in and answers, else 0.",
                     [&svc]() -> std::optional<double> {
                       auto token = svc.token();
                       return token && (*token)->module().slots() ? 1.0 : 0.0;
                     });
  ServerOptions opts;
  opts.metrics = metrics;
  opts.https_listen = o.https_listen.empty() ? cfg.https_listen : o.https_listen;
  opts.http_listen = o.http_listen.empty() ? cfg.http_listen : (o.http_listen == "off" ? "" : o.http_listen);
  opts.body_limit = cfg.body_limit;
  opts.handler_threads = cfg.handler_threads;
  opts.readiness_check = [&svc]() -> Result<void> { return service::check_ready(svc); };

  QS_TRY(auto signer, svc.signer("tls"));
  QS_TRY(auto key, hsm::make_signing_pkey(signer));
  TlsIdentity tls;
  tls.key = std::move(key);
  for (const char* role : {"tls", "root"}) {
    QS_TRY(auto der, service::ca_certificate_der(svc, role));
    QS_TRY(auto cert, core::x509_from_der(der));
    tls.chain.push_back(std::move(cert));
  }
  // The trusted lists of POST /api/v1/validate are read and their signatures verified now: a
  // list that does not verify stops the start, as any other configuration error does.
  if (auto trust = svc.validation_trust(); !trust) return fail(ErrorCode::environment, trust.error().message);
  Router router;
  add_service_routes(router, svc, metrics);
  auto server = Server::create(std::move(opts), std::move(router), std::move(tls));
  if (!server && server.error().code == ErrorCode::invalid_input) {
    // Flags were validated by the caller: what is left came from config.json (or a
    // QUALSIG_* override of it).
    return fail(ErrorCode::environment, "configuration: " + server.error().message);
  }
  return server;
}

}  // namespace qualsig::server
