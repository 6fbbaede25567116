#pragma once

#include <filesystem>

namespace message::app {

/// The --data directory, created if missing and locked for this process (flock on
/// DIR/message.lock) so two servers never write one database. The constructor throws
/// std::runtime_error saying what is wrong; the lock is released on destruction or exit.
class data_dir {
 public:
  explicit data_dir(const std::filesystem::path& path);
  ~data_dir();
  data_dir(const data_dir&) = delete;
  data_dir& operator=(const data_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int lock_fd_ = -1;
};

}  // namespace message::app
