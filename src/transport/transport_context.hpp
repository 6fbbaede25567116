#pragma once

#include <atomic>
#include <cstddef>

#include "core/hub.hpp"
#include "transport/http_routes.hpp"

namespace message::transport {

/// What every session needs, owned by the app and alive longer than any session.
/// Thread-safety: read-only after start-up, except the atomic counter.
struct transport_context {
  core::hub& hub;
  const core::limits& limits;
  http_context http;
  std::atomic<std::size_t> websocket_sessions{0};  ///< Open WebSocket sessions, all loops.
};

}  // namespace message::transport
