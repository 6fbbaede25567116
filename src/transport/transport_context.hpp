#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <vector>

#include "core/hub.hpp"
#include "transport/address_table.hpp"
#include "transport/deadline_sweep.hpp"
#include "transport/http_routes.hpp"

namespace message::files {
class files_worker;
}

namespace boost::asio::ssl {
class context;
}

namespace message::transport {

/// What every session needs, owned by the app and alive longer than any session.
/// Thread-safety: read-only after start-up, except the atomic counter, the address table
/// (which locks itself) and the sweeps (each on its own loop).
struct transport_context {
  core::hub& hub;
  const core::limits& limits;
  http_context http;
  std::atomic<std::size_t> websocket_sessions{0};  ///< Open WebSocket sessions, all loops.
  address_table addresses{limits};                 ///< Per-address counts, buckets, key failures.
  boost::asio::ssl::context* tls = nullptr;        ///< Set: the port speaks TLS (tls_front).
  /// The thread that owns the shared files (uploads); null: /files/uploads answers 503.
  files::files_worker* files = nullptr;
  /// One per loop, by loop index: the deadlines of that loop's WebSocket sessions. Each is
  /// used only on its loop's thread; they outlive the loops' io_contexts.
  std::vector<std::unique_ptr<deadline_sweep>> sweeps{};
  /// The shared files' folder (files::blob_store's root: DATA/files), where downloads read
  /// blobs and thumbnails. Empty (a memory store, Redis): every download is 410 or 404.
  std::filesystem::path files_root{};
};

}  // namespace message::transport
