// Client certificates from the TLS handshake reach Request::client_certificates (leaf first,
// DER as sent); any chain is accepted at the TLS level within the bounds of tls_context.h.
// Clients: our OpenSSL test client, and curl (an independent TLS 1.3 client, --cert/--key).

#include <gtest/gtest.h>

#include <openssl/pem.h>

#include <csignal>
#include <fstream>
#include <mutex>

#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "server/server.h"
#include "support/run_command.h"
#include "support/temp_dir.h"
#include "test_client.h"

namespace qualsig::server {
namespace {

using test::ClientCertificate;
using test::der_of;
using test::make_certificate;
using test::make_p256_key;

class ClientCertTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }

  // A server whose GET /whoami answers the hex DER of each certificate the request carried.
  void SetUp() override {
    Router router;
    router.add("GET", "/whoami", [](const Request& request) -> Result<Response> {
      nlohmann::json certs = nlohmann::json::array();
      for (const auto& der : request.client_certificates) certs.push_back(hex_encode(as_bytes(der)));
      return json(200, {{"certificates", certs}});
    });
    m_server = test::start_server(std::move(router));
    ASSERT_NE(m_server, nullptr);
  }

  // The certificates the server saw, as DER; nullopt if the request failed.
  std::optional<std::vector<std::string>> whoami(test::TestClient& client) {
    auto r = client.request("GET", "/whoami");
    if (!r || r->result_int() != 200) return std::nullopt;
    return certificates_in(r->body());
  }

  static std::vector<std::string> certificates_in(const std::string& body) {
    std::vector<std::string> out;
    const auto parsed = nlohmann::json::parse(body);
    for (const auto& h : parsed.at("certificates")) {
      auto der = hex_decode(h.get<std::string>());
      out.push_back(der ? to_string(*der) : std::string("bad hex"));
    }
    return out;
  }

  std::unique_ptr<test::TestClient> connect_with(const ClientCertificate* cert, std::string& error,
                                                 int min_version = TLS1_2_VERSION, int max_version = 0) {
    auto client = test::TestClient::connect(m_server->https_port());
    if (!client) {
      error = "connect failed";
      return nullptr;
    }
    error = client->handshake(min_version, max_version, cert);
    return client;
  }

  std::unique_ptr<Server> m_server;
};

TEST_F(ClientCertTest, WithoutCertificateTheListIsEmpty) {
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    SCOPED_TRACE(version);
    std::string error;
    auto client = connect_with(nullptr, error, version, version);
    ASSERT_EQ(error, "");
    auto certs = whoami(*client);
    ASSERT_TRUE(certs);
    EXPECT_TRUE(certs->empty());
  }
}

TEST_F(ClientCertTest, LeafAndChainOfThreeAsSentOnEveryRequest) {
  auto root_key = make_p256_key(), ca_key = make_p256_key(), leaf_key = make_p256_key();
  auto root = make_certificate("Test Root", root_key.get(), nullptr, root_key.get(), true);
  auto ca = make_certificate("Test Issuing", ca_key.get(), root.get(), root_key.get(), true);
  auto leaf = make_certificate("workload-1", leaf_key.get(), ca.get(), ca_key.get());
  const std::vector<std::string> sent = {der_of(leaf.get()), der_of(ca.get()), der_of(root.get())};

  struct Case {
    const char* name;
    std::vector<X509*> chain;
    int version;
  };
  const Case cases[] = {
      {"leaf-only-tls1.3", {leaf.get()}, TLS1_3_VERSION},
      {"leaf-only-tls1.2", {leaf.get()}, TLS1_2_VERSION},
      {"chain-of-3-tls1.3", {leaf.get(), ca.get(), root.get()}, TLS1_3_VERSION},
      {"chain-of-3-tls1.2", {leaf.get(), ca.get(), root.get()}, TLS1_2_VERSION},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ClientCertificate cert{leaf_key.get(), c.chain};
    std::string error;
    auto client = connect_with(&cert, error, c.version, c.version);
    ASSERT_EQ(error, "");
    const std::vector<std::string> want(sent.begin(), sent.begin() + static_cast<long>(c.chain.size()));
    // Twice on one keep-alive connection: read once per connection, copied into each request.
    for (int i = 0; i < 2; ++i) {
      auto got = whoami(*client);
      ASSERT_TRUE(got);
      EXPECT_EQ(*got, want);
    }
  }
}

TEST_F(ClientCertTest, UntrustedAndExpiredCertificatesAreAcceptedForTheApplicationToJudge) {
  // Self-signed and expired: TLS does not judge, the request still arrives with it.
  auto key = make_p256_key();
  auto cert = make_certificate("stranger", key.get(), nullptr, key.get());
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), -60);
  ASSERT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  ClientCertificate presented{key.get(), {cert.get()}};
  std::string error;
  auto client = connect_with(&presented, error);
  ASSERT_EQ(error, "");
  auto got = whoami(*client);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front(), der_of(cert.get()));
}

