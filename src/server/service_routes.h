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
void add_service_routes(Router& router, service::TrustService& service);

// Builds the server: routes, TLS identity (the "tls" key in the token through the OpenSSL
// bridge, chain leaf + root), readiness (database and token answer).
Result<std::unique_ptr<Server>> make_server(service::TrustService& service, const ServeOptions& options);

}  // namespace qualsig::server
