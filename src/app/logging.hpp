#pragma once

#include <string>

namespace message::app {

/// Makes the default logger: stderr, at `level` (trace ... off), readable text (`format`
/// "text", coloured on a terminal) or one JSON object per line ("json", json_log_formatter).
/// Call once in main(), before any thread starts.
void start_logging(const std::string& level, const std::string& format);

}  // namespace message::app
