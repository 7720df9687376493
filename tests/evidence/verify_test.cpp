// Offline verification of evidence bundles (evidence/verify.h) on a real signature made through
// the service: identity proofed under dual control, a policy that asks two approvals, activation,
// CAdES B-LT. The untouched bundle verifies (also after the data directory is gone, with and
// without the document); changing any single element fails and names it; a log re-signed with
// another key fails against the pinned key. Independent checks: `openssl cms -verify` on the
// bundle's signature and certificates, and tests/interop/verify_evidence_check.mjs (Node crypto +
// pkijs) on the bundle's JSON.
#include "evidence/verify.h"

#include <gtest/gtest.h>

#include <openssl/ec.h>

#include <filesystem>
#include <algorithm>
#include <functional>
#include <map>

#include "audit/checkpoint.h"
#include "audit/memory_tree.h"
#include "core/digest.h"
#include "core/fs.h"
#include "pki/crl.h"
#include "service/cert_service.h"
#include "service/delegation_service.h"
#include "service/evidence_service.h"
#include "service/identity_service.h"
#include "service/init.h"
#include "service/people_service.h"
#include "service/sign_service.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

namespace qualsig::evidence {
namespace {

using namespace std::chrono_literals;
using qualsig::testing::TempDir;

const TimePoint kNow = *parse_rfc3339("2026-11-25T12:00:00Z");
const std::string kContent = "INVOICE 2026-0042\nAmount: 12500.00 EUR\n";

constexpr const char* kPolicy = R"({"schema": "qualsig-policy/1", "name": "invoices", "version": 3,
  "document_types": ["invoice"], "max_amount": {"EUR": "100000.00"},
  "approvals": [{"above": {"EUR": "10000.00"}, "required": 2, "group": "finance-approvers", "valid_for": "24h"}],
  "activation": {"sad_valid_for": "5m"}})";

// The second scenario: an enveloping B-B signature under a delegation from a person, no approvals.
constexpr const char* kDelegationPolicy = R"({"schema": "qualsig-policy/1", "name": "delegated", "version": 1,
  "document_types": ["invoice"], "delegation": {"required": true, "from": ["person:cfo"], "scope": "invoice"}})";

// One signature made through the whole flow, and its bundles; built once for all tests.
struct Signed {
  TempDir tmp;
  std::filesystem::path data;
  std::filesystem::path document;
  Bundle with_document;
  Bundle hash_only;
  std::string error;  // set when the flow failed
  bool delegated = false;

  explicit Signed(bool under_delegation) : data(tmp.path() / "d"), document(tmp.path() / "invoice.txt"), delegated(under_delegation) {
    if (auto r = run(); !r) error = r.error().message;
  }

