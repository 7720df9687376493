#pragma once
// The routes of `qualsig serve` that expose the trust service, and the assembly of the
// server from the service's configuration and its TLS key in the token. No business rules:
// every handler calls a service/ function.

#include <memory>
#include <string>

#include "server/server.h"
#include "service/trust_service.h"

namespace qualsig::server {

struct ServeOptions {
  std::string https_listen;  // empty: the config's server.https_listen
  std::string http_listen;   // empty: the config's server.http_listen; "off" disables it
};

// Adds GET /ca/root.crt and /ca/issuing.crt (DER, RFC 5280 §4.2.2.1 caIssuers) on both
// listeners. `service` must outlive the router.
// With `metrics`, the API routes count authentication failures and signature outcomes.
void add_service_routes(Router& router, service::TrustService& service, std::shared_ptr<Metrics> metrics = nullptr);

// Builds the server: routes, TLS identity (the "tls" key in the token through the OpenSSL
// bridge, chain leaf + root), readiness (database and token answer), and Prometheus metrics
// with the gauges qualsig_audit_log_entries and qualsig_token_ready (GET /metrics, HTTPS).
// The Metrics object is created here (the local `metrics`): routes registered in make_server
// that count signatures, HSM errors or authentication failures are to be given it there; it is
// reachable afterwards through Server::metrics().
// `service` must outlive the server. Fails with environment for a bad config.json value,
// token/not_found when the TLS key or certificate is missing.
Result<std::unique_ptr<Server>> make_server(service::TrustService& service, const ServeOptions& options);

}  // namespace qualsig::server
