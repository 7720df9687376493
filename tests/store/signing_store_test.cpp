// The signing-authorisation part of the store, on every backend (store_backends.h): SAD
// consumed exactly once (threads and separate connections), counters, compare-and-set request
// transitions, immutable policy versions.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "store_backends.h"
#include "support/temp_dir.h"

namespace qualsig::store {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'790'000'000));

std::int64_t add_identity(Store& store, const std::string& name) {
  IdentityRecord r;
  r.name = name;
  r.kind = "service-account";
  r.state = "active";
  r.created_at = r.updated_at = kT0;
  return *store.create_identity(r);
}

SignRequestRecord request(std::int64_t identity_id, const std::string& id, const std::string& status) {
  SignRequestRecord r;
  r.id = id;
  r.identity_id = identity_id;
  r.requester = "identity:bot";
  r.document_type = "invoice";
  r.attributes = "{}";
  r.document_name = "a.pdf";
  r.document_hash = "sha256:00";
  r.format = "cades";
  r.level = "B-B";
  r.decision = "{}";
  r.status = status;
  r.created_at = kT0;
  r.expires_at = kT0 + 24h;
  return r;
}

SadRecord sad(const std::string& hash, const std::string& request_id) {
  return SadRecord{hash, request_id, "01AB", {"sha256:00"}, kT0, kT0 + 5min, std::nullopt};
}

class SigningStore : public testing::StoreTest {};
QUALSIG_STORE_BACKENDS(SigningStore);

// The credential a request names (CSC credentialID) is kept; a request without one reads back
// without one, in both backends.
TEST_P(SigningStore, RequestKeepsTheCredentialItNames) {
  auto store = open_store();
  auto id = add_identity(*store, "bot");
  SignRequestRecord named = request(id, "req-named", "allowed");
  named.credential = "7F00A1";
  ASSERT_TRUE(store->create_sign_request(named));
  ASSERT_TRUE(store->create_sign_request(request(id, "req-any", "allowed")));
  EXPECT_EQ(store->sign_request("req-named")->credential, std::optional<std::string>("7F00A1"));
  EXPECT_EQ(store->sign_request("req-any")->credential, std::nullopt);
  auto listed = store->sign_requests(std::nullopt, 10);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  for (const auto& r : *listed) EXPECT_EQ(r.credential.has_value(), r.id == "req-named") << r.id;
}

TEST_P(SigningStore, SadIsConsumedOnceThenNamesWhy) {
  auto store = open_store();
  auto id = add_identity(*store, "bot");
  ASSERT_TRUE(store->create_sign_request(request(id, "req-1", "allowed")));
  ASSERT_TRUE(store->put_sad(sad("sha256:aa", "req-1")));
  // Looked up without being used (signHash checks whose SAD it is before consuming it).
  auto looked = store->sad("sha256:aa");
  ASSERT_TRUE(looked) << looked.error().message;
  EXPECT_EQ(looked->request_id, "req-1");
  EXPECT_FALSE(looked->consumed_at);
  EXPECT_EQ(store->sad("sha256:zz").error().code, ErrorCode::not_found);
  auto first = store->consume_sad("sha256:aa", kT0 + 1min);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(store->sad("sha256:aa")->consumed_at);
  EXPECT_EQ(first->credential, "01AB");
  EXPECT_EQ(first->document_hashes, std::vector<std::string>{"sha256:00"});
  auto replay = store->consume_sad("sha256:aa", kT0 + 1min);
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, ErrorCode::conflict);
  EXPECT_EQ(store->consume_sad("sha256:bb", kT0).error().code, ErrorCode::not_found);
  ASSERT_TRUE(store->put_sad(sad("sha256:cc", "req-1")));
  auto late = store->consume_sad("sha256:cc", kT0 + 5min);  // expires_at is exclusive
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::denied);
  // An expired SAD stays unused: a later attempt still says expired, not "already used".
  EXPECT_EQ(store->consume_sad("sha256:cc", kT0 + 6min).error().code, ErrorCode::denied);
}

