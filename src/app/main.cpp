// message: a LAN messenger. Parses flags, opens the server, prints where it can be reached,
// and serves until SIGINT/SIGTERM. Start-up errors end here with a message and exit code 1.
#include <csignal>
#include <ctime>
#include <iostream>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/cli.hpp"
#include "app/lan_addresses.hpp"
#include "app/server.hpp"
#include "client/subcommands.hpp"
#include "redis/redis_endpoint.hpp"

namespace {

/// The original's start line: "2018/10/27 23:22:59 Server start on port 8000".
void print_banner(const message::app::server_config& cfg, std::uint16_t port,
                  const std::string& fingerprint) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y/%m/%d %H:%M:%S", &local);
  fmt::print("{} Server start on port {}\n", stamp, port);
  const char* scheme = cfg.tls() ? "https" : "http";
  const bool all = cfg.host == "0.0.0.0" || cfg.host == "::";
  if (all) {
    for (const auto& a : message::app::lan_addresses())
      fmt::print("  open {}://{}:{} on any machine of the network\n", scheme, a, port);
  } else {
    fmt::print("  open {}://{}:{}\n", scheme,
               cfg.host.find(':') != std::string::npos ? fmt::format("[{}]", cfg.host) : cfg.host, port);
  }
  if (!fingerprint.empty()) {
    fmt::print("  TLS certificate SHA-256 fingerprint (compare it with what the browser shows):\n    {}\n",
               fingerprint);
  }
  if (cfg.key.empty()) {
    fmt::print(
        "  anyone on the network can join: start with --key SECRET (or MESSAGE_KEY) to make the chat "
        "private\n");
  } else {
    fmt::print("  private: pages and tools must present the key (--key) to join\n");
  }
  if (!cfg.redis_url.empty()) {
    fmt::print("  data: in redis {}\n", message::redis::parse_redis_url(cfg.redis_url).describe());
  } else {
    fmt::print("  data: {}\n", cfg.store == message::app::store_kind::memory
                                   ? std::string("in memory (lost on exit)")
                                   : (cfg.data_dir / "messages.db").string());
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  // `message send|tail|chat ...`: the terminal client (src/client/) in the same binary.
  if (auto code = message::client::run_subcommand(argc, argv)) return *code;
  auto parsed = message::app::parse_command_line(argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) return *code;
  auto& cfg = std::get<message::app::server_config>(parsed);

  auto logger = spdlog::stderr_color_mt("message");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  // A peer that vanishes mid-write must not kill us; a file-size limit must become a write
  // error the store reports, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
  // SIGINT and SIGTERM stay blocked in every thread: the server reads them from a signalfd
  // (app/stop_signals.hpp says why), so this must come before any thread starts.
  message::app::block_stop_signals();

  try {
    message::app::server server(cfg);
    print_banner(cfg, server.port(), server.tls_fingerprint());
    server.run();
  } catch (const std::exception& e) {
    std::cerr << "message: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
