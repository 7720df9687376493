#pragma once
// One function per command group; each registers its CLI11 subcommands and runs them.

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>

#include "cli/output.h"

namespace qualsig::cli {

struct Globals {
  std::filesystem::path data_dir = "qualsig-data";
  Output out;
};

// A command's body; returns the process exit code.
using Action = std::function<int()>;

void add_init_command(CLI::App& app, Globals& g, Action& action);
void add_status_command(CLI::App& app, Globals& g, Action& action);
void add_ca_commands(CLI::App& app, Globals& g, Action& action);
void add_serve_command(CLI::App& app, Globals& g, Action& action);
void add_audit_commands(CLI::App& app, Globals& g, Action& action);
void add_identity_commands(CLI::App& app, Globals& g, Action& action);
void add_cert_commands(CLI::App& app, Globals& g, Action& action);
void add_governance_commands(CLI::App& app, Globals& g, Action& action);
void add_people_commands(CLI::App& app, Globals& g, Action& action);
void add_api_client_commands(CLI::App& app, Globals& g, Action& action);
void add_sign_commands(CLI::App& app, Globals& g, Action& action);
void add_evidence_commands(CLI::App& app, Globals& g, Action& action);
void add_verify_commands(CLI::App& app, Globals& g, Action& action);

}  // namespace qualsig::cli
