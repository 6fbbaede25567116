// `message chat` driven in a real terminal (tmux): a line typed while messages arrive is not
// garbled, is sent, and the prompt keeps it across the arrivals.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <memory>

#include "client_process.hpp"
#include "harness.hpp"
#include "tmux_session.hpp"

namespace message::test {
namespace {

TEST(TerminalChat, ALineTypedWhileMessagesArriveIsNotGarbledAndIsSent) {
  temp_dir data, home;
  server_process server({"--no-rate-limit", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  tmux_session tmux(home.path(), "HOME=" + home.path().string() + " TERM=xterm " + server_binary() +
                                     " chat --server " + url + " --name alice; echo EXIT=$?; sleep 30");
  auto s = tmux.wait_screen([](const std::string& x) { return last_row(x) == "lobby>"; });
  ASSERT_EQ(last_row(s), "lobby>") << s;

  ws_client bob(server.port(), "/ws?name=bob");
  tmux.keys("'hello wor'");
  s = tmux.wait_screen([](const std::string& x) { return last_row(x) == "lobby> hello wor"; });
  ASSERT_EQ(last_row(s), "lobby> hello wor") << s;
  for (int i = 1; i <= 5; ++i)
    bob.send_message("b" + std::to_string(i), "bob", "incoming " + std::to_string(i));
  s = tmux.wait_screen([](const std::string& x) { return x.find("bob: incoming 5") != std::string::npos; });
  ASSERT_NE(s.find("bob: incoming 5"), std::string::npos) << s;
  EXPECT_EQ(last_row(s), "lobby> hello wor") << "the half-typed line survived the arrivals:\n" << s;
  for (int i = 1; i <= 5; ++i)
    EXPECT_NE(s.find("bob: incoming " + std::to_string(i) + "\n"), std::string::npos) << s;

  tmux.keys("ld Enter");
  auto sent = bob.next_of("message");
  for (int i = 0; i < 10 && sent && str(sent->at("username")) != "alice"; ++i) sent = bob.next_of("message");
  ASSERT_TRUE(sent);
  EXPECT_EQ(str(sent->at("username")), "alice");
  EXPECT_EQ(str(sent->at("message")), "hello world");

  // /me, /who and history (up arrow brings the last line back).
  tmux.keys("'/me waves' Enter");
  s = tmux.wait_screen(
      [](const std::string& x) { return x.find("alice: * alice waves") != std::string::npos; });
  EXPECT_NE(s.find("alice: * alice waves"), std::string::npos) << s;
  tmux.keys("/who Enter");
  s = tmux.wait_screen([](const std::string& x) { return x.find("-- in lobby:") != std::string::npos; });
  EXPECT_NE(s.find("-- in lobby: alice"), std::string::npos) << s;
  tmux.keys("Up");
  s = tmux.wait_screen([](const std::string& x) { return last_row(x) == "lobby> /who"; });
  EXPECT_EQ(last_row(s), "lobby> /who") << s;
  // /join moves the prompt and what is sent to another room.
  tmux.keys("C-u '/join ops' Enter");
  s = tmux.wait_screen([](const std::string& x) { return last_row(x) == "ops>"; });
  ASSERT_EQ(last_row(s), "ops>") << s;
  tmux.keys("'in ops now' Enter");
  ws_client ops(server.port(), "/ws?room=ops&since=0");
  auto in_ops = ops.next_of("message");
  ASSERT_TRUE(in_ops) << tmux.screen();
  EXPECT_EQ(str(in_ops->at("message")), "in ops now");
  EXPECT_EQ(str(in_ops->at("room")), "ops");
  // Ctrl-C ends it like /quit.
  tmux.keys("C-c");
  s = tmux.wait_screen([](const std::string& x) { return x.find("EXIT=0") != std::string::npos; });
  EXPECT_NE(s.find("EXIT=0"), std::string::npos) << s;
}

TEST(TerminalChat, WhatIsTypedOfflineIsShownPendingAndSentAfterTheReconnect) {
  temp_dir data, home;
  auto server = std::make_unique<server_process>(
      std::vector<std::string>{"--no-rate-limit", "--data", data.path().string()});
  const auto port = std::to_string(server->port());
  tmux_session tmux(home.path(), "HOME=" + home.path().string() + " TERM=xterm " + server_binary() +
                                     " chat --server http://127.0.0.1:" + port + " --name alice");
  auto s = tmux.wait_screen([](const std::string& x) { return last_row(x) == "lobby>"; });
  ASSERT_EQ(last_row(s), "lobby>") << s;

  server->stop(SIGKILL);
  server.reset();
  s = tmux.wait_screen([](const std::string& x) { return x.find("reconnecting") != std::string::npos; });
  ASSERT_NE(s.find("reconnecting"), std::string::npos) << s;
  tmux.keys("'typed while offline' Enter");
  s = tmux.wait_screen([](const std::string& x) { return last_row(x) == "(1 pending) (offline) lobby>"; });
  EXPECT_EQ(last_row(s), "(1 pending) (offline) lobby>") << s;

  server = std::make_unique<server_process>(
      std::vector<std::string>{"--no-rate-limit", "--data", data.path().string(), "--port", port});
  ws_client reader(server->port(), "/ws?since=0");
  auto m = reader.next_of("message", 20000ms);
  ASSERT_TRUE(m) << tmux.screen();
  EXPECT_EQ(str(m->at("message")), "typed while offline");
  EXPECT_EQ(str(m->at("username")), "alice");
  s = tmux.wait_screen([](const std::string& x) { return last_row(x) == "lobby>"; });
  EXPECT_EQ(last_row(s), "lobby>") << "acknowledged: no longer pending\n" << s;
  EXPECT_NE(s.find("alice: typed while offline"), std::string::npos) << s;
  EXPECT_FALSE(reader.next_of("message", 500ms)) << "sent once";
}

TEST(TerminalChat, JoinsLeavesRenamesAndInvitationsShowAsLinesAndQuitEndsIt) {
  temp_dir data, home, kims_home;
  server_process server({"--no-rate-limit", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  ASSERT_EQ(run_client({"send", "--server", url, "--name", "kim", "hi"}, kims_home.path()).code, 0);
  tmux_session tmux(home.path(), "HOME=" + home.path().string() + " TERM=xterm " + server_binary() +
                                     " chat --server " + url + " --name ann; echo EXIT=$?; sleep 30");
  auto s = tmux.wait_screen([](const std::string& x) { return last_row(x) == "lobby>"; });
  ASSERT_EQ(last_row(s), "lobby>") << s;
  const auto shows = [&](const std::string& text) {
    auto screen = tmux.wait_screen([&](const std::string& x) { return x.find(text) != std::string::npos; });
    return screen.find(text) != std::string::npos ? ::testing::AssertionSuccess()
                                                  : ::testing::AssertionFailure() << screen;
  };

  // ann's public identity, for lee's invitation: from the message it sends.
  ws_client reader(server.port(), "/ws");
  ASSERT_TRUE(reader.next_of("welcome"));
  tmux.keys("'hello' Enter");
  auto sent = reader.next_of("message");
  ASSERT_TRUE(sent && sent->contains("identity")) << tmux.screen();
  const auto ann = str(sent->at("identity"));

  {
    ws_client lee(server.port(), "/ws?name=lee", "", "message.v1, id." + std::string(21, 'l') + "A");
    ASSERT_TRUE(lee.next_of("welcome"));
    EXPECT_TRUE(shows("-- lee joined"));
    lee.send(R"({"type":"create_room","room":"plans","private":true})");
    ASSERT_TRUE(lee.next_of("room"));
    lee.send(R"({"type":"invite","room":"plans","identity":")" + ann + R"("})");
    ASSERT_TRUE(lee.next_of("room"));
    EXPECT_TRUE(shows("-- lee invited you to the private room plans"));
  }
  EXPECT_TRUE(shows("-- lee left"));
  ASSERT_EQ(run_client({"send", "--server", url, "--name", "kimberly", "there"}, kims_home.path()).code, 0);
  EXPECT_TRUE(shows("-- kim is now kimberly"));
  EXPECT_TRUE(shows("kimberly: there"));

  // History goes both ways: up brings "hello" back, down returns to the empty line.
  tmux.keys("Up");
  s = tmux.wait_screen([](const std::string& x) { return last_row(x) == "lobby> hello"; });
  EXPECT_EQ(last_row(s), "lobby> hello") << s;
  tmux.keys("Down");
  s = tmux.wait_screen([](const std::string& x) { return last_row(x) == "lobby>"; });
  EXPECT_EQ(last_row(s), "lobby>") << s;
  tmux.keys("/quit Enter");
  EXPECT_TRUE(shows("EXIT=0"));
}

TEST(TerminalChat, PipedInputIsSentBeforeItExitsAndBadLinesAreRefusedEachWithItsReason) {
  temp_dir data, home;
  server_process server({"--no-rate-limit", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  const std::string too_long(4001, 'x');  // The server's default max_message_chars is 4000.
  auto r = run_client({"chat", "--server", url, "--name", "ann"}, home.path(),
                      "ok\n\xff\xfe bad\n" + too_long + "\n/join no spaces\nafter\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("-- not sent: it is not valid UTF-8 text"), std::string::npos) << r.out;
  // Refused by the server (the lines were read before its welcome announced the limit), quoted
  // short.
  EXPECT_NE(
      r.out.find("-- not sent: \"" + std::string(40, 'x') + "\xE2\x80\xA6\": message is longer than 4000"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("-- /join ROOM: a room is 1 to 40"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("not acknowledged"), std::string::npos) << r.err;
  auto all = run_client({"tail", "--server", url, "--since", "0", "--json"}, home.path());
  const auto lines = lines_of(all.out);
  ASSERT_EQ(lines.size(), 2u) << all.out << all.err;
  EXPECT_EQ(str(json::parse(lines[0]).at("message")), "ok");
  EXPECT_EQ(str(json::parse(lines[1]).at("message")), "after");
}

}  // namespace
}  // namespace message::test
