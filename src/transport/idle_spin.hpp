#pragma once

#include <chrono>

namespace message::transport {

/// How long an I/O loop keeps polling for new events after its last one, before it sleeps in
/// epoll_wait: the adaptive rule, without the loop (asio_event_loop::run applies it).
///
/// Why spin at all: a thread that sleeps hands its core to the idle task, and waking it again
/// costs far more than the syscall itself: on a VM whose idle vCPU halts at once, a server that
/// sleeps between the two messages of a chat round trip roughly doubles its latency, and
/// polling a little first also costs less CPU per message (the figures: docs/architecture.md,
/// Decisions). On bare metal a core leaving a deep C-state pays a cost of the same kind.
///
/// Why adaptive: a fixed window burns it after every event, also where nothing follows soon (a
/// ping every few seconds, a room at a human pace). As Linux's haltpoll does for a vCPU, the
/// window is whole again after a short sleep (spinning would have caught the event) and halves
/// after each long one, down to none: a server whose events come farther apart than `max`
/// sleeps at once, as if it did not spin.
///
/// Thread-safety: none; one per loop, used on its thread.
class idle_spin {
 public:
  using duration = std::chrono::nanoseconds;

  /// `max` = 0 never spins.
  explicit idle_spin(duration max) : max_(max) {}

  /// How long to poll now, after the last event, before sleeping.
  duration window() const { return window_; }

  /// The loop slept `slept` before its next event came (the loop measures up to the end of that
  /// event's handler: a long handler reads as a long sleep, which only shrinks the window when
  /// the loop is busy anyway).
  void after_sleep(duration slept);

  /// The shortest window: halving below it stops spinning (a shorter spin catches little).
  static constexpr duration floor = std::chrono::microseconds(25);

 private:
  duration max_;
  duration window_{0};
};

}  // namespace message::transport
