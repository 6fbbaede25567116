#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "client_transport/client_limits.hpp"
#include "protocol/client_codec.hpp"

namespace message::client {

/// Messages on their way to the server, shared by `send` and `chat`: each keeps its id until
/// acknowledged, so a resend (after a refusal for rate, a failed store or a reconnect) is
/// recognised by the server and never duplicates. Sends are paced to the rate the server
/// announced (a token bucket refilled at `msgs_per_sec * pace_share`) and at most
/// `send_window` wait for their ack at once. Pure logic: the caller does the I/O and the
/// timers. Not thread-safe.
class outbox {
 public:
  using clock = std::chrono::steady_clock;

  struct item {
    std::string id;
    std::string text;
    std::string username;
    std::uint64_t number = 0;  ///< The caller's own (the input line's number).
    std::string room;          ///< Empty: the connection's room.
  };

  /// What became of a message the server answered.
  struct outcome {
    item message;
    bool accepted = false;
    std::uint64_t seq = 0;   ///< When accepted.
    bool duplicate = false;  ///< Accepted before, under the same id.
    std::string code;        ///< When refused: the error code...
    std::string reason;      ///< ...and its message.
  };

  explicit outbox(client_limits limits) : limits_(limits) {}

  /// A new connection's welcome: the pace it announces, and everything not yet acknowledged
  /// goes out again on it (the ids make that safe).
  void connected(const protocol::server_limits& server, clock::time_point now);
  /// The connection dropped: nothing is in flight any more.
  void disconnected();

  void push(item m) { queued_.push_back(std::move(m)); }

  /// The messages to send now, in order; `next` is set to when to ask again when some wait
  /// for the pace or a retry.
  std::vector<item> take_ready(clock::time_point now, std::optional<clock::time_point>& next);

  /// The server's ack or error for an id. nullopt when the id is not one of ours in flight,
  /// or when the answer only means "resend later" (rate_limited, store_failed): then the
  /// message is queued again at the front, after a back-off.
  std::optional<outcome> on_ack(const protocol::ack_event& ack);
  std::optional<outcome> on_error(const protocol::error_event& error, clock::time_point now);

  bool empty() const { return queued_.empty() && in_flight_.empty(); }
  std::size_t waiting() const { return queued_.size() + in_flight_.size(); }
  std::size_t in_flight() const { return in_flight_.size(); }
  /// Messages not yet acknowledged, oldest first (chat shows them as pending).
  std::vector<item> pending() const;

 private:
  std::optional<std::size_t> find_in_flight(const std::string& id) const;
  /// Puts in_flight_[i] back at the front of the queue, in its order among the resent ones.
  void requeue(std::size_t i, clock::time_point now);

  client_limits limits_;
  std::deque<item> queued_;
  std::deque<item> in_flight_;
  std::unordered_map<std::string, std::size_t> retries_;  // store_failed refusals per id.
  double rate_ = 0;                                       // Messages per second; 0: not paced.
  double burst_ = 0;
  double tokens_ = 0;
  clock::time_point refilled_{};
  clock::time_point not_before_{};  // A retry's back-off.
  std::chrono::milliseconds backoff_{0};
};

}  // namespace message::client
