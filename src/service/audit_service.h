#pragma once
// Use cases of the audit log: open it for the service, log events, verify, prove, checkpoint.

#include <filesystem>
#include <memory>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "audit/audit_log.h"
#include "audit/log_verifier.h"
#include "service/trust_service.h"

namespace qualsig::service {

// The log's key name / checkpoint origin (stored at init in settings "audit.origin").
Result<std::string> audit_origin(TrustService& service);

// The verifier for checkpoints: the public key of the token's "audit-log" key when the token
// opens (and it must equal the key recorded in the database), else — or with `key_pem` — the
// given or recorded key. `source` says which was used.
struct LogKey {
  audit::NoteVerifier verifier;
  std::string source;  // "token", "database (token unavailable: ...)", "file <path>"
};
Result<LogKey> audit_log_key(TrustService& service, const std::optional<std::filesystem::path>& key_pem);

// Full verification (see audit/log_verifier.h).
Result<audit::LogVerification> verify_audit_log(TrustService& service, const audit::NoteVerifier& key,
                                                const audit::VerifyProgress& progress = {});

// Signs a checkpoint every `interval` while the log grows (C2SP tlog-checkpoint "published at
// a regular interval"); stops and joins on destruction.
class CheckpointPublisher {
 public:
  CheckpointPublisher(TrustService& service, std::chrono::seconds interval);
  ~CheckpointPublisher();
  CheckpointPublisher(const CheckpointPublisher&) = delete;
  CheckpointPublisher& operator=(const CheckpointPublisher&) = delete;

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_stop = false;
  std::thread m_thread;
};

}  // namespace qualsig::service
