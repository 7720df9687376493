#include "audit/audit_log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "audit/log_verifier.h"
#include "store/sqlite/sqlite_store.h"
#include "support/softhsm.h"

namespace qualsig::audit {
namespace {

using qualsig::testing::SoftHsm;
using qualsig::testing::TempDir;

const TimePoint kT0 = *parse_rfc3339("2026-11-25T12:00:00Z");

struct LogFixture {
  SoftHsm hsm{"audit"};
  TempDir dir;
  std::unique_ptr<store::SqliteStore> store;
  std::shared_ptr<hsm::Pkcs11Signer> signer;
  std::unique_ptr<AuditLog> log;
  std::string origin = "qualsig.local/TEST/audit";

  LogFixture() {
    store = std::move(*store::SqliteStore::open(dir.path() / "q.db", store::SqliteStore::Mode::create));
    signer = *hsm::Pkcs11Signer::create(hsm.token(), *hsm.token()->generate_key(hsm::KeyType::ec_p256, "log", Bytes{9}));
    log = std::move(*AuditLog::open(*store, signer, origin));
  }
  NoteVerifier verifier() const { return std::move(*ecdsa_note_verifier(origin, signer->public_key())); }
};

EntryDraft note(int i) {
  EntryDraft d;
  d.event = EventType::operator_note;
  d.actor = "test";
  d.subject = "entry-" + std::to_string(i);
  d.refs["document"] = sha256_ref(as_bytes("doc " + std::to_string(i)));
  d.details = {{"i", i}};
  return d;
}

TEST(AuditLog, ConcurrentAppendsFormOneContiguousVerifiableLog) {
  LogFixture f;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i)
        if (f.log->append(note(t * 1000 + i), kT0)) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 400);
  EXPECT_EQ(f.log->size(), 400u);
  ASSERT_TRUE(f.log->checkpoint(kT0));
  auto v = verify_log(*f.store, f.verifier());
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->entries, 400u);
  EXPECT_EQ(v->checkpoints, 1u);
  EXPECT_EQ(v->root, f.log->root());
}

// append_all: the entries of one call are consecutive whatever else is appended meanwhile, and
// they commit with their record (a signature) or nothing of the call is written.
TEST(AuditLog, AppendAllWritesConsecutiveEntriesWithTheirRecordOrNothing) {
  LogFixture f;
  store::IdentityRecord who;
  who.name = "bot";
  who.kind = "service-account";
  who.state = "active";
  who.created_at = who.updated_at = kT0;
  auto id = *f.store->create_identity(who);
  for (const char* req : {"req-1", "req-2"}) {
    store::SignRequestRecord r;
    r.id = req;
    r.identity_id = id;
    r.requester = "identity:bot";
    r.document_type = "invoice";
    r.attributes = r.decision = "{}";
    r.document_hash = "sha256:00";
    r.format = "cades";
    r.level = "B-B";
    r.status = "allowed";
    r.created_at = kT0;
    r.expires_at = kT0 + std::chrono::hours(1);
    ASSERT_TRUE(f.store->create_sign_request(r));
  }
  auto record = [&](const std::string& sig, const std::string& req) {
    return store::LogCompanion{
        store::SignatureRecord{sig, req, id, "", "01", "cades", "B-B", "sha256:00", "sha256:ff", Bytes{7}, kT0}, "allowed"};
  };

  std::vector<std::thread> threads;
  std::mutex pairs_mutex;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pairs;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        if (t % 2 == 0) {
          ASSERT_TRUE(f.log->append(note(t * 1000 + i), kT0));
          continue;
        }
        auto two = f.log->append_all({note(t * 1000 + i), note(t * 1000 + i + 500)}, kT0);
        ASSERT_TRUE(two);
        ASSERT_EQ(two->size(), 2u);
        std::lock_guard lock(pairs_mutex);
        pairs.emplace_back((*two)[0].seq, (*two)[1].seq);
      }
    });
  for (auto& t : threads) t.join();
  ASSERT_EQ(pairs.size(), 120u);
  for (const auto& [a, b] : pairs) EXPECT_EQ(b, a + 1);
  EXPECT_EQ(f.log->size(), 360u);

  auto first = record("sig-1", "req-1");
  auto both = f.log->append_all({note(1), note(2)}, kT0, &first);
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_EQ((*both)[0].seq, 360u);
  EXPECT_EQ((*both)[1].seq, 361u);
  EXPECT_EQ(f.store->sign_request("req-1")->signature_id, std::optional<std::string>("sig-1"));

  // The record cannot be written (req-1 is signed now): no entry either.
  auto again = record("sig-2", "req-1");
  auto refused = f.log->append_all({note(3), note(4)}, kT0, &again);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::conflict);
  EXPECT_FALSE(f.store->signature("sig-2")) << "the signature was written";
  // An entry that cannot be made: neither the other entry nor the record is written.
  EntryDraft bad = note(5);
  bad.details = {{"amount", 1.5}};
  auto second = record("sig-3", "req-2");
  ASSERT_FALSE(f.log->append_all({note(6), bad}, kT0, &second));
  EXPECT_EQ(f.store->sign_request("req-2")->status, "allowed");
  EXPECT_EQ(f.log->size(), 362u);
  EXPECT_EQ(*f.store->log_size(), 362u);
  ASSERT_TRUE(f.log->append(note(7), kT0));  // the log goes on where it was

  ASSERT_TRUE(f.log->checkpoint(kT0));
  auto v = verify_log(*f.store, f.verifier());
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->entries, 363u);
}

