#pragma once

namespace message::client {

/// What `message send|tail|chat` exit with (README, "From a terminal"); scripts test these.
enum exit_code : int {
  exit_ok = 0,
  /// The server refused: a message (the reason on stderr), the key, or a room.
  exit_refused = 1,
  /// A bad flag or argument; nothing was sent.
  exit_usage = 2,
  /// The server could not be reached: no answer, not a `message` server, TLS failed or its
  /// fingerprint is not the one pinned.
  exit_unreachable = 3,
};

}  // namespace message::client
