// A client this project did not write (issue 25): python `websockets` (Debian's
// python3-websockets) sends 20,000 messages as fast as the connection takes them while reading
// every answer, against the real binary. It must complete: every message acknowledged, no 4008
// (its own echoes once cut it off). Skipped where python3-websockets is not installed.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "harness.hpp"

namespace message::test {
namespace {

/// Runs `command` through the shell; {exit status, stdout and stderr}.
std::pair<int, std::string> shell(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  char buf[4096];
  while (const auto n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

const std::string python = "/usr/bin/python3";

TEST(ScriptClient, APythonWebsocketsScriptSending20000MessagesWhileReadingGetsEveryAck) {
  if (shell(python + " -c 'import websockets'").first != 0)
    GTEST_SKIP() << "python3-websockets is not installed (apt install python3-websockets)";
  const auto script = std::filesystem::path(__FILE__).parent_path() / "scripts" / "fast_sender.py";
  ASSERT_TRUE(std::filesystem::exists(script)) << script;
  temp_dir data;
  server_process server({"--data", data.path().string(), "--no-rate-limit"});
  const auto [status, output] =
      shell("timeout 180 " + python + " " + script.string() + " " + std::to_string(server.port()) + " 20000");
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("acks=20000 "), std::string::npos) << output;
  EXPECT_NE(output.find(" close=0"), std::string::npos) << output;
  EXPECT_TRUE(server.running());
}

}  // namespace
}  // namespace message::test
