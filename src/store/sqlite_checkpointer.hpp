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
/// (milliseconds, every few hundred commits: S1's p99 in bench/FINDINGS.md).
///
/// A WAL hook on the writer connection (which replaces SQLite's own automatic checkpoint)
/// wakes a thread with a connection of its own after every `wake_pages` new frames; that
/// thread runs PASSIVE checkpoints, which never block the writer. The WAL file only starts
/// over when a checkpoint ends with nothing new behind it, which under a steady stream of
/// commits only the writer itself can arrange: at `inline_pages` it checkpoints inline, and by
/// then the thread has copied and synced all but the last `wake_pages` frames.
///
/// Thread-safety: constructed and destroyed on the writer's thread; the hook runs there too.
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
  ~sqlite_checkpointer();
  sqlite_checkpointer(const sqlite_checkpointer&) = delete;
  sqlite_checkpointer& operator=(const sqlite_checkpointer&) = delete;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
  void run();

  sqlite3* writer_;
  sqlite3* db_ = nullptr;  // The thread's own connection.
  options opts_;
  int woken_at_ = 0;  // WAL size at the last wake-up (writer thread only).
  std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false;
  bool stopping_ = false;
  std::thread thread_;  // Last: starts after every member above is ready.
};

}  // namespace message::store
