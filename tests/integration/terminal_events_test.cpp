// What `message tail -f` prints for the events of docs/protocol.md that are not messages:
// one readable line each (join, leave, rename), or with --json their wire objects.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <regex>

#include "client_process.hpp"
#include "harness.hpp"

namespace message::test {
namespace {

/// "HH:MM -- " then `rest`, the whole line.
bool is_event_line(const std::string& line, const std::string& rest) {
  return std::regex_match(line, std::regex("[0-9][0-9]:[0-9][0-9] -- " + rest));
}

bool has_line(const std::vector<std::string>& lines, const std::string& rest) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return is_event_line(l, rest); });
}

TEST(TerminalTail, FollowPrintsALineForEachJoinLeaveAndRenameAndJsonTheirWireObjects) {
  temp_dir data, home, kims_home;
  server_process server({"--no-rate-limit", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  ASSERT_EQ(run_client({"send", "--server", url, "--name", "kim", "hi"}, kims_home.path()).code, 0);

  client_process text({"tail", "--server", url, "-f"}, home.path());
  client_process wire({"tail", "--server", url, "-f", "--json"}, home.path());
  // Each printed the message already there: both are following now.
  ASSERT_EQ(text.wait_lines(1).size(), 1u) << text.err();
  ASSERT_EQ(wire.wait_lines(1).size(), 1u) << wire.err();

  {
    ws_client lee(server.port(), "/ws?name=lee");
    ASSERT_TRUE(lee.next_of("welcome"));
    ASSERT_EQ(text.wait_lines(2).size(), 2u) << text.out();
  }  // lee goes offline.
  ASSERT_EQ(text.wait_lines(3).size(), 3u) << text.out();
  // The same identity (kims_home) under a new name: a rename, then its message.
  ASSERT_EQ(run_client({"send", "--server", url, "--name", "kimberly", "there"}, kims_home.path()).code, 0);

  // That `send` is in presence under the name its identity owns while it is connected: it
  // joins as kim, leaves and joins again as kimberly, renames, posts and leaves.
  const auto lines = text.wait_lines(9);
  ASSERT_GE(lines.size(), 5u) << text.out();
  EXPECT_TRUE(std::regex_match(lines[0], std::regex("[0-9][0-9]:[0-9][0-9] kim: hi"))) << lines[0];
  EXPECT_TRUE(is_event_line(lines[1], "lee joined")) << lines[1];
  EXPECT_TRUE(is_event_line(lines[2], "lee left")) << lines[2];
  EXPECT_TRUE(has_line(lines, "kim is now kimberly")) << text.out();
  EXPECT_TRUE(has_line(lines, "kimberly joined")) << text.out();
  EXPECT_NE(text.out().find(" kimberly: there\n"), std::string::npos) << text.out();

  const auto objects = wire.wait_lines(9);
  ASSERT_GE(objects.size(), 5u) << wire.out();
  std::vector<std::string> types;
  for (const auto& line : objects) types.push_back(str(json::parse(line).at("type")));
  EXPECT_EQ(types[0], "message");
  EXPECT_EQ(types[1], "join");
  EXPECT_EQ(types[2], "leave");
  EXPECT_EQ(str(json::parse(objects[1]).at("username")), "lee");
  EXPECT_NE(std::find(types.begin(), types.end(), "rename"), types.end()) << wire.out();
  for (const auto& line : objects) {
    auto o = json::parse(line).as_object();
    if (str(o.at("type")) == "rename") {
      EXPECT_EQ(str(o.at("username")), "kimberly");
      EXPECT_EQ(str(o.at("room")), "lobby");
    }
  }
  text.kill(SIGTERM);
  wire.kill(SIGTERM);
}

TEST(TerminalTail, WithoutFollowOnlyMessagesArePrinted) {
  temp_dir data, home;
  server_process server({"--no-rate-limit", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  ASSERT_EQ(run_client({"send", "--server", url, "--name", "kim", "hi"}, home.path()).code, 0);
  ws_client lee(server.port(), "/ws?name=lee");
  ASSERT_TRUE(lee.next_of("welcome"));
  auto r = run_client({"tail", "--server", url}, home.path());
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(lines_of(r.out).size(), 1u) << "no presence snapshot, no event lines: " << r.out;
}

}  // namespace
}  // namespace message::test
