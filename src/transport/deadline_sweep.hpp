#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <vector>

#include "common/limits.hpp"
#include "transport/net.hpp"

namespace message::transport {

/// The deadlines of one loop's connections (idle pings, close and handshake deadlines), checked
/// by one periodic tick instead of one timer per connection.
///
/// Why: a pending steady_timer wait costs a connection about 270 bytes (the timer, its
/// operation, its heap entry), a tenth of what an idle connection held before and a sixth of
/// the 2 KiB goal (docs/architecture.md, "Memory per idle connection"). Here a connection costs
/// one 16-byte entry. The price is
/// precision: a deadline fires up to one tick late, and the tick is a small fraction of the
/// shortest deadline (tick_for()).
///
/// The tick runs only while some deadline is set, so a server without connections sleeps.
///
/// Thread-safety: one sweep per loop; every call on that loop's thread. Must outlive its
/// members and the io_context's pending handlers (the app's transport_context does both).
class deadline_sweep {
 public:
  using clock = std::chrono::steady_clock;

  /// Something with a deadline: a connection. It removes itself before it is destroyed.
  class member {
   public:
    member() = default;
    member(const member&) = delete;
    member& operator=(const member&) = delete;
    /// Its deadline passed. Called on the loop's thread with the deadline cleared; the
    /// member may set a new one or remove itself (and must keep itself alive for the call).
    virtual void on_deadline() = 0;

   protected:
    virtual ~member() = default;

   private:
    friend class deadline_sweep;
    static constexpr std::uint32_t absent = std::numeric_limits<std::uint32_t>::max();
    std::uint32_t index_ = absent;
  };

  deadline_sweep(net::io_context& io, clock::duration tick);
  ~deadline_sweep();
  deadline_sweep(const deadline_sweep&) = delete;
  deadline_sweep& operator=(const deadline_sweep&) = delete;

  /// Sets (or moves) `m`'s deadline; adds `m` if it is not a member yet.
  void set(member& m, clock::time_point due);
  /// Forgets `m`; harmless when it is not a member.
  void remove(member& m);
  std::size_t size() const { return entries_.size(); }

  /// A tick short enough that no deadline of `l` fires more than an eighth of itself late,
  /// and no shorter than 10 ms, no longer than 1 s (defaults: 250 ms).
  static clock::duration tick_for(const core::limits& l);

 private:
  struct entry {
    clock::time_point due;
    member* who;
  };
  class ticker;

  void start_ticking();
  /// Fires what is due; false when no deadline is left to watch.
  bool sweep();

  net::io_context& io_;
  clock::duration tick_;
  std::vector<entry> entries_;  // Dense: the scan reads deadlines only, in order.
  ticker* ticker_ = nullptr;    // The running tick; null while no deadline is set.
};

}  // namespace message::transport