TEST(AuditLog, ReopenedLogContinuesTheChain) {
  LogFixture f;
  ASSERT_TRUE(f.log->append(note(1), kT0));
  auto root = f.log->root();
  f.log.reset();
  f.log = std::move(*AuditLog::open(*f.store, f.signer, f.origin));
  EXPECT_EQ(f.log->root(), root);
  auto e = f.log->append(note(2), kT0);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->seq, 1u);
  auto parsed = parse_entry(e->entry);
  ASSERT_TRUE(parsed);
  ASSERT_TRUE(parsed->prev.has_value());
  EXPECT_EQ(*parsed->prev, hash_leaf(as_bytes(f.store->log_row(0)->entry)));
  EXPECT_TRUE(verify_log(*f.store, f.verifier())->ok);
}

TEST(AuditLog, BadDraftIsRefusedAloneAndReadOnlyLogCannotAppend) {
  LogFixture f;
  auto bad = note(1);
  bad.details = {{"amount", 1.5}};  // canonical JSON refuses floats
  auto r = f.log->append(bad, kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  auto bad_ref = note(2);
  bad_ref.refs["document"] = "md5:abc";
  EXPECT_FALSE(f.log->append(bad_ref, kT0));
  EXPECT_EQ(f.log->size(), 0u);
  ASSERT_TRUE(f.log->append(note(3), kT0));
  EXPECT_EQ(f.log->size(), 1u);
  auto ro = AuditLog::open(*f.store, nullptr, f.origin);
  ASSERT_TRUE(ro);
  EXPECT_EQ((*ro)->append(note(4), kT0).error().code, ErrorCode::usage);
}

TEST(AuditLog, CheckpointIsReusedUntilTheLogGrows) {
  LogFixture f;
  ASSERT_TRUE(f.log->append(note(1), kT0));
  auto a = f.log->checkpoint(kT0);
  auto b = f.log->checkpoint(kT0 + std::chrono::seconds(60));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->note, b->note);
  ASSERT_TRUE(f.log->append(note(2), kT0));
  auto c = f.log->checkpoint(kT0 + std::chrono::seconds(120));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->tree_size, 2u);
  auto cp = verify_checkpoint(c->note, f.verifier());
  ASSERT_TRUE(cp) << cp.error().message;
  EXPECT_EQ(cp->root, f.log->root());
  EXPECT_EQ(*cp->time, kT0 + std::chrono::seconds(120));
  auto proof = f.log->prove(0, kT0);
  ASSERT_TRUE(proof);
  EXPECT_EQ(proof->tree_size, 2u);
}

TEST(AuditLog, TwoWritersOnOneStoreNeverForkTheLog) {
  LogFixture f;
  // A second log over the same database, as the CLI beside a running `qualsig serve`.
  auto other = std::move(*AuditLog::open(*f.store, f.signer, f.origin));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i)
        if ((t % 2 == 0 ? f.log : other)->append(note(t * 100 + i), kT0)) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 160);
  ASSERT_TRUE(f.log->checkpoint(kT0));
  EXPECT_EQ(f.log->size(), 160u);
  ASSERT_TRUE(other->refresh());
  EXPECT_EQ(other->root(), f.log->root());
  auto v = verify_log(*f.store, f.verifier());
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->ok) << v->problem;
}

