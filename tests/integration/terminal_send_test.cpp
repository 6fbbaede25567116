// `message send` and `message tail` against the real server: what a script piping into the
// chat and reading it back sees, and the exit codes it can test.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <set>

#include "client_process.hpp"
#include "harness.hpp"

namespace message::test {
namespace {

/// Rate limits out of the way: these tests are not about pacing.
const std::vector<std::string> unlimited = {"--no-rate-limit"};

class TerminalSend : public ::testing::Test {
 protected:
  void start(std::vector<std::string> args = unlimited) {
    args.insert(args.end(), {"--data", data.path().string()});
    server = std::make_unique<server_process>(args);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
  client_result run(std::vector<std::string> args, const std::string& input = {},
                    const std::map<std::string, std::string>& env = {}) {
    if (std::find(args.begin(), args.end(), "--server") == args.end())
      args.insert(args.begin() + 1, {"--server", url()});
    return run_client(args, home.path(), input, env);
  }
  /// Every message of `room` in seq order, as `tail --since 0 --json` prints them.
  std::vector<json::object> everything(const std::string& room = "lobby") {
    auto r = run({"tail", "--room", room, "--since", "0", "--json"});
    EXPECT_EQ(r.code, 0) << r.err;
    std::vector<json::object> out;
    for (const auto& line : lines_of(r.out)) out.push_back(json::parse(line).as_object());
    return out;
  }

  temp_dir data, home;
  std::unique_ptr<server_process> server;
};

std::string numbered_lines(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += "line " + std::to_string(i) + "\n";
  return s;
}

TEST_F(TerminalSend, APipeOf1000LinesIsSeenOnceInOrderInTailJson) {
  start();
  auto r = run({"send", "--name", "ci"}, numbered_lines(1, 1000));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto all = everything();
  ASSERT_EQ(all.size(), 1000u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(str(all[i].at("message")), "line " + std::to_string(i + 1));
    EXPECT_EQ(str(all[i].at("username")), "ci");
    EXPECT_EQ(str(all[i].at("type")), "message");
    if (i) {
      EXPECT_EQ(u64(all[i].at("seq")), u64(all[i - 1].at("seq")) + 1);
    }
  }
  // -n reads history in pages of the server's history_limit (200) and prints the last N.
  auto tail = run({"tail", "-n", "450", "--json"});
  ASSERT_EQ(tail.code, 0) << tail.err;
  const auto last = lines_of(tail.out);
  ASSERT_EQ(last.size(), 450u);
  EXPECT_EQ(str(json::parse(last.front()).at("message")), "line 551");
  EXPECT_EQ(str(json::parse(last.back()).at("message")), "line 1000");
}

TEST_F(TerminalSend, TextArgumentsWholeStdinAndTheDefaultFormat) {
  start();
  ASSERT_EQ(run({"send", "--name", "ann", "hello", "there"}).code, 0);
  ASSERT_EQ(run({"send", "--name", "ann", "--whole"}, "first\nsecond\n").code, 0);
  const auto all = everything();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(str(all[0].at("message")), "hello there");
  EXPECT_EQ(str(all[1].at("message")), "first\nsecond");
  auto r = run({"tail", "-n", "1"});
  ASSERT_EQ(r.code, 0);
  // HH:MM name: text, the next line indented; no colour when stdout is not a terminal.
  EXPECT_TRUE(r.out.size() > 6 && r.out[2] == ':') << r.out;
  EXPECT_NE(r.out.find(" ann: first\n      second\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\033'), std::string::npos);
}

TEST_F(TerminalSend, ALineOverTheLimitIsRefusedAndTheRestSentExit1) {
  start({"--no-rate-limit", "--max-message-chars", "10"});
  auto r = run({"send"}, "short\n" + std::string(11, 'x') + "\nalso short\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("10 characters"), std::string::npos) << r.err;
  const auto all = everything();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(str(all[1].at("message")), "also short");
}

TEST_F(TerminalSend, InvalidUtf8IsRefusedPerLineExit1) {
  start();
  auto r = run({"send"}, "good\n\xff\xfe\xfd garbage\n\xc0\xaf\nalso good\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("line 2 was refused: it is not valid UTF-8"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 3 was refused"), std::string::npos) << r.err;
  const auto all = everything();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(str(all[0].at("message")), "good");
  EXPECT_EQ(str(all[1].at("message")), "also good");
}

TEST_F(TerminalSend, EachSubcommandHasHelp) {
  for (const char* sub : {"send", "tail", "chat"}) {
    auto r = run_client({sub, "--help"}, home.path());
    EXPECT_EQ(r.code, 0) << sub;
    for (const char* flag : {"--server", "--key-file", "--fingerprint", "--room"})
      EXPECT_NE(r.out.find(flag), std::string::npos) << sub << " " << flag;
  }
}

TEST_F(TerminalSend, ExitCodesForEachFailure) {
  start();
  // 2: usage.
  EXPECT_EQ(run({"send", "--bogus", "x"}).code, 2);
  auto no_scheme = run({"send", "--server", "127.0.0.1:" + std::to_string(server->port()), "x"});
  EXPECT_EQ(no_scheme.code, 2);
  EXPECT_NE(no_scheme.err.find("needs a scheme"), std::string::npos) << no_scheme.err;
  auto bad_room = run({"send", "--room", "no spaces", "x"});
  EXPECT_EQ(bad_room.code, 2);
  EXPECT_NE(bad_room.err.find("not a room name"), std::string::npos) << bad_room.err;
  EXPECT_EQ(run({"tail", "--since", "minus one"}).code, 2);
  // 3: nothing listens there.
  temp_dir other;
  auto gone = std::make_unique<server_process>(std::vector<std::string>{"--data", other.path().string()});
  const auto dead_port = std::to_string(gone->port());
  gone.reset();
  auto unreachable = run({"send", "--server", "http://127.0.0.1:" + dead_port, "x"});
  EXPECT_EQ(unreachable.code, 3);
  EXPECT_NE(unreachable.err.find("cannot connect"), std::string::npos) << unreachable.err;
  // 3: an HTTP server that is not `message` (404 to the upgrade).
  auto not_ours = run({"send", "--server", url() + "/elsewhere", "x"});
  EXPECT_EQ(not_ours.code, 3);
  EXPECT_NE(not_ours.err.find("404"), std::string::npos) << not_ours.err;
  EXPECT_NE(not_ours.err.find("not a message server"), std::string::npos) << not_ours.err;
  EXPECT_EQ(run({"tail", "--server", url() + "/elsewhere"}).code, 3);
  // 0: and nothing above reached the room.
  EXPECT_EQ(run({"send", "x"}).code, 0);
  EXPECT_EQ(everything().size(), 1u);
}

TEST_F(TerminalSend, ARefusedKeyExits1AndTheKeyComesFromFlagFileOrEnvironment) {
  start({"--no-rate-limit", "--key", "s3cret"});
  auto none = run({"send", "x"});
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.err.find("refused the key"), std::string::npos) << none.err;
  EXPECT_EQ(run({"send", "--key", "wrong", "x"}).code, 1);
  EXPECT_EQ(run({"send", "--key", "s3cret", "from flag"}).code, 0);
  const auto key_file = home.path() / "key";
  std::ofstream(key_file) << "s3cret\n";
  EXPECT_EQ(run({"send", "--key-file", key_file.string(), "from file"}).code, 0);
  EXPECT_EQ(run({"send", "from env"}, {}, {{"MESSAGE_KEY", "s3cret"}}).code, 0);
  EXPECT_EQ(run({"send", "--key-file", (home.path() / "missing").string(), "x"}).code, 2);
  auto all = run({"tail", "--json"}, {}, {{"MESSAGE_KEY", "s3cret"}});
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_EQ(lines_of(all.out).size(), 3u) << all.out;
}

TEST_F(TerminalSend, TheServerComesFromMessageServer) {
  start();
  auto r = run_client({"send", "via env"}, home.path(), {}, {{"MESSAGE_SERVER", url()}});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(everything().size(), 1u);
}

TEST_F(TerminalSend, TheDeviceIdentityIsMadeOnceMode0600AndTheServerAcceptsIt) {
  start();
  ASSERT_EQ(run({"send", "one"}).code, 0);
  const auto file = home.path() / ".config" / "message" / "identity";
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string token;
  std::getline(std::ifstream(file), token);
  ASSERT_EQ(token.size(), 22u);
  for (char c : token)
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << token;
  ASSERT_EQ(run({"send", "two"}).code, 0);
  std::string again;
  std::getline(std::ifstream(file), again);
  EXPECT_EQ(again, token) << "kept, not remade";
  // The upgrade offered `message.v1, id.<token>`: the server did not refuse the entry.
  EXPECT_EQ(everything().size(), 2u);
}

TEST_F(TerminalSend, PacedToTheAnnouncedRateNothingIsRefused) {
  // 40 messages a second with a burst of 4: without pacing most of 120 lines are refused.
  start({"--msgs-per-sec", "40", "--msgs-burst", "4"});
  auto r = run({"send"}, numbered_lines(1, 120));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto all = everything();
  ASSERT_EQ(all.size(), 120u);
  for (std::size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(str(all[i].at("message")), "line " + std::to_string(i + 1));
}

TEST_F(TerminalSend, RateLimitedMessagesAreResentAndNoneDuplicated) {
  // The address limit is under the connection's announced rate: the client, paced to the
  // latter, is refused with rate_limited and must resend.
  start({"--msgs-per-sec", "1000", "--msgs-burst", "1000", "--addr-msgs-per-sec", "50", "--addr-msgs-burst",
         "5", "--flood-factor", "1000"});
  auto r = run({"send"}, numbered_lines(1, 60));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto all = everything();
  ASSERT_EQ(all.size(), 60u);
  std::set<std::string> texts;
  for (const auto& m : all) texts.insert(str(m.at("message")));
  EXPECT_EQ(texts.size(), 60u);
}

TEST_F(TerminalSend, ResumeFromAfterAKillMidPipeSendsNothingTwice) {
  // Slow enough that the kill lands in the middle.
  start({"--msgs-per-sec", "100", "--msgs-burst", "10"});
  const auto input = numbered_lines(1, 300);
  const auto progress = home.path() / "progress";
  {
    client_process first({"send", "--server", url(), "--resume-from", progress.string()}, home.path());
    first.write_stdin(input);
    first.close_stdin();
    ws_client watcher(server->port(), "/ws?since=0");
    ASSERT_EQ(watcher.collect("message", 40, 20000ms).size(), 40u);
    first.kill(SIGKILL);
    first.wait();
  }
  ASSERT_TRUE(std::filesystem::exists(progress)) << "kept for the next run";
  auto second = run({"send", "--resume-from", progress.string()}, input);
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_FALSE(std::filesystem::exists(progress)) << "a finished run removes it";
  const auto all = everything();
  ASSERT_EQ(all.size(), 300u);
  for (std::size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(str(all[i].at("message")), "line " + std::to_string(i + 1));
}

TEST_F(TerminalSend, TheSameInputAgainWithoutResumeIsSentAgain) {
  start();
  ASSERT_EQ(run({"send"}, "a\nb\n").code, 0);
  ASSERT_EQ(run({"send"}, "a\nb\n").code, 0);
  EXPECT_EQ(everything().size(), 4u) << "ids are per run unless --resume-from says otherwise";
}

TEST_F(TerminalSend, WelcomeAnnouncesTheRateAndTheIdMemory) {
  start({"--msgs-per-sec", "7", "--msgs-burst", "9"});
  ws_client c(server->port());
  auto w = c.next_of("welcome");
  ASSERT_TRUE(w);
  const auto& l = w->at("limits").as_object();
  EXPECT_EQ(l.at("msgs_per_sec").to_number<double>(), 7.0);
  EXPECT_EQ(l.at("msgs_burst").to_number<double>(), 9.0);
  EXPECT_EQ(l.at("id_memory_seconds").to_number<std::uint64_t>(), 48u * 3600u);
}

}  // namespace
}  // namespace message::test
