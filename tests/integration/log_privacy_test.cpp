// "Nothing a user typed and no key is logged" (issue 32), in both log formats at the most
// verbose level: a chat, a refused frame and a wrong name leave none of their text in the log.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness.hpp"
#include "temp_dir.hpp"

namespace message::test {
namespace {

void chat_leaves_no_typed_text_in(const std::string& format) {
  temp_dir data;
  const auto log_file = data.path() / "server.log";
  const std::string typed = "typed-words-7f3a";
  {
    // The log goes to stderr, here into a file; the start line stays on stdout for the harness.
    server_process server(
        {"--data", (data.path() / "d").string(), "--log-level", "trace", "--log-format", format},
        {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>" + log_file.string()});
    ws_client alice(server.port()), bob(server.port());
    ASSERT_TRUE(alice.next_of("welcome"));
    ASSERT_TRUE(bob.next_of("welcome"));
    alice.send_message("m1", "alice-" + typed, "hello " + typed);
    ASSERT_TRUE(alice.next_of("ack"));
    ASSERT_TRUE(bob.next_of("message"));
    alice.send("{\"type\":\"" + typed + "\",\"text\":\"" + typed + "\"}");  // Refused: no such type.
    ASSERT_TRUE(alice.next_of("error"));
    alice.send("not json " + typed);
    ASSERT_TRUE(alice.next_of("error"));
    ASSERT_EQ(server.stop(), 0);
  }
  std::ifstream in(log_file);
  std::stringstream log;
  log << in.rdbuf();
  EXPECT_FALSE(log.str().empty()) << "trace level logs something, or this test proves nothing";
  EXPECT_EQ(log.str().find(typed), std::string::npos) << log.str();
}

TEST(LogPrivacy, TextLogsHoldNothingAUserTyped) { chat_leaves_no_typed_text_in("text"); }

TEST(LogPrivacy, JsonLogsHoldNothingAUserTyped) { chat_leaves_no_typed_text_in("json"); }

}  // namespace
}  // namespace message::test
