#include "service/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
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
    QS_TRY_VOID(r.get("body_limit", c.server.body_limit));
    QS_TRY_VOID(r.get("handler_threads", c.server.handler_threads));
    if (c.server.handler_threads == 0 || c.server.handler_threads > 1024)
      return fail(ErrorCode::invalid_input, "config: server.handler_threads must be 1..1024");
    return ok();
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
    QS_TRY_VOID(r.get("oidc_jwks_file", c.proofing.oidc_jwks_file));
    QS_TRY_VOID(r.get("oidc_jwks_url", c.proofing.oidc_jwks_url));
    QS_TRY_VOID(r.get("oidc_jwks_ca_file", c.proofing.oidc_jwks_ca_file));
    QS_TRY_VOID(r.get("oidc_jwks_min_refetch_seconds", c.proofing.oidc_jwks_min_refetch_seconds));
    if (c.proofing.oidc_jwks_min_refetch_seconds == 0 || c.proofing.oidc_jwks_min_refetch_seconds > 3600)
      return fail(ErrorCode::invalid_input, "config: proofing.oidc_jwks_min_refetch_seconds must be 1..3600");
    if (!c.proofing.oidc_jwks_file.empty() && !c.proofing.oidc_jwks_url.empty())
      return fail(ErrorCode::invalid_input, "config: proofing.oidc_jwks_file and oidc_jwks_url exclude each other");
    // The keys' authenticity rests on the transport: plain http:// would let anyone on the path
    // choose the keys tokens are verified with.
    if (!c.proofing.oidc_jwks_url.empty() && c.proofing.oidc_jwks_url.rfind("https://", 0) != 0)
      return fail(ErrorCode::invalid_input, "config: proofing.oidc_jwks_url must be an https:// URL");
    return ok();
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
  QS_TRY_VOID(section(top, "validation", [&](ObjectReader& r) -> Result<void> {
    auto& v = c.validation;
    QS_TRY_VOID(r.get("trust_anchors", v.trust_anchors));
    QS_TRY_VOID(r.get("trusted_lists", v.trusted_lists));
    QS_TRY_VOID(r.get("trusted_list_signers", v.trusted_list_signers));
    QS_TRY_VOID(r.get("lotl", v.lotl));
    QS_TRY_VOID(r.get("lotl_signers", v.lotl_signers));
    QS_TRY_VOID(r.get("member_state_lists", v.member_state_lists));
    // A list is trusted only through the signer configured for it (as `qualsig verify` asks).
    if (!v.trusted_lists.empty() && v.trusted_list_signers.empty())
      return fail(ErrorCode::invalid_input, "config: validation.trusted_lists needs validation.trusted_list_signers");
    if (!v.lotl.empty() && v.lotl_signers.empty())
      return fail(ErrorCode::invalid_input, "config: validation.lotl needs validation.lotl_signers");
    if (v.lotl.empty() && !v.member_state_lists.empty())
      return fail(ErrorCode::invalid_input, "config: validation.member_state_lists needs validation.lotl, which announces them");
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
                  {"body_limit", c.server.body_limit}, {"handler_threads", c.server.handler_threads}}},
      {"audit", {{"checkpoint_interval_seconds", c.audit.checkpoint_interval_seconds}}},
      {"proofing", {{"spiffe_trust_bundle", c.proofing.spiffe_trust_bundle},
                    {"spiffe_trust_domain", c.proofing.spiffe_trust_domain},
                    {"oidc_issuer", c.proofing.oidc_issuer},
                    {"oidc_audience", c.proofing.oidc_audience},
                    {"oidc_jwks_file", c.proofing.oidc_jwks_file},
                    {"oidc_jwks_url", c.proofing.oidc_jwks_url},
                    {"oidc_jwks_ca_file", c.proofing.oidc_jwks_ca_file},
                    {"oidc_jwks_min_refetch_seconds", c.proofing.oidc_jwks_min_refetch_seconds}}},
      {"certificates", {{"default_validity_days", c.certificates.default_validity_days},
                        {"max_validity_days", c.certificates.max_validity_days},
                        {"pds_url", c.certificates.pds_url},
                        {"pds_language", c.certificates.pds_language},
                        {"retention_years", c.certificates.retention_years}}},
      {"validation", {{"trust_anchors", c.validation.trust_anchors},
                      {"trusted_lists", c.validation.trusted_lists},
                      {"trusted_list_signers", c.validation.trusted_list_signers},
                      {"lotl", c.validation.lotl},
                      {"lotl_signers", c.validation.lotl_signers},
                      {"member_state_lists", c.validation.member_state_lists}}},
  };
  return j.dump(2) + "\n";
}

