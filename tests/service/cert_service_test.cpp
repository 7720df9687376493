#include "service/cert_service.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "service/identity_service.h"
#include "service/init.h"
#include "support/temp_dir.h"

namespace qualsig::service {
namespace {

using qualsig::testing::TempDir;

const TimePoint kNow = *parse_rfc3339("2026-11-25T12:00:00Z");

std::unique_ptr<TrustService> service_with_identity(const std::filesystem::path& dir, const std::string& name) {
  InitOptions o;
  o.data_dir = dir;
  o.now = kNow;
  EXPECT_TRUE(initialize(o));
  auto svc = std::move(*TrustService::open(dir));
  RegisterRequest r{name, "service-account", "Finance Lead", "test", std::nullopt};
  EXPECT_TRUE(register_identity(*svc, r, "test", kNow));
  ProofRequest p;
  p.identity = name;
  p.method = ProofingMethod::sponsor;
  p.by = "alice";
  EXPECT_TRUE(proof_identity(*svc, p, "test", kNow));
  EXPECT_TRUE(confirm_identity(*svc, name, "bob", kNow));
  return svc;
}

TEST(CertService, ConcurrentIssuanceGivesUniqueSerialsAndLosesNoRow) {
  TempDir tmp;
  auto svc = service_with_identity(tmp.path() / "d", "invoice-bot");
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<std::string> serials;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto c = issue_certificate(*svc, IssueRequest{"invoice-bot", std::nullopt}, "test", kNow);
        if (!c) {
          ADD_FAILURE() << c.error().message;
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        serials.push_back(c->serial_hex);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(serials.size(), 200u);
  EXPECT_EQ(std::set<std::string>(serials.begin(), serials.end()).size(), 200u);
  auto stored = list_certificates(*svc, std::string("invoice-bot"));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->size(), 200u);
  std::set<std::string> key_ids;
  for (const auto& c : *stored) {
    key_ids.insert(hex_encode(c.key_id));
    // RFC 5280 §4.1.2.2 / CA/B BR: at least 64 random bits; ours are 16 octets.
    EXPECT_EQ(c.serial_hex.size(), 32u) << c.serial_hex;
  }
  EXPECT_EQ(key_ids.size(), 200u) << "every issuance has its own key in the token";
  auto log = svc->audit_log();
  ASSERT_TRUE(log);
  // init, register, proof, confirm + 200 issuances
  EXPECT_EQ((*log)->size(), 204u);
}

TEST(CertService, RevocationIsVisibleInTheCrlAndRefusedTwice) {
  TempDir tmp;
  auto svc = service_with_identity(tmp.path() / "d", "po-agent");
  auto c = issue_certificate(*svc, IssueRequest{"po-agent", std::chrono::days(30)}, "test", kNow);
  ASSERT_TRUE(c) << c.error().message;
  auto before = current_crl(*svc, "issuing", kNow);
  ASSERT_TRUE(before);
  auto r = revoke_certificate(*svc, c->serial_hex, pki::RevocationReason::key_compromise, kNow - std::chrono::hours(1),
                              "test", kNow);
  ASSERT_TRUE(r) << r.error().message;
  auto after = current_crl(*svc, "issuing", kNow);
  ASSERT_TRUE(after);
  EXPECT_GT(after->crl_number, before->crl_number);
  EXPECT_EQ(revoke_certificate(*svc, c->serial_hex, pki::RevocationReason::superseded, std::nullopt, "test", kNow)
                .error().code,
            ErrorCode::conflict);
  EXPECT_EQ(revoke_certificate(*svc, c->serial_hex, pki::RevocationReason::superseded, kNow + std::chrono::hours(1),
                               "test", kNow).error().code,
            ErrorCode::invalid_input);
  EXPECT_EQ(suspend_certificate(*svc, "00", "test", kNow).error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace qualsig::service
