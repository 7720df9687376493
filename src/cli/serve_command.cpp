// qualsig serve

#include <iostream>
#include <optional>
#include <vector>

#include "cli/commands.h"
#include "core/log.h"
#include "core/openssl.h"
#include "hsm/openssl_bridge.h"
#include "server/service_routes.h"
#include "server/tls_context.h"
#include "service/audit_service.h"
#include "service/status.h"
#include "service/verify_service.h"

namespace qualsig::cli {
namespace {

// One line of the --check-config report. `detail` never holds a PIN, and URLs in it have
// their passwords redacted.
struct Check {
  std::string name;
  std::optional<bool> passed;  // nullopt: skipped because an earlier check failed
  std::string detail;
};

// `qualsig serve --check-config`: every check the server's start-up would make, without
// listening. Exit 0 if all pass, else 3 (a configuration or environment error, CLI.md) with
// one error line naming the first failed check.
int check_config(Globals& g, const std::string& listen, const std::string& http) {
  std::vector<Check> checks;
  auto record = [&](std::string name, const Result<std::string>& r) {
    // One line per check: library messages (libpq's) may span lines.
    std::string detail = service::redact_url_credentials(r ? *r : r.error().message);
    for (char& c : detail) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    checks.push_back({std::move(name), r.has_value(), std::move(detail)});
    return r.has_value();
  };
  auto skip = [&](std::string name, std::string why) { checks.push_back({std::move(name), std::nullopt, std::move(why)}); };

  std::error_code ec;
  const auto data_dir = std::filesystem::absolute(g.data_dir, ec).lexically_normal();
  auto config = service::load_config(data_dir);
  const bool config_ok = record("config", config ? Result<std::string>((data_dir / service::kConfigFile).string())
                                                 : Result<std::string>(fail(config.error())));
  if (config_ok) {
    // The same precedence as `serve`: flags first, then the configuration.
    const std::string https = listen.empty() ? config->server.https_listen : listen;
    const std::string plain = http.empty() ? config->server.http_listen : (http == "off" ? "" : http);
    record("listen", [&]() -> Result<std::string> {
      if (!https.empty()) QS_TRY_VOID(server::validate_listen_address(https, "server.https_listen"));
      if (!plain.empty()) QS_TRY_VOID(server::validate_listen_address(plain, "server.http_listen"));
      return "https " + (https.empty() ? std::string("off") : https) + ", http " + (plain.empty() ? std::string("off") : plain);
    }());
  } else {
    skip("listen", "needs config");
  }

  std::unique_ptr<service::TrustService> svc;
  if (config_ok) {
    record("database", [&]() -> Result<std::string> {
      auto opened = service::TrustService::open(data_dir);
      // Which database was tried (record() redacts its password).
      if (!opened) return fail(make_error(opened.error().code, config->database.url + ": " + opened.error().message));
      svc = std::move(opened).value();
      QS_TRY(auto version, svc->store().schema_version());
      return svc->config().database.url + " (schema version " + std::to_string(version) + ")";
    }());
  } else {
    skip("database", "needs config");
  }
  bool token_ok = false;
  if (svc) {
    token_ok = record("token", [&]() -> Result<std::string> {
      QS_TRY(auto token, svc->token());
      QS_TRY_VOID(token->module().slots());
      return "logged in to token '" + svc->config().token.label + "'";
    }());
  } else {
    skip("token", "needs config and database");
  }
  if (token_ok) {
    record("tls", [&]() -> Result<std::string> {
      // As make_server: the "tls" key in the token, its certificate and the root.
      QS_TRY(auto signer, svc->signer("tls"));
      QS_TRY(auto key, hsm::make_signing_pkey(signer));
      server::TlsIdentity identity;
      identity.key = std::move(key);
      for (const char* role : {"tls", "root"}) {
        QS_TRY(auto der, service::ca_certificate_der(*svc, role));
        QS_TRY(auto cert, core::x509_from_der(der));
        identity.chain.push_back(std::move(cert));
      }
      QS_TRY(auto ctx, server::make_server_tls_context(identity));  // the key matches the certificate
      (void)ctx;
      return std::string("key and certificate in the token match");
    }());
  } else {
    skip("tls", "needs token");
  }

  if (svc) {
    record("validation", [&]() -> Result<std::string> {
      QS_TRY(auto trust, svc->validation_trust());
      return std::to_string(trust->anchors.size()) + " trust anchor(s), " + std::to_string(trust->lists.size()) +
             " trusted list(s) verified";
    }());
  } else {
    skip("validation", "needs config and database");
  }

  const Check* failed = nullptr;
  for (const auto& c : checks) {
    if (c.passed == false && failed == nullptr) failed = &c;
  }
  if (g.out.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : checks) {
      list.push_back({{"check", c.name},
                      {"status", !c.passed ? "skipped" : (*c.passed ? "ok" : "failed")},
                      {"detail", c.detail}});
    }
    nlohmann::json doc = {{"ok", failed == nullptr}, {"checks", list}};
    if (failed != nullptr) {
      doc["error"] = "check-config: " + failed->name + ": " + failed->detail;
      doc["code"] = error_code_name(ErrorCode::environment);
    }
    g.out.print_json(doc);
  } else {
    for (const auto& c : checks) {
      std::cout << (!c.passed ? "skip" : (*c.passed ? "ok  " : "FAIL")) << "  " << c.name
                << std::string(c.name.size() < 9 ? 9 - c.name.size() : 1, ' ') << c.detail << "\n";
    }
    std::cout.flush();
  }
  if (failed == nullptr) return kExitOk;
  std::cerr << "error: check-config: " << failed->name << ": " << failed->detail << std::endl;
  return kExitEnvironment;
}

}  // namespace

