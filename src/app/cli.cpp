#include "app/cli.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

#include "redis/redis_endpoint.hpp"

namespace message::app {

std::variant<server_config, int> parse_command_line(int argc, const char* const* argv) {
  server_config cfg;
  auto& l = cfg.limits;
  CLI::App app{
      "message: a LAN messenger. Open https://<this machine>:<port> (or http://) in a browser on any machine "
      "of the network."};
  app.set_version_flag("--version", "message " MESSAGE_VERSION);
  app.option_defaults()->always_capture_default();

  std::string store = "sqlite";
  auto idle_ping = static_cast<std::uint32_t>(l.idle_ping.count());
  auto link_code_seconds =
      static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(l.link_code_ttl).count());
  auto handshake_timeout = static_cast<std::uint32_t>(l.handshake_timeout.count());

  app.add_option("--host", cfg.host, "Address to listen on")->envname("MESSAGE_HOST");
  auto* port = app.add_option("--port", cfg.port, "TCP port (0 picks a free one)")->envname("MESSAGE_PORT");
  app.add_option("--data", cfg.data_dir, "Directory for the server's state (created if missing)")
      ->envname("MESSAGE_DATA");
  app.add_option("--shared-files", cfg.shared_files,
                 "Folder for the shared files (blobs and thumbnails) that every node of a --redis chat "
                 "reads and writes, e.g. an NFS mount (default: in --data, this node's own)");
  app.add_option("--store", store,
                 "Where messages live: sqlite (durable, in --data) or memory (lost on exit)")
      ->check(CLI::IsMember({"sqlite", "memory"}))
      ->envname("MESSAGE_STORE");
  app.add_flag("--fsync", cfg.fsync_every_commit,
               "Make every commit survive power loss too (slower; default survives a killed process)")
      ->envname("MESSAGE_FSYNC");
  app.add_flag("--salvage-journal", cfg.salvage_journal,
               "Start with a damaged DATA/messages.journal: keep every whole record, keep the damaged file "
               "beside it (messages.journal.damaged-TIME)");
  app.add_option("--threads", cfg.io_threads, "I/O threads")
      ->check(CLI::Range(1, 64))
      ->envname("MESSAGE_THREADS");
  app.add_option("--allow-origin", cfg.allowed_origins,
                 "Another page origin allowed to open WebSockets (e.g. http://chat.example:8000); repeatable")
      ->envname("MESSAGE_ALLOW_ORIGIN");
  app.add_option(
         "--allow-host", cfg.allowed_hosts,
         "Another name this server answers to (e.g. chat.example.com behind a reverse proxy); its own "
         "addresses, localhost, its hostname and HOST.local need none; repeatable")
      ->envname("MESSAGE_ALLOW_HOST");
  app.add_option(
         "--redis", cfg.redis_url,
         "Share messages, fan-out and presence with other nodes through this Redis: redis://HOST:PORT[/DB]")
      ->check([](const std::string& url) {
        try {
          redis::parse_redis_url(url);
          return std::string();
        } catch (const std::invalid_argument& e) {
          return std::string(e.what());
        }
      })
      ->envname("MESSAGE_REDIS");
  app.add_option("--redis-password", cfg.redis_password, "Password for --redis (AUTH)")
      ->envname("MESSAGE_REDIS_PASSWORD");
  double heartbeat = static_cast<double>(cfg.redis_heartbeat.count()) / 1000.0;
  app.add_option("--redis-heartbeat", heartbeat,
                 "Seconds between presence heartbeats to the other nodes; a dead node's users leave after 3")
      ->check(CLI::Range(0.1, 20.0));
  app.add_option("--name", cfg.name,
                 "Name announced on the LAN and shown as the page's title (default: \"message on HOST\")")
      ->envname("MESSAGE_NAME");
  app.add_flag("--no-search", cfg.no_search,
               "Keep no full-text search index (search is refused); for comparing send speed");
  app.add_flag("--no-qr", cfg.no_qr, "Draw no QR code of the invite in the terminal at start")
      ->envname("MESSAGE_NO_QR");
  app.add_option("--log-level", cfg.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->envname("MESSAGE_LOG_LEVEL")
      // Given twice, the last wins: a wrapper (a test harness, a unit's ExecStart) may set a
      // default that a later flag overrides.
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--log-format", cfg.log_format,
                 "text (readable) or json (one object per line, for journald and log shippers)")
      ->check(CLI::IsMember({"text", "json"}))
      ->envname("MESSAGE_LOG_FORMAT");

