#include "app/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "app/json_log_formatter.hpp"

namespace message::app {

void start_logging(const std::string& level, const std::string& format) {
  std::shared_ptr<spdlog::logger> logger;
  if (format == "json") {
    // No colour codes: the reader is a program.
    logger = spdlog::stderr_logger_mt("message");
    logger->set_formatter(std::make_unique<json_log_formatter>());
  } else {
    logger = spdlog::stderr_color_mt("message");
  }
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace message::app
