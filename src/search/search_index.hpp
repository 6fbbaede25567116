#pragma once

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/limits.hpp"
#include "core/search_service.hpp"
#include "core/sequencing_store.hpp"

namespace message::search {

struct writes;

/// The node's full-text index (docs/architecture.md, "Search"): its own SQLite database
/// (DATA/search.sqlite, or in memory for the memory store), an FTS5 table over a copy of each
/// message's current text, fed by every commit the node receives and never by the commit path:
/// committed() only copies rows into a bounded queue, and the index's own thread applies them
/// in transactions of up to limits::search_delay worth of rows, and answers queries between
/// them.
///
/// Retention: every catch-up's listing asks the store for each room's oldest message and drops
/// the indexed ones below it; the store worker asks for one (pruned()) after each retention
/// pass.
///
/// Catch-up: rows the index missed (a database from before the index, an index deleted, a
/// queue overflow, a broker that lost its link, Redis history at start) are read from the
/// store in steps of search_catch_up_rows, one store-worker job per step, from each room's
/// highest indexed seq; a room whose epoch changed (a restore, a flushed Redis) is indexed anew.
///
/// Thread-safety: committed(), resync(), search() and stop() are safe from any thread.
class search_index final : public core::search_service {
 public:
  /// Runs a job on the store worker (core::hub::store_job).
  using store_runner = std::function<void(std::function<void(store::sequencing_store&)>)>;

  /// Opens (or makes) the index at `path`; "" keeps it in memory. Throws std::runtime_error
  /// when it cannot. Starts the index thread; catch-up starts with start_catch_up().
  search_index(const std::string& path, const core::limits& limits);
  ~search_index() override;
  search_index(const search_index&) = delete;
  search_index& operator=(const search_index&) = delete;

  /// Indexes what the store holds and the index does not, in the background.
  void start_catch_up(store_runner runner);
  /// Applies what is queued and ends the thread. Idempotent.
  void stop();
  /// Returns once every row handed over before the call is applied (benchmarks, tools).
  void flush();

  void committed(const std::vector<core::chat_message>& stored) override;
  void resync() override;
  void pruned() override;
  void search(core::search_request request, std::function<void(core::search_answer)> done) override;

 private:
  struct row {
    std::string room;
    std::uint64_t seq = 0;
    core::event_kind kind = core::event_kind::message;
    std::uint64_t target = 0;
    std::string text;
    std::string username;
    std::string identity;
    std::int64_t ts = 0;
    std::int64_t edited = 0;
    bool deleted = false;
    bool from_store = false;  // Read by a catch-up, not delivered live.
  };
  struct query_job {
    core::search_request request;
    std::function<void(core::search_answer)> done;
  };
  /// One room still to read from the store, from `after`.
  struct catch_up_room {
    std::string room;
    std::string epoch;
    std::uint64_t after = 0;
    bool reset = false;  // The index holds another history of the room: drop it first.
  };

  void run();
  void apply(std::vector<row>& rows);
  static void apply_row(writes& w, const row& r, bool catching_up);
  core::search_answer answer(const core::search_request& request);
  void begin_catch_up();                           // Index thread.
  void catch_up_step(store::sequencing_store& s);  // Store worker.
  void reset_room(const std::string& room, const std::string& epoch);
  /// Gives the file's free pages back once there are search_free_pages of them.
  void reclaim();
  /// Drops every indexed message of a room at or below its seq (retention removed them).
  void trim(const std::vector<std::pair<std::string, std::uint64_t>>& cuts);
  void post_step();
  void name_history(const std::string& room, const std::string& epoch);
  std::map<std::string, std::pair<std::string, std::uint64_t>> indexed_rooms();

  const core::limits& limits_;
  sqlite3* db_ = nullptr;
  store_runner runner_;  // Set once by start_catch_up, before any catch-up runs.

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<row> rows_;
  std::size_t queued_bytes_ = 0;  // What rows_ costs, about (limits::search_queue_bytes).
  std::deque<query_job> queries_;
  std::chrono::steady_clock::time_point first_row_at_{};
  bool overflowed_ = false;  // Rows were dropped: catch up once the queue is applied.
  bool wants_catch_up_ = false;
  bool stopping_ = false;
  int flushing_ = 0;              // Callers of flush() waiting: apply without waiting for the delay.
  bool applying_ = false;         // The index thread applies rows taken from rows_.
  std::condition_variable idle_;  // Notified after each apply.

  // Catch-up state: the index thread and the store worker take turns (one step in flight).
  bool catching_up_ = false;                                               // Under mutex_.
  std::map<std::string, std::pair<std::string, std::uint64_t>> snapshot_;  // room -> epoch, seq
  std::vector<catch_up_room> pending_rooms_;
  /// Per room, the seq at and below which the store holds nothing (retention), as the last
  /// listing found it. Under mutex_.
  std::vector<std::pair<std::string, std::uint64_t>> trims_;
  std::vector<row> caught_;  // Rows a store step read, for the index thread. Under mutex_.
  bool step_done_ = false;   // Under mutex_: a store step finished (caught_ holds its rows).
  bool listed_ = false;      // The store's rooms were listed.
  std::size_t caught_total_ = 0;
  std::chrono::steady_clock::time_point catch_up_started_{};

  /// Index thread: per room, its epoch as last listed and the seq up to which every row was
  /// applied (no gap below it): where a catch-up reads from.
  std::map<std::string, std::pair<std::string, std::uint64_t>> marks_;
  /// Index thread: the numbers of rooms and authors in the index file (cleared on a rollback).
  std::map<std::string, std::int64_t> room_ids_;
  std::map<std::pair<std::string, std::string>, std::int64_t> author_ids_;

  std::thread thread_;  // Last: starts once every member above is ready.
};

}  // namespace message::search
