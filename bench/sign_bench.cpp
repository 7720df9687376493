// End-to-end signing benchmark (issue: policy-gated signing). One request = policy evaluation
// + decision logged + SAD issued and consumed + the identity's HSM signature + CAdES encoding
// (+ a timestamp from our own TSA for B-T) + signature logged durably — exactly what
// `qualsig sign` and the API do, through service/sign_service.h. The peer measured in the same
// run: raw digest signatures with the same identity key through the HSM layer.
// Results and how to read them: BENCHMARKS.md.

#include <benchmark/benchmark.h>

#include <atomic>

#include "core/digest.h"
#include "core/fs.h"
#include "service_env.h"

namespace {

using namespace qualsig;

struct Env : bench::ServiceEnv {
  Env()
      : ServiceEnv("invoice-bot", R"({"schema": "qualsig-policy/1", "name": "bench", "version": 1, "document_types": ["invoice"],
      "max_amount": {"EUR": "250000.00"}, "counterparties": ["GLOBEX-GMBH"],
      "approvals": [{"above": {"EUR": "10000.00"}, "required": 2, "group": "finance-approvers", "valid_for": "72h"}]})") {}
  static Env& get() {
    static Env e;
    return e;
  }
};

std::atomic<std::uint64_t> g_counter{0};

void end_to_end(benchmark::State& state, const char* level) {
  auto& env = Env::get();
  // Wall time of each phase, reported per signature (µs) so BENCHMARKS.md can say where it goes.
  double submit_us = 0, authorize_us = 0, sign_us = 0;
  auto since = [](std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  };
  for (auto _ : state) {
    // A distinct document per request, as in production.
    auto doc = "invoice " + std::to_string(g_counter.fetch_add(1));
    service::SignRequestInput in;
    in.identity = "invoice-bot";
    in.document_type = "invoice";
    in.attributes = {{"amount", "9500.00"}, {"currency", "EUR"}, {"counterparty", "GLOBEX-GMBH"}};
    in.document = {"invoice.txt", core::DigestAlgorithm::sha256, core::sha256(as_bytes(doc)), static_cast<std::int64_t>(doc.size())};
    in.detached = true;
    in.level = level;
    in.requester = "operator:bench";
    auto now = now_seconds();
    auto t0 = std::chrono::steady_clock::now();
    auto sub = service::submit_sign_request(*env.svc, in, now);
    submit_us += since(t0);
    if (!sub || sub->request.status != "allowed") {
      state.SkipWithError(sub ? "not allowed" : sub.error().message.c_str());
      return;
    }
    t0 = std::chrono::steady_clock::now();
    auto act = service::authorize_signature(*env.svc, sub->request.id, std::nullopt, now);
    authorize_us += since(t0);
    if (!act) {
      state.SkipWithError(act.error().message.c_str());
      return;
    }
    t0 = std::chrono::steady_clock::now();
    auto sig = service::sign_with_sad(*env.svc, act->sad, {in.document.value, std::nullopt}, now);
    sign_us += since(t0);
    if (!sig) {
      state.SkipWithError(sig.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(sig->signature.signature.data());
  }
  state.SetItemsProcessed(state.iterations());
  auto n = static_cast<double>(state.iterations());
  state.counters["submit_us"] = benchmark::Counter(submit_us / n, benchmark::Counter::kAvgThreads);
  state.counters["authorize_us"] = benchmark::Counter(authorize_us / n, benchmark::Counter::kAvgThreads);
  state.counters["sign_us"] = benchmark::Counter(sign_us / n, benchmark::Counter::kAvgThreads);
}

void BM_EndToEnd_BB(benchmark::State& state) { end_to_end(state, "B-B"); }
void BM_EndToEnd_BT(benchmark::State& state) { end_to_end(state, "B-T"); }

void BM_RawHsmDigestSign(benchmark::State& state) {
  auto& env = Env::get();
  auto signer = *env.svc->key_signer(env.cert.key_id);
  auto digest = core::sha256(as_bytes("invoice"));
  for (auto _ : state) {
    auto sig = signer->sign_digest(digest, core::DigestAlgorithm::sha256, signer->default_scheme());
    if (!sig) {
      state.SkipWithError(sig.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(sig->data());
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_RawHsmDigestSign)->Threads(1)->Threads(2)->Threads(8)->UseRealTime();
BENCHMARK(BM_EndToEnd_BB)->Threads(1)->Threads(2)->Threads(8)->UseRealTime();
BENCHMARK(BM_EndToEnd_BT)->Threads(1)->Threads(2)->Threads(8)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
