#pragma once

#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

struct sqlite3;

namespace message::store {

/// SQLite's `PRAGMA quick_check(1)` of a database, on a thread of its own over its own
/// read-only connection. quick_check reads every page, so running it before serving made
/// restart time grow with history; opening now checks only what the first statements read
/// (the header, the schema), and this finds damage deeper in the file while the server serves.
/// Damage found is logged as an error and reported by problem(): the store then refuses every
/// write (sqlite_message_store), so nothing is added to a damaged file.
///
/// Thread-safety: problem() and wait() from any thread; the check runs on ours. The destructor
/// interrupts a check under way and joins it.
class integrity_check {
 public:
  explicit integrity_check(std::filesystem::path database);
  ~integrity_check();
  integrity_check(const integrity_check&) = delete;
  integrity_check& operator=(const integrity_check&) = delete;

  /// What quick_check found wrong, once it has; nullopt while it runs or when the file is sound
  /// (a check that could not run, e.g. the file vanished, is logged and counts as sound).
  std::optional<std::string> problem() const;
  /// Blocks until the check has finished (tests).
  void wait();

 private:
  void run();

  std::filesystem::path database_;
  std::atomic<bool> failed_{false};  // Set (release) once problem_ is written.
  std::string problem_;              // Written once by the check's thread before failed_.
  std::mutex mutex_;                 // Guards db_ against the destructor's interrupt.
  sqlite3* db_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace message::store
