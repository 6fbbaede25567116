#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace message::core {

/// Every limit of the server, with its default and the reason for it. One instance is built
/// by the command line (app/cli) and shared read-only by every component after start-up.
struct limits {
  // --- chat content -------------------------------------------------------------------
  /// Longest message text, in Unicode code points: a long paragraph, not a file dump.
  std::size_t max_message_chars = 4000;
  /// Longest username, in code points: fits on one line of a phone screen.
  std::size_t max_username_chars = 32;
  /// Longest room name: part of a URL people type.
  std::size_t max_room_chars = 40;
  /// Longest client message id: a UUID is 36; 64 leaves room for other schemes.
  std::size_t max_id_chars = 64;
  /// Most messages one `history` answer carries: keeps one frame well under max_frame_bytes.
  std::size_t history_limit = 200;
  /// Messages per replay page on resume; the next page is read when the send queue drains.
  std::size_t replay_page = 500;
  /// Rooms one connection may follow at once (subscribe): bounds per-connection state.
  std::size_t max_rooms_per_connection = 32;

  // --- wire ---------------------------------------------------------------------------
  /// Largest client frame: a 4000-code-point message is at most 16 KB of UTF-8 plus JSON
  /// escaping; 64 KiB leaves room and still bounds memory per read. Bigger closes with 1009.
  std::size_t max_frame_bytes = 64 * 1024;
  /// Deepest JSON nesting accepted: our frames are flat; a deep one is an attack.
  std::size_t max_json_depth = 8;
  /// Bytes queued for one slow reader before it is closed with 4008: about 10,000 typical
  /// messages, so a phone waking from sleep catches up, while 1,000 stuck readers stay < 1 GiB.
  std::size_t max_queue_bytes = 1024 * 1024;
  /// How long a write may stay stuck after the queue overflowed before the socket is cut.
  std::chrono::milliseconds slow_close_grace{2000};

  // --- liveness -----------------------------------------------------------------------
  /// Idle time after which the server pings, and twice which it drops a silent peer:
  /// a vanished laptop is gone within 2 * idle_ping (under the 60 s promised).
  std::chrono::seconds idle_ping{15};
  /// Time a client has to finish the HTTP request and the WebSocket handshake.
  std::chrono::seconds handshake_timeout{10};
  /// Time an HTTP keep-alive connection may sit between requests.
  std::chrono::seconds http_idle_timeout{30};

  // --- HTTP ---------------------------------------------------------------------------
  /// Largest request header block: browsers send 1-2 KB; 16 KiB leaves room for cookies.
  std::size_t max_header_bytes = 16 * 1024;
  /// Largest request body: no endpoint takes a body.
  std::size_t max_body_bytes = 1024;

  // --- storage ------------------------------------------------------------------------
  /// Most messages grouped into one SQLite transaction: bounds a commit's latency.
  std::size_t max_commit_batch = 4096;
  /// Messages kept per room (0 = all).
  std::uint64_t keep_messages = 0;
  /// Days a message is kept (0 = forever).
  std::uint32_t keep_days = 0;
  /// How long a client message id is remembered for idempotent resends (>= 24 h promised).
  std::chrono::hours id_memory{48};
};

}  // namespace message::core
