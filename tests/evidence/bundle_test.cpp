// Export of a real signature's bundle, its JSON form and strict parsing of hostile bundles.
#include "evidence/bundle.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/digest.h"
#include "core/fs.h"
#include "service/cert_service.h"
#include "service/evidence_service.h"
#include "service/identity_service.h"
#include "service/init.h"
#include "service/sign_service.h"
#include "support/temp_dir.h"

namespace qualsig::evidence {
namespace {

using qualsig::testing::TempDir;
const TimePoint kNow = *parse_rfc3339("2026-11-25T12:00:00Z");

struct Signed {
  TempDir tmp;
  std::unique_ptr<service::TrustService> svc;
  std::string signature_id;
  std::filesystem::path document;

  Signed() {
    service::InitOptions o;
    o.data_dir = tmp.path() / "d";
    o.now = kNow;
    EXPECT_TRUE(service::initialize(o));
    svc = std::move(*service::TrustService::open(o.data_dir));
    EXPECT_TRUE(service::register_identity(*svc, {"invoice-bot", "service-account", "Finance Lead", "t", std::nullopt}, "t", kNow));
    service::ProofRequest p;
    p.identity = "invoice-bot";
    p.by = "alice";
    EXPECT_TRUE(service::proof_identity(*svc, p, "t", kNow));
    EXPECT_TRUE(service::confirm_identity(*svc, "invoice-bot", "bob", kNow));
    EXPECT_TRUE(service::issue_certificate(*svc, {"invoice-bot", std::nullopt}, "t", kNow));
    EXPECT_TRUE(service::set_policy(*svc, {"invoice-bot"},
                                    R"({"schema": "qualsig-policy/1", "name": "t", "version": 1, "document_types": ["invoice"]})",
                                    "t", kNow));
    document = tmp.path() / "invoice.txt";
    std::string content = "INVOICE 42\n";
    EXPECT_TRUE(core::write_file_atomic(document, content));
    service::SignRequestInput in;
    in.identity = "invoice-bot";
    in.document_type = "invoice";
    in.document = {"invoice.txt", core::DigestAlgorithm::sha256, core::sha256(as_bytes(content)), 11};
    in.detached = true;
    in.level = "B-LT";
    in.requester = "operator:t";
    auto sub = service::submit_sign_request(*svc, in, kNow);
    EXPECT_TRUE(sub);
    auto act = service::authorize_signature(*svc, sub->request.id, std::nullopt, kNow);
    EXPECT_TRUE(act);
    auto sig = service::sign_with_sad(*svc, act->sad, {in.document.value, std::nullopt}, kNow);
    EXPECT_TRUE(sig) << sig.error().message;
    signature_id = sig->signature.id;
  }
};

TEST(EvidenceBundle, ExportRoundTripsThroughJson) {
  Signed s;
  auto b = service::export_bundle(*s.svc, s.signature_id, {s.document, false}, kNow);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_TRUE(b->document.has_value());
  EXPECT_EQ(b->chain.size(), 2u);
  EXPECT_FALSE(b->ocsp_responses.empty());
  EXPECT_FALSE(b->log_public_key.empty());
  // registered, proofed, confirmed, certificate issued, policy set, decided, SAD issued and consumed, signature
  EXPECT_GE(b->entries.size(), 8u);
  for (const auto& e : b->entries) EXPECT_FALSE(e.entry.empty());
  auto text = to_json_text(*b);
  auto back = parse_bundle(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(to_json_text(*back), text);

  auto hash_only = service::export_bundle(*s.svc, s.signature_id, {s.document, true}, kNow);
  ASSERT_TRUE(hash_only);
  EXPECT_FALSE(hash_only->document.has_value());
}

TEST(EvidenceBundle, ExportRefusesAnotherDocumentAndUnknownSignatures) {
  Signed s;
  auto other = s.tmp.path() / "other.txt";
  ASSERT_TRUE(core::write_file_atomic(other, "INVOICE 43\n"));
  auto r = service::export_bundle(*s.svc, s.signature_id, {other, false}, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(service::export_bundle(*s.svc, "sig-nope", {}, kNow).error().code, ErrorCode::not_found);
}

TEST(EvidenceBundle, HostileBundlesAreRefusedNamingTheMember) {
  Signed s;
  auto b = service::export_bundle(*s.svc, s.signature_id, {}, kNow);
  ASSERT_TRUE(b);
  auto good = nlohmann::json::parse(to_json_text(*b));
  struct Case {
    const char* name;
    std::function<std::string()> text;
    const char* expected;
  };
  auto mutate = [&](std::function<void(nlohmann::json&)> f) {
    return [good, f] {
      auto j = good;
      f(j);
      return j.dump();
    };
  };
  const Case cases[] = {
      {"empty", [] { return std::string(); }, "bundle:"},
      {"truncated", [&] { auto t = good.dump(); return t.substr(0, t.size() / 2); }, "bundle:"},
      {"trailing-garbage", [&] { return good.dump() + "x"; }, "bundle:"},
      {"duplicate-member", [&] { auto t = good.dump(); return "{\"schema\":\"x\"," + t.substr(1); }, "bundle:"},
      {"wrong-schema", mutate([](auto& j) { j["schema"] = "qualsig-evidence/9"; }), "/schema"},
      {"unknown-member", mutate([](auto& j) { j["extra"] = 1; }), "/extra: unknown member"},
      {"missing-signature", mutate([](auto& j) { j.erase("signature"); }), "/signature: missing"},
      {"signature-not-base64", mutate([](auto& j) { j["signature"]["der"] = "***"; }), "/signature/der: not base64"},
      {"proof-not-base64", mutate([](auto& j) { j["log"]["entries"][0]["proof"] = {"@@"}; }), "/log/entries/0/proof/0"},
      {"seq-negative", mutate([](auto& j) { j["log"]["entries"][0]["seq"] = -1; }), "/log/entries/0/seq"},
      {"time-garbage", mutate([](auto& j) { j["created_at"] = "yesterday"; }), "/created_at"},
      {"chain-wrong-type", mutate([](auto& j) { j["certificates"]["chain"] = "x"; }), "/certificates/chain"},
      {"deep-nesting", [] { return std::string(100, '[') + std::string(100, ']'); }, "bundle:"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = parse_bundle(c.text());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
    EXPECT_NE(r.error().message.find(c.expected), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace qualsig::evidence
