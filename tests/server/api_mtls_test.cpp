// mTLS to the API with an identity's own certificate, its key used through the token (it never
// leaves it: the TLS client signs the handshake via the PKCS#11 bridge): accepted while the
// certificate is valid, refused once it is revoked, and never an admin.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/time.h"
#include "hsm/openssl_bridge.h"
#include "pki/crl.h"
#include "server/service_routes.h"
#include "service/cert_service.h"
#include "service/identity_service.h"
#include "service/init.h"
#include "support/temp_dir.h"
#include "test_client.h"

namespace qualsig::server {
namespace {

using qualsig::testing::TempDir;

struct Running {
  TempDir tmp;
  std::unique_ptr<service::TrustService> svc;
  std::unique_ptr<Server> server;
  store::CertificateRecord cert;
  core::UniquePtr<EVP_PKEY> key;
  core::UniquePtr<X509> x509;

  Running() {
    auto now = now_seconds();
    service::InitOptions o;
    o.data_dir = tmp.path() / "d";
    o.now = now;
    EXPECT_TRUE(service::initialize(o));
    svc = std::move(*service::TrustService::open(o.data_dir));
    EXPECT_TRUE(service::register_identity(*svc, {"bot", "workload", "Ops Lead", "test", std::nullopt}, "test", now));
    service::ProofRequest p;
    p.identity = "bot";
    p.by = "alice";
    EXPECT_TRUE(service::proof_identity(*svc, p, "test", now));
    EXPECT_TRUE(service::confirm_identity(*svc, "bot", "bob", now));
    auto c = service::issue_certificate(*svc, service::IssueRequest{"bot", std::nullopt}, "test", now);
    EXPECT_TRUE(c);
    cert = *c;
    auto signer = svc->key_signer(cert.key_id);
    EXPECT_TRUE(signer);
    auto k = hsm::make_signing_pkey(*signer);
    EXPECT_TRUE(k) << (k ? "" : k.error().message);
    key = std::move(*k);
    x509 = std::move(*core::x509_from_der(cert.der));
    ServeOptions so;
    so.https_listen = "127.0.0.1:0";
    so.http_listen = "off";
    auto s = make_server(*svc, so);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    server = std::move(*s);
    EXPECT_TRUE(server->start());
  }
  ~Running() {
    if (server) {
      server->shutdown();
      server->wait();
    }
  }

  // POST `path` with `{}` over a fresh connection, with or without the identity's certificate.
  std::optional<test::HttpResponse> post(const std::string& path, bool with_certificate, X509* other = nullptr,
                                         EVP_PKEY* other_key = nullptr) {
    auto client = test::TestClient::connect(server->https_port());
    if (!client) return std::nullopt;
    test::ClientCertificate cc;
    if (other) {
      cc.key = other_key;
      cc.chain = {other};
    } else {
      cc.key = key.get();
      cc.chain = {x509.get()};
    }
    auto err = client->handshake(TLS1_2_VERSION, 0, with_certificate ? &cc : nullptr);
    EXPECT_EQ(err, "");
    return client->request("POST", path, "{}", "Content-Type: application/json\r\n");
  }
};

TEST(ApiMtls, IdentityCertificateWithTokenKeyAuthenticatesUntilRevoked) {
  Running r;
  auto listed = r.post("/csc/v2/credentials/list", true);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->result_int(), 200u) << listed->body();
  auto body = nlohmann::json::parse(listed->body());
  ASSERT_EQ(body["credentialIDs"].size(), 1u);
  EXPECT_EQ(body["credentialIDs"][0], r.cert.serial_hex);

  // An identity is never an admin, whatever it authenticates with.
  auto admin = r.post("/api/v1/identities", true);  // register an identity: admins only
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->result_int(), 403u) << admin->body();
  auto client = test::TestClient::connect(r.server->https_port());
  test::ClientCertificate cc{r.key.get(), {r.x509.get()}};
  ASSERT_EQ(client->handshake(TLS1_2_VERSION, 0, &cc), "");
  auto list = client->request("GET", "/api/v1/identities");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->result_int(), 403u) << list->body();

  // Without a certificate: 401 with a Bearer challenge.
  auto none = r.post("/csc/v2/credentials/list", false);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->result_int(), 401u);
  EXPECT_NE(std::string((*none)["WWW-Authenticate"]).find("Bearer"), std::string::npos);

  // A self-signed certificate with the same subject: not ours.
  auto k = test::make_p256_key();
  auto self = test::make_certificate("bot", k.get(), nullptr, k.get());
  auto forged = r.post("/csc/v2/credentials/list", true, self.get(), k.get());
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->result_int(), 401u) << forged->body();

  // Revoked: refused at the next request, no restart.
  ASSERT_TRUE(service::revoke_certificate(*r.svc, r.cert.serial_hex, pki::RevocationReason::key_compromise, std::nullopt,
                                          "test", now_seconds()));
  auto revoked = r.post("/csc/v2/credentials/list", true);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->result_int(), 401u);
  EXPECT_NE(revoked->body().find("revoked"), std::string::npos) << revoked->body();
}

}  // namespace
}  // namespace qualsig::server
