// Digest signatures per second through the HSM layer (Pkcs11Signer: session pool, CKM_ECDSA,
// DER encoding), beside calling C_Sign directly on a session of one's own (the layer's
// floor) and OpenSSL signing in-process with the key in memory (the ceiling), for P-256 and
// P-384, with 1 and 2 threads. Results and how to read them: BENCHMARKS.md.

#include <benchmark/benchmark.h>

#include <memory>

#include "core/digest.h"
#include "hsm/signer.h"
#include "support/softhsm.h"

namespace {

using namespace qualsig;

struct Fixture {
  qualsig::testing::SoftHsm hsm{"bench", 2};
  std::shared_ptr<hsm::Pkcs11Signer> p256;
  std::shared_ptr<hsm::Pkcs11Signer> p384;
  core::UniquePtr<EVP_PKEY> soft_p256;
  core::UniquePtr<EVP_PKEY> soft_p384;

  Fixture() {
    p256 = *hsm::Pkcs11Signer::create(hsm.token(), *hsm.token()->generate_key(hsm::KeyType::ec_p256, "p256", Bytes{1}));
    p384 = *hsm::Pkcs11Signer::create(hsm.token(), *hsm.token()->generate_key(hsm::KeyType::ec_p384, "p384", Bytes{2}));
    soft_p256 = core::wrap(EVP_EC_gen("P-256"));
    soft_p384 = core::wrap(EVP_EC_gen("P-384"));
  }
  static Fixture& get() {
    static Fixture f;
    return f;
  }
};

Bytes digest_for(bool p384) {
  return core::digest(p384 ? core::DigestAlgorithm::sha384 : core::DigestAlgorithm::sha256, as_bytes("qualsig bench"));
}

// The HSM layer as every caller uses it.
void BM_HsmLayer(benchmark::State& state, bool p384) {
  auto& f = Fixture::get();
  const auto& signer = p384 ? f.p384 : f.p256;
  Bytes digest = digest_for(p384);
  auto alg = p384 ? core::DigestAlgorithm::sha384 : core::DigestAlgorithm::sha256;
  for (auto _ : state) {
    auto sig = signer->sign_digest(digest, alg, hsm::SignatureScheme::ecdsa);
    if (!sig) state.SkipWithError(sig.error().message.c_str());
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}

// C_SignInit + C_Sign on a session owned by this thread: no pool, no DER conversion.
void BM_RawCSign(benchmark::State& state, bool p384) {
  auto& f = Fixture::get();
  const auto* fn = f.hsm.module()->functions();
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  if (fn->C_OpenSession(f.hsm.token()->slot().id, CKF_SERIAL_SESSION, nullptr, nullptr, &session) != CKR_OK) {
    state.SkipWithError("C_OpenSession failed");
    return;
  }
  CK_OBJECT_HANDLE key = (p384 ? f.p384 : f.p256)->key().private_key;
  Bytes digest = digest_for(p384);
  CK_BYTE sig[128];
  for (auto _ : state) {
    CK_MECHANISM mech{CKM_ECDSA, nullptr, 0};
    CK_ULONG len = sizeof(sig);
    if (fn->C_SignInit(session, &mech, key) != CKR_OK ||
        fn->C_Sign(session, digest.data(), digest.size(), sig, &len) != CKR_OK)
      state.SkipWithError("C_Sign failed");
    benchmark::DoNotOptimize(sig);
  }
  fn->C_CloseSession(session);
  state.SetItemsProcessed(state.iterations());
}

// OpenSSL in-process, key in memory, one reused context per thread: the ceiling.
void BM_OpenSslInProcess(benchmark::State& state, bool p384) {
  auto& f = Fixture::get();
  EVP_PKEY* key = p384 ? f.soft_p384.get() : f.soft_p256.get();
  auto ctx = core::wrap(EVP_PKEY_CTX_new(key, nullptr));
  EVP_PKEY_sign_init(ctx.get());
  Bytes digest = digest_for(p384);
  unsigned char sig[128];
  for (auto _ : state) {
    size_t len = sizeof(sig);
    if (EVP_PKEY_sign(ctx.get(), sig, &len, digest.data(), digest.size()) != 1) state.SkipWithError("EVP_PKEY_sign");
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}

void register_all() {
  for (bool p384 : {false, true}) {
    const char* curve = p384 ? "P384" : "P256";
    for (auto [name, fn] : {std::pair{"HsmLayer", &BM_HsmLayer}, {"RawCSign", &BM_RawCSign},
                            {"OpenSslInProcess", &BM_OpenSslInProcess}}) {
      benchmark::RegisterBenchmark((std::string(name) + "/" + curve).c_str(), fn, p384)
          ->Threads(1)
          ->Threads(2)
          ->UseRealTime()
          ->MinTime(1.0);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
