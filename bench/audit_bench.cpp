// Audit log benchmarks (issue: tamper-evident audit log):
//  - durable appends per second (fsync'd group commit) from 1, 8 and 64 writer threads;
//  - inclusion-proof generation in a tree of 1M entries;
//  - full verification (`qualsig audit verify`'s work) of a stored log of 1M entries;
// beside the peer they are judged against: one P-256 signature through the HSM layer.
// Results and how to read them: BENCHMARKS.md.

#include <benchmark/benchmark.h>

#include <random>

#include "audit/audit_log.h"
#include "audit/log_verifier.h"
#include "core/digest.h"
#include "store/sqlite/sqlite_store.h"
#include "support/softhsm.h"

namespace {

using namespace qualsig;

struct Env {
  qualsig::testing::SoftHsm hsm{"audit-bench", 4};
  qualsig::testing::TempDir dir;
  std::shared_ptr<hsm::Pkcs11Signer> signer;
  std::string origin = "qualsig.local/BENCH/audit";
  Env() {
    signer = *hsm::Pkcs11Signer::create(hsm.token(), *hsm.token()->generate_key(hsm::KeyType::ec_p256, "log", Bytes{1}));
  }
  static Env& get() {
    static Env e;
    return e;
  }
};

audit::EntryDraft draft(std::uint64_t i) {
  audit::EntryDraft d;
  d.event = audit::EventType::signature_produced;
  d.actor = "identity:invoice-bot";
  d.subject = "signature:" + std::to_string(i);
  d.refs["document"] = audit::sha256_ref(as_bytes(std::to_string(i)));
  d.details = {{"format", "PAdES"}, {"level", "B-LT"}, {"credential", "invoice-bot-2026"}};
  return d;
}

// One log shared by the threads of a run; a fresh database per thread count.
std::unique_ptr<store::SqliteStore> g_store;
std::unique_ptr<audit::AuditLog> g_log;

// Runs once before the threads of a run start (Google Benchmark Setup): a fresh database per
// thread count, so no thread appends while the log is being replaced.
void setup_append(const benchmark::State& state) {
  auto& env = Env::get();
  g_log.reset();
  g_store.reset();
  auto path = env.dir.path() / ("append-" + std::to_string(state.threads()) + ".db");
  g_store = std::move(*store::SqliteStore::open(path, store::SqliteStore::Mode::create));
  g_log = std::move(*audit::AuditLog::open(*g_store, env.signer, env.origin));
}

void teardown_append(const benchmark::State&) {
  g_log.reset();
  g_store.reset();
}

void BM_DurableAppend(benchmark::State& state) {
  std::uint64_t i = static_cast<std::uint64_t>(state.thread_index()) << 32;
  auto now = now_seconds();
  for (auto _ : state) {
    auto e = g_log->append(draft(i++), now);
    if (!e) state.SkipWithError(e.error().message.c_str());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_HsmSignP256(benchmark::State& state) {
  auto& env = Env::get();
  Bytes digest = core::sha256(as_bytes("x"));
  for (auto _ : state) {
    auto s = env.signer->sign_digest(digest, core::DigestAlgorithm::sha256, hsm::SignatureScheme::ecdsa);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_InclusionProof1M(benchmark::State& state) {
  // MemoryTree is neither copyable nor movable: built once in place, kept for the process.
  static audit::MemoryTree& tree = *[] {
    auto* t = new audit::MemoryTree;
    for (std::uint64_t i = 0; i < 1'000'000; ++i) {
      auto s = std::to_string(i);
      t->append(audit::hash_leaf(as_bytes(s)));
    }
    return t;
  }();
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    auto p = tree.inclusion_proof(rng() % tree.size(), tree.size());
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_VerifyLog1M(benchmark::State& state) {
  auto& env = Env::get();
  auto path = env.dir.path() / "verify-1m.db";
  auto st = std::move(*store::SqliteStore::open(path, store::SqliteStore::Mode::create));
  {
    // The stored form the log writes (make_entry + leaf hash + prev chain), inserted in large
    // transactions to build the fixture quickly.
    std::optional<audit::Hash> prev;
    std::vector<store::LogRow> rows;
    auto now = now_seconds();
    for (std::uint64_t i = 0; i < 1'000'000; ++i) {
      auto e = audit::make_entry(draft(i), i, now, prev);
      auto leaf = audit::hash_leaf(as_bytes(*e));
      rows.push_back({i, std::move(*e), Bytes(leaf.begin(), leaf.end())});
      prev = leaf;
      if (rows.size() == 50'000) {
        (void)st->append_log_rows(rows);
        rows.clear();
      }
    }
    auto log = std::move(*audit::AuditLog::open(*st, env.signer, env.origin));
    (void)log->checkpoint(now);
  }
  auto verifier = std::move(*audit::ecdsa_note_verifier(env.origin, env.signer->public_key()));
  for (auto _ : state) {
    auto v = audit::verify_log(*st, verifier);
    if (!v || !v->ok || v->entries != 1'000'000) state.SkipWithError("verification failed");
  }
  state.counters["entries"] = 1'000'000;
}

}  // namespace

BENCHMARK(BM_HsmSignP256)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_DurableAppend)->Setup(setup_append)->Teardown(teardown_append)->Threads(1)->Threads(8)->Threads(64)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_InclusionProof1M)->MinTime(1.0);
BENCHMARK(BM_VerifyLog1M)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK_MAIN();
