#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/limits.hpp"
#include "core/broker.hpp"
#include "core/client_sink.hpp"
#include "core/event_loop.hpp"
#include "core/link_guesses.hpp"
#include "core/loop_registry.hpp"
#include "core/presence.hpp"
#include "core/read_gate.hpp"
#include "core/search_service.hpp"
#include "core/store_worker.hpp"
#include "core/turn_appends.hpp"

namespace message::core {

/// The chat core: the store worker (the ordering point), one fan-out registry per I/O loop,
/// and presence. No transport types here: a client reaches it through core::client.
///
/// How a message travels: client::on_text -> turn_appends (the loop's sends of this turn) ->
/// store_worker::append (queued, or committed in place when it came alone and the worker is
/// idle) -> one commit for everything queued -> on_commit encodes each message once, groups them per room,
/// and gives each loop one task (on_loop) -> loop_registry::deliver hands the shared bytes to each
/// follower's sink.
/// Between the commit and the loops sits the broker: memory_broker hands commits straight back
/// (deliver_messages); redis::redis_broker delivers what any node committed, from Redis.
///
/// Thread-safety: the accessors are safe from any thread; registry(i) may only be *used* on
/// loop i. broadcast_event() is safe from any thread.
class hub final : public broker_target {
 public:
  /// `broker` null: a memory_broker (one node).
  hub(const limits& limits, std::unique_ptr<store::message_store> store, std::vector<event_loop*> loops,
      std::unique_ptr<class broker> broker = nullptr);
  ~hub() override;
  hub(const hub&) = delete;
  hub& operator=(const hub&) = delete;

  const limits& config() const { return limits_; }
  std::size_t loop_count() const { return loops_.size(); }
  event_loop& loop(std::size_t i) { return *loops_[i]; }
  loop_registry& registry(std::size_t i) { return *registries_[i]; }
  /// Loop i's sends and reads for the store worker; used only on loop i.
  turn_appends& appends(std::size_t i) { return *appends_[i]; }
  class presence& people() override {
    return presence_;
  }
  const class broker& broker() const { return *broker_; }
  /// The node's search index, null with --no-search. Set once before the loops run; the
  /// index outlives the hub's deliveries (app/server). Safe from any thread after that.
  void set_search(search_service* search) { search_.store(search, std::memory_order_release); }
  search_service* search() const { return search_.load(std::memory_order_acquire); }
  /// Spaces the stored `read`s of each identity's rooms on this node; safe from any thread.
  read_gate& reads() { return reads_; }
  /// The node's budget of wrong device link codes; safe from any thread.
  class link_guesses& link_guesses() {
    return link_guesses_;
  }
  /// The store worker's counts for /metrics; safe from any thread.
  const store_counters& store_stats() const { return worker_->counters(); }
  /// Runs `job` on the store worker after everything acknowledged before has committed (a
  /// backup, app/backup_service.hpp). Safe from any thread.
  void store_job(store_worker::read_job job) { worker_->read(std::move(job)); }

  /// Sends `line` to every client following `room` on every node (through the broker), except
  /// `except`: typing notices.
  void broadcast_event(const std::string& room, shared_line line, const client* except);

  // broker_target: this node's loops.
  void deliver_messages(std::vector<chat_message>&& messages) override;
  void deliver_event(const std::string& room, shared_line line, const client* except) override;
  void resync() override;

  /// Commits what is queued and stops the store worker. Call after the loops stopped taking
  /// new messages.
  void stop();

 private:
  std::atomic<bool> stopping_{false};  // Set by stop(): no more posts to the loops.
  std::atomic<search_service*> search_{nullptr};
  void on_commit(std::vector<chat_message>&& stored);

  /// What the hub has given one loop to run (deliveries, events, resyncs), in order.
  struct lane {
    std::atomic<std::size_t> posted{0};  // Posted to the loop and not started yet.
    bool running = false;                // One of them runs now (the loop's thread only).
  };
  /// Runs `task` on loop `l`, behind everything the hub gave that loop before. With `may_run_now`,
  /// on the loop's own thread (a commit in place, from the loop's turn_appends task), with
  /// nothing waiting and no hub task running, that is now: a message one client sent then
  /// reaches its room in the loop task that committed it, not one post (and one more pass of
  /// the loop's epoll_wait) later. Otherwise it is posted. Safe from any thread.
  void on_loop(std::size_t l, bool may_run_now, std::function<void()> task);

  const limits& limits_;
  std::vector<event_loop*> loops_;
  std::vector<std::unique_ptr<loop_registry>> registries_;
  std::vector<std::unique_ptr<lane>> lanes_;  // Per loop.
  class presence presence_;
  read_gate reads_{limits_.read_interval};
  class link_guesses link_guesses_ {
    limits_
  };
  std::unique_ptr<class broker> broker_;
  std::unique_ptr<store_worker> worker_;                // Its thread calls on_commit.
  std::vector<std::unique_ptr<turn_appends>> appends_;  // Per loop; hold worker_.
};

}  // namespace message::core