// The SADs of one multi-hash signHash are consumed together: when one of them cannot be, none is.
TEST_P(SigningStore, SadsOfOneCallAreConsumedAllOrNone) {
  auto store = open_store();
  auto id = add_identity(*store, "bot");
  ASSERT_TRUE(store->create_sign_request(request(id, "req-1", "allowed")));
  for (const char* h : {"sha256:a1", "sha256:a2", "sha256:a3", "sha256:a4"}) ASSERT_TRUE(store->put_sad(sad(h, "req-1")));
  ASSERT_TRUE(store->consume_sad("sha256:a3", kT0 + 1min));  // used by an earlier call
  auto mixed = store->consume_sads({"sha256:a1", "sha256:a2", "sha256:a3", "sha256:a4"}, kT0 + 1min);
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().code, ErrorCode::conflict);
  EXPECT_NE(mixed.error().message.find("SAD 3 of 4"), std::string::npos) << mixed.error().message;
  for (const char* h : {"sha256:a1", "sha256:a2", "sha256:a4"}) EXPECT_FALSE(store->sad(h)->consumed_at) << h;
  EXPECT_EQ(store->consume_sads({"sha256:a1", "sha256:nope"}, kT0 + 1min).error().code, ErrorCode::not_found);
  EXPECT_FALSE(store->sad("sha256:a1")->consumed_at);
  // Reversed order: records come back in the order asked for.
  auto all = store->consume_sads({"sha256:a4", "sha256:a2", "sha256:a1"}, kT0 + 1min);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].token_hash, "sha256:a4");
  EXPECT_EQ((*all)[2].token_hash, "sha256:a1");
  for (const char* h : {"sha256:a1", "sha256:a2", "sha256:a4"}) EXPECT_TRUE(store->sad(h)->consumed_at) << h;
  EXPECT_EQ(store->consume_sads({"sha256:a2"}, kT0 + 1min).error().code, ErrorCode::conflict);
}

// Two callers racing for overlapping sets (in opposite orders, on two connections): each SAD is
// consumed by exactly one of them, and a caller gets all of its set or none.
TEST_P(SigningStore, OverlappingSadSetsRaceWithoutSplittingACall) {
  auto a = open_store();
  auto id = add_identity(*a, "bot");
  ASSERT_TRUE(a->create_sign_request(request(id, "req-1", "allowed")));
  auto b = open_store(false);
  for (int round = 0; round < 10; ++round) {
    std::vector<std::string> set;
    for (int k = 0; k < 6; ++k) {
      set.push_back("sha256:r" + std::to_string(round) + "-" + std::to_string(k));
      ASSERT_TRUE(a->put_sad(sad(set.back(), "req-1")));
    }
    std::vector<std::string> reversed(set.rbegin(), set.rend());
    std::atomic<int> winners{0};
    std::thread t1([&] { winners += a->consume_sads(set, kT0 + 1min).has_value(); });
    std::thread t2([&] { winners += b->consume_sads(reversed, kT0 + 1min).has_value(); });
    t1.join();
    t2.join();
    EXPECT_EQ(winners.load(), 1) << "round " << round;
    for (const auto& h : set) EXPECT_TRUE(a->sad(h)->consumed_at) << h;
  }
}

