#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "common/limits.hpp"
#include "core/event_loop.hpp"
#include "core/loop_registry.hpp"
#include "core/now_or_post.hpp"
#include "core/room_batch.hpp"
#include "core/store_thread.hpp"
#include "core/write_round.hpp"

namespace message::core {

/// One I/O loop's message path, from its clients' sends to its followers' writes:
///
///  1. send(): collects the sends of the loop's turn;
///  2. at the turn's end, hands them to the store thread as one group, or commits a lone one in
///     place (store_thread::append; the rule: runs_now in core/now_or_post.hpp);
///  3. committed(): takes a commit back, from whichever thread committed it, with the answers
///     of this loop's senders;
///  4. in ONE step on this loop, fans the commit out to the loop's followers
///     (loop_registry::deliver, whose fanout_pacer may hold it for a shared round), then gives
///     each sender its answer. That answer is the only route of a sender's `ack`
///     (client::append_row): it follows the fan-out in the same task, so the message and its
///     ack leave in one write when the sender follows the room;
///  5. the round of writes (write_round, owned here): every connection the step gave lines to
///     joins it, and is written once when the loop's task ends. The turn's task (run_turn)
///     writes the round its own commit opened before it returns, so a lone message committed
///     in place is committed, fanned out and written in one task.
///
/// Reads asked on this loop go to the store thread behind the sends asked before them, so a
/// history read sees what its client just sent.
///
/// Thread-safety: send(), read(), followers(), writes() and loop() on this loop's thread only;
/// committed() and event() from any thread; flush() once the loop has stopped.
class room_pipeline {
 public:
  /// `index`: this loop's number, the origin of its sends in the store's answers.
  room_pipeline(event_loop& loop, store_thread& store, std::size_t index, const limits& limits)
      : loop_(loop), store_(store), index_(index), followers_(loop, limits), writes_(loop) {}
  room_pipeline(const room_pipeline&) = delete;
  room_pipeline& operator=(const room_pipeline&) = delete;

  /// Queues a send for this turn's group. `answer` runs on this loop with the store's outcome,
  /// right after the commit's fan-out on this loop (step 4).
  void send(new_message message, store_thread::append_callback answer);
  /// Runs `job` on the store thread after every send asked on this loop before it.
  void read(store_thread::read_job job);

  /// A commit's batches (null: none for this loop's followers) and the answers of this loop's
  /// sends in it: fanned out, then answered, in one step, now or posted (runs_now,
  /// pipeline_step::fan_out). In commit order, behind everything handed to this loop before.
  void committed(std::shared_ptr<const std::vector<shared_batch>> batches,
                 std::vector<store_thread::answer> answers);
  /// Runs `task` with this loop's followers, always posted (pipeline_step::event).
  void event(std::function<void(loop_registry&)> task);
  /// Queues what this turn still holds for the store thread: for the shutdown, after the
  /// loop's thread has ended (a stopped loop drops its posted tasks).
  void flush() { hand_over(false); }

  loop_registry& followers() { return followers_; }
  const loop_registry& followers() const { return followers_; }
  /// This loop's round of writes, which its connections join when they have lines due.
  write_round& writes() { return writes_; }
  event_loop& loop() { return loop_; }

 private:
  /// The turn's task: hands the turn's sends over, then writes the round that opened meanwhile.
  void run_turn();
  void hand_over(bool at_turn_end);
  /// Runs `task` now when `step`'s rule says so, otherwise posts it behind this pipeline's
  /// earlier tasks.
  void now_or_post(pipeline_step step, std::function<void()> task);
  void run_step(const std::function<void()>& task);

  event_loop& loop_;
  store_thread& store_;
  const std::size_t index_;
  loop_registry followers_;
  write_round writes_;
  std::vector<store_thread::append_request> turn_sends_;  // This turn's sends, in arrival order.
  /// Tasks posted to the loop and not started yet. Raised before a post, lowered only by the
  /// task: zero seen on the loop's thread means none of ours is queued there.
  std::atomic<std::size_t> posted_{0};
  bool running_ = false;  // One of this pipeline's steps runs now (the loop's thread only).
};

}  // namespace message::core
