#pragma once
// The Cloud Signature Consortium API v2 (../shared/notes/csc-api-v2.md) and the OAuth 2.0 token
// endpoint: POST {base}/csc/v2/<method>, JSON in and out; every handler calls service/ (csc_service,
// api_auth). Supported authType: oauth2client (client_credentials, jwt-bearer) and TLS (a client
// certificate of the identity, or its SPIFFE X.509-SVID); credentials use auth.mode "explicit"
// with no auth objects (the caller's authentication plus the identity's policy and approvals
// authorise each use), SCAL "2".

#include <memory>

#include "server/metrics.h"
#include "server/router.h"
#include "service/trust_service.h"

namespace qualsig::server {

// Adds /csc/v2/* and /oauth2/token, /oauth2/revoke. `service` must outlive the router.
// With `metrics`, authentication failures and signature outcomes are counted.
void add_csc_routes(Router& router, service::TrustService& service, std::shared_ptr<Metrics> metrics = nullptr);

}  // namespace qualsig::server
