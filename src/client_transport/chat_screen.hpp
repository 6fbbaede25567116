#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client_transport/net.hpp"

namespace message::client {

/// The terminal of `chat`: a libedit prompt (readline-compatible callback interface, BSD
/// licence) fed by the owner's Asio loop, with lines printed above it without garbling what is
/// being typed. When stdin is not a terminal it reads plain lines and prints without a prompt.
/// libedit's callback interface is global state: one chat_screen at a time, on one thread.
class chat_screen {
 public:
  struct handlers {
    std::function<void(std::string line)> on_line;  ///< A line entered (Enter pressed).
    std::function<void()> on_eof;                   ///< Ctrl-D on an empty line, or end of input.
  };
  chat_screen(net::io_context& ioc, handlers h);
  ~chat_screen();
  chat_screen(const chat_screen&) = delete;
  chat_screen& operator=(const chat_screen&) = delete;

  void start(const std::string& prompt);
  /// Prints `text` (one or more lines) above the prompt; the line being edited stays as it is.
  void print(const std::string& text);
  void set_prompt(const std::string& prompt);
  /// Ends the prompt, leaving the terminal as it was.
  void stop();
  bool interactive() const { return interactive_; }

 private:
  static void on_readline(char* line);
  void wait_input();

  net::io_context& ioc_;
  handlers handlers_;
  bool interactive_;
  bool started_ = false;
  std::string prompt_;
  std::unique_ptr<net::posix::stream_descriptor> input_;
  std::unique_ptr<class stdin_lines> lines_;
  std::vector<std::string> accepted_;  // Lines libedit accepted during the current read.
  bool eof_ = false;
};

}  // namespace message::client
