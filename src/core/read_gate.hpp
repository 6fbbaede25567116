#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace message::core {

/// The node-wide half of the `read` coalescing (docs/protocol.md, "Read state"): each
/// connection's read_coalescer spaces its own reads of a room; this gate spaces the stores of
/// one identity's room across all of its connections on this node, so that a person's tabs
/// together store (and broadcast) at most one position per room per interval.
///
/// Thread-safety: every method is safe from any thread (one mutex; each call is a map lookup).
class read_gate {
 public:
  using clock = std::chrono::steady_clock;
  explicit read_gate(clock::duration interval) : interval_(interval) {}

  /// True when `identity` may store a read of `room` at `now` (none was admitted within the
  /// interval); it is then counted as admitted. False: ask again later.
  bool admit(const std::string& identity, const std::string& room, clock::time_point now);
  std::size_t size() const;

 private:
  /// Entries kept before admit() sweeps the ones older than the interval: the sweep then costs
  /// no more than the admits that filled the map.
  static constexpr std::size_t sweep_at = 1024;

  const clock::duration interval_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, clock::time_point> last_;  // identity '\n' room -> admitted at
  std::size_t next_sweep_ = sweep_at;
};

}  // namespace message::core
