#include "app/backup_service.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <future>
#include <stdexcept>

#include "app/sqlite_backup.hpp"

namespace message::app {

namespace {
/// How long a client has to send its one-line request.
constexpr int request_timeout_ms = 5000;

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const auto w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

void answer_error(int fd, const std::string& why) {
  const auto line = "error " + why + "\n";
  write_all(fd, line.data(), line.size());
}
}  // namespace

backup_service::backup_service(std::filesystem::path dir, core::hub* hub) : dir_(std::move(dir)), hub_(hub) {
  const auto path = socket_path(dir_).string();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    throw std::runtime_error("the data directory's path is too long for its backup socket: " + path);
  path.copy(addr.sun_path, path.size());
  // A socket left by a killed server: we hold the directory's lock, so nobody serves it.
  ::unlink(path.c_str());
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  // Owner-only from the start: the umask covers the window between bind() and chmod().
  const mode_t old_mask = ::umask(0077);
  const int bound = ::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  ::umask(old_mask);
  if (listen_fd_ < 0 || bound != 0 || ::chmod(path.c_str(), 0600) != 0 || ::listen(listen_fd_, 4) != 0) {
    const std::string why = std::strerror(errno);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    throw std::runtime_error(fmt::format("cannot open the backup socket {}: {}", path, why));
  }
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  thread_ = std::thread([this] { run(); });
}

backup_service::~backup_service() {
  stopping_ = true;
  const std::uint64_t one = 1;
  if (::write(stop_fd_, &one, sizeof one) < 0) spdlog::debug("backup socket: stop signal failed");
  thread_.join();
  ::close(listen_fd_);
  ::close(stop_fd_);
  ::unlink(socket_path(dir_).c_str());
}

void backup_service::run() {
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    try {
      serve(client);
    } catch (const std::exception& e) {
      spdlog::warn("backup failed: {}", e.what());
      answer_error(client, e.what());
    }
    ::close(client);
  }
}

void backup_service::serve(int client) {
  std::string request;
  while (request.find('\n') == std::string::npos && request.size() < 64) {
    pollfd p{client, POLLIN, 0};
    if (::poll(&p, 1, request_timeout_ms) <= 0) return;
    char buf[64];
    const auto n = ::recv(client, buf, sizeof buf, 0);
    if (n <= 0) return;
    request.append(buf, static_cast<std::size_t>(n));
  }
  if (request != "backup\n") return answer_error(client, "unknown request");
  if (!hub_) return answer_error(client, "backup needs the SQLite store (not --store memory or --redis)");
  const auto file = dir_ / fmt::format("backup-{}.db", ::getpid());
  // Shared: if the server stops first, the job may run after this call has given up.
  auto done = std::make_shared<std::promise<std::string>>();
  auto result = done->get_future();
  hub_->store_job([done, db = dir_ / "messages.db", file](store::sequencing_store& store) {
    try {
      store.do_deferred_work();  // The journal's waiting messages go into SQLite first.
      backup_database(db, file);
      done->set_value({});
    } catch (const std::exception& e) {
      done->set_value(e.what());
    }
  });
  while (result.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    if (stopping_) return answer_error(client, "the server is stopping");
  }
  if (auto why = result.get(); !why.empty()) return answer_error(client, why);
  std::ifstream in(file, std::ios::binary);
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  const auto header = fmt::format("ok {}\n", size);
  bool sent = !ec && in && write_all(client, header.data(), header.size());
  char chunk[1 << 16];
  while (sent && in) {
    in.read(chunk, sizeof chunk);
    sent = write_all(client, chunk, static_cast<std::size_t>(in.gcount()));
  }
  in.close();
  std::filesystem::remove(file, ec);
  if (!sent)
    spdlog::warn("backup: the client went away before it had the whole file");
  else
    spdlog::info("backup of {} bytes sent", size);
}

}  // namespace message::app
