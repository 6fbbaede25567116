// What the terminal client does differently when its output is a terminal (tmux): `send`
// shows its progress on stderr and erases it when done; `tail` colours the names, which it
// does not in a pipe.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "client_process.hpp"
#include "harness.hpp"
#include "tmux_session.hpp"

namespace message::test {
namespace {

TEST(TerminalTty, SendShowsItsProgressOnATerminalAndErasesItWhenDone) {
  temp_dir data, home;
  // Slow enough (10 a second) for the progress to be on the screen for a few seconds.
  server_process server({"--msgs-per-sec", "10", "--msgs-burst", "1", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  const auto input = home.path() / "lines";
  {
    std::ofstream out(input);
    for (int i = 1; i <= 40; ++i) out << "line " << i << "\n";
  }
  tmux_session tmux(home.path(), "HOME=" + home.path().string() + " " + server_binary() + " send --server " +
                                     url + " < " + input.string() + "; echo EXIT=$?; sleep 30");
  const std::regex progress("message: [0-9]+ sent of 40, [0-9]+ waiting");
  auto s = tmux.wait_screen([&](const std::string& x) { return std::regex_search(x, progress); });
  EXPECT_TRUE(std::regex_search(s, progress)) << s;
  s = tmux.wait_screen([](const std::string& x) { return x.find("EXIT=") != std::string::npos; }, 30000ms);
  EXPECT_NE(s.find("EXIT=0"), std::string::npos) << s;
  EXPECT_EQ(s.find("message:"), std::string::npos) << "the progress line is erased:\n" << s;
}

TEST(TerminalTty, TailColoursTheNamesOnATerminalAndNotInAPipe) {
  temp_dir data, home;
  server_process server({"--no-rate-limit", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  ASSERT_EQ(run_client({"send", "--server", url, "--name", "kim", "hi"}, home.path()).code, 0);
  auto piped = run_client({"tail", "--server", url}, home.path());
  ASSERT_EQ(piped.code, 0) << piped.err;
  EXPECT_EQ(piped.out.find('\033'), std::string::npos) << piped.out;
  EXPECT_TRUE(std::regex_match(piped.out, std::regex("[0-9][0-9]:[0-9][0-9] kim: hi\n"))) << piped.out;

  tmux_session tmux(home.path(), "HOME=" + home.path().string() + " TERM=xterm " + server_binary() +
                                     " tail --server " + url + "; echo EXIT=$?; sleep 30");
  auto s = tmux.wait_screen([](const std::string& x) { return x.find("EXIT=") != std::string::npos; });
  ASSERT_NE(s.find("EXIT=0"), std::string::npos) << s;
  EXPECT_NE(s.find(" kim: hi"), std::string::npos) << s;
  const auto coloured = tmux.screen_with_escapes();
  EXPECT_TRUE(std::regex_search(coloured, std::regex("\033\\[[0-9;]*3[1-6][0-9;]*m(\033\\[[0-9;]*m)*kim")))
      << coloured;
}

}  // namespace
}  // namespace message::test
