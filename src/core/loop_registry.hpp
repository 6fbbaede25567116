#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/limits.hpp"
#include "core/client_sink.hpp"
#include "core/event_loop.hpp"
#include "core/fanout_pacer.hpp"
#include "core/loop_counters.hpp"
#include "core/room_batch.hpp"

namespace message::core {

class client;

/// The clients of one I/O loop and the rooms each follows: the per-loop fan-out list
/// (muduo's "per-loop lists"). A commit reaches a loop as one posted task, which walks the
/// room's list here without any lock. When the loop is saturated by writes of single messages,
/// its fanout_pacer holds commits for a few milliseconds so that they share writes.
///
/// Thread-safety: none; used only on its own loop's thread. Pointers are removed by the
/// client itself (client::on_closed) before it goes away, on the same thread.
class loop_registry {
 public:
  loop_registry(event_loop& loop, const limits& limits) : loop_(loop), pacer_(limits) {}
  loop_registry(const loop_registry&) = delete;
  loop_registry& operator=(const loop_registry&) = delete;

  void add(client* c);
  void remove(client* c);
  void follow(const std::string& room, client* c);
  void unfollow(const std::string& room, client* c);

  /// Hands committed batches to their rooms' followers, now or at the pacer's next round; in
  /// commit order either way.
  void deliver(const std::vector<shared_batch>& batches);
  void deliver_event(const std::string& room, const shared_line& line, const client* except) const;
  /// Asks every live client to re-read its rooms from the store (deliveries may be missed).
  void resync() const;
  /// Asks every client of this loop to close (server shutdown).
  void close_all(close_code code, std::string_view reason) const;
  std::size_t size() const { return clients_.size(); }
  /// Messages handed to followers so far (one per message and follower), for /metrics. Safe
  /// from any thread: a relaxed atomic, added to once per round.
  std::uint64_t deliveries() const { return deliveries_.load(std::memory_order_relaxed); }
  /// This loop's counters for /metrics: written on this loop only, read from any thread.
  loop_counters& counters() { return counters_; }
  const loop_counters& counters() const { return counters_; }

 private:
  void write_round(const std::vector<shared_batch>& batches);
  void write_held();

  event_loop& loop_;
  fanout_pacer pacer_;
  std::vector<shared_batch> held_;  // Commits waiting for the pacer's next round, in order.
  std::unordered_map<std::string, std::vector<client*>> rooms_;
  std::unordered_set<client*> clients_;
  std::atomic<std::uint64_t> deliveries_{0};
  loop_counters counters_;
};

}  // namespace message::core
