// Room epochs (docs/protocol.md, "Room epoch"), with the real binary: a client that resumes
// with the epoch it knew is resumed exactly while the history is the same one, and gets a
// `reset` instead of other messages under its seqs when the history was replaced: a restored
// older backup, a Redis that lost its data.
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <string>

#include "harness.hpp"
#include "redis_server.hpp"
#include "temp_dir.hpp"

namespace message::test {
namespace {

std::string str(const json::value& v) { return std::string(v.as_string()); }

/// Sends `n` messages to lobby as `kim` and waits for their acks.
void send_lobby_acked(ws_client& c, const std::string& prefix, int n) {
  for (int i = 1; i <= n; ++i) c.send_message(prefix + std::to_string(i), "kim", prefix + std::to_string(i));
  ASSERT_EQ(c.collect("ack", static_cast<std::size_t>(n), 10s).size(), static_cast<std::size_t>(n));
}

std::string resume_target(std::uint64_t since, const std::string& epoch) {
  return "/ws?since=" + std::to_string(since) + "&epoch=" + epoch;
}

TEST(RoomEpoch, AResumeWithTheSameEpochAfterARestartIsExact) {
  temp_dir data;
  std::string epoch;
  {
    server_process server({"--data", data.path().string()});
    ws_client c(server.port());
    const auto welcome = c.next_of("welcome");
    ASSERT_TRUE(welcome);
    epoch = str(welcome->at("epoch"));
    EXPECT_EQ(epoch.size(), 16u);
    send_lobby_acked(c, "a", 3);
  }
  server_process server({"--data", data.path().string()});
  ws_client back(server.port(), resume_target(1, epoch));
  const auto welcome = back.next_of("welcome");
  ASSERT_TRUE(welcome);
  EXPECT_EQ(str(welcome->at("epoch")), epoch) << "the same history keeps its epoch";
  const auto replay = back.collect("message", 2);
  ASSERT_EQ(replay.size(), 2u);
  EXPECT_EQ(u64(replay[0].at("seq")), 2u);
  const auto subscribed = back.next_of("subscribed");
  ASSERT_TRUE(subscribed);
  EXPECT_EQ(str(subscribed->at("epoch")), epoch);
  EXPECT_FALSE(back.next_of("reset", 300ms));
}

TEST(RoomEpoch, ARestoredOlderBackupGivesAResumeAResetNotOtherMessagesUnderItsSeqs) {
  temp_dir data, out;
  const auto file = out.path() / "backup.db";
  std::string epoch;
  {
    server_process server({"--data", data.path().string()});
    ws_client c(server.port());
    const auto welcome = c.next_of("welcome");
    ASSERT_TRUE(welcome);
    epoch = str(welcome->at("epoch"));
    send_lobby_acked(c, "old", 2);
    const auto [code, said] = run_to_exit({"backup", file.string(), "--data", data.path().string()}, 60000ms);
    ASSERT_EQ(code, 0) << said;
    send_lobby_acked(c, "lost", 3);  // Seqs 3..5: the client has seen them; the backup has not.
  }
  const auto [code, said] = run_to_exit({"restore", file.string(), "--data", data.path().string()});
  ASSERT_EQ(code, 0) << said;
  server_process server({"--data", data.path().string()});
  {
    ws_client other(server.port());
    ASSERT_TRUE(other.next_of("welcome"));
    send_lobby_acked(other, "new", 4);  // Seqs 3..6 again, other messages: past what the client saw.
  }
  ws_client back(server.port(), resume_target(5, epoch));
  const auto welcome = back.next_of("welcome");
  ASSERT_TRUE(welcome);
  EXPECT_NE(str(welcome->at("epoch")), epoch) << "a restored backup is another history";
  const auto reset = back.next_of("reset");
  ASSERT_TRUE(reset) << "the client is told, instead of being given seq 6 as the one after its 5";
  EXPECT_EQ(str(reset->at("epoch")), str(welcome->at("epoch")));
  EXPECT_EQ(u64(reset->at("seq")), 6u);
  EXPECT_FALSE(back.next_of("message", 300ms)) << "no replay under the old seqs";
}

TEST(RoomEpoch, ARedisThatLostItsDataGivesAResumeAReset) {
  if (!redis_server::available()) GTEST_SKIP() << "redis-server is not installed";
  redis_server redis;
  temp_dir data;
  const std::vector<std::string> args{"--data", data.path().string(), "--redis", redis.url()};
  std::string epoch;
  {
    server_process server(args);
    ws_client c(server.port());
    const auto welcome = c.next_of("welcome");
    ASSERT_TRUE(welcome);
    epoch = str(welcome->at("epoch"));
    send_lobby_acked(c, "a", 3);
  }
  // Redis comes back empty (a FLUSHALL, or its data lost): nothing of the room is left.
  redis.stop(SIGKILL);
  for (const auto& entry : std::filesystem::directory_iterator(redis.dir()))
    if (entry.path().filename() != "redis.log") std::filesystem::remove_all(entry.path());
  redis.start();
  server_process server(args);
  {
    ws_client other(server.port());
    ASSERT_TRUE(other.next_of("welcome"));
    send_lobby_acked(other, "b", 5);  // Seqs 1..5 again, other messages.
  }
  ws_client back(server.port(), resume_target(3, epoch));
  const auto welcome = back.next_of("welcome");
  ASSERT_TRUE(welcome);
  EXPECT_NE(str(welcome->at("epoch")), epoch);
  const auto reset = back.next_of("reset");
  ASSERT_TRUE(reset) << "the client is told, instead of being given seq 4 as the one after its 3";
  EXPECT_EQ(u64(reset->at("seq")), 5u);
  EXPECT_FALSE(back.next_of("message", 300ms)) << "no replay under the old seqs";
}

TEST(RoomEpoch, SubscribeWithAnotherEpochGetsAResetThenSubscribed) {
  server_process server(std::vector<std::string>{});
  ws_client c(server.port());
  ASSERT_TRUE(c.next_of("welcome"));
  c.send_message("x1", "kim", "one", "other");
  ASSERT_TRUE(c.next_of("ack"));
  c.send(json::object{{"type", "subscribe"}, {"room", "other"}, {"since", 0}, {"epoch", "0000000000000000"}});
  const auto reset = c.next_of("reset");
  ASSERT_TRUE(reset);
  EXPECT_EQ(str(reset->at("room")), "other");
  const auto subscribed = c.next_of("subscribed");
  ASSERT_TRUE(subscribed);
  EXPECT_EQ(str(subscribed->at("epoch")), str(reset->at("epoch")));
}

}  // namespace
}  // namespace message::test
