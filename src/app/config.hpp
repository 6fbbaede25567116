#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/limits.hpp"

namespace message::app {

enum class store_kind { sqlite, memory };

/// Everything the command line decides. Built once by parse_command_line(), then read-only.
struct server_config {
  std::string host = "0.0.0.0";  ///< Every interface: the LAN is the point.
  std::uint16_t port = 8000;     ///< The original's port; 0 picks a free one.
  /// --port (or MESSAGE_PORT) was given: `message invite` then uses it rather than asking the
  /// server running in data_dir.
  bool port_given = false;
  std::filesystem::path data_dir = "data";
  /// --shared-files: the folder where every node of a --redis chat keeps the shared files
  /// (blobs and thumbnails), so any node serves a file uploaded to another; empty = DATA/files.
  std::filesystem::path shared_files;
  store_kind store = store_kind::sqlite;
  bool fsync_every_commit = false;  ///< SQLite synchronous=FULL: survives power loss.
  /// --salvage-journal: a journal damaged in its middle is salvaged instead of refused.
  bool salvage_journal = false;
  std::size_t io_threads = 1;  ///< One loop per thread; the store has its own thread.
  std::vector<std::string> allowed_origins;
  /// --allow-host: names the server answers to besides its own (a reverse proxy's public name).
  std::vector<std::string> allowed_hosts;
  /// How often the server's own names (addresses, hostname) are read again for the Host check
  /// (app/server_names): a new DHCP address is answered within this, at the cost of one
  /// getifaddrs() per period.
  std::chrono::milliseconds names_refresh{5000};
  std::string log_level = "info";
  /// --name: announced on the LAN and the page's title; empty = "message on HOST".
  std::string name;
  /// --no-qr: no QR code in the terminal at start.
  bool no_qr = false;
  /// --no-search: no full-text index (`search` answers search_off); for comparing send speed.
  bool no_search = false;
  /// "text" (readable) or "json" (one object per line: app/json_log_formatter.hpp).
  std::string log_format = "text";
  /// --key: the shared secret of a private chat; empty = anyone who reaches the port may join.
  /// Never logged.
  std::string key;
  /// TLS and plain http on the one port, by default with a self-signed certificate kept in
  /// data_dir; --tls-cert/--tls-key (PEM files) replace it; --no-tls serves plain http only.
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  bool no_tls = false;
  bool tls() const { return !no_tls; }
  bool self_signed() const { return !no_tls && tls_cert.empty(); }
  /// redis://HOST:PORT[/DB]: several nodes share the store and fan-out in this Redis.
  /// Empty: SQLite (or memory) and in-process fan-out, and no Redis code runs.
  std::string redis_url;
  std::string redis_password;
  /// How often a node tells the others who is connected to it; a dead node's people leave
  /// presence after 3 of these. 15 s keeps that under a minute.
  std::chrono::milliseconds redis_heartbeat{15000};
  core::limits limits;
  /// --max-connections was given: only a cap someone chose is worth a line at start when the
  /// open-file limit lowers it (the default is lowered quietly, so the start line comes first).
  bool max_connections_chosen = false;
  /// Test-only (hidden flag --test-stall-loop MS): under systemd's watchdog, the last I/O loop
  /// blocks this long once after three pings, so a test sees the pings stop. Zero otherwise.
  std::chrono::milliseconds test_stall_loop{0};
};

}  // namespace message::app
