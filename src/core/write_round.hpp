#pragma once

#include <memory>
#include <vector>

#include "core/client_sink.hpp"
#include "core/event_loop.hpp"

namespace message::core {

/// One loop's round of writes: the sinks (connections) that have lines due, each written ONCE
/// when the loop's task ends, in the order they asked, however many lines each was handed
/// meanwhile. A message and its sender's ack, or several rooms' commits, so leave in one write
/// per connection; and a fan-out to 1,000 followers costs one posted task, not 1,000.
///
/// A round opened inside the pipeline's turn (room_pipeline's task that hands a turn's sends
/// over, between begin_turn() and end_turn()) is written when that turn ends, in the same
/// task: a lone message committed in place is committed, fanned out and written in the task
/// that hands it over, one pass of the loop's poll fewer. A round opened anywhere else (an
/// answer, a posted fan-out, a write that left lines behind) is one posted task.
///
/// Lifetime: a posted round's task owns its members (shared_ptr), like any handler: if the
/// loop is torn down first, the sinks are released with its other tasks, while whatever they
/// live on (an io_context) still exists. A turn's round is written and released before its
/// task ends. The posted task refers to this object, so it outlives the loop's tasks (the hub
/// that owns it outlives the loops).
///
/// Thread-safety: one per loop, used only on that loop's thread.
class write_round {
 public:
  explicit write_round(event_loop& loop) : loop_(loop) {}
  write_round(const write_round&) = delete;
  write_round& operator=(const write_round&) = delete;

  /// `sink` is written (client_sink::write_round_due) in the next round. A sink asks once and
  /// again only after that write ran: the round does not look for it twice. A round that
  /// already started does not take it: a sink asking from its own write goes in the next
  /// round, behind what the loop queued meanwhile.
  void add(std::shared_ptr<client_sink> sink);

  /// The pipeline's turn starts: rounds opened from now to end_turn() wait for its end.
  void begin_turn() { in_turn_ = true; }
  /// The pipeline's turn ends: writes the sinks that asked during it, in the order they asked.
  void end_turn();

 private:
  using members = std::vector<std::shared_ptr<client_sink>>;
  static void write(const members& sinks);

  event_loop& loop_;
  bool in_turn_ = false;
  members turn_;                 // Asked during the turn; its capacity is kept from turn to turn.
  std::weak_ptr<members> open_;  // The posted round not started yet; its task holds it.
};

}  // namespace message::core
