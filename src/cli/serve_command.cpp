// qualsig serve

#include <iostream>

#include "cli/commands.h"
#include "core/log.h"
#include "server/service_routes.h"
#include "service/audit_service.h"

namespace qualsig::cli {

void add_serve_command(CLI::App& app, Globals& g, Action& action) {
  auto* cmd = app.add_subcommand("serve", "run the service; prints the HTTPS and HTTP base URLs on start");
  auto listen = std::make_shared<std::string>(), http = std::make_shared<std::string>();
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
