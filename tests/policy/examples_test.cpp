// The shipped examples/policies/*.json parse and behave as docs/policy.md says.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "policy/delegation.h"
#include "policy/evaluate.h"
#include "policy/policy.h"
#include "policy_fixtures.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

namespace qualsig::policy {
namespace {

using testing::at;
using testing::find_step;

const std::filesystem::path kExamples = std::filesystem::path(QUALSIG_SOURCE_DIR) / "examples" / "policies";

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Policy load(const char* file) {
  auto p = parse_policy(read_text(kExamples / file));
  EXPECT_TRUE(p.has_value()) << file << ": " << (p ? "" : p.error().message);
  return p ? std::move(p).value() : Policy{};
}

SignRequest request(const char* identity, const char* type, const char* amount, const char* counterparty,
                    const char* when) {
  SignRequest r;
  r.identity = identity;
  r.document_type = type;
  if (amount != nullptr) r.attributes = {{"amount", amount}, {"currency", "EUR"}};
  if (counterparty != nullptr) r.attributes["counterparty"] = counterparty;
  r.now = at(when);
  return r;
}

TEST(PolicyExamples, EveryShippedExampleParses) {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kExamples)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().filename().string());
    auto p = parse_policy(read_text(entry.path()));
    ASSERT_TRUE(p.has_value()) << p.error().message;
    EXPECT_EQ(entry.path().stem().string(), p->name) << "file name and policy name agree";
    ++n;
  }
  EXPECT_GE(n, 3u);
}

TEST(PolicyExamples, InvoicesUpTo10000EurAloneAboveThatTwoFinanceApprovers) {
  const Policy p = load("invoices.json");
  const char* wed = "2026-11-25T10:00:00+01:00";
  Decision d = evaluate(&p, request("invoice-bot", "invoice", "9999.00", "GLOBEX-GMBH", wed));
  EXPECT_EQ(d.outcome, Outcome::allow) << d.reason;
  EXPECT_EQ(d.trace.size(), 7u) << "the invoices example shows every rule";
  d = evaluate(&p, request("invoice-bot", "invoice", "10000.00", "GLOBEX-GMBH", wed));
  EXPECT_EQ(d.outcome, Outcome::allow) << "up to 10,000 EUR includes 10,000.00: " << d.reason;
  d = evaluate(&p, request("invoice-bot", "invoice", "10000.01", "GLOBEX-GMBH", wed));
  ASSERT_EQ(d.outcome, Outcome::needs_approval) << d.reason;
  ASSERT_TRUE(d.approval.has_value());
  EXPECT_EQ(d.approval->group, "finance-approvers");
  EXPECT_EQ(d.approval->required, 2);
  EXPECT_EQ(d.approval->valid_for, std::chrono::hours(72));
  d = evaluate(&p, request("invoice-bot", "invoice", "250000.01", "GLOBEX-GMBH", wed));
  EXPECT_EQ(d.outcome, Outcome::deny);
  EXPECT_EQ(find_step(d, "max_amount")->verdict, Verdict::fail);
  d = evaluate(&p, request("invoice-bot", "purchase-order", "100.00", "GLOBEX-GMBH", wed));
  EXPECT_EQ(d.outcome, Outcome::deny) << "default deny for other document types";
  d = evaluate(&p, request("invoice-bot", "invoice", "100.00", "GLOBEX-GMBH", "2026-11-29T10:00:00+01:00"));
  EXPECT_EQ(d.outcome, Outcome::deny) << "not on Sundays";
}