TEST_F(ClientCertTest, OversizeChainsFailTheHandshake) {
  auto key = make_p256_key();
  // kMaxClientCertificates certificates pass, one more fails.
  std::vector<core::UniquePtr<X509>> certs;
  certs.push_back(make_certificate("c0", key.get(), nullptr, key.get(), true));
  for (std::size_t i = 1; i <= kMaxClientCertificates; ++i)
    certs.push_back(make_certificate("c" + std::to_string(i), key.get(), certs.back().get(), key.get(), true));
  std::reverse(certs.begin(), certs.end());  // leaf first
  auto chain_of = [&](std::size_t n) {
    std::vector<X509*> chain;
    for (std::size_t i = 0; i < n; ++i) chain.push_back(certs[i].get());
    return chain;
  };
  auto big = make_certificate("big", key.get(), nullptr, key.get(), false, kMaxClientCertificateSize);
  auto near = make_certificate("near", key.get(), nullptr, key.get(), false, kMaxClientCertificateSize - 1024);
  ASSERT_GT(der_of(big.get()).size(), kMaxClientCertificateSize);
  ASSERT_LE(der_of(near.get()).size(), kMaxClientCertificateSize);

  struct Case {
    const char* name;
    std::vector<X509*> chain;
    int version;
    bool accepted;
  };
  const Case cases[] = {
      {"10-certificates", chain_of(kMaxClientCertificates), TLS1_3_VERSION, true},
      {"11-certificates-tls1.3", chain_of(kMaxClientCertificates + 1), TLS1_3_VERSION, false},
      {"11-certificates-tls1.2", chain_of(kMaxClientCertificates + 1), TLS1_2_VERSION, false},
      {"certificate-just-under-64k", {near.get()}, TLS1_3_VERSION, true},
      {"certificate-over-64k", {big.get()}, TLS1_3_VERSION, false},
      {"oversize-intermediate", {certs.back().get(), big.get()}, TLS1_2_VERSION, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ClientCertificate presented{key.get(), c.chain};
    std::string error;
    auto client = connect_with(&presented, error, c.version, c.version);
    ASSERT_NE(client, nullptr);
    // In TLS 1.3 the client's Certificate comes after the client thinks the handshake is
    // done: the server's refusal shows on the first read.
    std::optional<std::vector<std::string>> got;
    if (error.empty()) got = whoami(*client);
    if (c.accepted) {
      ASSERT_EQ(error, "");
      ASSERT_TRUE(got);
      EXPECT_EQ(got->size(), c.chain.size());
    } else {
      EXPECT_FALSE(got.has_value()) << "the server accepted the chain";
    }
  }
  // The server is still fine.
  std::string error;
  auto client = connect_with(nullptr, error);
  ASSERT_EQ(error, "");
  EXPECT_TRUE(whoami(*client));
}

TEST_F(ClientCertTest, CurlWithCertAndKeyOverTls13) {
  qualsig::testing::TempDir dir;
  auto ca_key = make_p256_key(), leaf_key = make_p256_key();
  auto ca = make_certificate("curl CA", ca_key.get(), nullptr, ca_key.get(), true);
  auto leaf = make_certificate("curl-client", leaf_key.get(), ca.get(), ca_key.get());
  const auto cert_path = dir.path() / "client.pem", key_path = dir.path() / "client.key";
  {
    auto bio = core::wrap(BIO_new_file(cert_path.c_str(), "w"));
    ASSERT_TRUE(bio && PEM_write_bio_X509(bio.get(), leaf.get()) == 1 && PEM_write_bio_X509(bio.get(), ca.get()) == 1);
    auto kbio = core::wrap(BIO_new_file(key_path.c_str(), "w"));
    ASSERT_TRUE(kbio && PEM_write_bio_PrivateKey(kbio.get(), leaf_key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
  }
  const std::string url = "https://127.0.0.1:" + std::to_string(m_server->https_port()) + "/whoami";
  // -k: the test server's own certificate is self-signed; what is checked here is the client side.
  auto with = qualsig::testing::run("curl -sS -k --tlsv1.3 --cert " + cert_path.string() + " --key " +
                                    key_path.string() + " -w '\\n%{http_code}' " + url);
  ASSERT_EQ(with.status, 0) << with.output;
  const auto newline = with.output.rfind('\n');
  ASSERT_NE(newline, std::string::npos);
  EXPECT_EQ(with.output.substr(newline + 1), "200");
  const auto got = certificates_in(with.output.substr(0, newline));
  ASSERT_EQ(got.size(), 2u) << with.output;  // curl sends the chain file's certificates
  EXPECT_EQ(got[0], der_of(leaf.get()));
  EXPECT_EQ(got[1], der_of(ca.get()));

  auto without = qualsig::testing::run("curl -sS -k --tlsv1.3 " + url);
  ASSERT_EQ(without.status, 0) << without.output;
  EXPECT_TRUE(certificates_in(without.output).empty());
}

}  // namespace
}  // namespace qualsig::server
