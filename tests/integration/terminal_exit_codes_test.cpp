// Exit codes of the terminal client for the failures terminal_send_test.cpp does not reach: a
// server refusing connections (3), a room the server refuses (1), and a drop in the middle of
// a send that the client rides out (0, nothing twice).
#include <gtest/gtest.h>

#include <csignal>
#include <memory>

#include "client_process.hpp"
#include "harness.hpp"

namespace message::test {
namespace {

std::string numbered_lines(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += "line " + std::to_string(i) + "\n";
  return s;
}

TEST(TerminalExitCodes, AServerRefusingConnectionsIsExit3WithTheReason) {
  temp_dir data, home;
  server_process server({"--no-rate-limit", "--max-connections", "1", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  ws_client holder(server.port());
  ASSERT_TRUE(holder.next_of("welcome"));
  auto send = run_client({"send", "--server", url, "x"}, home.path());
  EXPECT_EQ(send.code, 3);
  EXPECT_NE(send.err.find("refusing connections for now (503"), std::string::npos) << send.err;
  auto tail = run_client({"tail", "--server", url}, home.path());
  EXPECT_EQ(tail.code, 3) << tail.err;
}

TEST(TerminalExitCodes, APrivateRoomTheClientIsNoMemberOfIsExit1WithTheReason) {
  temp_dir data, home;
  server_process server({"--no-rate-limit", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  ws_client owner(server.port(), "/ws?name=lee", "", "message.v1, id." + std::string(21, 'l') + "A");
  ASSERT_TRUE(owner.next_of("welcome"));
  owner.send(R"({"type":"create_room","room":"plans","private":true})");
  ASSERT_TRUE(owner.next_of("room"));
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"tail", "--server", url, "--room", "plans"},
                                             {"tail", "--server", url, "--room", "plans", "-f"},
                                             {"send", "--server", url, "--room", "plans", "x"}}) {
    auto r = run_client(args, home.path());
    EXPECT_EQ(r.code, 1) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("not_member"), std::string::npos) << args[0] << ": " << r.err;
  }
}

TEST(TerminalExitCodes, ASendThatLosesTheServerMidPipeResendsAfterItsRestartNothingTwice) {
  temp_dir data, home;
  const auto args = [&](const std::string& port) {
    std::vector<std::string> a{"--msgs-per-sec", "100", "--msgs-burst", "10", "--data", data.path().string()};
    if (!port.empty()) a.insert(a.end(), {"--port", port});
    return a;
  };
  auto server = std::make_unique<server_process>(args(""));
  const auto port = std::to_string(server->port());
  const auto url = "http://127.0.0.1:" + port;
  client_process send({"send", "--server", url}, home.path());
  send.write_stdin(numbered_lines(1, 300));
  send.close_stdin();
  {
    ws_client watcher(server->port(), "/ws?since=0");
    ASSERT_EQ(watcher.collect("message", 40, 20000ms).size(), 40u);
  }
  server->stop(SIGKILL);
  server = std::make_unique<server_process>(args(port));
  const auto r = send.wait();
  ASSERT_EQ(r.code, 0) << r.err;
  auto all = run_client({"tail", "--server", url, "--since", "0", "--json"}, home.path());
  ASSERT_EQ(all.code, 0) << all.err;
  const auto lines = lines_of(all.out);
  ASSERT_EQ(lines.size(), 300u);
  for (std::size_t i = 0; i < lines.size(); ++i)
    EXPECT_EQ(str(json::parse(lines[i]).at("message")), "line " + std::to_string(i + 1));
}

TEST(TerminalExitCodes, ABadRoomOrAUrlWithoutASchemeIsExit2ForEverySubcommand) {
  temp_dir home;
  for (const char* sub : {"send", "tail", "chat"}) {
    auto room =
        run_client({sub, "--server", "http://127.0.0.1:9", "--room", "no spaces"}, home.path(), "x\n");
    EXPECT_EQ(room.code, 2) << sub;
    EXPECT_NE(room.err.find("not a room name"), std::string::npos) << sub << ": " << room.err;
    auto url = run_client({sub, "--server", "127.0.0.1:9"}, home.path(), "x\n");
    EXPECT_EQ(url.code, 2) << sub;
    EXPECT_NE(url.err.find("needs a scheme"), std::string::npos) << sub << ": " << url.err;
  }
}

TEST(TerminalExitCodes, ANameAnotherIdentityOwnsIsExit1WithTheReason) {
  temp_dir data, home;
  server_process server({"--no-rate-limit", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  ws_client owner(server.port(), "/ws?name=kim", "", "message.v1, id." + std::string(21, 'k') + "A");
  ASSERT_TRUE(owner.next_of("welcome"));
  auto r = run_client({"send", "--server", url, "--name", "kim", "x"}, home.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("name_taken"), std::string::npos) << r.err;
  EXPECT_EQ(run_client({"send", "--server", url, "--name", "kim-2", "x"}, home.path()).code, 0);
}

}  // namespace
}  // namespace message::test
