// qualsig person add|list — delegation grant|revoke|list

#include <iomanip>
#include <iostream>

#include "cli/cli_support.h"
#include "service/record_json.h"
#include "core/fs.h"
#include "service/delegation_service.h"
#include "service/people_service.h"

namespace qualsig::cli {

using service::identity_json;
using service::cert_json;
using service::request_json;
using service::person_json;
using service::delegation_json;
using service::client_json;

Result<Secret> read_secret(const std::string& file, const char* env, const std::string& what) {
  std::string value;
  if (!file.empty()) {
    QS_TRY(value, core::read_file(file, 4096));
  } else if (const char* v = std::getenv(env); v != nullptr && *v != '\0') {
    value = v;
  } else {
    return fail(ErrorCode::usage, what + " is needed: set " + env + " or give --token-file FILE");
  }
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return Secret(std::move(value));
}

namespace {



}  // namespace

void add_people_commands(CLI::App& app, Globals& g, Action& action) {
  auto* person = app.add_subcommand("person", "people who approve sign requests or delegate authority");
  person->require_subcommand(1);
  auto* add = person->add_subcommand("add", "add a person; prints their access token once");
  auto name = std::make_shared<std::string>();
  auto groups = std::make_shared<std::vector<std::string>>();
  auto token_out = std::make_shared<std::string>();
  add->add_option("name", *name, "the person, e.g. alice@acme.example")->required();
  add->add_option("--group", *groups, "approval group (repeatable), e.g. finance-approvers");
  add->add_option("--token-out", *token_out, "write the token to this new file (mode 0600) instead of stdout");
  add->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        if (!token_out->empty() && std::filesystem::exists(*token_out))
          return g.out.error(make_error(ErrorCode::already_exists, "refusing to overwrite " + *token_out));
        auto r = service::add_person(svc, *name, *groups, operator_actor(), now_seconds());
        if (!r) return g.out.error(r.error());
        std::string token(r->token.reveal());
        if (!token_out->empty()) {
          auto w = core::write_file_atomic(*token_out, token + "\n", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
          if (!w) return g.out.error(w.error());
        }
        auto j = person_json(r->person);
        if (token_out->empty()) j["token"] = token;
        if (g.out.json) {
          g.out.print_json(j);
        } else {
          std::cout << "added person '" << r->person.name << "'";
          if (!r->person.groups.empty()) {
            std::cout << " in";
            for (const auto& grp : r->person.groups) std::cout << " " << grp;
          }
          std::cout << "\n";
          if (token_out->empty()) std::cout << "token (shown once; give it to the person): " << token << "\n";
          else std::cout << "token written to " << *token_out << "\n";
        }
        return kExitOk;
      });
    };
  });
  auto* list = person->add_subcommand("list", "all people and their groups");
  list->callback([&g, &action] {
    action = [&g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::list_people(svc);
        if (!r) return g.out.error(r.error());
        nlohmann::json a = nlohmann::json::array();
        for (const auto& p : *r) a.push_back(person_json(p));
        if (g.out.json) {
          g.out.print_json(a);
        } else {
          for (const auto& p : *r) {
            std::cout << std::left << std::setw(32) << p.name;
            for (const auto& grp : p.groups) std::cout << " " << grp;
            std::cout << "\n";
          }
        }
        return kExitOk;
      });
    };
  });

  auto* del = app.add_subcommand("delegation", "delegated signing authority");
  del->require_subcommand(1);
  auto* grant = del->add_subcommand("grant", "delegate scopes to an identity until an expiry");
  auto gr = std::make_shared<service::DelegationGrant>();
  auto from = std::make_shared<std::string>(), expires = std::make_shared<std::string>(),
       not_before = std::make_shared<std::string>(), parent = std::make_shared<std::string>(),
       token_file = std::make_shared<std::string>();
  grant->add_option("--from", *from, "person:NAME, organisation:ORG-ID, or identity:NAME with --parent")->required();
  grant->add_option("--to", gr->delegate, "the identity receiving authority")->required();
  grant->add_option("--scope", gr->scopes, "scope (repeatable), e.g. contract")->required();
  grant->add_option("--expires", *expires, "RFC 3339 expiry, e.g. 2026-12-31T23:59:59Z")->required();
  grant->add_option("--not-before", *not_before, "RFC 3339 start (default: now)");
  grant->add_option("--parent", *parent, "the delegation this one narrows (re-delegation)");
  grant->add_option("--token-file", *token_file, "person:NAME delegators: file with their token (else QUALSIG_PERSON_TOKEN)");
  grant->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      auto req = *gr;
      req.delegator = *from;
      auto exp = parse_rfc3339(*expires);
      if (!exp) return g.out.usage_error("--expires: not an RFC 3339 time: " + *expires);
      req.expires_at = *exp;
      auto nb = parse_time_opt(*not_before);
      if (!nb) return g.out.error(nb.error());
      req.not_before = *nb;
      if (!parent->empty()) req.parent = *parent;
      return with_service(g, [&](service::TrustService& svc) -> int {
        std::string actor = operator_actor();
        if (from->rfind("person:", 0) == 0) {
          // A person delegates their own authority: they authenticate, the operator cannot.
          auto token = read_secret(*token_file, "QUALSIG_PERSON_TOKEN", "the delegating person's token");
          if (!token) return g.out.error(token.error());
          auto who = service::authenticate_person(svc, from->substr(7), *token);
          if (!who) return g.out.error(who.error());
          actor = "person:" + who->name;
        }
        auto r = service::grant_delegation(svc, req, actor, now_seconds());
        if (!r) return g.out.error(r.error());
        if (g.out.json) g.out.print_json(delegation_json(*r, now_seconds()));
        else std::cout << "granted " << r->id << ": " << r->delegator << " -> " << r->delegate << " until "
                       << to_rfc3339(r->expires_at) << "\n";
        return kExitOk;
      });
    };
  });
  auto* revoke = del->add_subcommand("revoke", "revoke a delegation (its re-delegations stop verifying too)");
  auto rid = std::make_shared<std::string>();
  revoke->add_option("id", *rid, "delegation id")->required();
  revoke->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::revoke_delegation(svc, *rid, operator_actor(), now_seconds());
        if (!r) return g.out.error(r.error());
        if (g.out.json) g.out.print_json(delegation_json(*r, now_seconds()));
        else std::cout << "revoked " << r->id << "\n";
        return kExitOk;
      });
    };
  });
  auto* dlist = del->add_subcommand("list", "delegations, optionally of one identity");
  auto lto = std::make_shared<std::string>();
  dlist->add_option("--to", *lto, "only delegations to this identity");
  dlist->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::list_delegations(svc, lto->empty() ? std::nullopt : std::optional<std::string>(*lto));
        if (!r) return g.out.error(r.error());
        auto now = now_seconds();
        nlohmann::json a = nlohmann::json::array();
        for (const auto& d : *r) a.push_back(delegation_json(d, now));
        if (g.out.json) {
          g.out.print_json(a);
        } else {
          for (const auto& d : a) {
            std::cout << d["id"].get<std::string>() << "  " << d["delegator"].get<std::string>() << " -> "
                      << d["delegate"].get<std::string>() << "  " << d["scopes"].dump() << "  until "
                      << d["expires_at"].get<std::string>() << "  " << d["state"].get<std::string>() << "\n";
          }
        }
        return kExitOk;
      });
    };
  });
}

}  // namespace qualsig::cli
