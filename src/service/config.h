#pragma once
// The trust service's configuration: `config.json` in the data directory. Strict: unknown keys
// and wrong types are refused with the key's path in the message, so that a typo never
// silently falls back to a default. Relative paths are relative to the data directory.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/secret.h"
#include "pki/profiles.h"

namespace qualsig::service {

struct TokenConfig {
  // Path of the PKCS#11 module, or "softhsm2" for the Debian SoftHSM2 module.
  std::string module = "softhsm2";
  // Token label (CK_TOKEN_INFO.label); alternatively an RFC 7512 URI with token=... and
  // optionally module-path=... in `uri` (the URI wins).
  std::string label = "qualsig";
  std::string uri;
  // Embedded SoftHSM2 only: its configuration file (set as SOFTHSM2_CONF before loading).
  std::string softhsm2_conf = "softhsm2.conf";
  // The user PIN: from this environment variable if set, else from pin_file (mode 0600).
  std::string pin_env = "QUALSIG_TOKEN_PIN";
  std::string pin_file = "token-user.pin";
  unsigned pool_size = 4;
};

struct DatabaseConfig {
  std::string url = "sqlite:qualsig.db";  // "postgresql://..." once that store exists
};

struct ServerConfig {
  std::string https_listen = "127.0.0.1:8443";
  std::string http_listen = "127.0.0.1:8080";  // OCSP, CRL, TSA, CA certificates
  std::size_t body_limit = 8u << 20;
  // Threads that run request handlers, which block on the token and the database; the I/O
  // threads (one per core) only read and write. Concurrent handlers share database commits.
  unsigned handler_threads = 32;
};

struct ProofingConfig {
  // SPIFFE: the trust bundle (PEM) X.509-SVIDs are verified against; the expected trust
  // domain (empty: any in the bundle).
  std::string spiffe_trust_bundle;
  std::string spiffe_trust_domain;
  // OIDC workload tokens: expected issuer and audience, and the issuer's keys: a JWKS file, or
  // its jwks_uri (https://, fetched and kept: service/oidc_keys.h) with an optional PEM file of
  // trust anchors for that server (empty: the system's). One of the two, not both.
  std::string oidc_issuer;
  std::string oidc_audience;
  std::string oidc_jwks_file;
  std::string oidc_jwks_url;
  std::string oidc_jwks_ca_file;
  unsigned oidc_jwks_min_refetch_seconds = 30;  // a refused token refetches the keys at most this often
};

struct CertificatesConfig {
  unsigned default_validity_days = 90;  // short-lived by default (long-lived secrets: OWASP NHI7)
  unsigned max_validity_days = 397;     // refused above; the governance report flags longer ones
  std::string pds_url = "https://localhost:8443/pds/en.pdf";  // QcPDS (EN 319 412-5 §4.3.4)
  std::string pds_language = "en";
  unsigned retention_years = 7;         // QcRetentionPeriod (EN 319 412-5 §4.3.3)
};

struct AuditConfig {
  unsigned checkpoint_interval_seconds = 60;  // `qualsig serve` signs a checkpoint this often if the log grew
};

// What the server's validations trust (POST /api/v1/validate) beyond this service's own root CA,
// which is always a trust anchor there. Files, relative to the data directory; loaded and their
// signatures verified once, at start (service/verify_service.h).
struct ValidationConfig {
  std::vector<std::string> trust_anchors;         // certificate files, PEM (one or more) or DER
  std::vector<std::string> trusted_lists;         // private TS 119 612 lists ...
  std::vector<std::string> trusted_list_signers;  // ... and the certificates that sign them
  std::string lotl;                               // the EU list of trusted lists ...
  std::vector<std::string> lotl_signers;          // ... the certificates the Official Journal announces for it
  std::vector<std::string> member_state_lists;    // ... and member-state lists it announces
};

struct Config {
  int version = 1;
  pki::ServiceProfile profile;
  TokenConfig token;
  DatabaseConfig database;
  ServerConfig server;
  AuditConfig audit;
  ProofingConfig proofing;
  CertificatesConfig certificates;
  ValidationConfig validation;
};

Result<Config> parse_config(std::string_view json_text);
std::string config_to_json(const Config& config);

// Environment variables by name (only the QUALSIG_* ones matter).
using Environment = std::map<std::string, std::string>;

// The QUALSIG_* variables of this process's environment.
Environment qualsig_environment();

// The variables that override configuration keys: QUALSIG_<SECTION>_<KEY> upper-cased for
// every scalar key of a section (QUALSIG_DATABASE_URL -> database.url, QUALSIG_SERVER_BODY_LIMIT
// -> server.body_limit, ...) and QUALSIG_BASE_URL for base_url; in config order. Array keys
// (tls.*) and version have none.
std::vector<std::string> override_variables();

// parse_config, then the overrides found in `environment`, read as strictly as JSON values
// (numbers: decimal digits only, within the key's range; the same semantic checks as the
// file). A variable QUALSIG_<SECTION>_... naming a known section but no scalar key is refused
// too, so a typo does not silently do nothing — except the PIN variables (token.pin_env and
// QUALSIG_TOKEN_SO_PIN), which are not configuration. Fails with invalid_input: a file error
// as parse_config, an override error naming the variable (never its value).
Result<Config> parse_config(std::string_view json_text, const Environment& environment);

// Reads config.json from `data_dir` and applies the overrides in `environment` (default: this
// process's). Fails with environment: no config.json, or an error of parse_config prefixed by
// the file's path (file errors) or naming the variable (override errors).
Result<Config> load_config(const std::filesystem::path& data_dir);
Result<Config> load_config(const std::filesystem::path& data_dir, const Environment& environment);

// `text` with the password of every URL's userinfo (RFC 3986 §3.2.1, "scheme://user:password@")
// replaced by "***", for reports and logs: "postgresql://app:secret@db/q" ->
// "postgresql://app:***@db/q". Text without such a URL is returned unchanged.
std::string redact_url_credentials(std::string_view text);

inline constexpr const char* kConfigFile = "config.json";

// Resolves `p` against the data directory unless it is absolute.
std::filesystem::path resolve(const std::filesystem::path& data_dir, const std::string& p);

// The user PIN as the config says: environment variable first, then the PIN file, which must
// not be readable by group or others. The error never contains the PIN.
Result<Secret> read_user_pin(const std::filesystem::path& data_dir, const TokenConfig& token);

}  // namespace qualsig::service
