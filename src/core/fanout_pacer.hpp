#pragma once

#include <chrono>
#include <cstddef>

#include "common/limits.hpp"

namespace message::core {

/// Decides when one loop fans committed messages out: at once, or up to a few dozen
/// milliseconds later so that several messages share each connection's write.
///
/// Why: a write to a socket costs about the same for one line as for twenty (most of it is
/// the kernel's send and loopback path). A big
/// room at a steady rate, each message written on its own to every member, keeps a loop busy
/// with nothing but sends: 1,000 members at 300 messages/s is 300,000 sends a second, and the
/// loop falls behind. Spacing the rounds of writes out, so that each carries several messages,
/// cuts that work several times over.
///
/// It engages only then. Load = message rate x the time one round of writes takes: the share
/// of the loop that writing every message at once would need, and also the messages that
/// arrive during one round. Pacing engages when the load reaches `limits::pace_engage_load`
/// (1: the loop would be saturated), while it stays under `limits::pace_batched_load` (a closed
/// loop of senders, or a backlog, already joins many messages per write and must not be slowed)
/// and a round takes at least `limits::pace_min_round` (rooms of people chatting never wait).
/// It is decided every 100 ms, engages after two such windows in a row (not on the slow first
/// rounds after a start), and lets go 15% past those points, so it does not flap at the edge.
/// Engaged, rounds start no more often than every round / `limits::pace_busy_share`, and no
/// message waits longer than `limits::pace_max_hold`.
///
/// Thread-safety: none; one per loop, used only on that loop's thread.
class fanout_pacer {
 public:
  using clock = std::chrono::steady_clock;

  explicit fanout_pacer(const limits& limits) : limits_(limits) {}

  /// A round of writes starts at `now` with `messages` messages (arrived now, or held until now).
  void round_started(clock::time_point now, std::size_t messages);
  /// The round started last cost the loop's thread `cpu` of processor time. Processor time,
  /// not wall time: a loop that shares its core with other work must not look busier than it is.
  void round_finished(clock::duration cpu);
  /// When a message arriving at `now` may be written: `now` itself unless pacing is engaged.
  clock::time_point next_round(clock::time_point now) const;

  bool engaged() const { return engaged_; }
  /// The estimates behind the decision (messages per second, processor seconds per round):
  /// for tests and logs.
  double message_rate() const { return rate_; }
  double round_seconds() const { return round_; }

 private:
  void close_window(clock::time_point now);
  void decide();

  const limits& limits_;
  double rate_ = 0;   // Messages per second arriving at this loop (smoothed over windows).
  double round_ = 0;  // Processor seconds per round, the mean of the last window with rounds.
  bool engaged_ = false;
  int strikes_ = 0;  // Windows in a row that asked for pacing while it was off.
  bool started_ = false;
  clock::time_point last_start_{};
  clock::time_point window_start_{};
  std::size_t window_messages_ = 0;
  std::size_t window_rounds_ = 0;
  double window_cpu_ = 0;
};

}  // namespace message::core
