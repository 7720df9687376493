#pragma once
// Logging: spdlog to stderr. `json` switches every line to one JSON object (used by serve).
// Never pass a Secret: it has no formatter, so that does not compile.

#include <spdlog/spdlog.h>

namespace qualsig::core {

enum class LogFormat { text, json };

void init_logging(LogFormat format, spdlog::level::level_enum level);

}  // namespace qualsig::core
