#pragma once

#include <chrono>
#include <cstddef>

namespace message::client {

/// Every limit of the terminal client, with its reason. Read-only after start.
struct client_limits {
  /// Time to resolve, connect and finish TLS: a LAN server answers in milliseconds; a
  /// machine that is off leaves SYNs unanswered, and a script must not hang on it.
  std::chrono::seconds connect_timeout{10};
  /// Time the WebSocket upgrade may take (the server's own handshake timeout is 10 s).
  std::chrono::seconds handshake_timeout{10};
  /// Silence after which the client pings, and after which (once more) it gives the
  /// connection up: the server pings after 15 s of silence too, so a live one never trips it.
  std::chrono::seconds idle_timeout{30};
  /// Largest server frame read: a history answer of 200 full messages is about 3.5 MB, and a
  /// resume page of 500 is under 10 MB; 64 MiB bounds memory against a hostile server.
  std::size_t max_server_frame_bytes = 64 * 1024 * 1024;
  /// Reconnect back-off: the first retry comes after a random part of the minimum (after a
  /// server restart every client retries at once, and jitter spreads them), each next one
  /// waits twice as long, up to the maximum.
  std::chrono::milliseconds reconnect_min{250};
  std::chrono::milliseconds reconnect_max{10000};
  /// How long `send` keeps retrying a server it cannot reach before it exits with 3: long
  /// enough for a server restart, short enough for a script to notice.
  std::chrono::seconds send_give_up{30};
  /// Messages sent and not yet acknowledged at once: enough that the store groups them into
  /// one transaction, few enough that a refusal stops little.
  std::size_t send_window = 64;
  /// The wait before resending after `rate_limited` or `store_failed`, doubling per refusal
  /// of the same message up to the maximum.
  std::chrono::milliseconds retry_min{200};
  std::chrono::milliseconds retry_max{5000};
  /// Times one message is resent after `store_failed` before `send` counts it refused.
  std::size_t store_retries = 10;
  /// The share of the announced rate the client uses: the server's bucket started filling
  /// earlier than ours (at connect, not at welcome), so a little under is never refused.
  double pace_share = 0.95;
  /// The pace after a rate_limited from a server that announced no rate (an older one):
  /// the protocol's default rate. Each further refusal halves the pace.
  double fallback_rate = 20;
  /// Characters of a refused message `chat` quotes in its "not sent" line: enough to tell
  /// which one it was; the whole of a 4,000-character message would push the screen away.
  std::size_t quoted_chars = 40;
};

}  // namespace message::client
