// PAdES B-T signing benchmark (issue 7): signed PDFs per second for a 100-page PDF and a 10 MB
// PDF, end to end through the service as `qualsig sign --format pades --level B-T` does it —
// policy decision logged, SAD issued and consumed, byte range hashed, the identity's key signs in
// the token, our TSA time-stamps, the incremental update is written and the signature logged
// durably. The peer (@signpdf/signpdf with an in-memory RSA key, bench/pades/run.sh) signs the
// same files in the same run.
//
//   pades_bench --files DIR [benchmark flags]   makes DIR/pages-100.pdf and DIR/large-10485760.pdf
//                                                (if absent) and measures both
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstring>
#include <iostream>

#include "core/digest.h"
#include "core/fs.h"
#include "service_env.h"
#include "support/pdf_samples.h"

namespace {

using namespace qualsig;

struct Env : bench::ServiceEnv {
  Env() : ServiceEnv("contract-agent", R"({"schema": "qualsig-policy/1", "name": "bench", "version": 1, "document_types": ["contract"]})") {}
  static Env& get() {
    static Env e;
    return e;
  }
};

std::filesystem::path g_files;

void sign_pdf(benchmark::State& state, const std::filesystem::path& file) {
  auto& env = Env::get();
  auto text = core::read_file(file, 1u << 30);
  if (!text) {
    state.SkipWithError(text.error().message.c_str());
    return;
  }
  Bytes pdf(text->begin(), text->end());
  for (auto _ : state) {
    auto now = now_seconds();
    service::SignRequestInput in;
    in.identity = "contract-agent";
    in.document_type = "contract";
    // The service hashes the document as `qualsig sign` does (the request is bound to it).
    in.document = {file.filename().string(), core::DigestAlgorithm::sha256, core::sha256(pdf), static_cast<std::int64_t>(pdf.size())};
    in.format = service::kPades;
    in.level = "B-T";
    in.requester = "operator:bench";
    auto sub = service::submit_sign_request(*env.svc, in, now);
    if (!sub || sub->request.status != "allowed") {
      state.SkipWithError(sub ? "not allowed" : sub.error().message.c_str());
      return;
    }
    auto act = service::authorize_signature(*env.svc, sub->request.id, std::nullopt, now);
    if (!act) {
      state.SkipWithError(act.error().message.c_str());
      return;
    }
    auto sig = service::sign_with_sad(*env.svc, act->sad, {in.document.value, pdf}, now);
    if (!sig) {
      state.SkipWithError(sig.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(sig->signature.signature.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["file_MB"] = static_cast<double>(pdf.size()) / 1e6;
}

void BM_PadesBT_100Pages(benchmark::State& state) { sign_pdf(state, g_files / "pages-100.pdf"); }
void BM_PadesBT_10MB(benchmark::State& state) { sign_pdf(state, g_files / "large-10485760.pdf"); }
BENCHMARK(BM_PadesBT_100Pages)->UseRealTime();
BENCHMARK(BM_PadesBT_10MB)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--files") == 0) g_files = argv[i + 1];
  if (g_files.empty()) {
    std::cerr << "usage: pades_bench --files DIR [benchmark flags]\n";
    return 2;
  }
  std::filesystem::create_directories(g_files);
  if (!std::filesystem::exists(g_files / "pages-100.pdf") && qualsig::testing::make_pages_pdf(g_files, 100).empty()) {
    std::cerr << "pades_bench: cannot make the 100-page PDF (gs and qpdf are needed)\n";
    return 1;
  }
  if (!std::filesystem::exists(g_files / "large-10485760.pdf")) qualsig::testing::make_large_pdf(g_files, 10u << 20);
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--files") == 0) {
      ++i;
      continue;
    }
    args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
