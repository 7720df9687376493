#pragma once
// The administration and audit API (issue 9): identities and proofing, certificates and
// revocation, policies, delegations, sign requests and approvals, API clients, evidence export
// and the governance report, and validation of any signed file (POST /api/v1/validate, every
// role), under /api/v1/. Every handler authenticates, checks the role and
// calls the same service/ function the CLI calls; record views are service/record_json.
//   admin     everything that changes identities, certificates, policies, delegations, clients
//   approver  pending sign requests and decisions on them (people only)
//   auditor   read-only views, evidence bundles, the governance report
// Lists are paginated: ?limit=N (1..1000, default 100) &offset=M; the answer carries
// {"items":[...],"next_offset":K|null}.

#include <memory>

#include "server/metrics.h"
#include "server/router.h"
#include "service/trust_service.h"

namespace qualsig::server {

void add_admin_routes(Router& router, service::TrustService& service, std::shared_ptr<Metrics> metrics = nullptr);

}  // namespace qualsig::server
