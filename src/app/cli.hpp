#pragma once

#include <variant>

#include "app/config.hpp"

namespace message::app {

/// Parses argv (and MESSAGE_* environment variables; a flag wins over its variable).
/// Returns the configuration, or the exit code to leave with: 0 after --help/--version,
/// 2 after a bad flag (the message is already printed to stderr).
std::variant<server_config, int> parse_command_line(int argc, const char* const* argv);

}  // namespace message::app
