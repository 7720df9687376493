// Delegation chains: only narrowing, never past the parent's expiry, valid at signing time.

#include "policy/delegation.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "policy_fixtures.h"

namespace qualsig::policy {
namespace {

using testing::at;

const TimePoint kNow = at("2026-11-25T10:00:00Z");

// CFO -> cfo-assistant -> contract-drafter -> clause-bot, each narrower.
std::vector<Delegation> chain_of_three() {
  return {
      {"dlg-1", "person:cfo@acme.example", "cfo-assistant", {"contract", "purchase-order", "nda"},
       at("2026-10-01T00:00:00Z"), at("2026-12-31T23:00:00Z"), std::nullopt, std::nullopt},
      {"dlg-2", "identity:cfo-assistant", "contract-drafter", {"contract", "nda"},
       at("2026-11-01T00:00:00Z"), at("2026-12-15T00:00:00Z"), std::nullopt, "dlg-1"},
      {"dlg-3", "identity:contract-drafter", "clause-bot", {"contract"},
       at("2026-11-20T00:00:00Z"), at("2026-12-01T00:00:00Z"), std::nullopt, "dlg-2"},
  };
}

TEST(PolicyDelegation, ValidChainOfOne) {
  auto chain = chain_of_three();
  chain.resize(1);
  auto s = verify_chain(chain, "cfo-assistant", "purchase-order", kNow);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->root_delegator, "person:cfo@acme.example");
  EXPECT_EQ(s->identity, "cfo-assistant");
  EXPECT_EQ(s->scope, "purchase-order");
  EXPECT_EQ(s->link_ids, std::vector<std::string>{"dlg-1"});
  EXPECT_EQ(s->expires_at, at("2026-12-31T23:00:00Z"));
  EXPECT_EQ(s->verified_at, kNow);
}

TEST(PolicyDelegation, ValidChainOfThree) {
  auto s = verify_chain(chain_of_three(), "clause-bot", "contract", kNow);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->root_delegator, "person:cfo@acme.example");
  EXPECT_EQ(s->link_ids, (std::vector<std::string>{"dlg-1", "dlg-2", "dlg-3"}));
  EXPECT_EQ(s->not_before, at("2026-11-20T00:00:00Z"));
  EXPECT_EQ(s->expires_at, at("2026-12-01T00:00:00Z"));
  const nlohmann::json j = to_json(*s);
  EXPECT_EQ(j["links"].size(), 3u);
  EXPECT_EQ(j["expires_at"], "2026-12-01T00:00:00Z");
}

struct ChainCase {
  const char* name;
  std::function<void(std::vector<Delegation>&, std::string& identity, std::string& scope, TimePoint& now)> mutate;
  std::string message;  // exact
};

