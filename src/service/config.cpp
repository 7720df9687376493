#include "service/config.h"

#include <sys/stat.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/fs.h"

namespace qualsig::service {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Reads the members of one JSON object, refusing unknown keys and wrong types.
class ObjectReader {
 public:
  ObjectReader(const json& j, std::string path) : m_j(j), m_path(std::move(path)) {}

  Result<void> check_object() const {
    if (!m_j.is_object()) return fail(ErrorCode::invalid_input, "config: " + where() + " must be an object");
    return ok();
  }
  template <typename T>
  Result<void> get(const char* key, T& out) {
    m_known.push_back(key);
    auto it = m_j.find(key);
    if (it == m_j.end()) return ok();  // keep the default
    if constexpr (std::is_same_v<T, std::string>) {
      if (!it->is_string()) return fail(ErrorCode::invalid_input, "config: " + child(key) + " must be a string");
      out = it->template get<std::string>();
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      if (!it->is_array()) return fail(ErrorCode::invalid_input, "config: " + child(key) + " must be an array of strings");
      out.clear();
      for (const auto& v : *it) {
        if (!v.is_string()) return fail(ErrorCode::invalid_input, "config: " + child(key) + " must be an array of strings");
        out.push_back(v.template get<std::string>());
      }
    } else {
      if (!it->is_number_unsigned()) return fail(ErrorCode::invalid_input, "config: " + child(key) + " must be a non-negative integer");
      auto v = it->template get<std::uint64_t>();
      if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
        return fail(ErrorCode::invalid_input, "config: " + child(key) + " is too large");
      out = static_cast<T>(v);
    }
    return ok();
  }
  const json* object(const char* key) {
    m_known.push_back(key);
    auto it = m_j.find(key);
    return it == m_j.end() ? nullptr : &*it;
  }
  Result<void> no_unknown_keys() const {
    for (const auto& [k, v] : m_j.items()) {
      if (std::find(m_known.begin(), m_known.end(), k) == m_known.end())
        return fail(ErrorCode::invalid_input, "config: unknown key '" + child(k.c_str()) + "'");
    }
    return ok();
  }
  std::string child(const char* key) const { return m_path.empty() ? key : m_path + "." + key; }

 private:
  std::string where() const { return m_path.empty() ? "the top level" : "'" + m_path + "'"; }
  const json& m_j;
  std::string m_path;
  std::vector<std::string> m_known;
};

template <typename F>
Result<void> section(ObjectReader& parent, const char* key, F&& read) {
  const json* j = parent.object(key);
  if (j == nullptr) return ok();
  ObjectReader r(*j, parent.child(key));
  QS_TRY_VOID(r.check_object());
  QS_TRY_VOID(read(r));
  return r.no_unknown_keys();
}

}  // namespace

Result<Config> parse_config(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return fail(ErrorCode::invalid_input, "config: not valid JSON");
  Config c;
  ObjectReader top(j, "");
  QS_TRY_VOID(top.check_object());
  QS_TRY_VOID(top.get("version", c.version));
  if (c.version != 1) return fail(ErrorCode::invalid_input, "config: unsupported version " + std::to_string(c.version));
  QS_TRY_VOID(section(top, "organisation", [&](ObjectReader& r) -> Result<void> {
    QS_TRY_VOID(r.get("name", c.profile.organization));
    QS_TRY_VOID(r.get("organization_identifier", c.profile.organization_identifier));
    return r.get("country", c.profile.country);
  }));
  QS_TRY_VOID(top.get("base_url", c.profile.base_url));
  QS_TRY_VOID(section(top, "tls", [&](ObjectReader& r) -> Result<void> {
    QS_TRY_VOID(r.get("dns_names", c.profile.tls_dns_names));
    return r.get("ip_addresses", c.profile.tls_ip_addresses);
  }));
  QS_TRY_VOID(section(top, "token", [&](ObjectReader& r) -> Result<void> {
    QS_TRY_VOID(r.get("module", c.token.module));
    QS_TRY_VOID(r.get("label", c.token.label));
    QS_TRY_VOID(r.get("uri", c.token.uri));
    QS_TRY_VOID(r.get("softhsm2_conf", c.token.softhsm2_conf));
    QS_TRY_VOID(r.get("pin_env", c.token.pin_env));
    QS_TRY_VOID(r.get("pin_file", c.token.pin_file));
    QS_TRY_VOID(r.get("pool_size", c.token.pool_size));
    if (c.token.pool_size == 0 || c.token.pool_size > 256)
      return fail(ErrorCode::invalid_input, "config: token.pool_size must be 1..256");
    return ok();
  }));
  QS_TRY_VOID(section(top, "database", [&](ObjectReader& r) -> Result<void> { return r.get("url", c.database.url); }));
  QS_TRY_VOID(section(top, "server", [&](ObjectReader& r) -> Result<void> {
    QS_TRY_VOID(r.get("https_listen", c.server.https_listen));
    QS_TRY_VOID(r.get("http_listen", c.server.http_listen));
    return r.get("body_limit", c.server.body_limit);
  }));
  QS_TRY_VOID(section(top, "audit", [&](ObjectReader& r) -> Result<void> {
    QS_TRY_VOID(r.get("checkpoint_interval_seconds", c.audit.checkpoint_interval_seconds));
    if (c.audit.checkpoint_interval_seconds == 0 || c.audit.checkpoint_interval_seconds > 86400)
      return fail(ErrorCode::invalid_input, "config: audit.checkpoint_interval_seconds must be 1..86400");
    return ok();
  }));
  QS_TRY_VOID(section(top, "proofing", [&](ObjectReader& r) -> Result<void> {
    QS_TRY_VOID(r.get("spiffe_trust_bundle", c.proofing.spiffe_trust_bundle));
    QS_TRY_VOID(r.get("spiffe_trust_domain", c.proofing.spiffe_trust_domain));
    QS_TRY_VOID(r.get("oidc_issuer", c.proofing.oidc_issuer));
    QS_TRY_VOID(r.get("oidc_audience", c.proofing.oidc_audience));
    return r.get("oidc_jwks_file", c.proofing.oidc_jwks_file);
  }));
  QS_TRY_VOID(section(top, "certificates", [&](ObjectReader& r) -> Result<void> {
    QS_TRY_VOID(r.get("default_validity_days", c.certificates.default_validity_days));
    QS_TRY_VOID(r.get("max_validity_days", c.certificates.max_validity_days));
    QS_TRY_VOID(r.get("pds_url", c.certificates.pds_url));
    QS_TRY_VOID(r.get("pds_language", c.certificates.pds_language));
    QS_TRY_VOID(r.get("retention_years", c.certificates.retention_years));
    if (c.certificates.default_validity_days == 0 || c.certificates.default_validity_days > c.certificates.max_validity_days)
      return fail(ErrorCode::invalid_input, "config: certificates.default_validity_days must be 1..max_validity_days");
    return ok();
  }));
  QS_TRY_VOID(top.no_unknown_keys());
  return c;
}