TEST_P(SigningStore, SadReplayedFrom16ThreadsOnTwoConnectionsSucceedsOnce) {
  auto a = open_store();
  auto id = add_identity(*a, "bot");
  ASSERT_TRUE(a->create_sign_request(request(id, "req-1", "allowed")));
  auto b = open_store(false);
  for (int round = 0; round < 20; ++round) {
    std::string hash = "sha256:" + std::to_string(round);
    ASSERT_TRUE(a->put_sad(sad(hash, "req-1")));
    std::atomic<int> successes{0}, conflicts{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t)
      threads.emplace_back([&, t] {
        Store& s = t % 2 ? static_cast<Store&>(*a) : static_cast<Store&>(*b);
        auto r = s.consume_sad(hash, kT0 + 1min);
        if (r) ++successes;
        else if (r.error().code == ErrorCode::conflict) ++conflicts;
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(successes.load(), 1) << "round " << round;
    EXPECT_EQ(conflicts.load(), 15) << "round " << round;
  }
}

// Concurrent writes share commits on SQLite (group commit): a write that fails in the middle
// (the signature row inserted, then the request found in another state) is undone alone, the
// others of its group stay, and every one of them is visible on another connection when its
// call returns.
TEST_P(SigningStore, ConcurrentWritesThatFailAreUndoneAloneAndTheOthersAreDurable) {
  auto a = open_store();
  auto b = open_store(false);
  auto id = add_identity(*a, "bot");
  constexpr int kThreads = 24, kRounds = 15;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        auto req = "req-" + std::to_string(t) + "-" + std::to_string(i);
        if (!a->create_sign_request(request(id, req, "allowed"))) ++wrong;
        const bool good = (t + i) % 2 == 0;
        auto put = a->put_signature({"sig-" + req, req, id, "", "01", "cades", "B-B", "sha256:00", "sha256:ff",
                                     Bytes{1, 2}, kT0}, good ? "allowed" : "approved");
        if (good != static_cast<bool>(put)) ++wrong;
        if (!good && put.error().code != ErrorCode::conflict) ++wrong;
        // Visible to another connection once returned.
        auto seen = b->sign_request(req);
        if (!seen || seen->status != (good ? "signed" : "allowed")) ++wrong;
        if (static_cast<bool>(b->signature("sig-" + req)) != good) ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(*b->count_signatures(id, kT0, 10'000), kThreads * kRounds / 2);
}

TEST_P(SigningStore, CountersIncreaseAcrossConnections) {
  auto a = open_store();
  auto b = open_store(false);
  std::vector<std::uint64_t> seen;
  std::mutex m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      Store& s = t % 2 ? static_cast<Store&>(*a) : static_cast<Store&>(*b);
      for (int i = 0; i < 50; ++i) {
        auto v = s.next_counter("tsa-serial");
        ASSERT_TRUE(v) << v.error().message;
        std::lock_guard lock(m);
        seen.push_back(*v);
      }
    });
  for (auto& t : threads) t.join();
  std::sort(seen.begin(), seen.end());
  ASSERT_EQ(seen.size(), 400u);
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i + 1);
  EXPECT_EQ(*a->next_counter("other"), 1u);
}

TEST_P(SigningStore, RequestTransitionsAreCompareAndSet) {
  auto store = open_store();
  auto id = add_identity(*store, "bot");
  ASSERT_TRUE(store->create_sign_request(request(id, "req-1", "pending")));
  ASSERT_TRUE(store->transition_sign_request("req-1", "pending", "approved", std::nullopt, std::nullopt));
  auto again = store->transition_sign_request("req-1", "pending", "rejected", std::nullopt, std::nullopt);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  ASSERT_TRUE(store->transition_sign_request("req-1", "approved", "signed", std::string("sig-1"), kT0 + 1h));
  auto r = store->sign_request("req-1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, "signed");
  EXPECT_EQ(r->identity_name, "bot");
  EXPECT_EQ(r->signature_id, std::optional<std::string>("sig-1"));
  EXPECT_EQ(store->sign_request("req-2").error().code, ErrorCode::not_found);
}

TEST_P(SigningStore, ApprovalsOncePerApprover) {
  auto store = open_store();
  auto id = add_identity(*store, "bot");
  ASSERT_TRUE(store->create_sign_request(request(id, "req-1", "pending")));
  ASSERT_TRUE(store->add_approval({"req-1", "alice", "approve", "sha256:00", kT0}));
  auto dup = store->add_approval({"req-1", "alice", "reject", "sha256:00", kT0 + 1s});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::already_exists);
  ASSERT_TRUE(store->add_approval({"req-1", "bob", "approve", "sha256:00", kT0 + 2s}));
  auto all = store->approvals("req-1");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].decision, "approve");
}

