#include "transport/stop_signals.hpp"

#include <pthread.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>

namespace message::app {

namespace {
/// SIGINT and SIGTERM: the signals that stop the server gracefully.
sigset_t stop_signal_set() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  return stop;
}
}  // namespace

void block_stop_signals() {
  const auto stop = stop_signal_set();
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  // An ignored signal is discarded even while blocked, and a shell starts background jobs
  // with SIGINT ignored: take the default back (harmless while blocked) so the signalfd sees it.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

namespace {
int open_signal_fd() {
  const auto stop = stop_signal_set();
  const int fd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error(std::string("cannot wait for SIGINT/SIGTERM: ") + std::strerror(errno));
  return fd;
}
}  // namespace

stop_signals::stop_signals(boost::asio::io_context& loop, std::function<void(int)> on_stop)
    : fd_(loop, open_signal_fd()), on_stop_(std::move(on_stop)) {
  wait();
}

void stop_signals::wait() {
  boost::asio::async_read(fd_, boost::asio::buffer(&info_, sizeof info_),
                          [this](boost::system::error_code error, std::size_t) {
                            if (!error) on_stop_(static_cast<int>(info_.ssi_signo));
                          });
}

}  // namespace message::app