void add_serve_command(CLI::App& app, Globals& g, Action& action) {
  auto* cmd = app.add_subcommand("serve", "run the service; prints the HTTPS and HTTP base URLs on start");
  auto listen = std::make_shared<std::string>(), http = std::make_shared<std::string>();
  auto check = std::make_shared<bool>(false);
  cmd->add_flag("--check-config", *check,
                "check the configuration (with QUALSIG_* overrides), listen addresses, database, token "
                "login and TLS key, print a report and exit (0 if all pass, 3 otherwise)");
  cmd->add_option("--listen", *listen, "HTTPS address IP:PORT (default from config.json; port 0 picks one)");
  cmd->add_option("--http-listen", *http, "plain HTTP address for OCSP/CRL/TSA/CA certificates, or 'off'");
  cmd->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      // Flags are direct input: a malformed address is a usage error (exit 2); the same
      // mistake in config.json is an environment error (exit 3, from make_server).
      for (auto [value, name] : {std::pair{*listen, "--listen"}, {*http, "--http-listen"}}) {
        if (value.empty() || (std::string(name) == "--http-listen" && value == "off")) continue;
        if (auto v = server::validate_listen_address(value, name); !v) {
          auto e = v.error();
          e.code = ErrorCode::usage;
          return g.out.error(e);
        }
      }
      if (*check) return check_config(g, *listen, *http);
      // The access log and server events are one JSON object per line on stderr.
      core::init_logging(core::LogFormat::json, spdlog::level::info);
      auto svc = service::TrustService::open(g.data_dir);
      if (!svc) return g.out.error(svc.error());
      auto server = server::make_server(**svc, server::ServeOptions{*listen, *http});
      if (!server) return g.out.error(server.error());
      (*server)->handle_signals();
      if (auto started = (*server)->start(); !started) return g.out.error(started.error());
      auto host = [](const std::string& listen_addr) {
        auto colon = listen_addr.rfind(':');
        return listen_addr.substr(0, colon);
      };
      const auto& cfg = (*svc)->config().server;
      std::string https = "https://" + host(listen->empty() ? cfg.https_listen : *listen) + ":" +
                          std::to_string((*server)->https_port());
      std::string plain = (*server)->http_port() == 0
                              ? std::string()
                              : "http://" + host(http->empty() ? cfg.http_listen : *http) + ":" +
                                    std::to_string((*server)->http_port());
      if (g.out.json) {
        g.out.print_json({{"https", https}, {"http", plain.empty() ? nlohmann::json(nullptr) : nlohmann::json(plain)}});
      } else {
        std::cout << "serving " << https << (plain.empty() ? "" : " and " + plain) << std::endl;
      }
      // Checkpoints are signed at the configured interval while the log grows.
      service::CheckpointPublisher publisher(**svc, std::chrono::seconds((*svc)->config().audit.checkpoint_interval_seconds));
      (*server)->wait();
      spdlog::info("stopped");
      return kExitOk;
    };
  });
}

}  // namespace qualsig::cli
