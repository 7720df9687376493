#include "service/init.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>

#include "audit/audit_log.h"
#include "core/fs.h"
#include "core/openssl.h"
#include "hsm/openssl_bridge.h"
#include "hsm/signer.h"
#include "pki/certificate_builder.h"
#include "pki/profiles.h"
#include "service/config.h"
#include "service/trust_service.h"

namespace qualsig::service {
namespace fs = std::filesystem;

namespace {

constexpr auto kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;

// A key to create and, for certified roles, the profile of its certificate.
struct KeyPlan {
  const char* role;
  const char* label;
  hsm::KeyType type;
};

// EN 319 411-2 CA keys on P-384; hot signing keys (TSA, OCSP, log, TLS) on P-256, which
// SoftHSM2 signs about 40 times faster (stack-facts.md).
constexpr KeyPlan kKeys[] = {
    {"root", "qualsig-root-ca", hsm::KeyType::ec_p384},
    {"issuing", "qualsig-issuing-ca", hsm::KeyType::ec_p384},
    {"tsa", "qualsig-tsa", hsm::KeyType::ec_p256},
    {"ocsp", "qualsig-ocsp", hsm::KeyType::ec_p256},
    {"tls", "qualsig-tls-server", hsm::KeyType::ec_p256},
    {"audit-log", "qualsig-audit-log", hsm::KeyType::ec_p256},
};

std::string random_pin() {
  // 24 hex characters = 96 bits; SoftHSM2 accepts 4..255 characters.
  return hex_encode(core::random_bytes(12));
}

Secret pin_from_env_or_random(const char* env, bool& generated) {
  if (const char* v = std::getenv(env); v != nullptr && *v != '\0') {
    generated = false;
    return Secret(std::string(v));
  }
  generated = true;
  return Secret(random_pin());
}

bool is_initialised(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / kConfigFile, ec);
}

bool dir_is_empty(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir, ec) && fs::directory_iterator(dir, ec) == fs::directory_iterator();
}

// Removes staging directories left by an init that was killed (its process is gone).
void remove_stale_staging(const fs::path& parent, const std::string& name) {
  std::error_code ec;
  std::string prefix = "." + name + ".init-";
  for (const auto& e : fs::directory_iterator(parent, ec)) {
    std::string f = e.path().filename().string();
    if (f.rfind(prefix, 0) != 0) continue;
    pid_t pid = static_cast<pid_t>(std::atol(f.c_str() + prefix.size()));
    if (pid > 0 && pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) fs::remove_all(e.path(), ec);
  }
}

Result<store::CaCertificate> record(const char* role, const X509* cert, const hsm::KeyPair& key) {
  QS_TRY(auto der, core::x509_to_der(cert));
  auto to_tp = [](const ASN1_TIME* t) {
    struct tm tm {};
    ASN1_TIME_to_tm(t, &tm);
    return TimePoint(std::chrono::seconds(timegm(&tm)));
  };
  return store::CaCertificate{role,
                              core::serial_to_hex(X509_get0_serialNumber(cert)),
                              core::name_to_string(X509_get_subject_name(cert)),
                              std::move(der),
                              key.id,
                              key.label,
                              to_tp(X509_get0_notBefore(cert)),
                              to_tp(X509_get0_notAfter(cert))};
}

