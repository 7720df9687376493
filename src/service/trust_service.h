#pragma once
// An initialised trust service opened from its data directory: configuration, store and
// (on demand) the token. cli/ and server/ reach every capability through this and the
// use-case functions next to it.

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "audit/audit_log.h"
#include "hsm/signer.h"
#include "hsm/token.h"
#include "service/config.h"
#include "store/store.h"

namespace qualsig::service {

// Loads the PKCS#11 module the config names (setting SOFTHSM2_CONF for the embedded token)
// and returns it with the token label to use.
struct ModuleSelection {
  std::shared_ptr<hsm::Module> module;
  hsm::TokenSelector token;
};
Result<ModuleSelection> load_module(const std::filesystem::path& data_dir, const TokenConfig& token);

// Opens the store named by the config (sqlite:PATH today).
Result<std::unique_ptr<store::Store>> open_store(const std::filesystem::path& data_dir, const DatabaseConfig& db,
                                                 bool create);

struct CaContext;  // service/cert_service.cpp

struct OidcKeyCache;  // oidc_keys.cpp

struct ValidationTrust;  // verify_service.h

class TrustService {
 public:
  ~TrustService();
  // Reads config.json and opens the database. Does not touch the token.
  static Result<std::unique_ptr<TrustService>> open(const std::filesystem::path& data_dir);

  const std::filesystem::path& data_dir() const { return m_data_dir; }
  const Config& config() const { return m_config; }
  store::Store& store() { return *m_store; }

  // Loads the module and logs in with the configured PIN (once).
  Result<std::shared_ptr<hsm::Token>> token();
  // The audit log, opened once with the token's "audit-log" key (so it can append and sign
  // checkpoints). Every capability logs its events here.
  Result<audit::AuditLog*> audit_log();

  // The CA certificates and token-backed keys of the issuing CA, root and OCSP responder,
  // loaded once (service/cert_service.cpp).
  Result<CaContext*> ca_context();

  // The signer of a service role: "root", "issuing", "tsa", "ocsp", "tls" or "audit-log".
  Result<std::shared_ptr<hsm::Signer>> signer(const std::string& role);
  // The signer of an identity's key, found in the token by its CKA_ID once and then cached
  // (a token search per signature would dominate the signing path).
  Result<std::shared_ptr<hsm::Signer>> key_signer(ByteView key_id);
  // A parsed certificate, cached by its DER's SHA-256 (OpenSSL 3 parsing costs about as much as
  // the HSM signature on the signing path). Read-only: X509 objects may be shared by threads.
  Result<std::shared_ptr<const X509>> parsed_certificate(ByteView der);

  // The OIDC issuer keys kept from proofing.oidc_jwks_url (oidc_keys.h); made on first use.
  OidcKeyCache& oidc_key_cache();

  // What the server's validations trust (load_validation_trust in verify_service.h), loaded on
  // first use and then shared; a failure is not kept (the next call tries again).
  Result<std::shared_ptr<const ValidationTrust>> validation_trust();

 private:
  TrustService(std::filesystem::path dir, Config config, std::unique_ptr<store::Store> store);
  std::filesystem::path m_data_dir;
  Config m_config;
  std::unique_ptr<store::Store> m_store;
  std::mutex m_mutex;
  std::shared_ptr<hsm::Token> m_token;
  std::map<std::string, std::shared_ptr<hsm::Signer>> m_signers;
  std::map<std::string, std::shared_ptr<hsm::Signer>> m_key_signers;  // by hex key id
  std::map<std::string, std::shared_ptr<const X509>> m_certificates;   // by hex SHA-256 of the DER
  std::mutex m_ca_mutex;
  std::shared_ptr<OidcKeyCache> m_oidc_keys;
  std::mutex m_validation_mutex;  // one thread loads the lists (their signatures are verified); the others wait
  std::shared_ptr<const ValidationTrust> m_validation_trust;
  std::mutex m_audit_open_mutex;  // one thread opens the log (it reads every entry); the others wait
  std::unique_ptr<CaContext> m_ca;
  std::unique_ptr<audit::AuditLog> m_audit_log;  // declared last: closed first
};

}  // namespace qualsig::service
