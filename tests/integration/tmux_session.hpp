// A terminal for the tests of `message chat` and of what the client does on a terminal: a tmux
// server of the test's own, driven by send-keys and read by capture-pane.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "client_process.hpp"
#include "harness.hpp"

namespace message::test {

/// One tmux server of our own (its socket named after this process), killed at the end.
class tmux_session {
 public:
  tmux_session(const std::filesystem::path& home, const std::string& command)
      : home_(home), socket_("message-test-" + std::to_string(::getpid())) {
    run("new-session -d -s chat -x 100 -y 20 " + quote(command));
  }
  ~tmux_session() { run("kill-server"); }

  void keys(const std::string& args) { run("send-keys -t chat " + args); }
  std::string screen() { return run("capture-pane -p -t chat").out; }
  /// The screen with its colours, as escape sequences.
  std::string screen_with_escapes() { return run("capture-pane -p -e -t chat").out; }
  /// Polls the screen until `pred` holds (bounded); returns the last screen.
  template <class Pred>
  std::string wait_screen(Pred pred, std::chrono::milliseconds limit = 15000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::string s = screen();
    while (!pred(s) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);  // Polling a screen; no timing assumption.
      s = screen();
    }
    return s;
  }

 private:
  static std::string quote(const std::string& s) { return "'" + s + "'"; }
  client_result run(const std::string& args) { return run_shell("tmux -L " + socket_ + " " + args, home_); }
  std::filesystem::path home_;
  std::string socket_;
};

/// The last non-empty row of a screen, without trailing spaces (capture-pane drops them):
/// where the prompt is.
inline std::string last_row(const std::string& screen) {
  auto rows = lines_of(screen + "\n");
  while (!rows.empty() && rows.back().find_first_not_of(' ') == std::string::npos) rows.pop_back();
  if (rows.empty()) return {};
  auto row = rows.back();
  row.erase(row.find_last_not_of(' ') + 1);
  return row;
}

}  // namespace message::test