// Generates the keys and issues the hierarchy in `token`; records everything in `store`.
// On failure the keys created so far are destroyed (matters for an external token; the
// embedded one is deleted with the staging directory anyway).
Result<std::vector<store::CaCertificate>> build_hierarchy(const std::shared_ptr<hsm::Token>& token,
                                                          const pki::ServiceProfile& profile, TimePoint now,
                                                          store::Store& store) {
  std::vector<hsm::KeyPair> created;
  auto body = [&]() -> Result<std::vector<store::CaCertificate>> {
    std::map<std::string, std::shared_ptr<hsm::Pkcs11Signer>> signers;
    for (const auto& plan : kKeys) {
      QS_TRY(auto kp, token->generate_key(plan.type, plan.label, core::random_bytes(16)));
      created.push_back(kp);
      QS_TRY(signers[plan.role], hsm::Pkcs11Signer::create(token, kp));
    }
    QS_TRY(auto root_key, hsm::make_signing_pkey(signers["root"]));
    QS_TRY(auto issuing_key, hsm::make_signing_pkey(signers["issuing"]));
    auto pub = [&](const char* role) { return signers[role]->public_key(); };

    QS_TRY(auto root, pki::issue_certificate(pki::root_ca_request(profile, pub("root"), now), nullptr, root_key.get()));
    QS_TRY(auto issuing, pki::issue_certificate(pki::issuing_ca_request(profile, pub("issuing"), now), root.get(),
                                                root_key.get()));
    QS_TRY(auto tsa, pki::issue_certificate(pki::tsa_request(profile, pub("tsa"), now), issuing.get(), issuing_key.get()));
    QS_TRY(auto ocsp, pki::issue_certificate(pki::ocsp_request(profile, pub("ocsp"), now), issuing.get(), issuing_key.get()));
    QS_TRY(auto tls, pki::issue_certificate(pki::tls_server_request(profile, pub("tls"), now), root.get(), root_key.get()));

    std::vector<store::CaCertificate> records;
    for (auto [role, cert] : {std::pair{"root", root.get()}, {"issuing", issuing.get()}, {"tsa", tsa.get()},
                              {"ocsp", ocsp.get()}, {"tls", tls.get()}}) {
      QS_TRY(auto r, record(role, cert, signers[role]->key()));
      records.push_back(std::move(r));
    }
    QS_TRY(auto log_pub, core::public_key_to_der(pub("audit-log")));
    std::vector<store::ServiceKey> keys{{"audit-log", signers["audit-log"]->key().id, signers["audit-log"]->key().label, log_pub}};
    QS_TRY_VOID(store.put_service_material(records, keys));
    QS_TRY_VOID(store.set_setting("organisation.name", profile.organization));
    QS_TRY_VOID(store.set_setting("organisation.identifier", profile.organization_identifier));
    QS_TRY_VOID(store.set_setting("organisation.country", profile.country));
    QS_TRY_VOID(store.set_setting("initialised_at", to_rfc3339(now)));

    // The audit log starts with the service's own birth: which certificates, which keys.
    std::string origin = audit::log_origin(profile.organization_identifier);
    QS_TRY_VOID(store.set_setting("audit.origin", origin));
    QS_TRY(auto log, audit::AuditLog::open(store, signers["audit-log"], origin));
    audit::EntryDraft entry;
    entry.event = audit::EventType::service_initialised;
    entry.actor = "init";
    entry.subject = "service:" + profile.organization_identifier;
    for (const auto& r : records) entry.refs[r.role + "_certificate"] = audit::sha256_ref(r.der);
    entry.refs["audit_log_key"] = audit::sha256_ref(log_pub);
    entry.details = {{"organisation", profile.organization},
                     {"organization_identifier", profile.organization_identifier},
                     {"country", profile.country},
                     {"base_url", profile.base_url}};
    QS_TRY_VOID(log->append(entry, now));
    QS_TRY_VOID(log->checkpoint(now));
    return records;
  }();
  if (!body)
    for (const auto& kp : created) (void)token->destroy_key(kp);
  return body;
}

Result<Config> make_config(const InitOptions& o) {
  Config c;
  if (o.config_template) {
    auto text = core::read_file(*o.config_template, 1u << 20);
    if (!text) return fail(ErrorCode::environment, text.error().message);
    auto parsed = parse_config(*text);
    if (!parsed) {
      // A configuration file, not a flag: exit 3 (CLI.md), like config.json itself.
      return fail(ErrorCode::environment, o.config_template->string() + ": " + parsed.error().message);
    }
    c = std::move(*parsed);
  }
  if (c.profile.organization.empty()) c.profile.organization = "Acme Logistics BV";
  if (c.profile.organization_identifier.empty()) c.profile.organization_identifier = "VATNL-123456789B01";
  if (c.profile.country.empty()) c.profile.country = "NL";
  if (c.profile.base_url.empty()) c.profile.base_url = "http://127.0.0.1:8080";
  if (o.organization) c.profile.organization = *o.organization;
  if (o.organization_identifier) c.profile.organization_identifier = *o.organization_identifier;
  if (o.country) c.profile.country = *o.country;
  if (o.base_url) c.profile.base_url = *o.base_url;
  if (o.pkcs11_module) c.token.module = *o.pkcs11_module;
  if (o.token_label) c.token.label = *o.token_label;
  QS_TRY_VOID(pki::validate(c.profile));
  return c;
}

}  // namespace

