#pragma once

#include <vector>

#include "core/event_loop.hpp"
#include "core/store_worker.hpp"

namespace message::core {

/// The messages one I/O loop's clients send during one turn of the loop, handed to the store
/// worker together when the turn ends: one lock and one wake-up for the group instead of one
/// per message, and a message that came alone may be committed in place, on the loop, without
/// the two thread hops (store_worker::append). Reads asked on this loop go to the worker behind
/// the sends asked before them, so a history read still sees what its client just sent.
///
/// Thread-safety: one per loop, used only on that loop's thread, except flush() once the loop
/// has stopped.
class turn_appends {
 public:
  turn_appends(event_loop& loop, store_worker& worker) : loop_(loop), worker_(worker) {}
  turn_appends(const turn_appends&) = delete;
  turn_appends& operator=(const turn_appends&) = delete;

  void append(new_message message, store_worker::append_callback done);
  void read(store_worker::read_job job);
  /// Queues what this turn still holds for the worker: for the shutdown, after the loop's
  /// thread has ended (a stopped loop drops its posted tasks).
  void flush() { hand_over(false); }

 private:
  void hand_over(bool may_commit_here);

  event_loop& loop_;
  store_worker& worker_;
  std::vector<store_worker::append_request> pending_;  // This turn's sends, in arrival order.
};

}  // namespace message::core