TEST_P(SigningStore, PolicyVersionsAreImmutable) {
  auto store = open_store();
  PolicyRecord p{0, "invoices", 1, "sha256:11", "{}", kT0, "operator:me"};
  auto first = store->put_policy(p);
  ASSERT_TRUE(first);
  EXPECT_EQ(*store->put_policy(p), *first);  // same content: same id
  p.hash = "sha256:22";
  EXPECT_EQ(store->put_policy(p).error().code, ErrorCode::already_exists);
  p.version = 2;
  auto second = store->put_policy(p);
  ASSERT_TRUE(second);
  auto id = add_identity(*store, "bot");
  EXPECT_FALSE(store->policy_of_identity(id)->has_value());
  ASSERT_TRUE(store->attach_policy(id, *first, kT0));
  ASSERT_TRUE(store->attach_policy(id, *second, kT0));
  EXPECT_EQ((*store->policy_of_identity(id))->version, 2);
}

TEST_P(SigningStore, PeopleDelegationsAndSignatureCounts) {
  auto store = open_store();
  ASSERT_TRUE(store->create_person({0, "alice", {"finance-approvers", "ops"}, "sha256:a1", kT0, std::nullopt}));
  EXPECT_EQ(store->create_person({0, "alice", {}, "sha256:a2", kT0, std::nullopt}).error().code, ErrorCode::already_exists);
  auto alice = store->person("alice");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->groups, (std::vector<std::string>{"finance-approvers", "ops"}));

  DelegationRecord d{"dlg-1", "person:cfo", "cfo-assistant", {"contract"}, kT0, kT0 + 24h, std::nullopt, std::nullopt, kT0, "operator:me"};
  ASSERT_TRUE(store->put_delegation(d));
  ASSERT_TRUE(store->revoke_delegation("dlg-1", kT0 + 1h));
  EXPECT_EQ(store->revoke_delegation("dlg-1", kT0 + 2h).error().code, ErrorCode::conflict);
  EXPECT_EQ(store->revoke_delegation("dlg-9", kT0).error().code, ErrorCode::not_found);
  EXPECT_EQ(store->delegation("dlg-1")->revoked_at, std::optional<TimePoint>(kT0 + 1h));
  EXPECT_EQ(store->delegations(std::string("cfo-assistant"))->size(), 1u);

  auto id = add_identity(*store, "bot");
  for (int i = 0; i < 3; ++i) {
    auto req = "req-" + std::to_string(i);
    ASSERT_TRUE(store->create_sign_request(request(id, req, "allowed")));
    ASSERT_TRUE(store->put_signature({"sig-" + std::to_string(i), req, id, "", "01", "cades", "B-B", "sha256:00",
                                      "sha256:ff", Bytes{1, 2}, kT0 + std::chrono::hours(i)}, "allowed"));
  }
  EXPECT_EQ(store->sign_request("req-2")->status, "signed");
  EXPECT_EQ(store->sign_request("req-2")->signature_id, std::optional<std::string>("sig-2"));
  EXPECT_EQ(store->identity("bot")->last_used_at, std::optional<TimePoint>(kT0 + 2h));
  // A request that is no longer in the expected state: nothing is written.
  auto stale = store->put_signature({"sig-9", "req-2", id, "", "01", "cades", "B-B", "sha256:00", "sha256:ff", Bytes{1}, kT0},
                                    "allowed");
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::conflict);
  EXPECT_FALSE(store->signature("sig-9")) << "the signature was written";
  EXPECT_EQ(*store->count_signatures(id, kT0, 100), 3);
  EXPECT_EQ(*store->count_signatures(id, kT0 + 1h, 100), 2);
  EXPECT_EQ(*store->count_signatures(id, kT0, 2), 2);  // capped
  EXPECT_EQ(store->signature("sig-2")->identity_name, "bot");
}

