#include "app/data_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace message::app {

data_dir::data_dir(const std::filesystem::path& path) : path_(path) {
  std::error_code ec;
  std::filesystem::create_directories(path_, ec);
  if (ec)
    throw std::runtime_error(
        fmt::format("cannot create the data directory {}: {}", path_.string(), ec.message()));
  const auto lock = path_ / "message.lock";
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0)
    throw std::runtime_error(
        fmt::format("cannot use the data directory {}: {}", path_.string(), std::strerror(errno)));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    throw std::runtime_error(fmt::format(
        "the data directory {} is in use by another message server (stop it, or pass another --data)",
        path_.string()));
  }
}

data_dir::~data_dir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace message::app
