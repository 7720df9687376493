// qualsig serve — placeholder filled in below once the server library lands.
#include "cli/commands.h"

namespace qualsig::cli {
void add_serve_command(CLI::App&, Globals&, Action&) {}
}  // namespace qualsig::cli
