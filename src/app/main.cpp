// message: a LAN messenger. Parses flags, opens the server, prints where it can be reached,
// and serves until SIGINT/SIGTERM. Start-up errors end here with a message and exit code 1.
#include <csignal>
#include <cstring>
#include <iostream>

#include "app/cli.hpp"
#include "app/data_commands.hpp"
#include "app/logging.hpp"
#include "app/server.hpp"
#include "app/start_report.hpp"
#include "client/subcommands.hpp"

int main(int argc, char** argv) {
  // `message send|tail|chat ...`: the terminal client (src/client/) in the same binary.
  if (auto code = message::client::run_subcommand(argc, argv)) return *code;
  if (message::app::is_data_command(argc, argv)) return message::app::run_data_command(argc, argv);
  // `message invite [flags]`: the server's flags, the invite printed here, no server started.
  const bool invite = argc > 1 && std::strcmp(argv[1], "invite") == 0;
  auto parsed = invite ? message::app::parse_command_line(argc - 1, argv + 1)
                       : message::app::parse_command_line(argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) return *code;
  auto& cfg = std::get<message::app::server_config>(parsed);
  if (invite) {
    message::app::print_invite(cfg);
    return 0;
  }

  message::app::start_logging(cfg.log_level, cfg.log_format);
  // A peer that vanishes mid-write must not kill us; a file-size limit must become a write
  // error the store reports, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
  // SIGINT and SIGTERM stay blocked in every thread: the server reads them from a signalfd
  // (transport/stop_signals.hpp says why), so this must come before any thread starts.
  message::app::block_stop_signals();

  try {
    message::app::server server(cfg);
    const message::app::start_report report(cfg, server.port(), server.tls());
    server.run();
  } catch (const std::exception& e) {
    std::cerr << "message: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
