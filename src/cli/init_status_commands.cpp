// qualsig init | status | ca export

#include <iostream>

#include "cli/commands.h"
#include "core/openssl.h"
#include "service/init.h"
#include "service/status.h"

namespace qualsig::cli {
namespace {

nlohmann::json cert_json(const store::CaCertificate& c) {
  return {{"role", c.role},           {"subject", c.subject},
          {"serial", c.serial_hex},   {"not_before", to_rfc3339(c.not_before)},
          {"not_after", to_rfc3339(c.not_after)},
          {"key", {{"label", c.key_label}, {"id", hex_encode(c.key_id)}}}};
}

void print_cert_line(const store::CaCertificate& c) {
  std::cout << "  " << c.role << ": " << c.subject << "\n"
            << "    serial " << c.serial_hex << ", valid " << to_rfc3339(c.not_before) << " .. "
            << to_rfc3339(c.not_after) << "\n"
            << "    key in token: label " << c.key_label << ", id " << hex_encode(c.key_id) << "\n";
}

}  // namespace

void add_init_command(CLI::App& app, Globals& g, Action& action) {
  auto* cmd = app.add_subcommand("init", "create the embedded trust service (idempotent)");
  auto opts = std::make_shared<service::InitOptions>();
  auto org = std::make_shared<std::string>(), org_id = std::make_shared<std::string>(),
       country = std::make_shared<std::string>(), base_url = std::make_shared<std::string>(),
       config = std::make_shared<std::string>(), module = std::make_shared<std::string>(),
       label = std::make_shared<std::string>();
  cmd->add_option("--org", *org, "organisation (legal person) operating the service");
  cmd->add_option("--org-id", *org_id, "organizationIdentifier, ETSI EN 319 412-1 (e.g. VATNL-123456789B01)");
  cmd->add_option("--country", *country, "ISO 3166 country code of the organisation");
  cmd->add_option("--base-url", *base_url, "public base URL for CRL, OCSP and CA certificate links");
  cmd->add_option("--config", *config, "config.json template (e.g. another PKCS#11 module)");
  cmd->add_option("--pkcs11-module", *module, "use an existing token in this PKCS#11 module (PIN from QUALSIG_TOKEN_PIN)");
  cmd->add_option("--token-label", *label, "label of the token to create or use");
  cmd->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      auto set = [](std::optional<std::string>& dst, const std::string& v) {
        if (!v.empty()) dst = v;
      };
      service::InitOptions o;
      o.data_dir = g.data_dir;
      set(o.organization, *org);
      set(o.organization_identifier, *org_id);
      set(o.country, *country);
      set(o.base_url, *base_url);
      set(o.pkcs11_module, *module);
      set(o.token_label, *label);
      if (!config->empty()) o.config_template = *config;
      o.now = now_seconds();
      auto r = service::initialize(o);
      if (!r) {
        auto e = std::move(r).error();
        // Flags are the only direct input: a bad value is a usage error (CLI.md exit 2).
        if (e.code == ErrorCode::invalid_input) e.code = ErrorCode::usage;
        return g.out.error(e);
      }
      if (g.out.json) {
        nlohmann::json certs = nlohmann::json::array();
        for (const auto& c : r->certificates) certs.push_back(cert_json(c));
        nlohmann::json pins = nlohmann::json::array();
        for (const auto& p : r->pin_files) pins.push_back(p.string());
        g.out.print_json({{"created", r->created}, {"data_dir", r->data_dir.string()}, {"pin_files", pins},
                          {"certificates", certs}});
        return kExitOk;
      }
      if (!r->created) {
        std::cout << "already initialised: " << r->data_dir.string() << " (nothing changed)\n";
        return kExitOk;
      }
      std::cout << "initialised trust service in " << r->data_dir.string() << "\n";
      for (const auto& c : r->certificates) print_cert_line(c);
      for (const auto& p : r->pin_files) std::cout << "token PIN written to " << p.string() << " (mode 0600)\n";
      return kExitOk;
    };
  });
}

