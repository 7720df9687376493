// qualsig api-client add|list|disable — the clients that authenticate to `qualsig serve`
// (service/api_auth.h). The secret is shown once (or written to a 0600 file) and stored only
// as an argon2id hash.

#include <iostream>

#include "cli/cli_support.h"
#include "service/record_json.h"
#include "core/fs.h"
#include "service/api_auth.h"

namespace qualsig::cli {

using service::identity_json;
using service::cert_json;
using service::request_json;
using service::person_json;
using service::delegation_json;
using service::client_json;
namespace {


}  // namespace

void add_api_client_commands(CLI::App& app, Globals& g, Action& action) {
  auto* cmd = app.add_subcommand("api-client", "clients of the HTTPS API (OAuth 2.0 client credentials)");
  cmd->require_subcommand(1);

  auto* add = cmd->add_subcommand("add", "register a client; prints its secret once");
  auto principal = std::make_shared<std::string>();
  auto roles = std::make_shared<std::vector<std::string>>();
  auto description = std::make_shared<std::string>();
  auto secret_out = std::make_shared<std::string>();
  add->add_option("--principal", *principal, "identity:NAME, person:NAME or operator:NAME")->required();
  add->add_option("--role", *roles, "admin, approver, auditor or signer (repeatable)")->required();
  add->add_option("--description", *description, "what the client is for");
  add->add_option("--secret-out", *secret_out, "write the secret to this new file (mode 0600) instead of stdout");
  add->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        if (!secret_out->empty() && std::filesystem::exists(*secret_out))
          return g.out.error(make_error(ErrorCode::already_exists, "refusing to overwrite " + *secret_out));
        auto r = service::add_api_client(svc, *principal, *roles, *description, operator_actor(), now_seconds());
        if (!r) return g.out.error(r.error());
        std::string secret(r->secret.reveal());
        if (!secret_out->empty()) {
          auto w = core::write_file_atomic(*secret_out, secret + "\n",
                                           std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
          if (!w) return g.out.error(w.error());
        }
        auto j = client_json(r->client);
        if (secret_out->empty()) j["client_secret"] = secret;
        std::fill(secret.begin(), secret.end(), '\0');
        if (g.out.json) {
          g.out.print_json(j);
        } else {
          std::cout << "added API client " << r->client.client_id << " for " << r->client.principal << "\n";
          if (secret_out->empty()) std::cout << "client secret (shown once): " << j["client_secret"].get<std::string>() << "\n";
          else std::cout << "client secret written to " << *secret_out << "\n";
        }
        return kExitOk;
      });
    };
  });

  auto* list = cmd->add_subcommand("list", "list API clients");
  list->callback([&g, &action] {
    action = [&g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::list_api_clients(svc);
        if (!r) return g.out.error(r.error());
        nlohmann::json all = nlohmann::json::array();
        for (const auto& c : *r) all.push_back(client_json(c));
        if (g.out.json) {
          g.out.print_json({{"clients", all}});
        } else {
          for (const auto& c : *r) {
            std::cout << c.client_id << "  " << c.principal << "  ";
            for (std::size_t i = 0; i < c.roles.size(); ++i) std::cout << (i ? "," : "") << c.roles[i];
            std::cout << "  " << (c.disabled_at ? "disabled" : "enabled") << "\n";
          }
        }
        return kExitOk;
      });
    };
  });

  auto* disable = cmd->add_subcommand("disable", "disable a client and revoke its access tokens");
  auto id = std::make_shared<std::string>();
  disable->add_option("client_id", *id, "the client")->required();
  disable->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::disable_api_client(svc, *id, operator_actor(), now_seconds());
        if (!r) return g.out.error(r.error());
        if (g.out.json) g.out.print_json(client_json(*r));
        else std::cout << "disabled API client " << r->client_id << "\n";
        return kExitOk;
      });
    };
  });
}

}  // namespace qualsig::cli
