#include "server/service_routes.h"

#include "core/openssl.h"
#include "hsm/openssl_bridge.h"
#include "service/status.h"

namespace qualsig::server {

void add_service_routes(Router& router, service::TrustService& svc) {
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
  ServerOptions opts;
  opts.https_listen = o.https_listen.empty() ? cfg.https_listen : o.https_listen;
  opts.http_listen = o.http_listen.empty() ? cfg.http_listen : (o.http_listen == "off" ? "" : o.http_listen);
  opts.body_limit = cfg.body_limit;
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
  Router router;
  add_service_routes(router, svc);
  auto server = Server::create(std::move(opts), std::move(router), std::move(tls));
  if (!server && server.error().code == ErrorCode::invalid_input) {
    // Flags were validated by the caller: what is left came from config.json.
    return fail(ErrorCode::environment, "config.json: " + server.error().message);
  }
  return server;
}

}  // namespace qualsig::server
