#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace message::app {

/// Where the server holding a data directory listens, as its lock file says.
struct running_server {
  std::uint16_t port = 0;
  std::string scheme;  ///< "https" (TLS on the port, plain http too) or "http".
};

/// The --data directory, created if missing and locked for this process (flock on
/// DIR/message.lock) so two servers never write one database. The lock file also names the
/// port and scheme the holder serves (record()), for `message invite`. The constructor throws
/// std::runtime_error saying what is wrong; the lock is released on destruction or exit.
/// Thread-safety: one thread uses an instance; running_server_in() is safe anywhere.
class data_dir {
 public:
  explicit data_dir(std::filesystem::path path);
  ~data_dir();
  data_dir(const data_dir&) = delete;
  data_dir& operator=(const data_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

  /// Writes "PORT SCHEME" into the lock file, once the port is known. A failure only costs
  /// `message invite` the port, so it is not an error.
  void record(std::uint16_t port, const std::string& scheme);

  /// The server that holds `path`'s lock now, as it recorded itself; nothing when no server
  /// holds it (or it recorded nothing). Reads only: never creates the directory or the file.
  static std::optional<running_server> running_server_in(const std::filesystem::path& path);

 private:
  std::filesystem::path path_;
  int lock_fd_ = -1;
};

}  // namespace message::app
