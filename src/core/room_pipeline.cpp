#include "core/room_pipeline.hpp"

namespace message::core {

void room_pipeline::send(new_message message, store_thread::append_callback answer) {
  // Behind whatever the loop has queued: the other sends it reads this turn join the group.
  if (turn_sends_.empty()) loop_.post([this] { run_turn(); });
  turn_sends_.push_back({std::move(message), std::move(answer), index_});
}

void room_pipeline::run_turn() {
  writes_.begin_turn();
  try {
    hand_over(true);
  } catch (...) {
    writes_.end_turn();  // What was handed out before the failure still leaves.
    throw;
  }
  writes_.end_turn();
}

void room_pipeline::read(store_thread::read_job job) {
  if (!turn_sends_.empty()) hand_over(false);  // Queued ahead of the read, as if each went at once.
  store_.read(std::move(job));
}

void room_pipeline::hand_over(bool at_turn_end) {
  if (turn_sends_.empty()) return;  // A read, or the shutdown, handed them over already.
  std::vector<store_thread::append_request> group;
  group.swap(turn_sends_);
  // The store thread applies the rule (pipeline_step::commit_sends) under its lock, where
  // "idle, nothing queued" is true; committed in place, step 4 has run when this returns.
  store_.append(std::move(group), at_turn_end && !running_);
}

void room_pipeline::committed(std::shared_ptr<const std::vector<shared_batch>> batches,
                              std::vector<store_thread::answer> answers) {
  if (!batches && answers.empty()) return;
  now_or_post(pipeline_step::fan_out, [this, batches = std::move(batches), answers = std::move(answers)] {
    if (batches) followers_.deliver(*batches);
    // After the fan-out: a sender that follows the room queued its message first, and its ack
    // leaves right behind it in the same write.
    for (const auto& a : answers) a.done(a.outcome);
  });
}

void room_pipeline::event(std::function<void(loop_registry&)> task) {
  now_or_post(pipeline_step::event, [this, task = std::move(task)] { task(followers_); });
}

void room_pipeline::now_or_post(pipeline_step step, std::function<void()> task) {
  step_facts facts;
  facts.on_own_loop = loop_.runs_here() && !running_;  // running_ is read only on its own loop.
  facts.nothing_ahead = posted_.load(std::memory_order_acquire) == 0;
  if (runs_now(step, facts)) {
    run_step(task);
    return;
  }
  posted_.fetch_add(1, std::memory_order_acq_rel);
  loop_.post([this, task = std::move(task)] {
    posted_.fetch_sub(1, std::memory_order_acq_rel);
    run_step(task);
  });
}

void room_pipeline::run_step(const std::function<void()>& task) {
  running_ = true;
  task();
  running_ = false;
}

}  // namespace message::core
