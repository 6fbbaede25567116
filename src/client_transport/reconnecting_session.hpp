#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "client_transport/backoff.hpp"
#include "client_transport/connection.hpp"
#include "protocol/client_codec.hpp"

namespace message::client {

/// When a session reconnects after a connection ends with a kind worth retrying (lost,
/// unreachable, busy: worth_retrying()).
struct reconnect_policy {
  bool retry = true;                 ///< false: the first end ends the session.
  bool retry_before_welcome = true;  ///< false: a server never reached is an answer (send's exit 3).
  /// Time from the first drop after the last welcome after which a drop ends the session.
  std::optional<std::chrono::milliseconds> give_up_after;
};

/// The connection `send`, `tail` and `chat` keep to one server: connects (plain or TLS, with
/// the pinned or first-seen fingerprint of connection_settings), reconnects with back-off after
/// a drop, and resumes a room with `since` after the last message the command took
/// (set_position()/advance()), so that nothing is missed or delivered twice. Each server line is
/// decoded once and handed to the command. Not thread-safe: one thread, the io_context's.
/// Handlers run on that thread and may call any member; on_end runs exactly once.
class reconnecting_session {
 public:
  struct handlers {
    /// Each decoded server line. The session has already taken `welcome` (online, back-off reset).
    std::function<void(protocol::server_event&)> on_event;
    /// A connection is gone (whatever the reason; another may follow): nothing sent is in flight.
    std::function<void()> on_down;
    /// The first drop since the last welcome that will be retried: a command says so once.
    std::function<void(const connection_end&)> on_retrying;
    /// The session is over: closed_by_us after close(), or an end not retried.
    std::function<void(const connection_end&)> on_end;
  };

  reconnecting_session(net::io_context& ioc, connection_settings settings, reconnect_policy policy,
                       handlers h);
  reconnecting_session(const reconnecting_session&) = delete;
  reconnecting_session& operator=(const reconnecting_session&) = delete;

  /// Connects to `room`, under `name` for presence (empty: not listed).
  void start(std::string room, std::string name);
  /// Leaves the room for `room` at once, without back-off, with no position there yet.
  void switch_room(std::string room);
  /// Ends the session: on_end(closed_by_us) follows, also when no connection is open.
  void close();

  /// Sends one frame on the current connection; dropped when there is none (the outbox resends
  /// what was not acknowledged on the next welcome).
  void send(std::string frame);

  /// Whether the current connection got its welcome.
  bool online() const { return online_; }
  const connection_settings& settings() const { return settings_; }

  /// The seq of the room the next connection resumes after; nullopt: none (the server starts
  /// with the live messages after welcome's seq).
  std::optional<std::uint64_t> position() const { return position_; }
  void set_position(std::uint64_t seq) { position_ = seq; }
  /// Moves the position to `seq` when it is past it: true for a message not taken before.
  bool advance(std::uint64_t seq);
  /// The room's epoch the next connection resumes with: from the first welcome, then from each
  /// `reset` (docs/protocol.md, "Room epoch"); "" before the first welcome.
  const std::string& epoch() const { return epoch_; }

 private:
  void connect();
  void on_line(std::string_view line);
  void on_connection_end(const connection_end& e);
  void finish(const connection_end& e);

  net::io_context& ioc_;
  connection_settings settings_;
  reconnect_policy policy_;
  handlers handlers_;
  net::steady_timer timer_;
  backoff backoff_;
  std::shared_ptr<connection> conn_;
  std::string room_;
  std::string name_;
  std::optional<std::uint64_t> position_;
  std::string epoch_;
  std::optional<std::chrono::steady_clock::time_point> lost_at_;  // First drop since the last welcome.
  bool online_ = false;
  bool welcomed_once_ = false;
  bool reported_ = false;   // on_retrying was called since the last welcome.
  bool switching_ = false;  // The current connection closes for switch_room.
  bool closing_ = false;
  bool ended_ = false;
};

}  // namespace message::client
