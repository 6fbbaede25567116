// --log-format json: every line one JSON object, whatever the event text holds (issue 32).
#include <gtest/gtest.h>

#include <spdlog/details/log_msg.h>
#include <boost/json.hpp>

#include "app/json_log_formatter.hpp"

namespace message::app {
namespace {

std::string format(spdlog::level::level_enum level, std::string_view text) {
  json_log_formatter formatter;
  spdlog::details::log_msg msg("message", level, spdlog::string_view_t(text.data(), text.size()));
  spdlog::memory_buf_t out;
  formatter.format(msg, out);
  return std::string(out.data(), out.size());
}

TEST(JsonLogFormatter, OneObjectPerLineWithTheTextEscaped) {
  const std::string hostile = "a \"quote\", a back\\slash,\na newline, a tab\t, \x01, and 日本語";
  const auto line = format(spdlog::level::warn, hostile);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "the line is split: " << line;
  boost::system::error_code ec;
  const auto value = boost::json::parse(std::string_view(line).substr(0, line.size() - 1), ec);
  ASSERT_FALSE(ec) << line;
  const auto& o = value.as_object();
  EXPECT_EQ(o.at("event").as_string(), hostile);
  EXPECT_EQ(o.at("level").as_string(), "warning");
  const std::string time(o.at("time").as_string());
  EXPECT_EQ(time.size(), std::string("2026-12-06T09:00:00.000Z").size()) << time;
  EXPECT_EQ(time.back(), 'Z');
  EXPECT_TRUE(o.at("thread").is_number());
}

TEST(JsonLogFormatter, CloneFormatsTheSame) {
  json_log_formatter formatter;
  const auto copy = formatter.clone();
  spdlog::details::log_msg msg("message", spdlog::level::info, "stopped");
  spdlog::memory_buf_t a, b;
  copy->format(msg, a);
  formatter.format(msg, b);
  EXPECT_EQ(std::string(a.data(), a.size()), std::string(b.data(), b.size()));
}

}  // namespace
}  // namespace message::app