  auto* access = app.add_option_group("Access");
  access
      ->add_option("--key", cfg.key,
                   "Shared secret: only pages and tools that present it may join (the page asks once). "
                   "Without it, anyone on the network can")
      ->envname("MESSAGE_KEY");
  auto* cert = access
                   ->add_option("--tls-cert", cfg.tls_cert,
                                "PEM certificate (chain) for https and wss, instead of the self-signed one")
                   ->check(CLI::ExistingFile)
                   ->envname("MESSAGE_TLS_CERT");
  auto* key = access->add_option("--tls-key", cfg.tls_key, "PEM private key of --tls-cert")
                  ->check(CLI::ExistingFile)
                  ->envname("MESSAGE_TLS_KEY");
  cert->needs(key);
  key->needs(cert);
  // The default since https became one: kept so scripts that pass it still start.
  bool self_signed = false;
  auto* self = access
                   ->add_flag("--tls-self-signed", self_signed,
                              "The default: https and wss with a certificate made in --data on first start")
                   ->excludes(cert)
                   ->envname("MESSAGE_TLS_SELF_SIGNED");
  access
      ->add_flag("--no-tls", cfg.no_tls,
                 "Serve plain http and ws only (by default https and wss share the port, with a self-signed "
                 "certificate made in --data on first start)")
      ->excludes(cert)
      ->excludes(key)
      ->excludes(self)
      ->envname("MESSAGE_NO_TLS");

  auto* abuse = app.add_option_group("Abuse limits (docs/security.md)");
  bool no_rate_limit = false;
  abuse
      ->add_flag("--no-rate-limit", no_rate_limit,
                 "Turn off the per-connection and per-address message and byte limits (load tests)")
      ->envname("MESSAGE_NO_RATE_LIMIT");
  abuse->add_option("--msgs-per-sec", l.conn_msgs_per_sec, "Frames per second one connection may send")
      ->check(CLI::Range(0.1, 1e6));
  abuse->add_option("--msgs-burst", l.conn_msgs_burst, "Frames one connection may send at once after a pause")
      ->check(CLI::Range(1.0, 1e6));
  abuse->add_option("--bytes-per-sec", l.conn_bytes_per_sec, "Bytes per second one connection may send")
      ->check(CLI::Range(1024.0, 1e10));
  abuse
      ->add_option("--bytes-burst", l.conn_bytes_burst, "Bytes one connection may send at once after a pause")
      ->check(CLI::Range(1024.0, 1e10));
  abuse
      ->add_option("--addr-msgs-per-sec", l.addr_msgs_per_sec,
                   "Frames per second all connections of one address may send")
      ->check(CLI::Range(0.1, 1e6));
  abuse->add_option("--addr-msgs-burst", l.addr_msgs_burst, "Burst of frames for one address")
      ->check(CLI::Range(1.0, 1e6));
  abuse
      ->add_option("--addr-bytes-per-sec", l.addr_bytes_per_sec,
                   "Bytes per second all connections of one address may send")
      ->check(CLI::Range(1024.0, 1e10));
  abuse->add_option("--addr-bytes-burst", l.addr_bytes_burst, "Burst of bytes for one address")
      ->check(CLI::Range(1024.0, 1e10));
  abuse->add_option("--flood-factor", l.flood_factor, "A connection sending this many times its rate ...")
      ->check(CLI::Range(1.0, 1000.0));
  abuse
      ->add_option("--flood-seconds", l.flood_seconds,
                   "... for this many seconds in a row is closed with 4029")
      ->check(CLI::Range(1, 3600));
  abuse
      ->add_option("--max-connections-per-address", l.max_connections_per_address,
                   "Open connections from one address; more get 503")
      ->check(CLI::Range(1, 1000000));
  auto* max_connections =
      abuse->add_option("--max-connections", l.max_connections, "Open connections in all; more get 503")
          ->check(CLI::Range(1, 10000000));

