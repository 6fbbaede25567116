#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "app/config.hpp"
#include "app/data_dir.hpp"
#include "app/server_names.hpp"
#include "app/stop_signals.hpp"
#include "core/hub.hpp"
#include "redis/redis_status.hpp"
#include "transport/asio_event_loop.hpp"
#include "transport/listener.hpp"
#include "transport/transport_context.hpp"

namespace message::app {

/// The wiring: data directory, store, chat core, I/O loops, listener and signals.
/// The constructor opens everything (throwing a std::exception that says what failed);
/// run() serves until SIGINT/SIGTERM, then closes every client with 1001 and returns.
/// Call block_stop_signals() (app/stop_signals.hpp) before constructing one.
/// Thread-safety: construct and run() on one thread.
class server {
 public:
  explicit server(server_config config);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  std::uint16_t port() const;
  /// SHA-256 fingerprint of the TLS certificate; empty without TLS.
  const std::string& tls_fingerprint() const { return tls_fingerprint_; }
  void run();

 private:
  void shutdown();
  void wait_for_clients(std::chrono::steady_clock::time_point deadline);

  server_config config_;
  std::optional<data_dir> dir_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::string tls_fingerprint_;
  std::shared_ptr<redis::redis_status> redis_status_;  // Set with --redis: feeds /healthz.
  std::unique_ptr<server_names> names_;                // Outlives ctx_, whose Host check asks it.
  // Destruction order matters: loops (and the sessions they still hold) go first, while the
  // context and the hub they point to are alive; the hub's worker is stopped in run().
  std::unique_ptr<core::hub> hub_;
  std::unique_ptr<transport::transport_context> ctx_;
  std::vector<std::unique_ptr<transport::asio_event_loop>> loops_;
  std::shared_ptr<transport::listener> listener_;
  std::unique_ptr<stop_signals> signals_;
  std::unique_ptr<transport::net::steady_timer> shutdown_timer_;
};

}  // namespace message::app