std::string config_to_json(const Config& c) {
  json j = {
      {"version", c.version},
      {"organisation", {{"name", c.profile.organization},
                        {"organization_identifier", c.profile.organization_identifier},
                        {"country", c.profile.country}}},
      {"base_url", c.profile.base_url},
      {"tls", {{"dns_names", c.profile.tls_dns_names}, {"ip_addresses", c.profile.tls_ip_addresses}}},
      {"token", {{"module", c.token.module}, {"label", c.token.label}, {"uri", c.token.uri},
                 {"softhsm2_conf", c.token.softhsm2_conf}, {"pin_env", c.token.pin_env},
                 {"pin_file", c.token.pin_file}, {"pool_size", c.token.pool_size}}},
      {"database", {{"url", c.database.url}}},
      {"server", {{"https_listen", c.server.https_listen}, {"http_listen", c.server.http_listen},
                  {"body_limit", c.server.body_limit}}},
      {"audit", {{"checkpoint_interval_seconds", c.audit.checkpoint_interval_seconds}}},
      {"proofing", {{"spiffe_trust_bundle", c.proofing.spiffe_trust_bundle},
                    {"spiffe_trust_domain", c.proofing.spiffe_trust_domain},
                    {"oidc_issuer", c.proofing.oidc_issuer},
                    {"oidc_audience", c.proofing.oidc_audience},
                    {"oidc_jwks_file", c.proofing.oidc_jwks_file}}},
      {"certificates", {{"default_validity_days", c.certificates.default_validity_days},
                        {"max_validity_days", c.certificates.max_validity_days},
                        {"pds_url", c.certificates.pds_url},
                        {"pds_language", c.certificates.pds_language},
                        {"retention_years", c.certificates.retention_years}}},
  };
  return j.dump(2) + "\n";
}

Result<Config> load_config(const fs::path& data_dir) {
  auto text = core::read_file(data_dir / kConfigFile, 1u << 20);
  if (!text) {
    if (text.error().code == ErrorCode::not_found)
      return fail(ErrorCode::environment, "not a qualsig data directory (no " + std::string(kConfigFile) + "): " +
                                              data_dir.string() + "; run 'qualsig init' first");
    return fail(std::move(text).error());
  }
  auto c = parse_config(*text);
  if (!c) {
    auto err = std::move(c).error();
    err.message = (data_dir / kConfigFile).string() + ": " + err.message;
    err.code = ErrorCode::environment;
    return fail(std::move(err));
  }
  return c;
}

fs::path resolve(const fs::path& data_dir, const std::string& p) {
  fs::path path(p);
  return path.is_absolute() ? path : data_dir / path;
}

Result<Secret> read_user_pin(const fs::path& data_dir, const TokenConfig& token) {
  if (!token.pin_env.empty()) {
    if (const char* v = std::getenv(token.pin_env.c_str()); v != nullptr && *v != '\0') return Secret(std::string(v));
  }
  if (token.pin_file.empty())
    return fail(ErrorCode::environment, "no token PIN: set the environment variable " + token.pin_env);
  auto path = resolve(data_dir, token.pin_file);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return fail(ErrorCode::environment, "no token PIN: set " + token.pin_env + " or create " + path.string() + " (mode 0600)");
  if ((st.st_mode & 077) != 0)
    return fail(ErrorCode::environment, "PIN file " + path.string() + " is readable by others: chmod 600 it");
  QS_TRY(auto text, core::read_file(path, 4096));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return fail(ErrorCode::environment, "PIN file " + path.string() + " is empty");
  return Secret(std::move(text));
}

}  // namespace qualsig::service
