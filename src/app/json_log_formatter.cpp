#include "app/json_log_formatter.hpp"

#include <chrono>
#include <ctime>

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

namespace message::app {

void json_log_formatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  // RFC 3339 in UTC with milliseconds: sortable, and what log shippers parse without a pattern.
  const auto since_epoch = msg.time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
  const auto t = static_cast<std::time_t>(seconds.count());
  std::tm utc{};
  gmtime_r(&t, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  const auto level = spdlog::level::to_string_view(msg.level);
  const auto event = boost::json::serialize(boost::json::string_view(msg.payload.data(), msg.payload.size()));
  fmt::format_to(std::back_inserter(dest), R"({{"time":"{}.{:03}Z","level":"{}","event":{},"thread":{}}})",
                 stamp, millis, std::string_view(level.data(), level.size()), event, msg.thread_id);
  dest.push_back('\n');
}

std::unique_ptr<spdlog::formatter> json_log_formatter::clone() const {
  return std::make_unique<json_log_formatter>();
}

}  // namespace message::app
