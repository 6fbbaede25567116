// `message tail -f` against the real server: resumes across a server killed and restarted,
// and ends quietly when its reader goes away.
#include <gtest/gtest.h>

#include <memory>

#include "client_process.hpp"
#include "harness.hpp"

namespace message::test {
namespace {

std::string numbered(const std::string& prefix, int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += prefix + std::to_string(i) + "\n";
  return s;
}

TEST(TerminalTail, FollowAcrossAServerKill9AndRestartMissesNothingAndRepeatsNothing) {
  temp_dir data, home;
  auto server = std::make_unique<server_process>(
      std::vector<std::string>{"--no-rate-limit", "--data", data.path().string()});
  const auto port = std::to_string(server->port());
  const auto url = "http://127.0.0.1:" + port;
  ASSERT_EQ(run_client({"send", "--server", url}, home.path(), numbered("before ", 1, 5)).code, 0);

  client_process tail({"tail", "--server", url, "-f", "-n", "3", "--json"}, home.path());
  ASSERT_EQ(tail.wait_lines(3).size(), 3u);
  ASSERT_EQ(run_client({"send", "--server", url}, home.path(), numbered("live ", 1, 20)).code, 0);
  ASSERT_EQ(tail.wait_lines(23).size(), 23u);

  server->stop(SIGKILL);
  server.reset();
  // The client notices and retries while the server is down.
  ASSERT_TRUE(tail.wait_stderr("reconnecting")) << tail.err();
  server = std::make_unique<server_process>(
      std::vector<std::string>{"--no-rate-limit", "--data", data.path().string(), "--port", port});
  ASSERT_EQ(run_client({"send", "--server", url}, home.path(), numbered("after ", 1, 30)).code, 0);

  const auto lines = tail.wait_lines(53);
  ASSERT_EQ(lines.size(), 53u) << tail.out();
  std::vector<std::string> texts;
  std::uint64_t seq = 0;
  for (const auto& line : lines) {
    auto m = json::parse(line).as_object();
    EXPECT_GT(u64(m.at("seq")), seq) << "printed once, in order";
    seq = u64(m.at("seq"));
    texts.push_back(str(m.at("message")));
  }
  std::vector<std::string> expected;
  for (int i = 3; i <= 5; ++i) expected.push_back("before " + std::to_string(i));
  for (int i = 1; i <= 20; ++i) expected.push_back("live " + std::to_string(i));
  for (int i = 1; i <= 30; ++i) expected.push_back("after " + std::to_string(i));
  EXPECT_EQ(texts, expected);
  tail.kill(SIGTERM);
  tail.wait(5000ms);
  EXPECT_EQ(lines_of(tail.out()).size(), 53u) << "nothing more came";
}

TEST(TerminalTail, FollowAcrossARestartThatLostTheHistoryPrintsTheResetAndTheNewMessages) {
  temp_dir data, home;
  // A memory store: the restarted server's room is another history (a new epoch).
  const std::vector<std::string> args{"--no-rate-limit", "--store", "memory", "--data", data.path().string()};
  auto server = std::make_unique<server_process>(args);
  const auto port = std::to_string(server->port());
  const auto url = "http://127.0.0.1:" + port;
  ASSERT_EQ(run_client({"send", "--server", url}, home.path(), numbered("old ", 1, 3)).code, 0);
  client_process tail({"tail", "--server", url, "-f", "-n", "3", "--json"}, home.path());
  ASSERT_EQ(tail.wait_lines(3).size(), 3u);

  server->stop(SIGKILL);
  server.reset();
  ASSERT_TRUE(tail.wait_stderr("reconnecting")) << tail.err();
  auto again = args;
  again.insert(again.end(), {"--port", port});
  server = std::make_unique<server_process>(again);
  const auto reset_lines = tail.wait_lines(4);
  ASSERT_EQ(reset_lines.size(), 4u) << tail.out();
  auto reset = json::parse(reset_lines[3]).as_object();
  EXPECT_EQ(str(reset.at("type")), "reset") << "told, not resumed after seq 3 of another history";
  // Seqs 1 and 2 of the new history: printed, though the old one had printed seq 3.
  ASSERT_EQ(run_client({"send", "--server", url}, home.path(), numbered("new ", 1, 2)).code, 0);
  // The sender's join and leave print too (-f): only the messages after the reset count here.
  std::vector<std::string> texts;
  for (std::size_t n = 6; n <= 12 && texts.size() < 2; ++n) {
    const auto lines = tail.wait_lines(n);
    texts.clear();
    for (std::size_t i = 4; i < lines.size(); ++i) {
      const auto o = json::parse(lines[i]).as_object();
      if (str(o.at("type")) == "message") texts.push_back(str(o.at("message")));
    }
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"new 1", "new 2"})) << tail.out();
  tail.kill(SIGTERM);
  tail.wait(5000ms);
}

