#pragma once

#include <memory>

#include <spdlog/formatter.h>

namespace message::app {

/// --log-format json: one JSON object per line, {"time","level","event","thread"}, for journald
/// and log shippers. The event text goes through Boost.JSON's string escaping: spdlog's own
/// pattern writes %v raw (gabime/spdlog#1258), so a quote or newline in it would break the line.
/// Log lines carry no user text and no key by rule (docs/security.md); the escaping is what keeps
/// a line one line whatever an error message from a library holds.
/// Thread-safety: spdlog calls format() under its sink's lock.
class json_log_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace message::app
