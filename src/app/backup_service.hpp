#pragma once

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/hub.hpp"

namespace message::app {

/// The running server's end of `message backup`: a Unix socket in the data directory
/// (DIR/message.sock, mode 0600: only the server's owner and root may connect). A client
/// sends "backup\n"; the store thread then runs the backup after everything acknowledged so
/// far has committed: the journal's waiting messages move into SQLite, and SQLite's online
/// backup copies the database into a file in DIR. The answer is "ok SIZE\n" and the file's
/// bytes (the client writes them where it was asked, with its own rights: a hardened unit may
/// write nowhere but DIR), or "error WHY\n".
///
/// One client at a time, on a thread of its own: a backup is rare and may take seconds, and no
/// I/O loop may wait for it. Thread-safety: construct and destroy on one thread; the
/// destructor stops the thread (a backup under way is abandoned) and removes the socket.
class backup_service {
 public:
  /// `hub` null: the store is not SQLite (memory, Redis); every request is answered with an error.
  backup_service(std::filesystem::path dir, core::hub* hub);
  ~backup_service();
  backup_service(const backup_service&) = delete;
  backup_service& operator=(const backup_service&) = delete;

  static std::filesystem::path socket_path(const std::filesystem::path& dir) { return dir / "message.sock"; }

 private:
  void run();
  void serve(int client);

  std::filesystem::path dir_;
  core::hub* hub_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // An eventfd: written by the destructor to end run().
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace message::app
