#include "client_transport/stdin_lines.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "client_transport/private_descriptor.hpp"

namespace message::client {

stdin_lines::stdin_lines(net::io_context& ioc, int fd, handlers h)
    : ioc_(ioc), fd_(fd), handlers_(std::move(h)) {
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    // A description of our own, so that the reactor's O_NONBLOCK stays ours (and closing
    // the waiter never closes the caller's descriptor); reads still go through fd_.
    const int dup = private_descriptor(fd_, false);
    if (dup >= 0) {
      boost::system::error_code ec;
      waiter_ = std::make_unique<net::posix::stream_descriptor>(ioc_);
      waiter_->assign(dup, ec);
      if (ec) {
        waiter_.reset();
        ::close(dup);
      }
    }
  }
}

stdin_lines::~stdin_lines() { *alive_ = false; }

void stdin_lines::read_more() {
  if (reading_ || eof_) return;
  reading_ = true;
  if (waiter_) {
    waiter_->async_wait(net::posix::stream_descriptor::wait_read,
                        [this, alive = alive_](boost::system::error_code ec) {
                          if (!*alive) return;
                          if (ec) {
                            reading_ = false;
                            return;
                          }
                          on_readable();
                        });
  } else {
    net::post(ioc_, [this, alive = alive_] {
      if (*alive) on_readable();
    });
  }
}

void stdin_lines::on_readable() {
  std::array<char, 64 * 1024> buf{};
  ssize_t n = 0;
  do {
    n = ::read(fd_, buf.data(), buf.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) {
    reading_ = false;
    read_more();
    return;
  }
  reading_ = false;
  if (n <= 0) {
    eof_ = true;
    if (!partial_.empty()) {
      auto last = std::move(partial_);
      partial_.clear();
      if (!last.empty() && last.back() == '\r') last.pop_back();
      handlers_.on_line(std::move(last));
    }
    handlers_.on_eof();
    return;
  }
  partial_.append(buf.data(), static_cast<std::size_t>(n));
  std::size_t start = 0;
  for (auto nl = partial_.find('\n'); nl != std::string::npos; nl = partial_.find('\n', start)) {
    std::string line = partial_.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    start = nl + 1;
    handlers_.on_line(std::move(line));
  }
  partial_.erase(0, start);
}

}  // namespace message::client