  auto* limits = app.add_option_group("Limits");
  limits->add_option("--link-code-seconds", link_code_seconds, "How long a device link code stays valid")
      ->check(CLI::Range(1, 3600));
  limits->add_option("--max-message-chars", l.max_message_chars, "Longest message, in characters")
      ->check(CLI::Range(1, 100000));
  limits->add_option("--max-username-chars", l.max_username_chars, "Longest username, in characters")
      ->check(CLI::Range(1, 256));
  limits->add_option("--max-frame-bytes", l.max_frame_bytes, "Largest WebSocket frame a client may send")
      ->check(CLI::Range(1024, 16 * 1024 * 1024));
  limits
      ->add_option("--max-queue-bytes", l.max_queue_bytes,
                   "Bytes queued for a slow reader; past them it catches up from the store instead")
      ->check(CLI::Range(4096, 1024 * 1024 * 1024));
  limits->add_option("--history-limit", l.history_limit, "Most messages one history answer carries")
      ->check(CLI::Range(1, 1000));
  limits->add_option("--idle-ping", idle_ping, "Seconds of silence before a ping; twice that drops the peer")
      ->check(CLI::Range(1, 30));
  limits
      ->add_option("--handshake-timeout", handshake_timeout,
                   "Seconds a client has to send its whole HTTP request and WebSocket handshake (slowloris)")
      ->check(CLI::Range(1, 300));
  int pace_hold_ms = static_cast<int>(l.pace_max_hold.count());
  limits
      ->add_option("--max-pacing-hold", pace_hold_ms,
                   "Milliseconds a message may wait so that a loop saturated by writes joins several "
                   "messages per write (0 = always write at once)")
      ->check(CLI::Range(0, 1000));
  limits
      ->add_option("--pacing-engage-load", l.pace_engage_load,
                   "Pace when writing every message at once would need this share of a loop (1 = "
                   "saturated; 0 = every room of 64 or more)")
      ->check(CLI::Range(0.0, 100.0));
  limits
      ->add_option("--pacing-busy-share", l.pace_busy_share,
                   "Share of a loop that paced writes may take (0 = never pace)")
      ->check(CLI::Range(0.0, 1.0));
  int loop_spin_us = static_cast<int>(l.loop_spin.count());
  limits
      ->add_option("--busy-poll-us", loop_spin_us,
                   "Microseconds an I/O thread polls for new events before it sleeps, while events come "
                   "that close together (0 = sleep at once; lower latency for a little CPU)")
      ->check(CLI::Range(0, 10000));
  limits->add_option("--keep-messages", l.keep_messages, "Messages kept per room (0 = all)");
  limits->add_option("--keep-days", l.keep_days, "Days messages are kept (0 = forever)");
  limits->add_option("--max-file-bytes", l.max_file_bytes,
                     "Largest file an upload may declare, in bytes (refused before any byte is sent)");
  limits->add_option("--max-files-total-bytes", l.max_files_total_bytes,
                     "Bytes the shared files may take together; the oldest go first (0 = no cap)");
  limits->add_option("--min-free-bytes", l.min_free_bytes,
                     "Free bytes an upload must leave on the data directory's file system");
  limits->add_option("--max-uploads", l.max_uploads, "Unfinished uploads one identity may hold at once")
      ->check(CLI::Range(1, 10000));
  std::int64_t upload_expiry_s = l.upload_expiry.count();
  limits
      ->add_option("--upload-expiry", upload_expiry_s,
                   "Seconds an unfinished upload is kept after its last byte (then removed)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{365} * 24 * 60 * 60));

  // Test-only, hidden from --help (no group): tests/integration/notify_test.cpp blocks a loop
  // with it to see the watchdog pings stop.
  int test_stall_loop_ms = 0;
  app.add_option("--test-stall-loop", test_stall_loop_ms)->group("")->check(CLI::Range(0, 60000));
  // Test-only, hidden: tests/integration/search_test.cpp makes the search index's queue tiny
  // to see an overflow caught up from the store.
  app.add_option("--test-search-queue-bytes", l.search_queue_bytes)->group("")->check(CLI::Range(1, 1 << 30));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "message: " << e.what() << "\nRun 'message --help' for the flags.\n";
    return 2;
  }
  cfg.max_connections_chosen = max_connections->count() > 0;
  cfg.test_stall_loop = std::chrono::milliseconds(test_stall_loop_ms);
  cfg.store = store == "memory" ? store_kind::memory : store_kind::sqlite;
  cfg.port_given = port->count() > 0;
  l.idle_ping = std::chrono::seconds(idle_ping);
  l.link_code_ttl = std::chrono::seconds(link_code_seconds);
  l.loop_spin = std::chrono::microseconds(loop_spin_us);
  l.rate_limit = !no_rate_limit;
  l.handshake_timeout = std::chrono::seconds(handshake_timeout);
  l.pace_max_hold = std::chrono::milliseconds(pace_hold_ms);
  l.upload_expiry = std::chrono::seconds(upload_expiry_s);
  cfg.redis_heartbeat = std::chrono::milliseconds(static_cast<std::int64_t>(heartbeat * 1000.0));
  return cfg;
}

}  // namespace message::app