  Result<void> run() {
    service::InitOptions o;
    o.data_dir = data;
    o.now = kNow;
    QS_TRY_VOID(service::initialize(o));
    QS_TRY(auto svc, service::TrustService::open(data));
    QS_TRY_VOID(service::register_identity(*svc, {"invoice-bot", "service-account", "Finance Lead", "invoicing", std::nullopt},
                                           "admin:root", kNow));
    service::ProofRequest p;
    p.identity = "invoice-bot";
    p.method = service::ProofingMethod::sponsor;
    p.by = "alice";
    QS_TRY_VOID(service::proof_identity(*svc, p, "admin:alice", kNow + 1min));
    QS_TRY_VOID(service::confirm_identity(*svc, "invoice-bot", "bob", kNow + 2min));
    QS_TRY_VOID(service::issue_certificate(*svc, {"invoice-bot", std::nullopt}, "admin:bob", kNow + 3min));
    QS_TRY(auto carol, service::add_person(*svc, "carol", {"finance-approvers"}, "admin:root", kNow + 4min));
    QS_TRY(auto dave, service::add_person(*svc, "dave", {"finance-approvers"}, "admin:root", kNow + 4min));
    if (delegated) {
      QS_TRY_VOID(service::add_person(*svc, "cfo", {}, "admin:root", kNow + 4min));
      QS_TRY_VOID(service::grant_delegation(*svc, {"person:cfo", "invoice-bot", {"invoice"}, std::nullopt, kNow + std::chrono::days(30),
                                                   std::nullopt}, "person:cfo", kNow + 4min));
    }
    QS_TRY_VOID(service::set_policy(*svc, {"invoice-bot"}, delegated ? kDelegationPolicy : kPolicy, "admin:root", kNow + 5min));
    QS_TRY_VOID(core::write_file_atomic(document, kContent));

    service::SignRequestInput in;
    in.identity = "invoice-bot";
    in.document_type = "invoice";
    in.attributes = {{"amount", "12500.00"}, {"currency", "EUR"}};
    in.document = {"invoice.txt", core::DigestAlgorithm::sha256, core::sha256(as_bytes(kContent)),
                   static_cast<std::int64_t>(kContent.size())};
    in.detached = !delegated;
    in.level = delegated ? "B-B" : "B-LT";
    in.requester = "operator:erin";
    QS_TRY(auto sub, service::submit_sign_request(*svc, in, kNow + 10min));
    if (delegated) {
      if (sub.request.status != "allowed") return fail(ErrorCode::internal, "expected an allowed request: " + sub.decision.dump());
      QS_TRY(auto act, service::authorize_signature(*svc, sub.request.id, std::nullopt, kNow + 13min));
      QS_TRY(auto sig, service::sign_with_sad(*svc, act.sad, {in.document.value, to_bytes(kContent)}, kNow + 14min));
      // Revoked after signing: at B-B the bundle carries today's OCSP answer and CRLs, which say so.
      QS_TRY_VOID(service::revoke_certificate(*svc, sig.signature.certificate_serial, pki::RevocationReason::key_compromise,
                                              std::nullopt, "admin:root", kNow + 15min));
      QS_TRY(with_document, service::export_bundle(*svc, sig.signature.id, {document, false}, kNow + 20min));
      QS_TRY(hash_only, service::export_bundle(*svc, sig.signature.id, {std::nullopt, true}, kNow + 20min));
      return ok();
    }
    if (sub.request.status != "pending") return fail(ErrorCode::internal, "expected a pending request: " + sub.decision.dump());
    QS_TRY_VOID(service::decide_request(*svc, sub.request.id, carol.person, true, std::nullopt, kNow + 11min));
    QS_TRY_VOID(service::decide_request(*svc, sub.request.id, dave.person, true, std::nullopt, kNow + 12min));
    QS_TRY(auto act, service::authorize_signature(*svc, sub.request.id, std::nullopt, kNow + 13min));
    QS_TRY(auto sig, service::sign_with_sad(*svc, act.sad, {in.document.value, std::nullopt}, kNow + 14min));
    QS_TRY(with_document, service::export_bundle(*svc, sig.signature.id, {document, false}, kNow + 20min));
    QS_TRY(hash_only, service::export_bundle(*svc, sig.signature.id, {std::nullopt, true}, kNow + 20min));
    return ok();
  }
};

Signed& shared() {
  static Signed s(false);
  return s;
}

Signed& delegated() {
  static Signed s(true);
  return s;
}

class VerifyBundle : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(shared().error.empty()) << shared().error; }
  static const Bundle& bundle() { return shared().with_document; }
};

std::string failing(const Report& r) {
  std::string out;
  for (const auto& c : r.checks)
    if (!c.ok) out += c.element + ": " + c.detail + "\n";
  return out;
}

bool fails_on(const Report& r, const std::string& element) {
  for (const auto& c : r.checks)
    if (!c.ok && c.element == element) return true;
  return false;
}

const Check* find_check(const Report& r, const std::string& element) {
  for (const auto& c : r.checks)
    if (c.element == element) return &c;
  return nullptr;
}

