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
#include "core/message_store.hpp"
#include "core/store_counters.hpp"

namespace message::core {

/// The outcome of one append, reported on the worker thread.
struct append_outcome {
  std::optional<store::append_result> result;  ///< Empty when the store failed.
  std::string error;                           ///< Why, when it failed.
};

/// The owner of the message store, and the ordering point of the server: it assigns seqs by
/// committing, in arrival order, everything queued since the last commit in one transaction
/// (group commit), so throughput does not fall to one commit per message.
///
/// Commits run on the worker's own thread, except one case: an I/O loop that hands over a
/// single message while the worker is idle, nothing is queued and the store's commit waits
/// for nothing (store::message_store::commit_never_waits) commits it in place. That saves the
/// two thread hops there and back, each a context switch (dear on a virtual machine); a group of
/// several goes to the worker, which commits it while the loop goes on writing.
///
/// Work the store defers off the commit path (store::message_store::has_deferred_work: the
/// default store's journaled messages, moved into SQLite) runs here, limits::store_defer after
/// the commit that left it, so that many commits share it and no I/O loop pays for it.
///
/// Thread-safety: append(), read() and stop() are safe from any thread. One commit runs at a
/// time (`busy_`), in the order appends were queued. Callbacks run on the thread that
/// committed (the worker's, or the loop's that committed in place) and must not block; on the
/// worker they must only post (the hub's on_commit hands a loop's own in-place commit to its
/// followers at once, hub::on_loop).
class store_worker {
 public:
  using append_callback = std::function<void(const append_outcome&)>;
  /// Called after each successful commit with the newly stored messages, in seq order.
  using commit_listener = std::function<void(std::vector<chat_message>&&)>;
  using read_job = std::function<void(store::message_store&)>;
  struct append_request {
    new_message message;
    append_callback done;
  };

  /// Called on the worker after a retention round (keep_days or keep_messages set) ends.
  using prune_listener = std::function<void()>;

  store_worker(std::unique_ptr<store::message_store> store, const limits& limits, commit_listener on_commit,
               prune_listener on_prune = {});
  ~store_worker();
  store_worker(const store_worker&) = delete;
  store_worker& operator=(const store_worker&) = delete;

  void append(new_message message, append_callback done);
  /// Appends `group` in order. With `may_commit_here`, a group of one commits on the calling
  /// thread when the worker is idle with nothing queued and the store never waits; `done` has
  /// then run before this returns.
  void append(std::vector<append_request> group, bool may_commit_here);
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

  std::unique_ptr<store::message_store> store_;
  const limits& limits_;
  commit_listener on_commit_;
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