TEST(PolicyDelegation, RefusedChains) {
  using V = std::vector<Delegation>;
  const std::vector<ChainCase> cases = {
      {"empty", [](V& c, auto&, auto&, auto&) { c.clear(); }, "delegation chain: no delegation"},
      {"expired-link", [](V&, auto&, auto&, TimePoint& now) { now = at("2026-12-01T00:00:00Z"); },
       "delegation chain: link 3 (dlg-3): expired at 2026-12-01T00:00:00Z"},
      {"root-expires-at-now", [](V& c, auto&, auto&, auto&) { c[0].expires_at = at("2026-11-25T10:00:00Z"); },
       "delegation chain: link 1 (dlg-1): expired at 2026-11-25T10:00:00Z"},
      {"inverted-validity", [](V& c, auto&, auto&, auto&) { c[1].not_before = c[1].expires_at; },
       "delegation chain: link 2 (dlg-2): not_before must be earlier than expires_at"},
      {"not-yet-valid", [](V& c, auto&, auto&, auto&) { c[2].not_before = at("2026-11-25T10:00:01Z"); },
       "delegation chain: link 3 (dlg-3): not valid before 2026-11-25T10:00:01Z"},
      {"revoked-link", [](V& c, auto&, auto&, auto&) { c[1].revoked_at = at("2026-11-25T10:00:00Z"); },
       "delegation chain: link 2 (dlg-2): revoked at 2026-11-25T10:00:00Z"},
      {"widened-scope", [](V& c, auto&, auto&, auto&) { c[2].scopes = {"contract", "purchase-order"}; },
       "delegation chain: link 3 (dlg-3): scope \"purchase-order\" widens link 2 (dlg-2), which grants only [contract,nda]"},
      {"longer-expiry", [](V& c, auto&, auto&, auto&) { c[2].expires_at = at("2026-12-15T00:00:01Z"); },
       "delegation chain: link 3 (dlg-3): expires_at 2026-12-15T00:00:01Z is later than link 2 (dlg-2)'s 2026-12-15T00:00:00Z"},
      {"wrong-delegate", [](V& c, auto&, auto&, auto&) { c[2].delegator = "identity:po-agent"; },
       "delegation chain: link 3 (dlg-3): delegator identity:po-agent is not link 2 (dlg-2)'s delegate identity:contract-drafter"},
      {"wrong-parent-id", [](V& c, auto&, auto&, auto&) { c[2].parent_id = "dlg-1"; },
       "delegation chain: link 3 (dlg-3): parent_id does not name link 2 (dlg-2)"},
      {"identity-mismatch", [](V&, std::string& identity, auto&, auto&) { identity = "po-agent"; },
       "delegation chain: link 3 (dlg-3): delegates to clause-bot, not to po-agent"},
      {"needed-scope-missing", [](V&, auto&, std::string& scope, auto&) { scope = "nda"; },
       "delegation chain: link 3 (dlg-3): does not grant scope \"nda\" (grants [contract])"},
      {"root-is-identity", [](V& c, auto&, auto&, auto&) { c[0].delegator = "identity:ops-bot"; },
       "delegation chain: link 1 (dlg-1): the root delegator must be a person or an organisation, not identity:ops-bot"},
      {"root-has-parent", [](V& c, auto&, auto&, auto&) { c[0].parent_id = "dlg-0"; },
       "delegation chain: link 1 (dlg-1): the root grant has a parent_id"},
      {"duplicate-id", [](V& c, auto&, auto&, auto&) { c[2].id = "dlg-1"; c[2].parent_id = "dlg-2"; },
       "delegation chain: link 3 (dlg-1): the same id as link 1 (dlg-1)"},
      {"self-delegation", [](V& c, auto&, auto&, auto&) { c[1].delegate = "cfo-assistant"; },
       "delegation chain: link 2 (dlg-2): an identity cannot delegate to itself"},
      {"no-scopes", [](V& c, auto&, auto&, auto&) { c[2].scopes.clear(); },
       "delegation chain: link 3 (dlg-3): a delegation needs at least one scope"},
      {"bad-delegator-form", [](V& c, auto&, auto&, auto&) { c[0].delegator = "cfo@acme.example"; },
       "delegation chain: link 1 (dlg-1): delegator must be \"person:NAME\", \"organisation:ID\" or \"identity:NAME\""},
      {"too-long", [](V& c, auto&, auto&, auto&) {
         for (int i = 3; i < 9; ++i) {
           const Delegation& prev = c.back();
           c.push_back(Delegation{"dlg-" + std::to_string(i + 1), "identity:" + prev.delegate, "bot-" + std::to_string(i),
                                  {"contract"}, prev.not_before, prev.expires_at, std::nullopt, prev.id});
         }
       },
       "delegation chain: 9 links, more than 8"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto chain = chain_of_three();
    std::string identity = "clause-bot";
    std::string scope = "contract";
    TimePoint now = kNow;
    c.mutate(chain, identity, scope, now);
    auto s = verify_chain(chain, identity, scope, now);
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, ErrorCode::denied);
    EXPECT_EQ(s.error().message, c.message);
  }
}

TEST(PolicyDelegation, ChainOfEightIsTheLimit) {
  auto chain = chain_of_three();
  for (int i = 3; i < 8; ++i) {
    const Delegation& prev = chain.back();
    chain.push_back(Delegation{"dlg-" + std::to_string(i + 1), "identity:" + prev.delegate, "bot-" + std::to_string(i),
                               {"contract"}, prev.not_before, prev.expires_at, std::nullopt, prev.id});
  }
  ASSERT_EQ(chain.size(), kMaxDelegationChain);
  auto s = verify_chain(chain, "bot-7", "contract", kNow);
  EXPECT_TRUE(s.has_value()) << s.error().message;
}

TEST(PolicyDelegation, RevocationInTheFutureIsNotYetEffective) {
  auto chain = chain_of_three();
  chain[0].revoked_at = kNow + std::chrono::seconds(1);
  EXPECT_TRUE(verify_chain(chain, "clause-bot", "contract", kNow).has_value());
  EXPECT_FALSE(verify_chain(chain, "clause-bot", "contract", kNow + std::chrono::seconds(1)).has_value());
}

