#include "service/audit_service.h"

#include <openssl/pem.h>
#include <spdlog/spdlog.h>

#include "core/fs.h"
#include "core/openssl.h"

namespace qualsig::service {

Result<std::string> audit_origin(TrustService& svc) {
  QS_TRY(auto origin, svc.store().setting("audit.origin"));
  if (!origin) return fail(ErrorCode::database, "the database records no audit log origin");
  return *origin;
}

Result<LogKey> audit_log_key(TrustService& svc, const std::optional<std::filesystem::path>& key_pem) {
  QS_TRY(auto origin, audit_origin(svc));
  if (key_pem) {
    QS_TRY(auto text, core::read_file(*key_pem, 1u << 16));
    auto bio = core::wrap(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    auto key = core::wrap(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key) return fail(core::openssl_error(ErrorCode::invalid_input, "not a PEM public key: " + key_pem->string()));
    QS_TRY(auto v, audit::ecdsa_note_verifier(origin, key.get()));
    return LogKey{std::move(v), "file " + key_pem->string()};
  }
  QS_TRY(auto keys, svc.store().service_keys());
  const store::ServiceKey* recorded = nullptr;
  for (const auto& k : keys)
    if (k.role == "audit-log") recorded = &k;
  if (!recorded) return fail(ErrorCode::database, "the database records no audit-log key");
  auto signer = svc.signer("audit-log");
  if (signer) {
    QS_TRY(auto token_der, core::public_key_to_der((*signer)->public_key()));
    if (token_der != recorded->public_key_der)
      return fail(ErrorCode::denied, "the audit-log key recorded in the database is not the token's key");
    QS_TRY(auto v, audit::ecdsa_note_verifier(origin, (*signer)->public_key()));
    return LogKey{std::move(v), "token"};
  }
  QS_TRY(auto key, core::public_key_from_der(recorded->public_key_der));
  QS_TRY(auto v, audit::ecdsa_note_verifier(origin, key.get()));
  return LogKey{std::move(v), "database (token unavailable: " + signer.error().message + ")"};
}

Result<audit::LogVerification> verify_audit_log(TrustService& svc, const audit::NoteVerifier& key,
                                                const audit::VerifyProgress& progress) {
  return audit::verify_log(svc.store(), key, progress);
}

CheckpointPublisher::CheckpointPublisher(TrustService& svc, std::chrono::seconds interval) {
  m_thread = std::thread([this, &svc, interval] {
    std::unique_lock lock(m_mutex);
    while (!m_cv.wait_for(lock, interval, [this] { return m_stop; })) {
      lock.unlock();
      auto log = svc.audit_log();
      auto cp = log ? (*log)->checkpoint(now_seconds()) : Result<store::StoredCheckpoint>(log.error());
      if (!cp) spdlog::warn("audit checkpoint failed: {}", cp.error().message);
      lock.lock();
    }
  });
}

CheckpointPublisher::~CheckpointPublisher() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

}  // namespace qualsig::service
