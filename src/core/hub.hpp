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
#include "core/room_pipeline.hpp"
#include "core/search_service.hpp"
#include "core/store_thread.hpp"

namespace message::core {

/// The chat core: the store thread (store_thread, where the store's commit numbers messages),
/// one room_pipeline per I/O loop, the broker between them, and presence. No transport types
/// here: a client reaches it through core::client.
///
/// How a message travels (docs/architecture.md, "The journey of a message"):
/// client::on_text -> room_pipeline::send (the loop's sends of this turn) -> at the turn's end
/// store_thread::append (queued, or committed in place when the rule in core/now_or_post.hpp
/// says so) -> the store's commit_group gives the seqs -> hub::on_commit hands the stored messages to
/// the broker and sorts the senders' answers by loop -> hub::deliver_messages encodes each
/// message once and gives every loop's room_pipeline::committed one step: fan-out to its
/// followers (loop_registry::deliver -> client::deliver), then its senders' answers (the ack);
/// each connection handed lines joins the loop's write_round and is written once as the task ends.
/// The memory_broker hands commits straight back (deliver_messages); redis::redis_broker
/// delivers what any node committed, from Redis, and the answers then go on their own.
///
/// Thread-safety: the accessors are safe from any thread; pipeline(i) may only be *used* on
/// loop i, except as room_pipeline says. broadcast_event() is safe from any thread.
class hub final : public broker_target {
 public:
  /// `broker` null: a memory_broker (one node).
  hub(const limits& limits, std::unique_ptr<store::sequencing_store> store, std::vector<event_loop*> loops,
      std::unique_ptr<class broker> broker = nullptr);
  ~hub() override;
  hub(const hub&) = delete;
  hub& operator=(const hub&) = delete;

  const limits& config() const { return limits_; }
  std::size_t loop_count() const { return loops_.size(); }
  /// Loop i's message path: its sends, reads, commits and followers.
  room_pipeline& pipeline(std::size_t i) { return *pipelines_[i]; }
  /// Loop i's followers (for the transport's and /metrics' counts).
  loop_registry& registry(std::size_t i) { return pipelines_[i]->followers(); }
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
  /// The store thread's counts for /metrics; safe from any thread.
  const store_counters& store_stats() const { return worker_->counters(); }
  /// Runs `job` on the store thread after everything acknowledged before has committed (a
  /// backup, app/backup_service.hpp). Safe from any thread.
  void store_job(store_thread::read_job job) { worker_->read(std::move(job)); }

  /// Sends `line` to every client following `room` on every node (through the broker), except
  /// `except`: typing notices.
  void broadcast_event(const std::string& room, shared_line line, const client* except);

  // broker_target: this node's loops.
  void deliver_messages(std::vector<chat_message>&& stored) override;
  void deliver_event(const std::string& room, shared_line line, const client* except) override;
  void resync() override;

  /// Commits what is queued and stops the store thread. Call after the loops stopped taking
  /// new messages.
  void stop();

 private:
  std::atomic<bool> stopping_{false};  // Set by stop(): no more posts to the loops.
  std::atomic<search_service*> search_{nullptr};
  /// The store committed `stored` (maybe none) and answered `answers`: on the committing thread.
  void on_commit(std::vector<chat_message>&& stored, std::vector<store_thread::answer>&& answers);

  const limits& limits_;
  std::vector<event_loop*> loops_;
  class presence presence_;
  read_gate reads_{limits_.read_interval};
  class link_guesses link_guesses_ {
    limits_
  };
  std::unique_ptr<class broker> broker_;
  std::unique_ptr<store_thread> worker_;                   // Its thread calls on_commit.
  std::vector<std::unique_ptr<room_pipeline>> pipelines_;  // Per loop; hold worker_.
};

}  // namespace message::core
