// Evidence bundle benchmarks (issue: evidence bundles): export and offline verification of one
// bundle, and of 1,000 bundles in one run; the size of a bundle for a 1 MB document. The peer in
// the same run: OpenSSL's CMS_verify of the same signature over the same document — the
// cryptographic core that every verifier runs — so the rest of the verification (log proofs,
// checkpoint, chain, revocation, time-stamps, records) shows as the difference.
// Results: BENCHMARKS.md.

#include <benchmark/benchmark.h>

#include <openssl/cms.h>

#include "core/digest.h"
#include "core/fs.h"
#include "core/openssl.h"
#include "evidence/bundle.h"
#include "evidence/verify.h"
#include "service/cert_service.h"
#include "service/evidence_service.h"
#include "service/identity_service.h"
#include "service/init.h"
#include "service/sign_service.h"
#include "support/temp_dir.h"

namespace {

using namespace qualsig;

constexpr int kBundles = 1000;

struct Env {
  qualsig::testing::TempDir dir;
  std::unique_ptr<service::TrustService> svc;
  std::vector<std::string> signatures;  // kBundles small documents
  std::string big_signature;            // a 1 MB document
  std::filesystem::path big_document;
  std::vector<evidence::Bundle> bundles;
  std::size_t big_bundle_bytes = 0;

  std::string sign(const std::string& content, const std::string& name) {
    auto now = now_seconds();
    service::SignRequestInput in;
    in.identity = "invoice-bot";
    in.document_type = "invoice";
    in.document = {name, core::DigestAlgorithm::sha256, core::sha256(as_bytes(content)), static_cast<std::int64_t>(content.size())};
    in.detached = true;
    in.level = "B-LT";
    in.requester = "operator:bench";
    auto sub = service::submit_sign_request(*svc, in, now);
    auto act = service::authorize_signature(*svc, sub->request.id, std::nullopt, now);
    return service::sign_with_sad(*svc, act->sad, {in.document.value, std::nullopt}, now)->signature.id;
  }

  Env() {
    auto now = now_seconds();
    service::InitOptions o;
    o.data_dir = dir.path() / "d";
    o.now = now;
    if (auto r = service::initialize(o); !r) throw std::runtime_error(r.error().message);
    svc = std::move(*service::TrustService::open(o.data_dir));
    (void)service::register_identity(*svc, {"invoice-bot", "service-account", "Finance Lead", "bench", std::nullopt}, "bench", now);
    service::ProofRequest p;
    p.identity = "invoice-bot";
    p.by = "alice";
    (void)service::proof_identity(*svc, p, "bench", now);
    (void)service::confirm_identity(*svc, "invoice-bot", "bob", now);
    (void)service::issue_certificate(*svc, {"invoice-bot", std::nullopt}, "bench", now);
    (void)service::set_policy(*svc, {"invoice-bot"},
                              R"({"schema": "qualsig-policy/1", "name": "b", "version": 1, "document_types": ["invoice"]})",
                              "bench", now);
    for (int i = 0; i < kBundles; ++i) signatures.push_back(sign("invoice " + std::to_string(i), "invoice.txt"));
    std::string big(1u << 20, 'x');
    big_document = dir.path() / "big.bin";
    (void)core::write_file_atomic(big_document, big);
    big_signature = sign(big, "big.bin");
    auto b = service::export_bundle(*svc, big_signature, {big_document, false}, now_seconds());
    big_bundle_bytes = evidence::to_json_text(*b).size();
  }
  static Env& get() {
    static Env e;
    return e;
  }
};

void BM_ExportOne(benchmark::State& state) {
  auto& env = Env::get();
  for (auto _ : state) {
    auto b = service::export_bundle(*env.svc, env.signatures.front(), {}, now_seconds());
    if (!b) {
      state.SkipWithError(b.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(evidence::to_json_text(*b));
  }
}

void BM_VerifyOne(benchmark::State& state) {
  auto& env = Env::get();
  auto b = service::export_bundle(*env.svc, env.signatures.front(), {}, now_seconds());
  auto text = evidence::to_json_text(*b);
  for (auto _ : state) {
    // Parse + verify, as `qualsig evidence verify` does after reading the file.
    auto parsed = evidence::parse_bundle(text);
    auto report = evidence::verify_bundle(*parsed, {});
    if (!report.verified) {
      state.SkipWithError("bundle did not verify");
      return;
    }
  }
}

void BM_VerifyOne1MBDocument(benchmark::State& state) {
  auto& env = Env::get();
  auto b = service::export_bundle(*env.svc, env.big_signature, {env.big_document, false}, now_seconds());
  auto text = evidence::to_json_text(*b);
  for (auto _ : state) {
    auto parsed = evidence::parse_bundle(text);
    auto report = evidence::verify_bundle(*parsed, {});
    if (!report.verified) {
      state.SkipWithError("bundle did not verify");
      return;
    }
  }
  state.counters["bundle_bytes"] = static_cast<double>(env.big_bundle_bytes);
}

// The peer: CMS_verify of the same signature over the same 1 MB document, chain to the root.
void BM_PeerCmsVerify1MBDocument(benchmark::State& state) {
  auto& env = Env::get();
  auto b = service::export_bundle(*env.svc, env.big_signature, {env.big_document, false}, now_seconds());
  auto store = core::wrap(X509_STORE_new());
  auto root = *core::x509_from_der(b->chain.back());
  X509_STORE_add_cert(store.get(), root.get());
  auto issuing = *core::x509_from_der(b->chain.front());
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(sk_X509_new_null(),
                                                                      [](STACK_OF(X509)* s) { sk_X509_free(s); });
  sk_X509_push(untrusted.get(), issuing.get());
  for (auto _ : state) {
    const unsigned char* p = b->signature.data();
    auto cms = core::wrap(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(b->signature.size())));
    auto content = core::wrap(BIO_new_mem_buf(b->document->data(), static_cast<int>(b->document->size())));
    if (CMS_verify(cms.get(), untrusted.get(), store.get(), content.get(), nullptr, CMS_BINARY) != 1) {
      state.SkipWithError("CMS_verify failed");
      return;
    }
  }
}

void BM_Export1000(benchmark::State& state) {
  auto& env = Env::get();
  for (auto _ : state) {
    for (const auto& id : env.signatures) {
      auto b = service::export_bundle(*env.svc, id, {}, now_seconds());
      if (!b) {
        state.SkipWithError(b.error().message.c_str());
        return;
      }
      env.bundles.push_back(std::move(*b));
    }
  }
  state.counters["bundles"] = kBundles;
}

void BM_Verify1000(benchmark::State& state) {
  auto& env = Env::get();
  for (auto _ : state) {
    for (const auto& b : env.bundles) {
      auto report = evidence::verify_bundle(b, {});
      if (!report.verified) {
        state.SkipWithError("a bundle did not verify");
        return;
      }
    }
  }
  state.counters["bundles"] = static_cast<double>(env.bundles.size());
}

BENCHMARK(BM_ExportOne)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_VerifyOne)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_VerifyOne1MBDocument)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PeerCmsVerify1MBDocument)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Export1000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Verify1000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
