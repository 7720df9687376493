// qualsig: the command line (CLI.md). Parses arguments, runs one command, maps its result to
// an exit code. The only place besides server/ and thread entry points that catches
// everything.

#include <openssl/crypto.h>
#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "core/log.h"
#include "qualsig/version.h"

int main(int argc, char** argv) {
  using namespace qualsig;
  // Files qualsig creates (database, token, PIN files) are private unless written with an
  // explicit mode (exported certificates are 0644).
  ::umask(077);
  cli::Globals g;
  if (const char* env = std::getenv("QUALSIG_DATA"); env != nullptr && *env != '\0') g.data_dir = env;
  core::init_logging(core::LogFormat::text, std::getenv("QUALSIG_DEBUG") ? spdlog::level::debug : spdlog::level::warn);

  CLI::App app{"qualsig: qualified electronic signatures and seals for non-human identities"};
  app.set_version_flag("--version", std::string("qualsig ") + kVersion);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--data", g.data_dir, "data directory (env QUALSIG_DATA, default ./qualsig-data)");
  app.add_flag("--json", g.out.json, "machine-readable output on stdout");

  cli::Action action;
  for (const auto* group : cli::groups_for(argc, argv)) group->add(app, g, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RequiredError& e) {
    // "qualsig frobnicate": CLI11 reports the missing subcommand; name the stray word instead.
    auto rest = app.remaining();
    if (!rest.empty() && app.get_subcommands().empty())
      return g.out.usage_error("unknown command '" + rest.front() + "' (see --help)");
    return g.out.usage_error(std::string(e.what()) + " (see --help)");
  } catch (const CLI::ParseError& e) {
    // One line, CLI.md style, whatever CLI11 would have printed.
    return g.out.usage_error(std::string(e.what()) + " (see --help)");
  }
  try {
    int rc = action ? action() : g.out.usage_error("no command given");
    OPENSSL_cleanup();
    return rc;
  } catch (const std::exception& e) {
    return g.out.error(make_error(ErrorCode::internal, std::string("internal error: ") + e.what()));
  } catch (...) {
    return g.out.error(make_error(ErrorCode::internal, "internal error"));
  }
}