// A signature written with the audit log's rows (append_log_rows_after's companion) commits with
// them or not at all; a companion that fails undoes its own writes only, and the rows and the
// other companions of the same transaction still commit.
TEST_P(SigningStore, ASignatureWrittenWithLogRowsCommitsWithThemOrNotAtAll) {
  auto store = open_store();
  auto id = add_identity(*store, "bot");
  for (const char* req : {"req-a", "req-b", "req-c"}) ASSERT_TRUE(store->create_sign_request(request(id, req, "allowed")));
  auto signature = [&](const std::string& sig, const std::string& req, const std::string& status) {
    return LogCompanion{SignatureRecord{sig, req, id, "", "01", "cades", "B-B", "sha256:00", "sha256:ff", Bytes{7}, kT0 + 1h},
                        status};
  };
  auto log_row = [](std::uint64_t seq) { return LogRow{seq, "{\"seq\":" + std::to_string(seq) + "}", Bytes(32, 1)}; };
  std::vector<ErrorCode> outcomes;
  auto committed = store->append_log_rows_after(0, [&](const std::vector<LogRow>&, const Store::CompanionWriter& write)
                                                     -> Result<std::vector<LogRow>> {
    outcomes.clear();
    for (const auto& c : {signature("sig-a", "req-a", "allowed"),
                          signature("sig-b", "req-b", "approved"),   // not in that state: conflict
                          signature("sig-a2", "req-a", "allowed"),   // req-a was signed just above
                          signature("sig-c", "req-c", "allowed")}) {
      auto w = write(c);
      outcomes.push_back(w ? ErrorCode::internal : w.error().code);
    }
    return std::vector<LogRow>{log_row(0)};
  });
  ASSERT_TRUE(committed) << committed.error().message;
  EXPECT_EQ(outcomes, (std::vector<ErrorCode>{ErrorCode::internal, ErrorCode::conflict, ErrorCode::conflict,
                                              ErrorCode::internal}));
  EXPECT_EQ(*store->log_size(), 1u);
  EXPECT_EQ(store->sign_request("req-a")->signature_id, std::optional<std::string>("sig-a"));
  EXPECT_EQ(store->sign_request("req-b")->status, "allowed");
  EXPECT_FALSE(store->signature("sig-b")) << "the signature was written";
  EXPECT_FALSE(store->signature("sig-a2")) << "the signature was written";
  EXPECT_EQ(store->signature("sig-c")->signature, Bytes{7});
  EXPECT_EQ(store->identity("bot")->last_used_at, std::optional<TimePoint>(kT0 + 1h));

  // The rows fail (a seq taken): the companion written before them is undone with them.
  ASSERT_TRUE(store->create_sign_request(request(id, "req-d", "allowed")));
  auto clash = store->append_log_rows_after(0, [&](const std::vector<LogRow>& others, const Store::CompanionWriter& write)
                                                 -> Result<std::vector<LogRow>> {
    if (auto w = write(signature("sig-d", "req-d", "allowed")); !w) return fail(std::move(w).error());
    return std::vector<LogRow>{log_row(others.size() - 1)};
  });
  ASSERT_FALSE(clash);
  EXPECT_FALSE(store->signature("sig-d")) << "the signature was written";
  EXPECT_EQ(store->sign_request("req-d")->status, "allowed");
  EXPECT_EQ(*store->log_size(), 1u);
}

// A VFS over the default one that counts xSync calls (SQLite's VFS interface,
// https://sqlite.org/c3ref/vfs.html): what reaches the disk, seen below the store.
class SyncCounter {
 public:
  SyncCounter() : m_real(sqlite3_vfs_find(nullptr)) {
    s_self = this;
    m_vfs = *m_real;
    m_vfs.zName = "qualsig-sync-counter";
    m_vfs.szOsFile = static_cast<int>(sizeof(File)) + m_real->szOsFile;
    m_vfs.xOpen = &SyncCounter::open;
    sqlite3_vfs_register(&m_vfs, 1);
  }
  ~SyncCounter() {
    sqlite3_vfs_unregister(&m_vfs);
    sqlite3_vfs_register(m_real, 1);
    s_self = nullptr;
  }
  SyncCounter(const SyncCounter&) = delete;
  SyncCounter& operator=(const SyncCounter&) = delete;
  // Syncs since the last call.
  int take() { return s_syncs.exchange(0); }