// Index of the first entry of `event` in the bundle.
std::size_t entry_of(const Bundle& b, const std::string& event) {
  for (std::size_t i = 0; i < b.entries.size(); ++i)
    if (b.entries[i].entry.find("\"event\":\"" + event + "\"") != std::string::npos) return i;
  ADD_FAILURE() << "no " << event << " entry";
  return 0;
}

// An ECDSA P-256 key in memory: a stand-in for another log's key (the attacker's).
class SoftSigner final : public hsm::Signer {
 public:
  SoftSigner() : m_key(core::wrap(EVP_EC_gen("P-256"))) {}
  hsm::KeyType key_type() const override { return hsm::KeyType::ec_p256; }
  const EVP_PKEY* public_key() const override { return m_key.get(); }
  Result<Bytes> sign_digest(ByteView digest, core::DigestAlgorithm, hsm::SignatureScheme) const override {
    auto ctx = core::wrap(EVP_PKEY_CTX_new(m_key.get(), nullptr));
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1)
      return fail(core::openssl_error(ErrorCode::crypto, "sign"));
    Bytes sig(len);
    if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) != 1)
      return fail(core::openssl_error(ErrorCode::crypto, "sign"));
    sig.resize(len);
    return sig;
  }

 private:
  core::UniquePtr<EVP_PKEY> m_key;
};

TEST_F(VerifyBundle, UntouchedBundleVerifiesAndReportsTheFacts) {
  auto r = verify_bundle(bundle(), {});
  EXPECT_TRUE(r.verified) << failing(r);
  EXPECT_EQ(r.identity, "invoice-bot");
  EXPECT_EQ(r.identity_kind, "service-account");
  EXPECT_EQ(r.sponsor, "Finance Lead");
  ASSERT_EQ(r.proofing.size(), 1u);
  EXPECT_NE(r.proofing[0].find("sponsor attestation by alice, confirmed by bob"), std::string::npos) << r.proofing[0];
  ASSERT_EQ(r.approvers.size(), 2u);
  EXPECT_EQ(r.approvers[0].name, "carol");
  EXPECT_EQ(r.approvers[1].time, kNow + 12min);
  EXPECT_EQ(r.signed_at, kNow + 14min);
  EXPECT_NE(r.policy.find("invoices v3 (sha256:"), std::string::npos) << r.policy;
  EXPECT_NE(r.decision.find("needs_approval"), std::string::npos) << r.decision;
  EXPECT_FALSE(r.rules.empty());
  EXPECT_EQ(r.root_fingerprint, hex_encode(core::sha256(bundle().chain.back())));
  EXPECT_EQ(r.log_key_fingerprint, hex_encode(core::sha256(bundle().log_public_key)));
  EXPECT_GT(r.log_size, r.log_seq);
  // Every entry on the timeline, by seq, ending with the signature.
  ASSERT_EQ(r.timeline.size(), bundle().entries.size());
  EXPECT_EQ(r.timeline.back().event, "signature.produced");
  EXPECT_EQ(r.timeline.back().seq, r.log_seq);
  // What the certificate claims, never that it is qualified.
  EXPECT_NE(r.qualification.find("claims to be qualified (QcCompliance, QcSSCD, QcType eseal"), std::string::npos) << r.qualification;
  EXPECT_NE(r.qualification.find("QCP-l-qscd"), std::string::npos) << r.qualification;
  EXPECT_NE(r.qualification.find("not checked here"), std::string::npos);
  const Check* doc = find_check(r, "document");
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(doc->detail.find("hash only"), std::string::npos);
  for (const char* e : {"log.checkpoint", "signature", "chain", "revocation", "timestamps", "decision", "policy", "approvals[0]",
                        "approvals[1]", "sad", "identity", "proofing[0]", "certificate", "sequence"})
    EXPECT_NE(find_check(r, e), nullptr) << e;
}

