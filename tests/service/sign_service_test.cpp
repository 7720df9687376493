// The sign-request flow in service/: a SAD is consumed exactly once (sequentially and from 16
// threads), is bound to its document and expiry, and a credential revoked after activation
// cannot sign. Signatures are checked with `openssl cms -verify`.
#include "service/sign_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <fstream>
#include <thread>

#include "core/digest.h"
#include "core/fs.h"
#include "pki/crl.h"
#include "service/cert_service.h"
#include "service/delegation_service.h"
#include "service/identity_service.h"
#include "service/init.h"
#include "service/people_service.h"
#include "service/status.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

namespace qualsig::service {
namespace {

// A SignInput with the digest alone (CAdES detached needs no content).
SignInput digest_only(Bytes digest) {
  SignInput in;
  in.digest = std::move(digest);
  return in;
}

using namespace std::chrono_literals;
using qualsig::testing::TempDir;

const TimePoint kNow = *parse_rfc3339("2026-11-25T12:00:00Z");

constexpr const char* kPolicy = R"({"schema": "qualsig-policy/1", "name": "t", "version": 1,
  "document_types": ["invoice"], "activation": {"sad_valid_for": "5m"}})";

struct Fixture {
  TempDir tmp;
  std::unique_ptr<TrustService> svc;
  std::string serial;

  Fixture() {
    InitOptions o;
    o.data_dir = tmp.path() / "d";
    o.now = kNow;
    EXPECT_TRUE(initialize(o));
    svc = std::move(*TrustService::open(o.data_dir));
    EXPECT_TRUE(register_identity(*svc, {"invoice-bot", "service-account", "Finance Lead", "test", std::nullopt}, "test", kNow));
    ProofRequest p;
    p.identity = "invoice-bot";
    p.by = "alice";
    EXPECT_TRUE(proof_identity(*svc, p, "test", kNow));
    EXPECT_TRUE(confirm_identity(*svc, "invoice-bot", "bob", kNow));
    auto c = issue_certificate(*svc, IssueRequest{"invoice-bot", std::nullopt}, "test", kNow);
    EXPECT_TRUE(c);
    serial = c->serial_hex;
    EXPECT_TRUE(set_policy(*svc, {"invoice-bot"}, kPolicy, "test", kNow));
  }

  SignRequestInput input(const std::string& content, bool detached = true) {
    SignRequestInput in;
    in.identity = "invoice-bot";
    in.document_type = "invoice";
    in.document = {"doc.txt", core::DigestAlgorithm::sha256, core::sha256(as_bytes(content)), static_cast<std::int64_t>(content.size())};
    in.detached = detached;
    in.requester = "operator:test";
    return in;
  }

  // An allowed request and its SAD.
  std::pair<store::SignRequestRecord, Activation> activated(const std::string& content, TimePoint at = kNow) {
    auto r = submit_sign_request(*svc, input(content), at);
    EXPECT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->request.status, "allowed") << r->decision.dump();
    auto a = authorize_signature(*svc, r->request.id, std::nullopt, at);
    EXPECT_TRUE(a) << a.error().message;
    return {r->request, std::move(*a)};
  }
};

Bytes as_doc(const std::string& s) { return Bytes(s.begin(), s.end()); }

TEST(SignService, SadIsUsedOnceSequentially) {
  Fixture f;
  auto [req, act] = f.activated("invoice 1");
  auto first = sign_with_sad(*f.svc, act.sad, digest_only(core::sha256(as_doc("invoice 1"))), kNow);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->signature.request_id, req.id);
  auto replay = sign_with_sad(*f.svc, act.sad, digest_only(core::sha256(as_doc("invoice 1"))), kNow);
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, ErrorCode::conflict);
  EXPECT_NE(replay.error().message.find("already used"), std::string::npos);
  EXPECT_EQ(f.svc->store().sign_request(req.id)->status, "signed");

  // The signature verifies with openssl against our root.
  TempDir out;
  ASSERT_TRUE(core::write_file_atomic(out.path() / "doc.txt", "invoice 1"));
  auto& sig = first->signature.signature;
  ASSERT_TRUE(core::write_file_atomic(out.path() / "sig.p7s", std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size())));
  ASSERT_TRUE(export_ca(*f.svc, out.path() / "ca"));
  auto v = qualsig::testing::run("openssl cms -verify -binary -inform DER -purpose any -in " + (out.path() / "sig.p7s").string() +
                                 " -content " + (out.path() / "doc.txt").string() + " -CAfile " + (out.path() / "ca/root.pem").string() +
                                 " -out /dev/null");
  EXPECT_EQ(v.status, 0) << v.output;
}

