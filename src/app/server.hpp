#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "app/backup_service.hpp"
#include "app/config.hpp"
#include "app/data_dir.hpp"
#include "app/server_metrics.hpp"
#include "app/server_names.hpp"
#include "app/service_notifier.hpp"
#include "app/tls_certificate.hpp"
#include "core/hub.hpp"
#include "redis/redis_status.hpp"
#include "transport/asio_event_loop.hpp"
#include "transport/listener.hpp"
#include "transport/stop_signals.hpp"
#include "transport/transport_context.hpp"

namespace message::search {
class search_index;
}

namespace message::files {
class files_worker;
}

namespace message::app {

/// The wiring: data directory, store, chat core, I/O loops, listener and signals.
/// The constructor opens everything (throwing a std::exception that says what failed);
/// run() serves until SIGINT/SIGTERM, then closes every client with 1001 and returns.
/// Call block_stop_signals() (transport/stop_signals.hpp) before constructing one.
/// Thread-safety: construct and run() on one thread.
class server {
 public:
  explicit server(server_config config);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  std::uint16_t port() const;
  /// The TLS certificate's fingerprints; empty without TLS.
  const tls_identity& tls() const { return tls_identity_; }
  void run();

 private:
  void shutdown();
  void wait_for_clients(std::chrono::steady_clock::time_point deadline);

  server_config config_;
  std::optional<data_dir> dir_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  tls_identity tls_identity_;
  std::shared_ptr<redis::redis_status> redis_status_;  // Set with --redis: feeds /healthz.
  std::unique_ptr<server_names> names_;                // Outlives ctx_, whose Host check asks it.
  // Destruction order matters: loops (and the sessions they still hold) go first, while the
  // context and the hub they point to are alive; the hub's worker is stopped in run().
  // Before the hub and the context it reads: the sessions' /metrics calls end with the loops.
  std::unique_ptr<server_metrics> metrics_;
  // Before the hub: the hub's deliveries and its store thread's catch-up jobs point to it.
  std::unique_ptr<search::search_index> search_;
  std::unique_ptr<core::hub> hub_;
  std::unique_ptr<transport::transport_context> ctx_;
  std::vector<std::unique_ptr<transport::asio_event_loop>> loops_;
  std::shared_ptr<transport::listener> listener_;
  // After loops_, so it goes first: its jobs hold upload sessions, whose sockets live on the
  // loops.
  std::unique_ptr<files::files_worker> files_;
  std::unique_ptr<stop_signals> signals_;
  // After loops_: its beat timers live on the loops, so it goes before them.
  std::unique_ptr<service_notifier> notifier_;
  // After the hub: its backups run on the hub's store thread, so it stops first.
  std::unique_ptr<backup_service> backups_;
  std::unique_ptr<transport::net::steady_timer> shutdown_timer_;
};

}  // namespace message::app
