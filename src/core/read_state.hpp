#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace message::core {

// The rules of read state and room activity (docs/protocol.md, "Read state", "Room activity"),
// as pure functions and one pure class, so that they are tested without a server.

/// The position a `read` of `requested` stores, given the room's last seq and the stored
/// position: clamped to `last_seq`; nullopt when that is not above `stored` (nothing changes).
std::optional<std::uint64_t> next_read_position(std::uint64_t requested, std::uint64_t last_seq,
                                                std::uint64_t stored);

/// Messages after the read position that the store still holds: `oldest` is the room's first
/// seq still stored (last_seq + 1 when none is).
std::uint64_t unread_count(std::uint64_t last_seq, std::uint64_t oldest, std::uint64_t read);

/// True when `text` mentions `name`: "@name", ignoring ASCII case, as a whole word (neither
/// side touches a letter, digit, '_' or '-'). An empty name is never mentioned.
bool mentions(std::string_view text, std::string_view name);

/// Holds a connection's changes per room so that each room is handled at most once per
/// `interval`: the first change at once, later ones together when the interval is over, with
/// the highest value offered meanwhile. Used for `read` positions and for room_activity recounts.
///
/// Entries of rooms that are idle for an interval are forgotten, so its size is bounded by the
/// rooms offered within one interval. Pure; not thread-safe (one connection's loop).
class read_coalescer {
 public:
  using clock = std::chrono::steady_clock;
  explicit read_coalescer(clock::duration interval) : interval_(interval) {}

  /// Offers `value` for `room`: kept as the room's pending value when higher.
  void offer(const std::string& room, std::uint64_t value);
  /// The pending values whose room may be handled at `now`; each such room's interval starts
  /// again at `now`.
  std::vector<std::pair<std::string, std::uint64_t>> take_due(clock::time_point now);
  /// Every pending value, due or not (the connection is closing: what it read must not be
  /// lost with it), and forgets every room.
  std::vector<std::pair<std::string, std::uint64_t>> take_all();
  /// When the next pending value becomes due (nullopt: none pending).
  std::optional<clock::time_point> next_due() const;
  std::size_t size() const { return rooms_.size(); }

 private:
  struct entry {
    std::optional<clock::time_point> last;  ///< When the room was last handled.
    std::optional<std::uint64_t> pending;   ///< The highest value offered since.
  };
  clock::duration interval_;
  std::unordered_map<std::string, entry> rooms_;
};

}  // namespace message::core