TEST(SignService, SadReplayedFrom16ThreadsSignsExactlyOnce) {
  Fixture f;
  for (int round = 0; round < 3; ++round) {
    std::string doc = "invoice " + std::to_string(round);
    auto [req, act] = f.activated(doc);
    std::atomic<int> ok{0}, used{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t)
      threads.emplace_back([&, sad = act.sad] {
        auto r = sign_with_sad(*f.svc, sad, digest_only(core::sha256(as_doc(doc))), kNow);
        if (r) ++ok;
        else if (r.error().code == ErrorCode::conflict) ++used;
        else ++other;
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 1) << "round " << round;
    EXPECT_EQ(used.load(), 15) << "round " << round;
    EXPECT_EQ(other.load(), 0);
  }
}

TEST(SignService, SadIsBoundToTheDocumentAndExpires) {
  Fixture f;
  auto [req, act] = f.activated("the approved text");
  auto wrong = sign_with_sad(*f.svc, act.sad, digest_only(core::sha256(as_doc("another text"))), kNow);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::invalid_input);
  // A SAD used with the wrong document is spent (fail closed): the right one cannot reuse it.
  EXPECT_FALSE(sign_with_sad(*f.svc, act.sad, digest_only(core::sha256(as_doc("the approved text"))), kNow));

  auto [req2, act2] = f.activated("late");
  auto late = sign_with_sad(*f.svc, act2.sad, digest_only(core::sha256(as_doc("late"))), kNow + 5min);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::denied);
  EXPECT_NE(late.error().message.find("expired"), std::string::npos);

  auto unknown = sign_with_sad(*f.svc, Secret(std::string("qsa_forged")), digest_only(core::sha256(as_doc("late"))), kNow);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
}

TEST(SignService, RevocationAfterActivationStopsTheSignature) {
  Fixture f;
  auto [req, act] = f.activated("doc");
  ASSERT_TRUE(revoke_certificate(*f.svc, f.serial, pki::RevocationReason::key_compromise, std::nullopt, "test", kNow));
  auto r = sign_with_sad(*f.svc, act.sad, digest_only(core::sha256(as_doc("doc"))), kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::denied);
  EXPECT_NE(r.error().message.find("revoked (keyCompromise)"), std::string::npos) << r.error().message;
}

TEST(SignService, EventsAreLoggedInOrderBeforeTheSignatureIsReturned) {
  Fixture f;
  auto [req, act] = f.activated("ordered");
  auto r = sign_with_sad(*f.svc, act.sad, digest_only(core::sha256(as_doc("ordered"))), kNow);
  ASSERT_TRUE(r) << r.error().message;
  std::vector<std::string> events;
  ASSERT_TRUE(f.svc->store().for_each_log_row(0, [&](const store::LogRow& row) {
    auto j = nlohmann::json::parse(row.entry);
    if (j.contains("details") && j["details"].is_object() &&
        (j["details"].value("request", "") == req.id))
      events.push_back(j["event"].get<std::string>());
    return true;
  }));
  EXPECT_EQ(events, (std::vector<std::string>{"policy.decided", "sad.issued", "sad.consumed", "signature.produced"}));
  auto row = f.svc->store().log_row(r->log_seq);
  ASSERT_TRUE(row);
  EXPECT_NE(row->entry.find(r->signature.signature_hash), std::string::npos);
  // The two entries and the signature's record were one commit: adjacent, and stored.
  auto consumed = f.svc->store().log_row(r->log_seq - 1);
  ASSERT_TRUE(consumed);
  EXPECT_NE(consumed->entry.find("\"sad.consumed\""), std::string::npos);
  EXPECT_EQ(f.svc->store().signature(r->signature.id)->signature, r->signature.signature);
  EXPECT_EQ(f.svc->store().sign_request(req.id)->status, "signed");
}

// A signature that cannot be made once the SAD is consumed (here: PAdES over bytes that are not a
// PDF): the log says the SAD was consumed, and nothing says or stores a signature.
TEST(SignService, ASignatureThatFailsAfterConsumptionLeavesTheConsumptionLoggedAndNoSignature) {
  Fixture f;
  auto in = f.input("not a pdf", false);
  in.format = "pades";
  auto sub = submit_sign_request(*f.svc, in, kNow);
  ASSERT_TRUE(sub) << sub.error().message;
  auto act = authorize_signature(*f.svc, sub->request.id, std::nullopt, kNow);
  ASSERT_TRUE(act) << act.error().message;
  Bytes doc = as_doc("not a pdf");
  SignInput sign = digest_only(core::sha256(doc));
  sign.content = ByteView(doc);
  auto r = sign_with_sad(*f.svc, act->sad, sign, kNow);
  ASSERT_FALSE(r);
  std::vector<std::string> events;
  ASSERT_TRUE(f.svc->store().for_each_log_row(0, [&](const store::LogRow& row) {
    auto j = nlohmann::json::parse(row.entry);
    if (j["details"].is_object() && j["details"].value("request", "") == sub->request.id)
      events.push_back(j["event"].get<std::string>());
    return true;
  }));
  EXPECT_EQ(events, (std::vector<std::string>{"policy.decided", "sad.issued", "sad.consumed"}));
  EXPECT_EQ(f.svc->store().sign_request(sub->request.id)->status, "allowed");
  EXPECT_EQ(*f.svc->store().count_signatures(f.svc->store().identity("invoice-bot")->id, kNow - std::chrono::hours(1), 10), 0);
}

