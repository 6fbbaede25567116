#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/chat_message.hpp"
#include "common/limits.hpp"
#include "core/now_or_post.hpp"
#include "core/sequencing_store.hpp"
#include "core/store_counters.hpp"

namespace message::core {

/// The outcome of one append, reported on the worker thread.
struct append_outcome {
  std::optional<store::append_result> result;  ///< Empty when the store failed.
  std::string error;                           ///< Why, when it failed.
};

/// The store's thread and its group commit: it owns the message store and commits, in arrival
/// order, everything queued since the last commit as one group, so throughput does not fall to
/// one commit per message. The seqs are assigned by that commit, inside the store's commit_group()
/// (core/sequencing_store.hpp: the journaled store on one node, Redis's script across nodes); this
/// class decides only the order in which groups reach it.
///
/// Commits run on the worker's own thread, except when the pipeline's rule (runs_now,
/// core/now_or_post.hpp) says a loop's turn commits in place: a single message handed over at
/// the end of a loop's turn while the worker is idle, nothing is queued and the store's commit
/// waits for nothing. The worker checks the rule under its lock, where idleness is true.
///
/// Work the store defers off the commit path (store::sequencing_store::has_deferred_work: the
/// default store's journaled messages, moved into SQLite) runs here, limits::store_defer after
/// the commit that left it, so that many commits share it and no I/O loop pays for it.
///
/// Thread-safety: append(), read() and stop() are safe from any thread. One commit runs at a
/// time (`busy_`), in the order appends were queued. The commit listener runs on the thread
/// that committed (the worker's, or the loop's that committed in place), one call at a time,
/// and must not block: it hands each answer to its sender's loop (hub::on_commit).
class store_thread {
 public:
  using append_callback = std::function<void(const append_outcome&)>;
  using read_job = std::function<void(store::sequencing_store&)>;
  struct append_request {
    new_message message;
    append_callback done;
    /// Who asked, for the commit listener to route the answer (the hub: the sender's loop).
    std::size_t origin = 0;
  };
  /// One request's outcome, for the commit listener to hand to `done` where it belongs.
  struct answer {
    std::size_t origin = 0;
    append_callback done;
    append_outcome outcome;
  };
  /// Called once per commit, with the newly stored messages in seq order (empty when every
  /// one was a duplicate, or the store failed) and every request's answer, in request order.
  /// The listener calls each `done` exactly once.
  using commit_report =
      std::function<void(std::vector<chat_message>&& stored, std::vector<answer>&& answers)>;
  /// Called after each successful commit with the newly stored messages, in seq order; each
  /// `done` then runs on the committing thread, after it.
  using commit_listener = std::function<void(std::vector<chat_message>&&)>;

  /// Called on the store thread after a retention round (keep_days or keep_messages set) ends.
  using prune_listener = std::function<void()>;

  store_thread(std::unique_ptr<store::sequencing_store> store, const limits& limits, commit_report on_commit,
               prune_listener on_prune = {});
  store_thread(std::unique_ptr<store::sequencing_store> store, const limits& limits,
               commit_listener on_commit, prune_listener on_prune = {});
  ~store_thread();
  store_thread(const store_thread&) = delete;
  store_thread& operator=(const store_thread&) = delete;

  void append(new_message message, append_callback done);
  /// Appends `group` in order. `at_turn_end`: the caller is a loop handing over its turn's
  /// sends (room_pipeline); when the rule (runs_now, pipeline_step::commit_sends) says so, the
  /// group is committed on the calling thread and the listener has run before this returns.
  void append(std::vector<append_request> group, bool at_turn_end);
  /// Runs `job` on the worker thread after every append queued before it has committed.
  void read(read_job job);
  /// Commits what is queued, then ends the thread. Idempotent.
  void stop();
  /// Counts for /metrics; safe to read from any thread.
  const store_counters& counters() const { return counters_; }

 private:
  void run();
  void commit(std::vector<append_request>& batch);
  bool prune_some();  // true when more rows are due

  std::unique_ptr<store::sequencing_store> store_;
  const limits& limits_;
  commit_report on_commit_;
  prune_listener on_prune_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<append_request> appends_;
  std::deque<read_job> reads_;
  bool stopping_ = false;
  bool busy_ = false;         // A commit, read or prune runs (on the worker or in place).
  bool wants_store_ = false;  // The worker waits for an in-place commit to end (a prune is due).
  /// When the store's deferred work is to run (limits::store_defer after the commit that left
  /// it); empty while there is none.
  std::optional<std::chrono::steady_clock::time_point> deferred_due_;
  store_counters counters_;
  std::thread thread_;  // Last: starts after every member above is ready.
};

}  // namespace message::core
