#pragma once

#include <functional>
#include <memory>
#include <string>

#include "client_transport/net.hpp"

namespace message::client {

/// Reads lines from a file descriptor without blocking the loop: a pipe or terminal is
/// waited on with the reactor (the descriptor's flags are left alone, since a terminal's are
/// shared with the shell); a regular file, which the reactor cannot wait on, is read directly
/// (it never blocks for long). The owner asks for more with read_more() when it has room, so
/// a fast producer cannot fill memory. Not thread-safe; on the owner's loop.
class stdin_lines {
 public:
  struct handlers {
    std::function<void(std::string line)> on_line;  ///< Without the '\n' (nor a '\r' before it).
    std::function<void()> on_eof;                   ///< After the last line.
  };
  stdin_lines(net::io_context& ioc, int fd, handlers h);
  ~stdin_lines();

  /// Reads one chunk (when none is being read) and delivers its whole lines.
  void read_more();
  bool reading() const { return reading_; }
  bool at_eof() const { return eof_; }

 private:
  void on_readable();
  void deliver(std::size_t n);

  net::io_context& ioc_;
  int fd_;
  handlers handlers_;
  std::unique_ptr<net::posix::stream_descriptor> waiter_;  // Null for a regular file.
  std::string partial_;
  bool reading_ = false;
  bool eof_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace message::client
