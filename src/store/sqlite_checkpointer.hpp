#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

struct sqlite3;

namespace message::store {

/// Moves checkpoints, and their fsyncs, off the commit path. SQLite's default runs a
/// checkpoint inside the commit that takes the WAL past 1,000 pages: it syncs the WAL, copies
/// the pages into the database and syncs that, all while a sender waits for its ack
/// (milliseconds, every few hundred commits: it is what a chat round trip's p99 would show).
///
/// A WAL hook on the writer connection (which replaces SQLite's own automatic checkpoint)
/// wakes a thread with a connection of its own after every `wake_pages` new frames; that
/// thread runs PASSIVE checkpoints, which never block the writer (one that finds the writer
/// busy gives up at once, and is tried again 10 ms later). The WAL file only starts
/// over when a checkpoint ends with nothing new behind it, which under a steady stream of
/// commits only the writer itself can arrange: at `inline_pages` it checkpoints inline, and by
/// then the thread has copied and synced all but the last `wake_pages` frames.
///
/// Thread-safety: the hook runs on whichever thread commits on the writer connection, one at a
/// time (core::store_thread hands the store over under its mutex); so does
/// inline_checkpoint_near(). Construction and destruction happen on the store's owning thread.
class sqlite_checkpointer {
 public:
  struct options {
    /// New WAL frames per background checkpoint: SQLite's own interval (about 4 MB).
    int wake_pages = 1000;
    /// WAL size at which the writer checkpoints (and so restarts the WAL) itself: about 40 MB.
    int inline_pages = 10000;
  };

  /// `writer` must outlive this object. Throws store_error if the file cannot be opened.
  sqlite_checkpointer(const std::filesystem::path& file, sqlite3* writer, options opts);
  /// True when a commit of a few pages may take the WAL to `inline_pages`, so that it
  /// checkpoints and syncs before it returns. Called by the writer's user, between commits.
  bool inline_checkpoint_near() const;
  ~sqlite_checkpointer();
  sqlite_checkpointer(const sqlite_checkpointer&) = delete;
  sqlite_checkpointer& operator=(const sqlite_checkpointer&) = delete;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
  void run();

  sqlite3* writer_;
  sqlite3* db_ = nullptr;  // The thread's own connection.
  options opts_;
  int woken_at_ = 0;   // WAL size at the last wake-up (the committing thread only).
  int wal_pages_ = 0;  // WAL size after the last commit (the committing thread only).
  std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false;
  bool stopping_ = false;
  std::thread thread_;  // Last: starts after every member above is ready.
};

}  // namespace message::store
