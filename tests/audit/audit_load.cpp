// Test tool for the crash test (tests/integration/audit_crash_test.sh): appends operator notes
// to the audit log of a data directory from several threads, as fast as durability allows,
// and prints "ack <seq> <leaf hash hex>" for every append that returned — the acknowledged
// entries that must survive a kill -9. Signs a checkpoint every 100 acknowledgements.
//
// usage: audit_load DATA_DIR THREADS

#include <atomic>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "service/trust_service.h"

int main(int argc, char** argv) {
  using namespace qualsig;
  if (argc != 3) {
    std::cerr << "usage: audit_load DATA_DIR THREADS\n";
    return 2;
  }
  auto svc = service::TrustService::open(argv[1]);
  if (!svc) {
    std::cerr << "error: " << svc.error().message << "\n";
    return 3;
  }
  auto log = (*svc)->audit_log();
  if (!log) {
    std::cerr << "error: " << log.error().message << "\n";
    return 3;
  }
  std::mutex out;
  std::atomic<std::uint64_t> acks{0};
  std::vector<std::thread> threads;
  int n = std::atoi(argv[2]);
  for (int t = 0; t < n; ++t)
    threads.emplace_back([&, t] {
      for (std::uint64_t i = 0;; ++i) {
        audit::EntryDraft d;
        d.event = audit::EventType::operator_note;
        d.actor = "load:" + std::to_string(t);
        d.subject = "crash-test";
        d.details = {{"i", i}};
        auto e = (*log)->append(d, now_seconds());
        if (!e) {
          std::lock_guard lock(out);
          std::cerr << "error: " << e.error().message << "\n";
          std::exit(3);
        }
        {
          std::lock_guard lock(out);
          std::printf("ack %llu %s\n", static_cast<unsigned long long>(e->seq), audit::to_hex(e->leaf_hash).c_str());
          std::fflush(stdout);
        }
        if (++acks % 100 == 0) (void)(*log)->checkpoint(now_seconds());
      }
    });
  for (auto& t : threads) t.join();
  return 0;
}
