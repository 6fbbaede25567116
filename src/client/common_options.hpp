#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "client/exit_code.hpp"
#include "client_transport/connection.hpp"

namespace message::client {

/// The flags `send`, `tail` and `chat` share (README, "From a terminal").
struct common_options {
  std::string server;  ///< --server, else MESSAGE_SERVER, else http://127.0.0.1:8000.
  std::string key;
  std::string key_file;
  std::string fingerprint;
  std::string room = "lobby";
};

/// Adds the shared flags to a subcommand.
void add_common_options(CLI::App& app, common_options& o);

/// Turns the flags into connection settings: reads the key (--key, then --key-file, then
/// MESSAGE_KEY), the device identity and known_servers. nullopt after printing why on stderr
/// (a usage error: exit 2).
std::optional<connection_settings> resolve_settings(const common_options& o);

/// The exit code a connection's end means when it ends a command.
exit_code exit_for(end_kind kind);

/// The name messages go out under without --name: $MESSAGE_NAME, $USER, $LOGNAME or "terminal".
std::string default_name();

/// True for a room name the server accepts (docs/protocol.md).
bool is_room_name(const std::string& room);

/// Prints "message: " + text on stderr.
void complain(const std::string& text);

}  // namespace message::client
