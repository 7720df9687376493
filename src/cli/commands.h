#pragma once
// One function per command group; each registers its CLI11 subcommands and runs them.

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

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

// The top-level commands each add_* function registers. Building CLI11's tree for every command
// of every group costs more than a whole validation's parsing (2.3 M instructions), so the
// process registers only the group that owns the command word when it can tell which one that
// is (tests/cli: the table matches what the functions register).
struct CommandGroup {
  std::vector<std::string_view> names;
  void (*add)(CLI::App& app, Globals& g, Action& action);
};
const std::vector<CommandGroup>& command_groups();

// The groups to register for these arguments: the one owning the command word, the first
// argument that is neither a global option (--json, --data DIR, --data=DIR) nor its value; every
// group when there is no such word, it belongs to no group, or an option comes first (--help
// and --version list or need all of them; unknown words need all names for the error message).
std::vector<const CommandGroup*> groups_for(int argc, const char* const* argv);

}  // namespace qualsig::cli