TEST(SignService, EnvelopingNeedsTheMatchingContent) {
  Fixture f;
  auto sub = submit_sign_request(*f.svc, f.input("enveloped", false), kNow);
  ASSERT_TRUE(sub);
  auto act = authorize_signature(*f.svc, sub->request.id, std::nullopt, kNow);
  ASSERT_TRUE(act);
  auto bad = sign_with_sad(*f.svc, act->sad, {core::sha256(as_doc("enveloped")), as_doc("different")}, kNow);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_input);
}

TEST(SignService, BadRequestsAreRefusedBeforeAnythingIsLogged) {
  Fixture f;
  auto size_before = (*f.svc->audit_log())->size();
  auto in = f.input("x");
  in.document.value.pop_back();
  EXPECT_EQ(submit_sign_request(*f.svc, in, kNow).error().code, ErrorCode::invalid_input);
  in = f.input("x");
  in.document_type = "Invoice!";
  EXPECT_EQ(submit_sign_request(*f.svc, in, kNow).error().code, ErrorCode::invalid_input);
  in = f.input("x");
  in.attributes["amount"] = std::string("1\n2");
  EXPECT_EQ(submit_sign_request(*f.svc, in, kNow).error().code, ErrorCode::invalid_input);
  in = f.input("x");
  in.identity = "nobody";
  EXPECT_EQ(submit_sign_request(*f.svc, in, kNow).error().code, ErrorCode::not_found);
  EXPECT_EQ((*f.svc->audit_log())->size(), size_before);
}

}  // namespace
}  // namespace qualsig::service

namespace qualsig::service {
namespace {

// Each reason an identity cannot sign is named in the refusal.
TEST(SignService, RefusalsNameWhyTheIdentityCannotSign) {
  struct Case {
    const char* name;
    std::function<void(Fixture&)> setup;
    TimePoint at;
    const char* expected;
  };
  const Case cases[] = {
      {"certificate-suspended", [](Fixture& f) { ASSERT_TRUE(suspend_certificate(*f.svc, f.serial, "test", kNow)); }, kNow,
       "is suspended (certificateHold)"},
      {"certificate-expired", [](Fixture&) {}, kNow + std::chrono::days(400), "expired at"},
      {"certificate-revoked",
       [](Fixture& f) {
         ASSERT_TRUE(revoke_certificate(*f.svc, f.serial, pki::RevocationReason::superseded, std::nullopt, "test", kNow));
       },
       kNow, "is revoked (superseded)"},
      {"identity-suspended", [](Fixture& f) { ASSERT_TRUE(suspend_identity(*f.svc, "invoice-bot", "test", kNow)); }, kNow,
       "is suspended and cannot sign"},
      {"identity-offboarded", [](Fixture& f) { ASSERT_TRUE(offboard_identity(*f.svc, "invoice-bot", "test", kNow)); }, kNow,
       "is offboarded and cannot sign"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Fixture f;
    c.setup(f);
    auto r = submit_sign_request(*f.svc, f.input("doc"), c.at);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::denied);
    EXPECT_NE(r.error().message.find(c.expected), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace qualsig::service

namespace qualsig::service {
namespace {

// The delegation is checked again when the signature is made: revoked after activation, it
// stops the signature.
TEST(SignService, DelegationRevokedAfterActivationStopsTheSignature) {
  Fixture f;
  ASSERT_TRUE(add_person(*f.svc, "cfo", {}, "test", kNow));
  auto dlg = grant_delegation(*f.svc, {"person:cfo", "invoice-bot", {"invoice"}, std::nullopt, kNow + std::chrono::days(30), std::nullopt},
                              "person:cfo", kNow);
  ASSERT_TRUE(dlg) << dlg.error().message;
  ASSERT_TRUE(set_policy(*f.svc, {"invoice-bot"}, R"({"schema": "qualsig-policy/1", "name": "d", "version": 1,
    "document_types": ["invoice"], "delegation": {"required": true, "from": ["person:cfo"], "scope": "invoice"}})",
                         "test", kNow));
  auto [req, act] = f.activated("under delegation");
  ASSERT_TRUE(revoke_delegation(*f.svc, dlg->id, "test", kNow));
  auto r = sign_with_sad(*f.svc, act.sad, digest_only(core::sha256(as_doc("under delegation"))), kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::denied);
  EXPECT_NE(r.error().message.find("delegation no longer holds"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace qualsig::service