// Regression: a checkpoint's refresh() read rows the writer had just committed, and the writer
// then appended the same leaves again; the next batch was numbered past the store's end and
// left a gap (found by the kill -9 crash test).
TEST(AuditLog, CheckpointsDuringAppendsNeverDoubleCountOrGap) {
  LogFixture f;
  std::atomic<bool> done{false};
  std::thread checkpointer([&] {
    while (!done) (void)f.log->checkpoint(kT0);
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) ASSERT_TRUE(f.log->append(note(t * 1000 + i), kT0));
    });
  for (auto& w : writers) w.join();
  done = true;
  checkpointer.join();
  EXPECT_EQ(f.log->size(), 400u);
  EXPECT_EQ(*f.store->log_size(), 400u);
  ASSERT_TRUE(f.log->checkpoint(kT0));
  auto v = verify_log(*f.store, f.verifier());
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->root, f.log->root());
}

TEST(AuditLog, DamagedSequenceRefusesToOpen) {
  LogFixture f;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(f.log->append(note(i), kT0));
  f.log.reset();
  auto rows = std::vector<store::LogRow>{{7, "{}", Bytes(32, 0)}};
  ASSERT_TRUE(f.store->append_log_rows(rows));
  auto r = AuditLog::open(*f.store, f.signer, f.origin);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("damaged at entry 3"), std::string::npos);
}

// The proofs the log generates for every tree size from 1 to 300, checked by an independent
// implementation (tests/interop/merkle_check.mjs: RFC 9162 §2.1 with Node's crypto only).
TEST(AuditLogInterop, ProofsForEveryTreeSizeUpTo300VerifyInNode) {
  const std::string script = std::string(QUALSIG_SOURCE_DIR) + "/tests/interop/merkle_check.mjs";
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node missing: run scripts/install-deps";
  LogFixture f;
  nlohmann::json dump;
  dump["origin"] = f.origin;
  dump["public_key_spki_b64"] = base64_encode(*core::public_key_to_der(f.signer->public_key()));
  dump["entries"] = nlohmann::json::array();
  dump["sizes"] = nlohmann::json::array();
  auto b64 = [](const Hash& h) { return base64_encode(ByteView(h.data(), h.size())); };
  auto proof_json = [&](const Proof& p) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& h : p) a.push_back(b64(h));
    return a;
  };
  for (int n = 1; n <= 300; ++n) {
    auto e = f.log->append(note(n), kT0);
    ASSERT_TRUE(e);
    dump["entries"].push_back(e->entry);
    nlohmann::json s = {{"size", n}, {"root_b64", b64(f.log->root())}};
    std::set<std::uint64_t> indices{0, static_cast<std::uint64_t>(n - 1), static_cast<std::uint64_t>(n / 2),
                                    static_cast<std::uint64_t>(n / 3)};
    if (n <= 40)
      for (int i = 0; i < n; ++i) indices.insert(static_cast<std::uint64_t>(i));
    s["inclusion"] = nlohmann::json::array();
    for (auto i : indices) s["inclusion"].push_back({{"index", i}, {"proof", proof_json(*f.log->inclusion_proof(i, n))}});
    std::set<std::uint64_t> froms{1, static_cast<std::uint64_t>(n), static_cast<std::uint64_t>((n + 1) / 2),
                                  static_cast<std::uint64_t>(n > 1 ? n - 1 : 1)};
    if (n <= 40)
      for (int m = 1; m <= n; ++m) froms.insert(static_cast<std::uint64_t>(m));
    s["consistency"] = nlohmann::json::array();
    for (auto m : froms) s["consistency"].push_back({{"from", m}, {"proof", proof_json(*f.log->consistency_proof(m, n))}});
    if (n % 7 == 0 || n == 300) s["checkpoint"] = f.log->checkpoint(kT0)->note;
    dump["sizes"].push_back(std::move(s));
  }
  auto run = [&](const nlohmann::json& d, std::string& out) {
    auto path = f.dir.path() / "dump.json";
    std::ofstream(path) << d.dump();
    std::string cmd = "node " + script + " " + path.string() + " 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return -1;
    out.clear();
    char buf[4096];
    while (std::fgets(buf, sizeof(buf), pipe)) out += buf;
    return ::pclose(pipe);
  };
  std::string out;
  EXPECT_EQ(run(dump, out), 0) << out;
  EXPECT_EQ(out.rfind("ok ", 0), 0u) << out;
  // The checker is not a rubber stamp: one changed proof hash, one changed entry.
  auto mutated = dump;
  mutated["sizes"][200]["inclusion"][0]["proof"][2] = b64(hash_leaf(as_bytes("x")));
  EXPECT_NE(run(mutated, out), 0);
  EXPECT_NE(out.find("size 201: inclusion proof of 0 does not verify"), std::string::npos) << out;
  mutated = dump;
  mutated["entries"][5] = "{}";
  EXPECT_NE(run(mutated, out), 0);
  EXPECT_NE(out.find("size 6: root differs"), std::string::npos) << out;
}

