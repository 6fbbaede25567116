#include "client_transport/chat_screen.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <utility>

// libedit's readline-compatible header; it needs stdio first.
#include <editline/readline.h>

#include "client_transport/private_descriptor.hpp"
#include "client_transport/stdin_lines.hpp"

namespace message::client {

namespace {
chat_screen* current = nullptr;  // libedit calls back through a plain function.
}  // namespace

chat_screen::chat_screen(net::io_context& ioc, handlers h)
    : ioc_(ioc), handlers_(std::move(h)), interactive_(::isatty(0) == 1 && ::isatty(1) == 1) {}

chat_screen::~chat_screen() { stop(); }

void chat_screen::start(const std::string& prompt) {
  prompt_ = prompt;
  started_ = true;
  if (!interactive_) {
    lines_ = std::make_unique<stdin_lines>(ioc_, 0,
                                           stdin_lines::handlers{[this](std::string line) {
                                                                   handlers_.on_line(std::move(line));
                                                                   lines_->read_more();
                                                                 },
                                                                 [this] { handlers_.on_eof(); }});
    lines_->read_more();
    return;
  }
  current = this;
  // The loop owns the signals; libedit must not install handlers of its own.
  rl_catch_signals = 0;
  using_history();
  rl_callback_handler_install(prompt_.c_str(), &chat_screen::on_readline);
  // libedit reads fd 0 itself; the reactor only waits on a description of our own
  // (private_descriptor.hpp says why).
  const int dup = private_descriptor(0, false);
  if (dup < 0) throw std::runtime_error("cannot wait on the terminal");
  input_ = std::make_unique<net::posix::stream_descriptor>(ioc_, dup);
  wait_input();
}

void chat_screen::wait_input() {
  if (!input_) return;
  input_->async_wait(net::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
    if (ec || !input_) return;
    rl_callback_read_char();
    // A line accepted above is handled only now, after libedit is done with it. libedit keeps
    // the accepted text in its buffer (and redraws it) until the next key: installing the
    // handler again starts a clean line, as readline does by itself.
    auto accepted = std::move(accepted_);
    accepted_.clear();
    if (!accepted.empty()) {
      rl_callback_handler_remove();
      std::fputs("\r\033[K", stdout);
      std::fflush(stdout);
      rl_callback_handler_install(prompt_.c_str(), &chat_screen::on_readline);
    }
    const bool eof = std::exchange(eof_, false);
    wait_input();
    for (auto& line : accepted)
      if (handlers_.on_line) handlers_.on_line(std::move(line));
    if (eof && handlers_.on_eof) handlers_.on_eof();
  });
}

void chat_screen::on_readline(char* line) {
  auto* self = current;
  if (!self) return;
  if (!line) {
    self->eof_ = true;
    return;
  }
  std::string text(line);
  std::free(line);
  if (!text.empty()) add_history(text.c_str());
  // The typed line leaves the screen: it comes back as a message once the server has it, and
  // the prompt counts it as pending until then.
  self->accepted_.push_back(std::move(text));
}

void chat_screen::print(const std::string& text) {
  if (!interactive_ || !started_ || current != this) {
    std::fputs((text + "\n").c_str(), stdout);
    std::fflush(stdout);
    return;
  }
  // Clear the prompt's row, print, and let libedit draw the prompt and the half-typed line
  // again below (its buffer is untouched).
  std::fputs(("\r\033[K" + text + "\n").c_str(), stdout);
  std::fflush(stdout);
  rl_forced_update_display();
}

void chat_screen::set_prompt(const std::string& prompt) {
  if (prompt == prompt_) return;
  prompt_ = prompt;
  if (!interactive_ || !started_ || current != this) return;
  rl_set_prompt(prompt_.c_str());
  // libedit redraws from where the cursor is: back to the row's start first.
  std::fputs("\r\033[K", stdout);
  std::fflush(stdout);
  rl_forced_update_display();
}

void chat_screen::stop() {
  lines_.reset();
  if (input_) {
    input_->cancel();
    input_.reset();
  }
  if (current == this) {
    rl_callback_handler_remove();
    current = nullptr;
    std::fputs("\n", stdout);
    std::fflush(stdout);
  }
  started_ = false;
}

}  // namespace message::client
