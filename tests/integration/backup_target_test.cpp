// Where `message backup FILE` may write (issue 32, bad input): never onto the data directory's
// own files, where the "backup" would replace the live database under the running server, and
// a directory as FILE fails clearly without leaving a temporary file beside it.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness.hpp"
#include "temp_dir.hpp"

namespace message::test {
namespace {

TEST(Backup, OntoTheLiveDatabaseIsRefusedAndTheHistoryStays) {
  temp_dir live;
  {
    server_process server({"--data", live.path().string()});
    {
      ws_client alice(server.port());
      ASSERT_TRUE(alice.next_of("welcome"));
      alice.send_message("kept-1", "alice", "before the bad backup");
      ASSERT_TRUE(alice.next_of("ack"));
    }
    const auto [code, said] =
        run_to_exit({"backup", (live.path() / "messages.db").string(), "--data", live.path().string()});
    EXPECT_EQ(code, 1) << said;
    EXPECT_NE(said.find("data directory"), std::string::npos) << said;
    ws_client bob(server.port());
    ASSERT_TRUE(bob.next_of("welcome"));
    bob.send_message("kept-2", "bob", "after the bad backup");
    ASSERT_TRUE(bob.next_of("ack"));
    ASSERT_EQ(server.stop(), 0);
  }
  // Without a server the same target is refused too.
  const auto [code, said] =
      run_to_exit({"backup", (live.path() / "messages.db").string(), "--data", live.path().string()});
  EXPECT_EQ(code, 1) << said;
  EXPECT_NE(said.find("data directory"), std::string::npos) << said;
  // A restarted server still serves both messages.
  server_process again({"--data", live.path().string()});
  ws_client reader(again.port(), "/ws?since=0");
  const auto got = reader.collect("message", 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(str(got[0].at("id")), "kept-1");
  EXPECT_EQ(str(got[1].at("id")), "kept-2");
}

TEST(Backup, ToADirectoryFailsClearlyAndLeavesNothingBehind) {
  temp_dir live, out;
  const auto target = out.path() / "a-directory";
  std::filesystem::create_directory(target);
  server_process server({"--data", live.path().string()});
  const auto [code, said] = run_to_exit({"backup", target.string(), "--data", live.path().string()});
  EXPECT_EQ(code, 1) << said;
  EXPECT_NE(said.find("is a directory"), std::string::npos) << said;
  auto tmp = target;
  tmp += ".tmp";
  EXPECT_FALSE(std::filesystem::exists(tmp)) << "a temporary file was left beside the target";
}

TEST(Backup, WithoutAServerToAPathThatCannotBeWrittenFailsClearly) {
  temp_dir live;
  {
    server_process server({"--data", live.path().string()});
    ASSERT_EQ(server.stop(), 0);
  }
  const auto [code, said] = run_to_exit(
      {"backup", (live.path() / "no-such-dir" / "b.db").string(), "--data", live.path().string()});
  EXPECT_EQ(code, 1) << said;
  EXPECT_NE(said.find("cannot write"), std::string::npos) << said;
  EXPECT_EQ(said.find("no server was running"), std::string::npos) << "no success claimed: " << said;
}

}  // namespace
}  // namespace message::test
