// The command table main() uses to register only the group a command belongs to
// (cli/commands.h): it must name exactly what each group's function registers.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace qualsig::cli {
namespace {

std::set<std::string> registered_by(const CommandGroup& group) {
  CLI::App app;
  Globals g;
  Action action;
  group.add(app, g, action);
  std::set<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) names.insert(sub->get_name());
  return names;
}

TEST(CommandGroups, EachGroupNamesExactlyTheCommandsItsFunctionRegisters) {
  std::set<std::string> seen;
  for (const auto& group : command_groups()) {
    std::set<std::string> named(group.names.begin(), group.names.end());
    EXPECT_EQ(registered_by(group), named);
    for (const auto& name : named) EXPECT_TRUE(seen.insert(name).second) << name << " is in two groups";
  }
  EXPECT_GE(seen.size(), 20u);
}

const CommandGroup* owner(std::string_view name) {
  for (const auto& group : command_groups())
    for (auto n : group.names)
      if (n == name) return &group;
  return nullptr;
}

std::vector<const CommandGroup*> groups(std::vector<const char*> args) {
  args.insert(args.begin(), "qualsig");
  return groups_for(static_cast<int>(args.size()), args.data());
}

TEST(CommandGroups, TheCommandWordChoosesItsGroupAfterGlobalOptions) {
  using V = std::vector<const CommandGroup*>;
  EXPECT_EQ(groups({"verify", "x.pdf"}), V{owner("verify")});
  EXPECT_EQ(groups({"--data", "d", "trust", "export-tl"}), V{owner("verify")});
  EXPECT_EQ(groups({"--json", "--data=d", "crl", "list"}), V{owner("cert")});
  EXPECT_EQ(groups({"--data", "verify", "sign", "--in", "x"}), V{owner("sign")});  // "verify" is --data's value
  EXPECT_EQ(groups({"extend", "--help"}), V{owner("policy")});
}

TEST(CommandGroups, EveryGroupWhenTheWordIsMissingUnknownOrAnOptionComesFirst) {
  const std::size_t all = command_groups().size();
  EXPECT_EQ(groups({}).size(), all);
  EXPECT_EQ(groups({"--help"}).size(), all);
  EXPECT_EQ(groups({"--version"}).size(), all);
  EXPECT_EQ(groups({"frobnicate"}).size(), all);
  EXPECT_EQ(groups({"--data"}).size(), all);
  EXPECT_EQ(groups({"-x", "verify"}).size(), all);
  EXPECT_EQ(groups({"Verify"}).size(), all);
}

}  // namespace
}  // namespace qualsig::cli