namespace {

// The PIN variables read by the token code (service/init.h); they are not configuration.
constexpr const char* kSoPinVariable = "QUALSIG_TOKEN_SO_PIN";
constexpr const char* kDefaultPinVariable = "QUALSIG_TOKEN_PIN";

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// One overridable key: where it lives in the JSON and its variable.
struct OverrideKey {
  std::string variable;
  std::string section;  // empty for a top-level key
  std::string key;
  bool is_string = true;
};

// Derived from the defaults' JSON, so every scalar key added to config_to_json is covered.
std::vector<OverrideKey> override_keys() {
  const json schema = json::parse(config_to_json(Config{}));
  std::vector<OverrideKey> keys;
  for (const auto& [section, value] : schema.items()) {
    if (value.is_object()) {
      for (const auto& [key, v] : value.items()) {
        if (v.is_string() || v.is_number_unsigned())
          keys.push_back({"QUALSIG_" + upper(section) + "_" + upper(key), section, key, v.is_string()});
      }
    } else if (section != "version" && value.is_string()) {
      keys.push_back({"QUALSIG_" + upper(section), "", section, true});
    }
  }
  return keys;
}

std::vector<std::string> section_prefixes() {
  const json schema = json::parse(config_to_json(Config{}));
  std::vector<std::string> out;
  for (const auto& [section, value] : schema.items())
    if (value.is_object()) out.push_back("QUALSIG_" + upper(section) + "_");
  return out;
}

Error override_error(const std::string& variable, std::string_view why) {
  return make_error(ErrorCode::invalid_input, "environment variable " + variable + ": " + std::string(why));
}

// Sets one key from its variable, typed like the key's JSON value.
Result<void> apply(json& j, const OverrideKey& k, const std::string& value) {
  json parsed;
  if (k.is_string) {
    parsed = value;
  } else {
    // As strict as a JSON non-negative integer: decimal digits only, no sign, no spaces.
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || !std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        ec != std::errc() || p != value.data() + value.size())
      return fail(override_error(k.variable, "must be a non-negative integer"));
    parsed = v;
  }
  if (k.section.empty()) {
    j[k.key] = std::move(parsed);
  } else {
    if (!j.contains(k.section)) j[k.section] = json::object();
    j[k.section][k.key] = std::move(parsed);
  }
  return ok();
}

std::string without_config_prefix(std::string message) {
  constexpr std::string_view kPrefix = "config: ";
  if (message.rfind(kPrefix, 0) == 0) message.erase(0, kPrefix.size());
  return message;
}

}  // namespace

Environment qualsig_environment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos || entry.rfind("QUALSIG_", 0) != 0) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

std::vector<std::string> override_variables() {
  std::vector<std::string> out;
  for (const auto& k : override_keys()) out.push_back(k.variable);
  return out;
}

Result<Config> parse_config(std::string_view text, const Environment& environment) {
  QS_TRY(auto from_file, parse_config(text));
  const auto keys = override_keys();
  const auto prefixes = section_prefixes();
  // Unknown variables in a config section: refused, like unknown keys in the file.
  for (const auto& [name, value] : environment) {
    if (name == kSoPinVariable || name == kDefaultPinVariable || name == from_file.token.pin_env) continue;
    const bool in_section = std::any_of(prefixes.begin(), prefixes.end(),
                                        [&](const std::string& p) { return name.rfind(p, 0) == 0; });
    const bool known = std::any_of(keys.begin(), keys.end(), [&](const OverrideKey& k) { return k.variable == name; });
    if (in_section && !known)
      return fail(ErrorCode::invalid_input, "unknown configuration variable " + name + " (not a scalar key of config.json)");
  }
  json j = json::parse(text);  // valid: parse_config accepted it
  std::vector<const OverrideKey*> applied;
  for (const auto& k : keys) {
    auto it = environment.find(k.variable);
    if (it == environment.end()) continue;
    QS_TRY_VOID(apply(j, k, it->second));
    applied.push_back(&k);
  }
  if (applied.empty()) return from_file;
  auto merged = parse_config(j.dump());
  if (merged) return merged;
  // Name the culprit: the first variable that fails on its own; else all of them together.
  for (const OverrideKey* k : applied) {
    json single = json::parse(text);
    QS_TRY_VOID(apply(single, *k, environment.at(k->variable)));
    if (auto r = parse_config(single.dump()); !r) return fail(override_error(k->variable, without_config_prefix(r.error().message)));
  }
  std::string names;
  for (const OverrideKey* k : applied) names += (names.empty() ? "" : ", ") + k->variable;
  return fail(ErrorCode::invalid_input, "environment variables " + names + ": " + without_config_prefix(merged.error().message));
}

std::string redact_url_credentials(std::string_view text) {
  std::string out(text);
  std::size_t from = 0;
  for (;;) {
    const auto scheme_end = out.find("://", from);
    if (scheme_end == std::string::npos) return out;
    const auto authority = scheme_end + 3;
    const auto authority_end = out.find_first_of("/?# \t\n'\"", authority);
    const auto end = authority_end == std::string::npos ? out.size() : authority_end;
    const auto at = out.rfind('@', end == 0 ? 0 : end - 1);
    if (at != std::string::npos && at >= authority && at < end) {
      const auto colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
    from = authority;
  }
}

Result<Config> load_config(const fs::path& data_dir) { return load_config(data_dir, qualsig_environment()); }

Result<Config> load_config(const fs::path& data_dir, const Environment& environment) {
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
  auto overridden = parse_config(*text, environment);
  if (!overridden) {
    auto err = std::move(overridden).error();
    err.code = ErrorCode::environment;
    return fail(std::move(err));
  }
  return overridden;
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
