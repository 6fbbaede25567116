#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace message::core {

/// One line of NDJSON (no trailing newline), encoded once and shared by every recipient.
using shared_line = std::shared_ptr<const std::string>;

/// Close codes of docs/protocol.md that the core decides on.
enum class close_code : std::uint16_t {
  normal = 1000,
  going_away = 1001,
  policy = 1008,
  internal_error = 1011,
  too_slow = 4008,
  flood = 4029,
};

/// The write-only seam between the chat core and the transport: the core hands a client's
/// connection whole lines and, at most once, a close. The transport joins queued lines into
/// frames and owns the bounded send queue. It writes them when its loop's round of writes
/// (core/write_round.hpp) says so: a sink with lines due joins the round, and the round calls
/// write_round_due() once when the loop's task ends.
///
/// Thread-safety: every call is made on the connection's own loop thread.
class client_sink {
 public:
  virtual ~client_sink() = default;
  /// Queues a line. Never blocks, never drops and never calls back into the core
  /// synchronously (joining the loop's write_round only records the sink). The core stops handing room
  /// messages past max_queue_bytes (the client catches up from the store); the transport stops reading the
  /// connection's frames while its queue is past the bound, so answers cannot pile up either. A connection
  /// that makes no progress for the liveness time is closed (close_code::too_slow when it can be said).
  virtual void deliver(shared_line line) = 0;
  /// Starts closing the connection with `code` after what is already queued.
  virtual void close(close_code code, std::string_view reason) = 0;
  /// Writes what is queued now, in one write. Called only by the loop's write_round, once for
  /// each time the sink joined it, after the task that handed the lines over; it may call into
  /// the core (a drained client catches up). The default writes nothing: a sink that never
  /// joins a round needs none.
  virtual void write_round_due() {}
  /// Bytes queued and not yet written to the socket.
  virtual std::size_t queued_bytes() const = 0;
  /// Drops the room messages (`message` lines) of the rooms `may_drop` names that are queued
  /// and not yet handed to the socket, and returns each such room with the first seq dropped:
  /// the core reads them again from the store (a slow reader's catch-up), so memory falls back
  /// instead of staying at the bound. Nothing else (acks, errors, presence, answers) is ever
  /// dropped. The default drops nothing.
  virtual std::vector<std::pair<std::string, std::uint64_t>> drop_room_messages(
      const std::function<bool(std::string_view room)>& may_drop) {
    (void)may_drop;
    return {};
  }
};

}  // namespace message::core