Result<InitResult> initialize(const InitOptions& o) {
  std::error_code ec;
  fs::path target = fs::absolute(o.data_dir, ec);
  if (ec) return fail(ErrorCode::environment, "bad data directory path: " + o.data_dir.string());
  target = target.lexically_normal();
  if (target.filename().empty()) target = target.parent_path();

  if (is_initialised(target)) {
    // Idempotent: an initialised directory is left exactly as it is.
    QS_TRY(auto svc, TrustService::open(target));
    QS_TRY(auto certs, svc->store().ca_certificates());
    if (certs.empty()) return fail(ErrorCode::environment, target.string() + " has a config but no CA certificates");
    return InitResult{false, target, {}, std::move(certs)};
  }
  if (fs::exists(target, ec) && !dir_is_empty(target))
    return fail(ErrorCode::environment, target.string() + " exists and is not a qualsig data directory");

  QS_TRY(auto config, make_config(o));
  bool embedded = config.token.module == "softhsm2" && config.token.uri.empty();

  fs::path parent = target.parent_path();
  fs::create_directories(parent, ec);
  if (ec) return fail(ErrorCode::environment, "cannot create " + parent.string() + ": " + ec.message());
  remove_stale_staging(parent, target.filename().string());
  fs::path staging = parent / ("." + target.filename().string() + ".init-" + std::to_string(::getpid()));
  fs::remove_all(staging, ec);
  if (!fs::create_directory(staging, ec) || ec)
    return fail(ErrorCode::environment, "cannot create " + staging.string() + ": " +
                                            (ec ? ec.message() : std::string("exists")));
  fs::permissions(staging, fs::perms::owner_all, ec);

  std::vector<fs::path> pin_files;
  auto built = [&]() -> Result<std::vector<store::CaCertificate>> {
    std::shared_ptr<hsm::Token> token;
    std::unique_ptr<store::Store> store;
    std::vector<store::CaCertificate> certs;
    if (embedded) {
      fs::create_directory(staging / "tokens", ec);
      // Staging configuration now; the final one (with the final path) is written below.
      std::string conf = "directories.tokendir = " + (staging / "tokens").string() +
                         "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n";
      QS_TRY_VOID(core::write_file_atomic(staging / config.token.softhsm2_conf, conf, kOwnerOnly));
      bool user_generated = false, so_generated = false;
      Secret user_pin = pin_from_env_or_random(kUserPinEnv, user_generated);
      Secret so_pin = pin_from_env_or_random(kSoPinEnv, so_generated);
      if (user_generated) {
        QS_TRY_VOID(core::write_file_atomic(staging / config.token.pin_file, std::string(user_pin.reveal()) + "\n", kOwnerOnly));
        pin_files.push_back(target / config.token.pin_file);
      }
      if (so_generated) {
        QS_TRY_VOID(core::write_file_atomic(staging / "token-so.pin", std::string(so_pin.reveal()) + "\n", kOwnerOnly));
        pin_files.push_back(target / "token-so.pin");
      }
      QS_TRY(auto sel, load_module(staging, config.token));
      QS_TRY(auto slot, sel.module->free_slot());
      QS_TRY_VOID(hsm::Token::initialize(*sel.module, slot.id, sel.token.label, so_pin, user_pin));
      QS_TRY(token, hsm::Token::open(sel.module, sel.token, user_pin, 1));
    } else {
      QS_TRY(auto sel, load_module(staging, config.token));
      QS_TRY(auto pin, read_user_pin(staging, config.token));
      QS_TRY(token, hsm::Token::open(sel.module, sel.token, pin, 1));
    }
    QS_TRY(store, open_store(staging, config.database, true));
    QS_TRY(certs, build_hierarchy(token, config.profile, o.now, *store));
    return certs;
  }();  // token, module and store are closed here, before the directory moves
  auto finish = [&]() -> Result<void> {
    if (!built) return fail(built.error());
    if (embedded) {
      std::string conf = "directories.tokendir = " + (target / "tokens").string() +
                         "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n";
      QS_TRY_VOID(core::write_file_atomic(staging / config.token.softhsm2_conf, conf, kOwnerOnly));
    }
    QS_TRY_VOID(core::write_file_atomic(staging / kConfigFile, config_to_json(config), kOwnerOnly));
    QS_TRY_VOID(core::sync_directory(staging));
    // rename(2) replaces an empty directory atomically; a non-empty target was refused above.
    if (::rename(staging.c_str(), target.c_str()) != 0)
      return fail(ErrorCode::environment, "cannot move the new data directory into place: " + target.string() + ": " +
                                              std::strerror(errno));
    return core::sync_directory(parent);
  }();
  if (!finish) {
    fs::remove_all(staging, ec);
    return fail(finish.error());
  }
  return InitResult{true, target, pin_files, std::move(*built)};
}

}  // namespace qualsig::service
