#include "core/log.h"

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace qualsig::core {
namespace {

// %* in JSON mode: a message that is itself a JSON object (structured events such as the
// access log) is merged into the line; any other message becomes "msg":"...".
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    // Built with append: GCC 12 -O3 warns falsely (-Wrestrict, GCC bug 105329) on "," + s.
    std::string out;
    if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
      if (text.size() > 2) out.append(",").append(text.substr(1, text.size() - 2));
    } else {
      out.append(",\"msg\":")
          .append(nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

}  // namespace

void init_logging(LogFormat format, spdlog::level::level_enum level) {
  auto logger = spdlog::get("qualsig");
  if (!logger) logger = spdlog::stderr_logger_mt("qualsig");
  if (format == LogFormat::json) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l"%*})");
    formatter->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l"%*})");
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%SZ %l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(level);
  spdlog::set_default_logger(logger);
}

}  // namespace qualsig::core
