#include "app/data_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace message::app {

data_dir::data_dir(std::filesystem::path path) : path_(std::move(path)) {
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

void data_dir::record(std::uint16_t port, const std::string& scheme) {
  const std::string line = fmt::format("{} {}\n", port, scheme);
  if (::ftruncate(lock_fd_, 0) == 0) {
    [[maybe_unused]] const auto written = ::pwrite(lock_fd_, line.data(), line.size(), 0);
  }
}

std::optional<running_server> data_dir::running_server_in(const std::filesystem::path& path) {
  const int fd = ::open((path / "message.lock").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<running_server> out;
  // A lock we can take is a lock nobody holds: what the file says is a stopped server's.
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    char text[64] = {};
    const auto n = ::pread(fd, text, sizeof text - 1, 0);
    unsigned port = 0;
    char scheme[8] = {};
    if (n > 0 && std::sscanf(text, "%u %7s", &port, scheme) == 2 && port > 0 && port <= 65535 &&
        (std::strcmp(scheme, "http") == 0 || std::strcmp(scheme, "https") == 0))
      out = running_server{static_cast<std::uint16_t>(port), scheme};
  }
  ::close(fd);
  return out;
}

data_dir::~data_dir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace message::app