TEST(TerminalTail, FollowPipedIntoHeadEndsQuietlyWhenHeadIsDone) {
  temp_dir data, home;
  server_process server({"--no-rate-limit", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  ASSERT_EQ(run_client({"send", "--server", url, "--name", "terminal"}, home.path(), "one\ntwo\n").code, 0);
  // Nothing arrives after the first two lines: tail must notice head's exit by itself.
  auto r = run_shell("\"$MESSAGE\" tail -f --server " + url + " | head -1", home.path(), 20000ms);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out.substr(r.out.find(' ')), " terminal: one\n") << r.out;
}

// A `since` past what the server holds (it was restored from an older backup, or is another
// server): the server says so with a `gap` frame, and tail prints it instead of staying silent.
TEST(TerminalTail, ASinceBeyondWhatTheServerHoldsIsPrintedAsAGap) {
  temp_dir data, home;
  server_process server({"--no-rate-limit", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  ASSERT_EQ(run_client({"send", "--server", url}, home.path(), numbered("m", 1, 3)).code, 0);
  auto text = run_client({"tail", "--server", url, "--since", "10"}, home.path());
  EXPECT_EQ(text.code, 0) << text.err;
  EXPECT_EQ(text.out, "-- messages 4 to 10 are no longer available\n");
  auto wire = run_client({"tail", "--server", url, "--since", "10", "--json"}, home.path());
  EXPECT_EQ(wire.code, 0) << wire.err;
  const auto lines = lines_of(wire.out);
  ASSERT_EQ(lines.size(), 1u) << wire.out;
  auto gap = json::parse(lines[0]).as_object();
  EXPECT_EQ(str(gap.at("type")), "gap");
  EXPECT_EQ(u64(gap.at("from")), 4u);
  EXPECT_EQ(u64(gap.at("to")), 10u);
}

TEST(TerminalTail, WithoutFollowItPrintsTheLastNAndExits) {
  temp_dir data, home;
  server_process server({"--no-rate-limit", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  auto empty = run_client({"tail", "--server", url}, home.path());
  EXPECT_EQ(empty.code, 0) << empty.err;
  EXPECT_EQ(empty.out, "");
  ASSERT_EQ(run_client({"send", "--server", url, "--room", "ops"}, home.path(), numbered("m", 1, 15)).code,
            0);
  auto r = run_client({"tail", "--server", url, "--room", "ops"}, home.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 10u);
  EXPECT_NE(lines.front().find("m6"), std::string::npos);
  auto since = run_client({"tail", "--server", url, "--room", "ops", "--since", "13", "--json"}, home.path());
  ASSERT_EQ(since.code, 0) << since.err;
  ASSERT_EQ(lines_of(since.out).size(), 2u);
  EXPECT_EQ(str(json::parse(lines_of(since.out)[0]).at("message")), "m14");
  EXPECT_EQ(lines_of(run_client({"tail", "--server", url}, home.path()).out).size(), 0u) << "lobby is empty";
}

TEST(TerminalTail, AnNOverOneHistoryPageIsReadPageByPage) {
  temp_dir data, home;
  server_process server({"--no-rate-limit", "--data", data.path().string()});
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());
  ASSERT_EQ(run_client({"send", "--server", url}, home.path(), numbered("m", 1, 260)).code, 0);
  // The server answers at most history_limit (200) a page.
  auto r = run_client({"tail", "--server", url, "-n", "230", "--json"}, home.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 230u);
  for (std::size_t i = 0; i < lines.size(); ++i)
    EXPECT_EQ(str(json::parse(lines[i]).at("message")), "m" + std::to_string(31 + i));
}

}  // namespace
}  // namespace message::test
