#include "service/trust_service.h"

#include "core/digest.h"

#include <cstdlib>

#include "core/digest.h"
#include "core/fs.h"
#include "hsm/openssl_bridge.h"
#include "service/ca_context.h"
#include "hsm/pkcs11_uri.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace qualsig::service {
namespace fs = std::filesystem;

namespace {

// The embedded token's directory is an absolute path in softhsm2.conf (SoftHSM2 resolves
// relative paths against the working directory). When the data directory was moved or
// copied (backup, restore), point the configuration at the token directory next to it.
Result<void> follow_moved_data_dir(const fs::path& conf, const fs::path& tokens) {
  QS_TRY(auto text, core::read_file(conf, 1u << 16));
  constexpr std::string_view kKey = "directories.tokendir = ";
  auto pos = text.find(kKey);
  if (pos == std::string::npos) return ok();  // a hand-written configuration: leave it alone
  auto end = text.find('\n', pos);
  std::string current = text.substr(pos + kKey.size(), end == std::string::npos ? std::string::npos : end - pos - kKey.size());
  std::error_code ec;
  if (current == tokens.string() || !fs::is_directory(tokens, ec)) return ok();
  text.replace(pos + kKey.size(), current.size(), tokens.string());
  return core::write_file_atomic(conf, text, fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace

Result<ModuleSelection> load_module(const fs::path& data_dir, const TokenConfig& token) {
  std::string module = token.module;
  hsm::TokenSelector selector(token.label);
  if (!token.uri.empty()) {
    QS_TRY(auto uri, hsm::parse_pkcs11_uri(token.uri));
    if (uri.module_path) module = *uri.module_path;
    if (uri.token) selector.label = *uri.token;
    selector.serial = uri.serial;
    selector.slot_id = uri.slot_id;
  }
  fs::path path;
  if (module == "softhsm2") {
    auto found = hsm::Module::find_softhsm2();
    if (!found) return fail(ErrorCode::token, "SoftHSM2 is not installed (run scripts/install-deps)");
    path = *found;
    auto conf = resolve(data_dir, token.softhsm2_conf);
    std::error_code ec;
    if (!fs::exists(conf, ec)) return fail(ErrorCode::token, "SoftHSM2 configuration missing: " + conf.string());
    QS_TRY_VOID(follow_moved_data_dir(conf, data_dir / "tokens"));
    // SoftHSM2 reads its configuration at C_Initialize.
    ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  } else {
    path = module;
  }
  QS_TRY(auto loaded, hsm::Module::load(path));
  return ModuleSelection{std::move(loaded), selector};
}

Result<std::unique_ptr<store::Store>> open_store(const fs::path& data_dir, const DatabaseConfig& db, bool create) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (db.url.rfind(kSqlite, 0) == 0) {
    auto path = resolve(data_dir, db.url.substr(kSqlite.size()));
    QS_TRY(auto s, store::SqliteStore::open(path, create ? store::SqliteStore::Mode::create
                                                          : store::SqliteStore::Mode::open_existing));
    return std::unique_ptr<store::Store>(std::move(s));
  }
  if (db.url.rfind("postgresql://", 0) == 0 || db.url.rfind("postgres://", 0) == 0) {
    // Several nodes may share the database; migrations and sequencing are coordinated in it.
    QS_TRY(auto s, store::PostgresStore::open(db.url, create ? store::PostgresStore::Mode::create
                                                               : store::PostgresStore::Mode::open_existing));
    return std::unique_ptr<store::Store>(std::move(s));
  }
  // Not echoed: a mistyped PostgreSQL URL may carry a password.
  return fail(ErrorCode::environment, "database.url must start with sqlite:, postgresql:// or postgres://");
}

Result<std::unique_ptr<TrustService>> TrustService::open(const fs::path& dir) {
  std::error_code ec;
  fs::path data_dir = fs::absolute(dir, ec).lexically_normal();
  if (ec) return fail(ErrorCode::environment, "bad data directory path: " + dir.string());
  QS_TRY(auto config, load_config(data_dir));
  QS_TRY(auto store, open_store(data_dir, config.database, false));
  return std::unique_ptr<TrustService>(new TrustService(data_dir, std::move(config), std::move(store)));
}

Result<std::shared_ptr<hsm::Token>> TrustService::token() {
  std::lock_guard lock(m_mutex);
  if (m_token) return m_token;
  QS_TRY(auto sel, load_module(m_data_dir, m_config.token));
  QS_TRY(auto pin, read_user_pin(m_data_dir, m_config.token));
  QS_TRY(m_token, hsm::Token::open(sel.module, sel.token, pin, m_config.token.pool_size));
  return m_token;
}

Result<std::shared_ptr<hsm::Signer>> TrustService::signer(const std::string& role) {
  {
    std::lock_guard lock(m_mutex);
    if (auto it = m_signers.find(role); it != m_signers.end()) return it->second;
  }
  Bytes key_id;
  if (auto cert = m_store->ca_certificate(role)) {
    key_id = cert->key_id;
  } else {
    QS_TRY(auto keys, m_store->service_keys());
    for (const auto& k : keys)
      if (k.role == role) key_id = k.key_id;
    if (key_id.empty()) return fail(ErrorCode::not_found, "no key for role '" + role + "'");
  }
  QS_TRY(auto tok, token());
  QS_TRY(auto kp, tok->find_key(key_id));
  QS_TRY(auto signer, hsm::Pkcs11Signer::create(tok, std::move(kp)));
  std::lock_guard lock(m_mutex);
  m_signers[role] = signer;
  return std::shared_ptr<hsm::Signer>(signer);
}

Result<std::shared_ptr<hsm::Signer>> TrustService::key_signer(ByteView key_id) {
  auto id = hex_encode(key_id);
  {
    std::lock_guard lock(m_mutex);
    if (auto it = m_key_signers.find(id); it != m_key_signers.end()) return it->second;
  }
  QS_TRY(auto tok, token());
  QS_TRY(auto kp, tok->find_key(key_id));
  QS_TRY(auto signer, hsm::Pkcs11Signer::create(tok, std::move(kp)));
  std::lock_guard lock(m_mutex);
  return m_key_signers.emplace(id, signer).first->second;
}

Result<std::shared_ptr<const X509>> TrustService::parsed_certificate(ByteView der) {
  auto key = hex_encode(core::sha256(der));
  {
    std::lock_guard lock(m_mutex);
    if (auto it = m_certificates.find(key); it != m_certificates.end()) return it->second;
  }
  QS_TRY(auto cert, core::x509_from_der(der));
  std::shared_ptr<const X509> shared(cert.release(), [](const X509* c) { X509_free(const_cast<X509*>(c)); });
  std::lock_guard lock(m_mutex);
  // Bounded: identity certificates are short-lived and re-issued; an old entry costs ~2 KB.
  if (m_certificates.size() >= 4096) m_certificates.clear();
  return m_certificates.emplace(key, shared).first->second;
}

}  // namespace qualsig::service

namespace qualsig::service {

Result<audit::AuditLog*> TrustService::audit_log() {
  {
    std::lock_guard lock(m_mutex);
    if (m_audit_log) return m_audit_log.get();
  }
  // Opened once: opening reads every entry into the Merkle tree, and the first requests of a
  // busy server arrive together (each building its own tree made a node on a 100k-entry log
  // reach 1.6 GB).
  std::lock_guard opening(m_audit_open_mutex);
  {
    std::lock_guard lock(m_mutex);
    if (m_audit_log) return m_audit_log.get();
  }
  QS_TRY(auto signer, this->signer("audit-log"));
  QS_TRY(auto origin, m_store->setting("audit.origin"));
  if (!origin) return fail(ErrorCode::database, "the database records no audit log origin");
  QS_TRY(auto log, audit::AuditLog::open(*m_store, signer, *origin));
  std::lock_guard lock(m_mutex);
  if (!m_audit_log) m_audit_log = std::move(log);
  return m_audit_log.get();
}

}  // namespace qualsig::service

namespace qualsig::service {

TrustService::TrustService(std::filesystem::path dir, Config config, std::unique_ptr<store::Store> store)
    : m_data_dir(std::move(dir)), m_config(std::move(config)), m_store(std::move(store)) {}

TrustService::~TrustService() = default;

Result<CaContext*> TrustService::ca_context() {
  std::lock_guard lock(m_ca_mutex);
  if (m_ca) return m_ca.get();
  auto ca = std::make_unique<CaContext>();
  auto load = [this](const char* role, core::UniquePtr<X509>& cert, core::UniquePtr<EVP_PKEY>& key) -> Result<void> {
    QS_TRY(auto rec, m_store->ca_certificate(role));
    QS_TRY(cert, core::x509_from_der(rec.der));
    QS_TRY(auto s, signer(role));
    QS_TRY(key, hsm::make_signing_pkey(s));
    return ok();
  };
  QS_TRY_VOID(load("root", ca->root, ca->root_key));
  QS_TRY_VOID(load("issuing", ca->issuing, ca->issuing_key));
  QS_TRY_VOID(load("ocsp", ca->ocsp, ca->ocsp_key));
  QS_TRY_VOID(load("tsa", ca->tsa, ca->tsa_key));
  m_ca = std::move(ca);
  return m_ca.get();
}

}  // namespace qualsig::service
