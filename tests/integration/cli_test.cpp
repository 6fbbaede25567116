// CLI smoke tests of the real binary.
#include <gtest/gtest.h>

#include <cstdlib>

#include "harness.hpp"

namespace message::test {
namespace {

TEST(Cli, HelpListsEveryFlag) {
  auto [code, out] = run_to_exit({"--help"});
  EXPECT_EQ(code, 0);
  for (const char* flag : {"--host", "--port", "--data", "--max-message-chars", "--max-username-chars",
                           "--max-frame-bytes", "--max-queue-bytes", "--keep-messages", "--keep-days",
                           "--fsync", "--max-pacing-hold", "--pacing-engage-load", "--pacing-busy-share",
                           "--busy-poll-us", "--allow-host", "--salvage-journal", "--no-tls", "--tls-cert"}) {
    EXPECT_NE(out.find(flag), std::string::npos) << flag;
  }
}

TEST(Cli, VersionMatches) {
  auto [code, out] = run_to_exit({"--version"});
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("message "), std::string::npos) << out;
}

TEST(Cli, ABadFlagIsAClearErrorWithExitCode2) {
  auto [code, out] = run_to_exit({"--bogus"});
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("--bogus"), std::string::npos) << out;
  auto [code2, out2] = run_to_exit({"--port", "eighty"});
  EXPECT_EQ(code2, 2);
  EXPECT_NE(out2.find("--port"), std::string::npos) << out2;
  auto [code3, out3] = run_to_exit({"--store", "floppy"});
  EXPECT_EQ(code3, 2) << out3;
  // Pacing knobs out of range: a hold past a second, a share over the whole loop.
  auto [code4, out4] = run_to_exit({"--max-pacing-hold", "5000"});
  EXPECT_EQ(code4, 2);
  EXPECT_NE(out4.find("--max-pacing-hold"), std::string::npos) << out4;
  auto [code5, out5] = run_to_exit({"--pacing-busy-share", "1.5"});
  EXPECT_EQ(code5, 2);
  EXPECT_NE(out5.find("--pacing-busy-share"), std::string::npos) << out5;
  // Polling for more than 10 ms before sleeping would only burn the CPU.
  auto [code6, out6] = run_to_exit({"--busy-poll-us", "50000"});
  EXPECT_EQ(code6, 2);
  EXPECT_NE(out6.find("--busy-poll-us"), std::string::npos) << out6;
}

TEST(Cli, PortZeroPrintsTheRealPortAndDataIsCreated) {
  temp_dir data;
  const auto dir = data.path() / "nested" / "state";
  server_process server({"--data", dir.string()});
  EXPECT_GT(server.port(), 0);
  EXPECT_NE(server.banner().find("Server start on port " + std::to_string(server.port())), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "messages.db"));
}

TEST(Cli, EnvironmentVariablesSetFlags) {
  temp_dir data;
  ::setenv("MESSAGE_MAX_QUEUE_BYTES", "1", 1);  // Not bound: must be ignored, not fatal.
  ::setenv("MESSAGE_DATA", data.path().c_str(), 1);
  server_process server({});
  ::unsetenv("MESSAGE_DATA");
  ::unsetenv("MESSAGE_MAX_QUEUE_BYTES");
  EXPECT_TRUE(std::filesystem::exists(data.path() / "messages.db")) << "MESSAGE_DATA chose the directory";
}

TEST(Cli, ABusyPortIsAClearError) {
  temp_dir a, b;
  server_process first({"--data", a.path().string()});
  auto [code, out] = run_to_exit(
      {"--host", "127.0.0.1", "--port", std::to_string(first.port()), "--data", b.path().string()});
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find(std::to_string(first.port())), std::string::npos) << out;
}

// The first thing a person sees is where to open the chat: an open-file limit below the default
// cap lowers it quietly; only a cap given with --max-connections is worth a line (issue 32).
TEST(Cli, TheFirstLineIsTheStartLineUnderALowOpenFileLimit) {
  temp_dir data;
  // stderr joins stdout so the log lines count; the shell lowers the limit below the default cap.
  const std::vector<std::string> low_limit{"/bin/sh", "-c", "ulimit -n 1024 && exec \"$0\" \"$@\" 2>&1"};
  {
    server_process server({"--data", data.path().string(), "--log-level", "info"}, low_limit);
    EXPECT_EQ(server.banner().rfind("max connections lowered"), std::string::npos) << server.banner();
    EXPECT_NE(server.banner().substr(0, server.banner().find('\n')).find("Server start on port"),
              std::string::npos)
        << server.banner();
  }
  server_process chosen({"--data", data.path().string(), "--log-level", "info", "--max-connections", "5000"},
                        low_limit);
  EXPECT_NE(chosen.banner().find("max connections lowered from 5000"), std::string::npos) << chosen.banner();
}

// --log-format json: the log lines before the start line are JSON objects, one per line.
TEST(Cli, LogFormatJsonWritesOneObjectPerLine) {
  temp_dir data;
  const std::vector<std::string> low_limit{"/bin/sh", "-c", "ulimit -n 1024 && exec \"$0\" \"$@\" 2>&1"};
  server_process server({"--data", data.path().string(), "--log-level", "info", "--log-format", "json",
                         "--max-connections", "5000"},
                        low_limit);
  const auto& out = server.banner();
  const auto first = out.substr(0, out.find('\n'));
  boost::system::error_code ec;
  const auto line = json::parse(first, ec);
  ASSERT_FALSE(ec) << "not JSON: " << first;
  EXPECT_EQ(str(line.at("level")), "info");
  EXPECT_NE(str(line.at("event")).find("max connections lowered from 5000"), std::string::npos) << first;
  EXPECT_TRUE(line.as_object().contains("time"));
}

}  // namespace
}  // namespace message::test
