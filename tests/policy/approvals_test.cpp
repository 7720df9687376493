// Approval quorums: who may approve, for which document, for how long; one reject rejects.

#include "policy/approvals.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy_fixtures.h"

namespace qualsig::policy {
namespace {

using testing::at;

const std::string kHash = "sha256:" + std::string(64, 'a');
const std::string kOtherHash = "sha256:" + std::string(63, 'a') + "b";

ApprovalRequirement requirement() {
  ApprovalRequirement r;
  r.group = "finance-approvers";
  r.required = 2;
  r.valid_for = std::chrono::hours(72);
  r.currency = "EUR";
  r.above = *Amount::parse("10000.00");
  return r;
}

ApprovalContext context() {
  return ApprovalContext{"person:requester@acme.example", kHash, at("2026-11-25T09:00:00Z"), at("2026-11-25T12:00:00Z")};
}

ApprovalVote vote(const std::string& who, VoteChoice choice = VoteChoice::approve) {
  return ApprovalVote{who, PrincipalKind::person, {"staff", "finance-approvers"}, choice, kHash, at("2026-11-25T10:00:00Z")};
}

struct TallyCase {
  const char* name;
  std::vector<ApprovalVote> votes;
  ApprovalStatus status;
  std::int64_t approvals;
  std::vector<const char*> reasons;  // part of each vote's reason, in order
};

TEST(PolicyApprovals, TallyTable) {
  auto by_requester = vote("person:requester@acme.example");
  auto by_requester_other_spelling = vote("Requester@ACME.example");
  auto by_bot = vote("identity:invoice-bot");
  by_bot.approver_kind = PrincipalKind::non_human;
  auto outsider = vote("carol@acme.example");
  outsider.approver_groups = {"staff"};
  auto other_doc = vote("carol@acme.example");
  other_doc.document_hash = kOtherHash;
  auto malformed_doc = vote("carol@acme.example");
  malformed_doc.document_hash = "sha256:zz";
  auto before_request = vote("carol@acme.example");
  before_request.time = at("2026-11-25T08:59:59Z");
  auto future = vote("carol@acme.example");
  future.time = at("2026-11-25T12:00:01Z");
  auto upper_hash = vote("carol@acme.example");
  upper_hash.document_hash = "sha256:" + std::string(64, 'A');

  const std::vector<TallyCase> cases = {
      {"two-of-m-satisfied", {vote("alice@acme.example"), vote("bob@acme.example")}, ApprovalStatus::satisfied, 2,
       {"approval by a member", "approval by a member"}},
      {"one-is-pending", {vote("alice@acme.example")}, ApprovalStatus::pending, 1, {"approval by"}},
      {"no-votes-pending", {}, ApprovalStatus::pending, 0, {}},
      {"requester-not-counted", {vote("alice@acme.example"), by_requester}, ApprovalStatus::pending, 1,
       {"approval by", "the requester cannot"}},
      {"requester-other-spelling-not-counted", {vote("alice@acme.example"), by_requester_other_spelling},
       ApprovalStatus::pending, 1, {"approval by", "the requester cannot"}},
      {"non-human-not-counted", {vote("alice@acme.example"), by_bot}, ApprovalStatus::pending, 1,
       {"approval by", "a non-human identity cannot"}},
      {"outside-group-not-counted", {vote("alice@acme.example"), outsider}, ApprovalStatus::pending, 1,
       {"approval by", "not a member of group finance-approvers"}},
      {"other-document-not-counted", {vote("alice@acme.example"), other_doc}, ApprovalStatus::pending, 1,
       {"approval by", "cast for document sha256:aaaa"}},
      {"malformed-hash-not-counted", {vote("alice@acme.example"), malformed_doc}, ApprovalStatus::pending, 1,
       {"approval by", "cast for document sha256:zz"}},
      {"hash-in-upper-case-counts", {vote("alice@acme.example"), upper_hash}, ApprovalStatus::satisfied, 2,
       {"approval by", "approval by"}},
      {"before-request-not-counted", {vote("alice@acme.example"), before_request}, ApprovalStatus::pending, 1,
       {"approval by", "before the request was created"}},
      {"future-not-counted", {vote("alice@acme.example"), future}, ApprovalStatus::pending, 1,
       {"approval by", "after now"}},
      {"duplicate-approver-counted-once", {vote("alice@acme.example"), vote("person:ALICE@acme.example")},
       ApprovalStatus::pending, 1, {"approval by", "counts once"}},
      {"one-reject-rejects", {vote("alice@acme.example"), vote("bob@acme.example"), vote("dave@acme.example", VoteChoice::reject)},
       ApprovalStatus::rejected, 2, {"approval by", "approval by", "rejection by"}},
      {"approve-then-reject-by-same-person", {vote("alice@acme.example"), vote("alice@acme.example", VoteChoice::reject)},
       ApprovalStatus::rejected, 1, {"approval by", "rejection by"}},
      {"reject-by-requester-ignored", {vote("alice@acme.example"), vote("bob@acme.example"),
                                        [&] { auto v = by_requester; v.decision = VoteChoice::reject; return v; }()},
       ApprovalStatus::satisfied, 2, {"approval by", "approval by", "the requester cannot"}},
      {"reject-by-outsider-ignored", {[&] { auto v = outsider; v.decision = VoteChoice::reject; return v; }()},
       ApprovalStatus::pending, 0, {"not a member"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto t = check_approvals(requirement(), c.votes, context());
    ASSERT_TRUE(t.has_value()) << t.error().message;
    EXPECT_EQ(approval_status_name(t->status), std::string(approval_status_name(c.status))) << t->reason;
    EXPECT_EQ(t->approvals, c.approvals);
    EXPECT_EQ(t->required, 2);
    ASSERT_EQ(t->votes.size(), c.votes.size());
    ASSERT_EQ(c.reasons.size(), c.votes.size());
    for (std::size_t i = 0; i < c.votes.size(); ++i) {
      EXPECT_NE(t->votes[i].reason.find(c.reasons[i]), std::string::npos) << i << ": " << t->votes[i].reason;
      EXPECT_EQ(t->votes[i].index, i);
    }
    EXPECT_NO_THROW((void)to_json(*t).dump());
  }
}

TEST(PolicyApprovals, ApprovalsExpireRejectionsDoNot) {
  ApprovalRequirement req = requirement();
  ApprovalContext ctx = context();
  ctx.request_created = at("2026-11-20T00:00:00Z");
  ctx.now = at("2026-11-25T12:00:00Z");
  auto fresh = vote("alice@acme.example");
  fresh.time = ctx.now - std::chrono::hours(72) + std::chrono::seconds(1);  // one second left
  auto stale = vote("bob@acme.example");
  stale.time = ctx.now - std::chrono::hours(72);  // valid_for has just run out
  auto t = check_approvals(req, {fresh, stale}, ctx);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status, ApprovalStatus::pending);
  EXPECT_TRUE(t->votes[0].counted);
  EXPECT_FALSE(t->votes[1].counted);
  EXPECT_NE(t->votes[1].reason.find("expired: cast at 2026-11-22T12:00:00Z, valid for 3d"), std::string::npos)
      << t->votes[1].reason;
  auto old_reject = vote("bob@acme.example", VoteChoice::reject);
  old_reject.time = at("2026-11-20T00:00:00Z");
  t = check_approvals(req, {fresh, old_reject}, ctx);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status, ApprovalStatus::rejected);
}

TEST(PolicyApprovals, VoteAdmissibleRefusesUpFront) {
  struct Case { const char* name; ApprovalVote vote; ErrorCode code; const char* message; };
  auto nh = vote("identity:invoice-bot");
  nh.approver_kind = PrincipalKind::non_human;
  auto outsider = vote("carol@acme.example");
  outsider.approver_groups = {};
  auto other = vote("carol@acme.example");
  other.document_hash = kOtherHash;
  auto bad_hash = vote("carol@acme.example");
  bad_hash.document_hash = "md5:" + std::string(32, 'a');
  auto nobody = vote("");
  auto binary_name = vote(std::string("eve\xff", 4));
  const std::vector<Case> cases = {
      {"requester", vote("person:requester@acme.example"), ErrorCode::denied,
       "approval refused: the requester cannot approve or reject its own request"},
      {"non-human", nh, ErrorCode::denied, "approval refused: a non-human identity cannot approve or reject"},
      {"not-in-group", outsider, ErrorCode::denied, "approval refused: not a member of group finance-approvers"},
      {"other-document", other, ErrorCode::denied, nullptr},
      {"malformed-hash", bad_hash, ErrorCode::invalid_input, "approval: the document hash is not \"<alg>:<hex>\""},
      {"no-approver", nobody, ErrorCode::invalid_input, nullptr},
      {"binary-approver", binary_name, ErrorCode::invalid_input, nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = vote_admissible(requirement(), c.vote, context());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, c.code);
    if (c.message != nullptr) {
      EXPECT_EQ(r.error().message, c.message);
    }
  }
  auto other_result = vote_admissible(requirement(), other, context());
  EXPECT_EQ(other_result.error().message, "approval refused: cast for document " + kOtherHash +
                                              ", not for this request's " + kHash);
  EXPECT_TRUE(vote_admissible(requirement(), vote("alice@acme.example"), context()).has_value());
  EXPECT_TRUE(vote_admissible(requirement(), vote("alice@acme.example", VoteChoice::reject), context()).has_value());
}

TEST(PolicyApprovals, MalformedContextFails) {
  ApprovalContext ctx = context();
  ctx.document_hash = "sha256:abc";
  EXPECT_EQ(check_approvals(requirement(), {}, ctx).error().code, ErrorCode::invalid_input);
  ctx = context();
  ctx.requester = "";
  EXPECT_EQ(check_approvals(requirement(), {}, ctx).error().code, ErrorCode::invalid_input);
  ctx = context();
  ctx.request_created = ctx.now + std::chrono::seconds(1);
  EXPECT_EQ(check_approvals(requirement(), {}, ctx).error().code, ErrorCode::invalid_input);
  ApprovalRequirement zero = requirement();
  zero.required = 0;
  EXPECT_EQ(check_approvals(zero, {}, context()).error().code, ErrorCode::invalid_input);
}

TEST(PolicyApprovals, DocumentHashForms) {
  EXPECT_TRUE(is_document_hash(kHash));
  EXPECT_TRUE(is_document_hash("sha384:" + std::string(96, '0')));
  EXPECT_TRUE(is_document_hash("sha512:" + std::string(128, 'F')));
  for (const std::string& bad : {std::string("sha256:") + std::string(63, 'a'), std::string("sha384:") + std::string(64, 'a'),
                                std::string("SHA256:") + std::string(64, 'a'), std::string(64, 'a'),
                                std::string("sha256:") + std::string(63, 'a') + "g", std::string("sha1:") + std::string(40, 'a')}) {
    EXPECT_FALSE(is_document_hash(bad)) << bad;
  }
}

TEST(PolicyApprovals, JsonShape) {
  auto t = check_approvals(requirement(), {vote("alice@acme.example"), vote("alice@acme.example")}, context());
  ASSERT_TRUE(t.has_value());
  const nlohmann::json j = to_json(*t);
  EXPECT_EQ(j["status"], "pending");
  EXPECT_EQ(j["approvals"], 1);
  EXPECT_EQ(j["required"], 2);
  ASSERT_EQ(j["votes"].size(), 2u);
  EXPECT_EQ(j["votes"][1]["counted"], false);
  EXPECT_EQ(j["votes"][1]["decision"], "approve");
  const nlohmann::json r = to_json(requirement());
  EXPECT_EQ(r["group"], "finance-approvers");
  EXPECT_EQ(r["valid_for"], "3d");
  EXPECT_EQ(r["above"]["amount"], "10000.00");
}

}  // namespace
}  // namespace qualsig::policy
