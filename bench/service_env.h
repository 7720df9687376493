#pragma once
// A data directory with one proofed identity holding a certificate and a policy, for the
// benchmarks that go through the service as `qualsig sign` does.
#include <memory>
#include <stdexcept>
#include <string>

#include "service/cert_service.h"
#include "service/identity_service.h"
#include "service/init.h"
#include "service/sign_service.h"
#include "support/temp_dir.h"

namespace qualsig::bench {

struct ServiceEnv {
  qualsig::testing::TempDir dir;
  std::unique_ptr<service::TrustService> svc;
  store::CertificateRecord cert;

  ServiceEnv(const std::string& identity, const std::string& policy_json) {
    auto now = now_seconds();
    service::InitOptions o;
    o.data_dir = dir.path() / "d";
    o.now = now;
    if (auto r = service::initialize(o); !r) throw std::runtime_error(r.error().message);
    svc = std::move(*service::TrustService::open(o.data_dir));
    service::RegisterRequest reg{identity, "service-account", "Finance Lead", "bench", std::nullopt};
    if (auto r = service::register_identity(*svc, reg, "bench", now); !r) throw std::runtime_error(r.error().message);
    service::ProofRequest p;
    p.identity = identity;
    p.by = "alice";
    if (auto r = service::proof_identity(*svc, p, "bench", now); !r) throw std::runtime_error(r.error().message);
    if (auto r = service::confirm_identity(*svc, identity, "bob", now); !r) throw std::runtime_error(r.error().message);
    auto issued = service::issue_certificate(*svc, {identity, std::nullopt}, "bench", now);
    if (!issued) throw std::runtime_error(issued.error().message);
    cert = *issued;
    if (auto r = service::set_policy(*svc, {identity}, policy_json, "bench", now); !r) throw std::runtime_error(r.error().message);
  }
};

}  // namespace qualsig::bench