// The running log keeps only blocks of 1,024 leaves and the current block in memory
// (MemoryTree's pruned mode); proofs that reach into earlier blocks read their leaf hashes back
// from the store. Checked in Node (tests/interop/merkle_check.mjs, RFC 9162 written out again)
// across block boundaries, before and after the log is reopened from the store.
TEST(AuditLogInterop, ProofsIntoEarlierBlocksVerifyInNode) {
  const std::string script = std::string(QUALSIG_SOURCE_DIR) + "/tests/interop/merkle_check.mjs";
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node missing: run scripts/install-deps";
  LogFixture f;
  constexpr int kThreads = 8, kEach = 325;  // 2,600 entries: two complete blocks and part of a third
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) ASSERT_TRUE(f.log->append(note(t * 1000 + i), kT0));
    });
  for (auto& t : threads) t.join();
  ASSERT_EQ(f.log->size(), 2600u);

  auto b64 = [](const Hash& h) { return base64_encode(ByteView(h.data(), h.size())); };
  auto dump_of = [&](AuditLog& log) {
    nlohmann::json dump;
    dump["origin"] = f.origin;
    dump["public_key_spki_b64"] = base64_encode(*core::public_key_to_der(f.signer->public_key()));
    dump["entries"] = nlohmann::json::array();
    EXPECT_TRUE(f.store->for_each_log_row(0, [&](const store::LogRow& row) {
      dump["entries"].push_back(row.entry);
      return true;
    }));
    dump["sizes"] = nlohmann::json::array();
    for (std::uint64_t size : {1024u, 1025u, 2048u, 2100u, 2600u}) {
      nlohmann::json s = {{"size", size}, {"root_b64", b64(*log.root_at(size))}};
      s["inclusion"] = nlohmann::json::array();
      for (std::uint64_t i : {0u, 5u, 1023u, 1024u, 1500u, 2047u, 2599u}) {
        if (i >= size) continue;
        auto proof = log.inclusion_proof(i, size);
        EXPECT_TRUE(proof) << proof.error().message;
        nlohmann::json a = nlohmann::json::array();
        for (const auto& h : *proof) a.push_back(b64(h));
        s["inclusion"].push_back({{"index", i}, {"proof", a}});
      }
      s["consistency"] = nlohmann::json::array();
      for (std::uint64_t m : {1u, 100u, 1024u, 1030u, 2049u}) {
        if (m > size) continue;
        auto proof = log.consistency_proof(m, size);
        EXPECT_TRUE(proof) << proof.error().message;
        nlohmann::json a = nlohmann::json::array();
        for (const auto& h : *proof) a.push_back(b64(h));
        s["consistency"].push_back({{"from", m}, {"proof", a}});
      }
      dump["sizes"].push_back(std::move(s));
    }
    return dump;
  };
  auto check = [&](const nlohmann::json& dump) {
    auto path = f.dir.path() / "blocks.json";
    std::ofstream(path) << dump.dump();
    FILE* pipe = ::popen(("node " + script + " " + path.string() + " 2>&1").c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char buf[4096];
    while (std::fgets(buf, sizeof(buf), pipe)) out += buf;
    EXPECT_EQ(::pclose(pipe), 0) << out;
    EXPECT_EQ(out.rfind("ok ", 0), 0u) << out;
  };
  check(dump_of(*f.log));
  auto reopened = AuditLog::open(*f.store, f.signer, f.origin);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ((*reopened)->root(), f.log->root());
  check(dump_of(**reopened));
}

}  // namespace
}  // namespace qualsig::audit