TEST(PolicyDelegation, ValidateGrant) {
  const auto base = chain_of_three();
  EXPECT_TRUE(validate_grant(base[0], nullptr, kNow).has_value());
  EXPECT_TRUE(validate_grant(base[1], &base[0], kNow).has_value());
  EXPECT_TRUE(validate_grant(base[2], &base[1], kNow).has_value());
  struct Case {
    const char* name;
    std::function<void(Delegation& link, Delegation& parent)> mutate;
    bool root;  // validate without a parent
    ErrorCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"widened-scope", [](Delegation& l, Delegation&) { l.scopes.insert("payment"); }, false, ErrorCode::denied,
       "new delegation: scope \"payment\" widens parent dlg-1, which grants only [contract,nda,purchase-order]"},
      {"longer-expiry", [](Delegation& l, Delegation&) { l.expires_at = at("2027-01-01T00:00:00Z"); }, false,
       ErrorCode::denied, "new delegation: expires_at 2027-01-01T00:00:00Z is later than parent dlg-1's 2026-12-31T23:00:00Z"},
      {"parent-revoked", [](Delegation&, Delegation& p) { p.revoked_at = at("2026-11-24T00:00:00Z"); }, false,
       ErrorCode::denied, "parent dlg-1 is revoked at 2026-11-24T00:00:00Z"},
      {"parent-not-yet-valid", [](Delegation&, Delegation& p) { p.not_before = at("2026-11-25T11:00:00Z"); }, false,
       ErrorCode::denied, "parent dlg-1 is not valid before 2026-11-25T11:00:00Z"},
      {"wrong-delegator", [](Delegation& l, Delegation&) { l.delegator = "identity:po-agent"; }, false, ErrorCode::denied,
       "new delegation: delegator identity:po-agent is not parent dlg-1's delegate identity:cfo-assistant"},
      {"root-by-identity", [](Delegation& l, Delegation&) { l.parent_id.reset(); }, true, ErrorCode::denied,
       "only a person or an organisation can grant a root delegation; a re-delegation needs the delegation it narrows"},
      {"already-expired", [](Delegation& l, Delegation&) { l.expires_at = kNow; l.not_before = kNow - std::chrono::hours(1); },
       false, ErrorCode::invalid_input, "expires_at must be in the future"},
      {"already-revoked", [](Delegation& l, Delegation&) { l.revoked_at = kNow; }, false, ErrorCode::invalid_input,
       "a new delegation cannot be revoked already"},
      {"bad-scope-name", [](Delegation& l, Delegation&) { l.scopes = {"Contract"}; }, false, ErrorCode::invalid_input,
       "scope names are [a-z0-9][a-z0-9._-]{0,63}"},
      {"bad-delegate", [](Delegation& l, Delegation&) { l.delegate = "two words"; }, false, ErrorCode::invalid_input,
       "delegate must be an identity name (letters, digits, '-', '_', '.')"},
      {"empty-id", [](Delegation& l, Delegation&) { l.id.clear(); }, false, ErrorCode::invalid_input,
       "delegation id must be 1..128 printable characters"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Delegation parent = base[0];
    Delegation link = base[1];
    c.mutate(link, parent);
    auto r = validate_grant(link, c.root ? nullptr : &parent, kNow);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, c.code);
    EXPECT_EQ(r.error().message, c.message);
  }
}

TEST(PolicyDelegation, PrincipalAndNameForms) {
  EXPECT_TRUE(is_principal("person:cfo@acme.example", false));
  EXPECT_TRUE(is_principal("organisation:VATNL-123456789B01", false));
  EXPECT_FALSE(is_principal("identity:po-agent", false));
  EXPECT_TRUE(is_principal("identity:po-agent", true));
  for (const char* bad : {"person:", "person: cfo", "cfo@acme.example", "Person:cfo", "identity:two words", "org:x"}) {
    EXPECT_FALSE(is_principal(bad, true)) << bad;
  }
  EXPECT_TRUE(is_identity_name("po-agent"));
  EXPECT_TRUE(is_identity_name("CI_release.2"));
  EXPECT_FALSE(is_identity_name(std::string(65, 'a')));
  EXPECT_FALSE(is_identity_name(""));
  EXPECT_TRUE(is_identifier("purchase-order"));
  EXPECT_FALSE(is_identifier("-order"));
  EXPECT_FALSE(is_identifier("Order"));
}

TEST(PolicyDelegation, HostileLinksDoNotBreakMessagesOrJson) {
  auto chain = chain_of_three();
  chain[1].id = std::string("dlg\xff\n", 5);
  auto s = verify_chain(chain, std::string("\xfe", 1), "contract", kNow);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message, "delegation chain: link 2 (dlg?\?): delegation id must be 1..128 printable characters");
  EXPECT_NO_THROW((void)to_json(chain[1]).dump());
}

}  // namespace
}  // namespace qualsig::policy