 private:
  struct File {
    sqlite3_file base;
    sqlite3_file* real;
  };
  static sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }
  static int open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out) {
    auto* file = reinterpret_cast<File*>(f);
    file->real = reinterpret_cast<sqlite3_file*>(file + 1);
    int rc = s_self->m_real->xOpen(s_self->m_real, name, file->real, flags, out);
    file->base.pMethods = file->real->pMethods ? &kMethods : nullptr;
    return rc;
  }
  static inline SyncCounter* s_self = nullptr;
  static inline std::atomic<int> s_syncs{0};
  static constexpr sqlite3_io_methods kMethods = {
      3,
      [](sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); },
      [](sqlite3_file* f, void* b, int n, sqlite3_int64 o) { return real(f)->pMethods->xRead(real(f), b, n, o); },
      [](sqlite3_file* f, const void* b, int n, sqlite3_int64 o) { return real(f)->pMethods->xWrite(real(f), b, n, o); },
      [](sqlite3_file* f, sqlite3_int64 n) { return real(f)->pMethods->xTruncate(real(f), n); },
      [](sqlite3_file* f, int flags) {
        ++s_syncs;
        return real(f)->pMethods->xSync(real(f), flags);
      },
      [](sqlite3_file* f, sqlite3_int64* n) { return real(f)->pMethods->xFileSize(real(f), n); },
      [](sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); },
      [](sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); },
      [](sqlite3_file* f, int* r) { return real(f)->pMethods->xCheckReservedLock(real(f), r); },
      [](sqlite3_file* f, int op, void* a) { return real(f)->pMethods->xFileControl(real(f), op, a); },
      [](sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); },
      [](sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); },
      [](sqlite3_file* f, int i, int n, int w, void volatile** p) { return real(f)->pMethods->xShmMap(real(f), i, n, w, p); },
      [](sqlite3_file* f, int o, int n, int fl) { return real(f)->pMethods->xShmLock(real(f), o, n, fl); },
      [](sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); },
      [](sqlite3_file* f, int d) { return real(f)->pMethods->xShmUnmap(real(f), d); },
      [](sqlite3_file* f, sqlite3_int64 o, int n, void** p) { return real(f)->pMethods->xFetch(real(f), o, n, p); },
      [](sqlite3_file* f, sqlite3_int64 o, void* p) { return real(f)->pMethods->xUnfetch(real(f), o, p); },
  };
  sqlite3_vfs* m_real;
  sqlite3_vfs m_vfs;
};

// A SAD's consumption commits without a sync of its own; the next durable commit syncs it with
// its own (WAL frames are synced in order), and every other write still syncs before it returns.
TEST(SqliteStore, ConsumingASadLeavesItsSyncToTheNextDurableCommit) {
  qualsig::testing::TempDir dir;
  SyncCounter syncs;
  {
    auto store = std::move(*SqliteStore::open(dir.path() / "q.db", SqliteStore::Mode::create));
    auto id = add_identity(*store, "bot");
    ASSERT_TRUE(store->create_sign_request(request(id, "req-1", "allowed")));
    ASSERT_TRUE(store->put_sad(sad("sha256:aa", "req-1")));
    ASSERT_TRUE(store->put_sad(sad("sha256:bb", "req-1")));
    syncs.take();
    ASSERT_TRUE(store->set_setting("a", "2"));
    EXPECT_GE(syncs.take(), 1) << "a durable write returned before a sync";
    ASSERT_TRUE(store->consume_sads({"sha256:aa"}, kT0));
    ASSERT_TRUE(store->consume_sad("sha256:bb", kT0));
    EXPECT_EQ(syncs.take(), 0) << "consuming a SAD synced";
    EXPECT_TRUE(store->sad("sha256:aa")->consumed_at) << "the consumption is visible at once";
    ASSERT_TRUE(store->set_setting("a", "3"));
    EXPECT_GE(syncs.take(), 1) << "the write after a consumption did not sync: synchronous=FULL was not restored";
  }
  // Committed all the same: a new connection reads it.
  auto again = std::move(*SqliteStore::open(dir.path() / "q.db", SqliteStore::Mode::open_existing));
  EXPECT_TRUE(again->sad("sha256:bb")->consumed_at);
}


}  // namespace
}  // namespace qualsig::store