void add_status_command(CLI::App& app, Globals& g, Action& action) {
  auto* cmd = app.add_subcommand("status", "hierarchy, token, database, counts");
  cmd->callback([&g, &action] {
    action = [&g]() -> int {
      auto svc = service::TrustService::open(g.data_dir);
      if (!svc) return g.out.error(svc.error());
      auto r = service::status(**svc);
      if (!r) return g.out.error(r.error());
      if (g.out.json) {
        nlohmann::json certs = nlohmann::json::array();
        for (const auto& c : r->certificates) certs.push_back(cert_json(c));
        nlohmann::json token = nullptr;
        if (r->token) {
          nlohmann::json keys = nlohmann::json::array();
          for (const auto& k : r->token->keys)
            keys.push_back({{"role", k.role}, {"label", k.label}, {"id", k.id_hex}, {"type", k.type},
                            {"present", k.present}, {"sensitive", k.sensitive}});
          token = {{"module", r->token->module}, {"label", r->token->label}, {"slot", r->token->slot},
                   {"manufacturer", r->token->manufacturer}, {"model", r->token->model},
                   {"free_slots", r->token->free_slots}, {"keys", keys}};
        }
        g.out.print_json({{"data_dir", r->data_dir.string()},
                          {"organisation", {{"name", r->organization}, {"organization_identifier", r->organization_identifier},
                                            {"country", r->country}}},
                          {"base_url", r->base_url},
                          {"certificates", certs},
                          {"token", token},
                          {"token_error", r->token_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r->token_error)},
                          {"database", {{"backend", r->database}, {"schema_version", r->schema_version}}},
                          {"counts", {{"identities", r->counts.identities}, {"certificates", r->counts.certificates},
                                      {"revoked_certificates", r->counts.revoked_certificates}}}});
      } else {
        std::cout << "trust service: " << r->organization << " (" << r->organization_identifier << ", " << r->country
                  << ")\n  data: " << r->data_dir.string() << "\n  base URL: " << r->base_url << "\n\nhierarchy:\n";
        for (const auto& c : r->certificates) print_cert_line(c);
        std::cout << "\ntoken:\n";
        if (r->token) {
          std::cout << "  module " << r->token->module << "\n  label " << r->token->label << " (slot " << r->token->slot
                    << ", " << r->token->manufacturer << " " << r->token->model << "), " << r->token->free_slots
                    << " free slot(s)\n";
          for (const auto& k : r->token->keys)
            std::cout << "  key " << k.role << ": " << (k.present ? k.type + ", " + k.label : std::string("MISSING"))
                      << (k.present ? (k.sensitive ? ", sensitive, not extractable" : ", EXTRACTABLE") : "") << "\n";
        } else {
          std::cout << "  unavailable: " << r->token_error << "\n";
        }
        std::cout << "\ndatabase: " << r->database << ", schema version " << r->schema_version << "\n"
                  << "identities: " << r->counts.identities << ", certificates: " << r->counts.certificates
                  << " (revoked " << r->counts.revoked_certificates << ")\n";
      }
      // The token must work for the service to work: report it, and fail.
      if (!r->token) {
        std::cerr << "error: token unavailable: " << r->token_error << std::endl;
        return kExitEnvironment;
      }
      return kExitOk;
    };
  });
}

void add_ca_commands(CLI::App& app, Globals& g, Action& action) {
  auto* ca = app.add_subcommand("ca", "the trust service's own certificates");
  ca->require_subcommand(1);
  auto* exp = ca->add_subcommand("export", "write root.pem, issuing.pem, tsa.pem, ocsp.pem, tls.pem, chain.pem");
  auto out = std::make_shared<std::string>();
  exp->add_option("--out", *out, "output directory")->required();
  exp->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      auto svc = service::TrustService::open(g.data_dir);
      if (!svc) return g.out.error(svc.error());
      auto files = service::export_ca(**svc, *out);
      if (!files) return g.out.error(files.error());
      if (g.out.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& f : *files) list.push_back(f.string());
        g.out.print_json({{"files", list}});
      } else {
        for (const auto& f : *files) std::cout << f.string() << "\n";
      }
      return kExitOk;
    };
  });
}

}  // namespace qualsig::cli
