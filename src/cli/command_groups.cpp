#include <string_view>

#include "cli/commands.h"

namespace qualsig::cli {

const std::vector<CommandGroup>& command_groups() {
  static const std::vector<CommandGroup> groups{
      {{"init"}, &add_init_command},
      {{"status"}, &add_status_command},
      {{"ca"}, &add_ca_commands},
      {{"serve"}, &add_serve_command},
      {{"audit"}, &add_audit_commands},
      {{"identity"}, &add_identity_commands},
      {{"cert", "crl"}, &add_cert_commands},
      {{"governance"}, &add_governance_commands},
      {{"person", "delegation"}, &add_people_commands},
      {{"api-client"}, &add_api_client_commands},
      {{"policy", "sign", "request", "approve", "reject", "extend"}, &add_sign_commands},
      {{"evidence"}, &add_evidence_commands},
      {{"verify", "trust"}, &add_verify_commands},
  };
  return groups;
}

std::vector<const CommandGroup*> groups_for(int argc, const char* const* argv) {
  std::vector<const CommandGroup*> all;
  for (const auto& group : command_groups()) all.push_back(&group);
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--json" || arg.starts_with("--data=")) continue;
    if (arg == "--data") {
      ++i;
      continue;
    }
    if (arg.starts_with("-")) return all;
    for (const auto* group : all)
      for (std::string_view name : group->names)
        if (name == arg) return {group};
    return all;
  }
  return all;
}

}  // namespace qualsig::cli
