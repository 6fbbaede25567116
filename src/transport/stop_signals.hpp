#pragma once

#include <functional>

#include <csignal>

#include <sys/signalfd.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace message::app {

/// Blocks SIGINT and SIGTERM in the calling thread, and so in every thread it starts later.
/// Call it in main() before any thread exists; they stay blocked for good, and reach the
/// process only through a stop_signals listener.
void block_stop_signals();

/// Waits for SIGINT or SIGTERM on one loop through a signalfd, and calls on_stop there, once.
///
/// Why not asio::signal_set: that installs a signal handler, and under ThreadSanitizer a
/// handler's work is deferred to the thread's next intercepted call. About 1 run in 50, a
/// SIGTERM went unanswered while the loop sat idle in epoll_wait. A signalfd runs no handler:
/// the blocked signal stays pending on the process and makes the descriptor readable.
///
/// Requires block_stop_signals() to have run before any thread started: a thread that does not
/// block them would take the signal itself, and the default action would kill the process.
/// Thread-safety: construct, and destroy, on the thread that runs `loop`; on_stop runs there.
class stop_signals {
 public:
  stop_signals(boost::asio::io_context& loop, std::function<void(int signal)> on_stop);
  stop_signals(const stop_signals&) = delete;
  stop_signals& operator=(const stop_signals&) = delete;

 private:
  void wait();

  boost::asio::posix::stream_descriptor fd_;
  signalfd_siginfo info_{};
  std::function<void(int)> on_stop_;
};

}  // namespace message::app