TEST(PolicyExamples, PurchaseOrdersScenario) {
  const Policy p = load("purchase-orders.json");
  const char* wed = "2026-11-25T10:00:00+01:00";
  Decision d = evaluate(&p, request("po-agent", "purchase-order", "4800.00", "ACME-SUPPLIES-BV", wed));
  EXPECT_EQ(d.outcome, Outcome::allow) << d.reason;
  // scenario.md step 4: 48,000 EUR is pending until two approvers approve.
  d = evaluate(&p, request("po-agent", "purchase-order", "48000.00", "ACME-SUPPLIES-BV", wed));
  ASSERT_EQ(d.outcome, Outcome::needs_approval) << d.reason;
  EXPECT_EQ(d.approval->required, 2);
  // "A request for an unlisted supplier is refused, with the rule that refused it."
  d = evaluate(&p, request("po-agent", "purchase-order", "4800.00", "SHADY-IMPORTS-LTD", wed));
  EXPECT_EQ(d.outcome, Outcome::deny);
  EXPECT_EQ(d.reason, "denied by counterparties: SHADY-IMPORTS-LTD is not a listed counterparty");
  // At most 50 a day: the 50th is allowed, the 51st denied.
  SignRequest r = request("po-agent", "purchase-order", "4800.00", "ACME-SUPPLIES-BV", wed);
  r.signatures_last_day = 49;
  EXPECT_EQ(evaluate(&p, r).outcome, Outcome::allow);
  r.signatures_last_day = 50;
  EXPECT_EQ(evaluate(&p, r).outcome, Outcome::deny);
  // Business hours only.
  d = evaluate(&p, request("po-agent", "purchase-order", "4800.00", "ACME-SUPPLIES-BV", "2026-11-25T18:00:00+01:00"));
  EXPECT_EQ(d.outcome, Outcome::deny);
  EXPECT_EQ(find_step(d, "time_windows")->verdict, Verdict::fail);
}

TEST(PolicyExamples, ContractsUnderTheCfosDelegation) {
  const Policy p = load("contracts.json");
  const std::vector<Delegation> chain = {{"dlg-q4", "person:cfo@acme.example", "cfo-assistant", {"contract"},
                                          at("2026-10-01T00:00:00Z"), at("2026-12-31T23:00:00Z"), std::nullopt,
                                          std::nullopt}};
  const TimePoint now = at("2026-11-25T10:00:00Z");
  SignRequest r = request("cfo-assistant", "contract", nullptr, nullptr, "2026-11-25T10:00:00Z");
  EXPECT_EQ(evaluate(&p, r).outcome, Outcome::deny) << "no delegation";
  auto summary = verify_chain(chain, "cfo-assistant", p.delegation->scope, now);
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  r.delegation = *summary;
  Decision d = evaluate(&p, r);
  EXPECT_EQ(d.outcome, Outcome::allow) << d.reason;
  ASSERT_TRUE(d.activation.has_value());
  EXPECT_EQ(d.activation->by, "person:cfo@acme.example");
  EXPECT_EQ(to_json(d)["activation"]["by"], "person:cfo@acme.example");
  // After the end of the quarter the chain no longer verifies.
  EXPECT_FALSE(verify_chain(chain, "cfo-assistant", "contract", at("2026-12-31T23:00:00Z")).has_value());
}

// Each shipped example's hash, recomputed with npm `canonicalize` and `openssl dgst`.
TEST(PolicyExamplesInterop, HashesMatchIndependentCanonicalisation) {
  if (qualsig::testing::run("node --version").status != 0) GTEST_SKIP() << "node is not installed";
  if (qualsig::testing::run("test -d " QUALSIG_SOURCE_DIR "/tests/interop/node_modules/canonicalize").status != 0) {
    GTEST_SKIP() << "tests/interop/node_modules missing: run scripts/install-deps";
  }
  qualsig::testing::TempDir dir;
  for (const char* file : {"invoices.json", "purchase-orders.json", "contracts.json"}) {
    SCOPED_TRACE(file);
    const Policy p = load(file);
    const auto in = dir.path() / "in.json";
    const auto canonical = dir.path() / "canonical.json";
    std::ofstream(in) << "[" << read_text(kExamples / file) << "]";
    auto node = qualsig::testing::run("node " QUALSIG_SOURCE_DIR "/tests/interop/jcs_check.mjs < " + in.string() +
                                      " | tr -d '\\n' > " + canonical.string() + " && cat " + canonical.string());
    ASSERT_EQ(node.status, 0) << node.output;
    EXPECT_EQ(node.output, p.canonical);
    auto dgst = qualsig::testing::run("openssl dgst -sha256 -r " + canonical.string());
    ASSERT_EQ(dgst.status, 0) << dgst.output;
    EXPECT_EQ("sha256:" + dgst.output.substr(0, 64), p.hash);
  }
}

}  // namespace
}  // namespace qualsig::policy
