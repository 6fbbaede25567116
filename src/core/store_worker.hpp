#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/chat_message.hpp"
#include "core/limits.hpp"
#include "store/message_store.hpp"

namespace message::core {

/// The outcome of one append, reported on the worker thread.
struct append_outcome {
  std::optional<store::append_result> result;  ///< Empty when the store failed.
  std::string error;                           ///< Why, when it failed.
};

/// The one thread that owns the message store. It is the ordering point of the server: it
/// assigns seqs by committing, in arrival order, everything queued since the last commit in
/// one transaction (group commit), so throughput does not fall to one commit per message.
///
/// Thread-safety: append(), read() and stop() are safe from any thread. Callbacks run on the
/// worker thread and must only post elsewhere; they must not block.
class store_worker {
 public:
  using append_callback = std::function<void(const append_outcome&)>;
  /// Called after each successful commit with the newly stored messages, in seq order.
  using commit_listener = std::function<void(std::vector<chat_message>&&)>;
  using read_job = std::function<void(store::message_store&)>;

  store_worker(std::unique_ptr<store::message_store> store, const limits& limits, commit_listener on_commit);
  ~store_worker();
  store_worker(const store_worker&) = delete;
  store_worker& operator=(const store_worker&) = delete;

  void append(new_message message, append_callback done);
  /// Runs `job` on the worker thread after every append queued before it has committed.
  void read(read_job job);
  /// Commits what is queued, then ends the thread. Idempotent.
  void stop();

 private:
  struct pending_append {
    new_message message;
    append_callback done;
  };
  void run();
  void commit(std::vector<pending_append>& batch);
  bool prune_some();  // true when more rows are due

  std::unique_ptr<store::message_store> store_;
  const limits& limits_;
  commit_listener on_commit_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<pending_append> appends_;
  std::deque<read_job> reads_;
  bool stopping_ = false;
  std::thread thread_;  // Last: starts after every member above is ready.
};

}  // namespace message::core