TEST_F(VerifyBundle, VerifiesWithoutTheDataDirectoryAndWithoutTheDocument) {
  std::string with = to_json_text(bundle());
  std::string without = to_json_text(shared().hash_only);
  // Nothing of the service is needed any more.
  TempDir elsewhere;
  std::filesystem::rename(shared().data, elsewhere.path() / "moved");
  for (const std::string* text : {&with, &without}) {
    auto parsed = parse_bundle(*text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    auto r = verify_bundle(*parsed, {});
    EXPECT_TRUE(r.verified) << failing(r);
  }
  std::filesystem::rename(elsewhere.path() / "moved", shared().data);
  auto r = verify_bundle(shared().hash_only, {});
  const Check* doc = find_check(r, "document");
  ASSERT_NE(doc, nullptr);
  EXPECT_NE(doc->detail.find("document not included: hash only"), std::string::npos) << doc->detail;
  const Check* sig = find_check(r, "signature");
  ASSERT_NE(sig, nullptr);
  EXPECT_NE(sig->detail.find("hash only; the signed message-digest equals the digest"), std::string::npos) << sig->detail;
}

TEST_F(VerifyBundle, PinnedAnchorsThatMatchVerify) {
  VerifyOptions pinned;
  pinned.trusted_root = bundle().chain.back();
  pinned.trusted_log_key = bundle().log_public_key;
  auto r = verify_bundle(bundle(), pinned);
  EXPECT_TRUE(r.verified) << failing(r);
}

// The same bytes convince OpenSSL's own command-line verifier.
TEST_F(VerifyBundle, OpensslAgreesOnTheSignatureAndTheChain) {
  TempDir t;
  const auto& b = bundle();
  auto write = [&](const std::string& name, ByteView bytes) {
    ASSERT_TRUE(core::write_file_atomic(t.path() / name, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
  };
  write("sig.der", b.signature);
  write("doc.txt", *b.document);
  write("root.der", b.chain.back());
  write("issuing.der", b.chain.front());
  write("signer.der", b.signer_certificate);
  auto d = t.path().string();
  ASSERT_EQ(qualsig::testing::run("openssl x509 -inform DER -in " + d + "/root.der -out " + d + "/root.pem").status, 0);
  ASSERT_EQ(qualsig::testing::run("openssl x509 -inform DER -in " + d + "/issuing.der -out " + d + "/issuing.pem").status, 0);
  ASSERT_EQ(qualsig::testing::run("openssl x509 -inform DER -in " + d + "/signer.der -out " + d + "/signer.pem").status, 0);
  std::string at = std::to_string((kNow + 14min).time_since_epoch().count());
  auto cms = qualsig::testing::run("openssl cms -verify -binary -inform DER -purpose any -attime " + at + " -in " + d + "/sig.der -content " +
                                   d + "/doc.txt -CAfile " + d + "/root.pem -out /dev/null");
  EXPECT_EQ(cms.status, 0) << cms.output;
  auto chain = qualsig::testing::run("openssl verify -attime " + at + " -CAfile " + d + "/root.pem -untrusted " + d + "/issuing.pem " +
                                     d + "/signer.pem");
  EXPECT_EQ(chain.status, 0) << chain.output;
  // A changed document fails there too.
  write("doc.txt", as_bytes(kContent + " "));
  auto bad = qualsig::testing::run("openssl cms -verify -binary -inform DER -purpose any -attime " + at + " -in " + d + "/sig.der -content " +
                                   d + "/doc.txt -CAfile " + d + "/root.pem -out /dev/null");
  EXPECT_NE(bad.status, 0) << bad.output;
}

// The bundle's JSON checked by an independent implementation (Node crypto and pkijs): the
// checkpoint note, every inclusion proof, the CMS signature over the document.
TEST_F(VerifyBundle, IndependentNodeVerifierAgrees) {
  TempDir t;
  ASSERT_TRUE(core::write_file_atomic(t.path() / "bundle.json", to_json_text(bundle())));
  auto good = qualsig::testing::run("node " QUALSIG_SOURCE_DIR "/tests/interop/verify_evidence_check.mjs " + (t.path() / "bundle.json").string());
  EXPECT_EQ(good.status, 0) << good.output;
  EXPECT_NE(good.output.find("ok"), std::string::npos) << good.output;

  Bundle changed = bundle();
  (*changed.document)[0] ^= 0x01;
  changed.entries[1].proof[0][0] ^= 0x01;
  ASSERT_TRUE(core::write_file_atomic(t.path() / "bad.json", to_json_text(changed)));
  auto bad = qualsig::testing::run("node " QUALSIG_SOURCE_DIR "/tests/interop/verify_evidence_check.mjs " + (t.path() / "bad.json").string());
  EXPECT_NE(bad.status, 0) << bad.output;
  EXPECT_NE(bad.output.find("entries[1]"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("signature"), std::string::npos) << bad.output;
}

// A self-signed root that is not ours, made by openssl.
Bytes other_root() {
  TempDir t;
  auto d = t.path().string();
  auto r = qualsig::testing::run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=Other Root' -days 3650 "
                                 "-keyout " + d + "/k.pem -outform DER -out " + d + "/root.der");
  EXPECT_EQ(r.status, 0) << r.output;
  auto text = core::read_file(t.path() / "root.der", 1u << 16);
  return text ? to_bytes(*text) : Bytes();
}

// Flips a byte in the middle of the SignerInfo's signature value (found by its bytes).
void flip_signature_value(Bundle& b) {
  const unsigned char* p = b.signature.data();
  auto cms = core::wrap(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(b.signature.size())));
  ASSERT_TRUE(cms);
  auto* value = CMS_SignerInfo_get0_signature(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0));
  Bytes sig(ASN1_STRING_get0_data(value), ASN1_STRING_get0_data(value) + ASN1_STRING_length(value));
  auto at = std::search(b.signature.begin(), b.signature.end(), sig.begin(), sig.end());
  ASSERT_NE(at, b.signature.end());
  at[static_cast<std::ptrdiff_t>(sig.size() / 2)] ^= 0x01;
}

// Replaces the first occurrence of `from` in the text of entry `i`.
void edit_entry(Bundle& b, std::size_t i, const std::string& from, const std::string& to) {
  auto& text = b.entries[i].entry;
  auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << text;
  text.replace(at, from.size(), to);
}

// Change ONE element: verification fails and a failing check names that element.
TEST_F(VerifyBundle, EverySingleChangeIsDetectedAndNamed) {
  struct Case {
    const char* name;
    std::function<void(Bundle&)> mutate;
    std::string element;
    VerifyOptions options = {};
  };
  const Bundle& good = bundle();
  std::size_t approval = entry_of(good, "approval.granted");
  const Bytes foreign_root = other_root();
  const Case cases[] = {
      {"document-byte", [](Bundle& b) { (*b.document)[3] ^= 0x20; }, "document"},
      {"signature-value-byte", flip_signature_value, "signature"},
      {"signature-last-byte", [](Bundle& b) { b.signature.back() ^= 0x01; }, "signature"},
      {"proof-hash", [](Bundle& b) { b.entries[2].proof[0][5] ^= 0x80; }, "log.entries[2]"},
      {"approval-time", [](Bundle& b) { b.approvals[1]["time"] = to_rfc3339(kNow + 11min); }, "approvals[1]"},
      {"approval-approver", [](Bundle& b) { b.approvals[0]["approver"] = "mallory"; }, "approvals[0]"},
      {"policy-text", [](Bundle& b) { b.policy["document"]["approvals"][0]["required"] = 1; }, "policy"},
      {"policy-hash", [](Bundle& b) { b.policy["hash"] = "sha256:" + std::string(64, '0'); }, "policy"},
      {"decision-trace", [](Bundle& b) { b.decision["trace"][0]["detail"] = "anything goes"; }, "decision"},
      {"decision-outcome", [](Bundle& b) { b.decision["outcome"] = "allow"; }, "decision"},
      {"checkpoint-signature",
       [](Bundle& b) {
         auto at = b.checkpoint.rfind(' ') + 12;
         b.checkpoint[at] = b.checkpoint[at] == 'A' ? 'B' : 'A';
       },
       "log.checkpoint"},
      {"checkpoint-root", [](Bundle& b) { auto at = b.checkpoint.find('\n', b.checkpoint.find('\n') + 1) + 5;
                                          b.checkpoint[at] = b.checkpoint[at] == 'A' ? 'B' : 'A'; }, "log.checkpoint"},
      {"chain-root-swapped", [&](Bundle& b) { b.chain.back() = foreign_root; }, "chain"},
      {"pinned-foreign-root", [](Bundle&) {}, "chain", VerifyOptions{foreign_root, std::nullopt}},
      {"identity-sponsor", [](Bundle& b) { b.identity["sponsor"] = "Someone Else"; }, "identity"},
      {"identity-kind", [](Bundle& b) { b.identity["kind"] = "ai-agent"; }, "identity"},
      {"proofing-confirmer", [](Bundle& b) { b.proofing[0]["confirmed_by"] = "alice"; }, "proofing[0]"},
      {"sad-token-hash", [](Bundle& b) { b.sad["token_hash"] = "sha256:" + std::string(64, 'a'); }, "sad"},
      {"sad-consumed-at", [](Bundle& b) { b.sad["consumed_at"] = to_rfc3339(kNow + 15min); }, "sad"},
      {"signature-id", [](Bundle& b) { b.signature_id = "sig-0000000000000000"; }, "signature"},
      {"document-hash", [](Bundle& b) { b.document_hash = "sha256:" + hex_encode(core::sha256(as_bytes("x"))); }, "document"},
      {"request-requester", [](Bundle& b) { b.request["requester"] = "operator:carol"; }, "request"},
      {"entry-text", [&](Bundle& b) { edit_entry(b, approval, "12:11:00Z", "12:11:01Z"); },
       "log.entries[" + std::to_string(approval) + "]"},
      {"entry-dropped", [](Bundle& b) { b.entries.erase(b.entries.begin() + static_cast<std::ptrdiff_t>(entry_of(b, "sad.issued"))); }, "sad"},
      // A signed byte of the response: a digit of producedAt (the first GeneralizedTime).
      {"ocsp-response-produced-at",
       [](Bundle& b) {
         auto& r = b.ocsp_responses[0];
         std::string year = "2026";
         auto at = std::search(r.begin(), r.end(), year.begin(), year.end());
         ASSERT_NE(at, r.end());
         at[3] = '7';
       },
       "revocation"},
      {"signer-certificate", [](Bundle& b) { b.signer_certificate = b.chain.front(); }, "chain"},
      {"log-key-pinned-other", [](Bundle&) {}, "log.key", VerifyOptions{std::nullopt, Bytes{0x30, 0x00}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Bundle b = good;
    c.mutate(b);
    if (::testing::Test::HasFatalFailure()) return;
    auto r = verify_bundle(b, c.options);
    EXPECT_FALSE(r.verified);
    EXPECT_TRUE(fails_on(r, c.element)) << "failing checks:\n" << failing(r);
  }
}

// Entries re-signed with another key: the checkpoint re-signed as-is, and a whole forged log in
// which an approval's time was changed. Without pinning the forgery is self-consistent and only
// the log key's fingerprint tells; with the original key pinned it fails.
TEST_F(VerifyBundle, ALogResignedWithAnotherKeyFailsAgainstThePinnedKey) {
  const Bundle& good = bundle();
  SoftSigner other;
  auto other_spki = core::public_key_to_der(other.public_key());
  ASSERT_TRUE(other_spki);
  VerifyOptions pinned;
  pinned.trusted_log_key = good.log_public_key;

  // 1. The same checkpoint text, signed by another key.
  Bundle resigned = good;
  auto text = good.checkpoint.substr(0, good.checkpoint.find("\n\n") + 1);
  auto note = audit::sign_note(text, good.log_origin, other);
  ASSERT_TRUE(note) << note.error().message;
  resigned.checkpoint = *note;
  resigned.log_public_key = *other_spki;
  auto loose = verify_bundle(resigned, {});
  EXPECT_TRUE(loose.verified) << failing(loose);
  EXPECT_NE(loose.log_key_fingerprint, hex_encode(core::sha256(good.log_public_key)));
  auto strict = verify_bundle(resigned, pinned);
  EXPECT_FALSE(strict.verified);
  EXPECT_TRUE(fails_on(strict, "log.key")) << failing(strict);
  EXPECT_TRUE(fails_on(strict, "log.checkpoint")) << failing(strict);

  // 2. A forged tree: an approval entry and the bundle's approval changed together, every proof
  //    recomputed over filler leaves, a new checkpoint signed by the other key.
  Bundle forged = good;
  std::size_t approval = entry_of(forged, "approval.granted");
  edit_entry(forged, approval, "12:11:00Z", "12:09:00Z");
  forged.approvals[0]["time"] = to_rfc3339(kNow + 9min);
  auto cp = audit::parse_checkpoint_text(text);
  ASSERT_TRUE(cp);
  audit::MemoryTree tree;
  std::map<std::uint64_t, std::string> by_seq;
  for (const auto& e : forged.entries) by_seq[e.seq] = e.entry;
  for (std::uint64_t seq = 0; seq < cp->size; ++seq)
    tree.append(audit::hash_leaf(as_bytes(by_seq.count(seq) ? by_seq[seq] : "filler " + std::to_string(seq))));
  for (auto& e : forged.entries) {
    auto proof = tree.inclusion_proof(e.seq, cp->size);
    ASSERT_TRUE(proof);
    e.proof.clear();
    for (const auto& h : *proof) e.proof.emplace_back(h.begin(), h.end());
  }
  cp->root = tree.root();
  auto forged_note = audit::signed_checkpoint(*cp, other);
  ASSERT_TRUE(forged_note) << forged_note.error().message;
  forged.checkpoint = *forged_note;
  forged.log_public_key = *other_spki;
  auto forged_strict = verify_bundle(forged, pinned);
  EXPECT_FALSE(forged_strict.verified);
  EXPECT_TRUE(fails_on(forged_strict, "log.key")) << failing(forged_strict);
  EXPECT_TRUE(fails_on(forged_strict, "log.checkpoint")) << failing(forged_strict);
  // Unpinned, the forgery still shows where the log's hash chain (prev) was broken, if the next
  // entry is in the bundle; the fingerprint differs from the published one in any case.
  auto forged_loose = verify_bundle(forged, {});
  EXPECT_NE(forged_loose.log_key_fingerprint, hex_encode(core::sha256(good.log_public_key)));
}

// Hostile or empty bundles: failing checks, no crash, no exception.
TEST_F(VerifyBundle, MalformedBundlesGiveFailingChecksNotCrashes) {
  const Bundle& good = bundle();
  std::vector<std::pair<const char*, std::function<void(Bundle&)>>> cases = {
      {"empty", [](Bundle& b) { b = Bundle{}; }},
      {"signature-truncated", [](Bundle& b) { b.signature.resize(b.signature.size() / 2); }},
      {"signature-random", [](Bundle& b) { b.signature = core::sha256(as_bytes("random")); }},
      {"signature-trailing-data", [](Bundle& b) { b.signature.push_back(0); }},
      {"checkpoint-garbage", [](Bundle& b) { b.checkpoint = "\n\n\xff"; }},
      {"log-key-garbage", [](Bundle& b) { b.log_public_key = {1, 2, 3}; }},
      {"entry-not-json", [](Bundle& b) { b.entries[0].entry = "{"; }},
      {"entry-seq-out-of-tree", [](Bundle& b) { b.entries[0].seq = 1u << 30; }},
      {"proof-short-hash", [](Bundle& b) { b.entries[0].proof[0].resize(3); }},
      {"records-wrong-types", [](Bundle& b) {
         b.identity = 5; b.proofing = "x"; b.policy = nlohmann::json::array(); b.request = nullptr;
         b.decision = true; b.approvals = nlohmann::json::object(); b.delegation = 1; b.sad = "s"; }},
      {"records-wrong-member-types", [](Bundle& b) {
         b.approvals[0] = 7; b.decision["approval"] = "x"; b.decision["trace"] = 3; b.sad["document_hashes"] = 1; }},
      {"chain-garbage", [](Bundle& b) { b.chain = {Bytes{0x30}, Bytes{}}; b.service_certificates = {Bytes{1}}; }},
      {"revocation-garbage", [](Bundle& b) { b.ocsp_responses = {Bytes{0x30, 0x03, 1, 2, 3}}; b.crls = {Bytes{0}}; }},
      {"document-hash-garbage", [](Bundle& b) { b.document_hash = "md5:zz"; b.document.reset(); }},
  };
  for (const auto& [name, mutate] : cases) {
    SCOPED_TRACE(name);
    Bundle b = good;
    mutate(b);
    auto r = verify_bundle(b, {});
    EXPECT_FALSE(r.verified);
    EXPECT_FALSE(failing(r).empty());
  }
}

// An enveloping B-B signature made under a delegation: verifies (the enveloped content is the
// document even when the bundle carries only its hash), and the delegation links are bound to
// the log and to the decision.
TEST(VerifyDelegatedBundle, EnvelopingSignatureUnderADelegation) {
  Signed& s = delegated();
  ASSERT_TRUE(s.error.empty()) << s.error;
  for (const Bundle* b : {&s.with_document, &s.hash_only}) {
    auto r = verify_bundle(*b, {});
    EXPECT_TRUE(r.verified) << failing(r);
    ASSERT_EQ(r.delegation.size(), 1u);
    EXPECT_NE(r.delegation[0].find("person:cfo -> invoice-bot"), std::string::npos) << r.delegation[0];
    EXPECT_TRUE(r.approvers.empty());
  }
  // Without the document in the bundle, the enveloped content is checked against the hash.
  auto r = verify_bundle(s.hash_only, {});
  // The certificate was revoked a minute after the signature: said, and not held against it.
  bool said = false;
  for (const auto& c : r.checks)
    said = said || (c.element == "revocation" && c.ok && c.detail.find("revoked at 2026-11-25T12:15:00Z, after the signing time") != std::string::npos);
  EXPECT_TRUE(said) << failing(r);
  const Check* doc = find_check(r, "document");
  ASSERT_NE(doc, nullptr);
  EXPECT_NE(doc->detail.find("enveloped content"), std::string::npos) << doc->detail;

  struct Case {
    const char* name;
    std::function<void(Bundle&)> mutate;
    const char* element;
  };
  const Case cases[] = {
      {"delegation-scope", [](Bundle& b) { b.delegation[0]["scopes"] = {"contract", "invoice"}; }, "delegation[0]"},
      {"delegation-expiry", [](Bundle& b) { b.delegation[0]["expires_at"] = to_rfc3339(kNow + std::chrono::days(3650)); }, "delegation[0]"},
      {"delegation-dropped", [](Bundle& b) { b.delegation = nlohmann::json::array(); }, "delegation"},
      {"enveloped-document-differs", [](Bundle& b) { (*b.document)[0] ^= 0x01; }, "document"},
      {"level-claimed-higher", [](Bundle& b) { b.level = "B-LT"; }, "signature"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Bundle b = s.with_document;
    c.mutate(b);
    auto m = verify_bundle(b, {});
    EXPECT_FALSE(m.verified);
    EXPECT_TRUE(fails_on(m, c.element)) << failing(m);
  }
}

}  // namespace
}  // namespace qualsig::evidence
