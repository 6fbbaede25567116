#include "client/chat_screen.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

// libedit's readline-compatible header; it needs stdio first.
#include <editline/readline.h>

#include "client/stdin_lines.hpp"

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
  const int dup = ::dup(0);
  input_ = std::make_unique<net::posix::stream_descriptor>(ioc_, dup);
  wait_input();
}

void chat_screen::wait_input() {
  if (!input_) return;
  input_->async_wait(net::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
    if (ec || !input_) return;
    rl_callback_read_char();
    wait_input();
  });
}

void chat_screen::on_readline(char* line) {
  auto* self = current;
  if (!self) return;
  if (!line) {
    self->handlers_.on_eof();
    return;
  }
  std::string text(line);
  std::free(line);
  if (!text.empty()) add_history(text.c_str());
  self->handlers_.on_line(std::move(text));
}

void chat_screen::print(const std::string& text) {
  if (!interactive_ || !started_ || current != this) {
    std::fputs((text + "\n").c_str(), stdout);
    std::fflush(stdout);
    return;
  }
  // Take the prompt and the half-typed line off, print, and put them back as they were.
  char* saved = rl_copy_text(0, rl_end);
  const int point = rl_point;
  rl_set_prompt("");
  rl_replace_line("", 0);
  rl_redisplay();
  std::fputs(("\r\033[K" + text + "\n").c_str(), stdout);
  std::fflush(stdout);
  rl_set_prompt(prompt_.c_str());
  rl_replace_line(saved ? saved : "", 0);
  rl_point = point;
  rl_forced_update_display();
  std::free(saved);
}

void chat_screen::set_prompt(const std::string& prompt) {
  if (prompt == prompt_) return;
  prompt_ = prompt;
  if (!interactive_ || !started_ || current != this) return;
  rl_set_prompt(prompt_.c_str());
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
