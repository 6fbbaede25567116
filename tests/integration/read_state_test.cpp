// Read state and room activity on the wire (docs/protocol.md, "Read state", "Room activity"),
// against the real binary: two connections of one identity, a third identity, a restart, and
// two nodes on a real Redis.
#include <gtest/gtest.h>

#include <functional>

#include "harness.hpp"
#include "redis_server.hpp"

namespace message::test {
namespace {

/// The next `type` frame of `room` that satisfies `want` (earlier ones are skipped).
std::optional<json::object> await(ws_client& c, const std::string& type, const std::string& room,
                                  const std::function<bool(const json::object&)>& want,
                                  std::chrono::milliseconds limit = 10000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    auto f = c.next_of(
        type, std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()));
    if (!f) return std::nullopt;
    if (str((*f)["room"]) == room && want(*f)) return f;
  }
  return std::nullopt;
}

std::function<bool(const json::object&)> unread(std::uint64_t n) {
  return [n](const json::object& o) { return u64(o.at("unread")) == n; };
}

std::function<bool(const json::object&)> seq(std::uint64_t n) {
  return [n](const json::object& o) { return u64(o.at("seq")) == n; };
}

void post(ws_client& c, const std::string& name, int n, const std::string& room = "lobby",
          const std::string& text = "hello") {
  static int next_id = 0;
  for (int i = 0; i < n; ++i) {
    c.send_message(name + "-" + std::to_string(++next_id), name, text, room);
    ASSERT_TRUE(c.next_of("ack")) << "message " << i;
  }
}

std::string read_frame(const std::string& room, std::uint64_t s) {
  return R"({"type":"read","room":")" + room + R"(","seq":)" + std::to_string(s) + "}";
}

/// Reads until a pong (after a ping sent now) and returns every frame before it.
std::vector<json::object> until_pong(ws_client& c) {
  c.send(R"({"type":"ping"})");
  std::vector<json::object> out;
  while (auto f = c.next()) {
    if (str((*f)["type"]) == "pong") return out;
    out.push_back(*f);
  }
  ADD_FAILURE() << "no pong";
  return out;
}

class ReadState : public ::testing::Test {
 protected:
  temp_dir data;
  std::unique_ptr<server_process> server = std::make_unique<server_process>(
      std::vector<std::string>{"--data", data.path().string(), "--no-rate-limit"});
};

TEST_F(ReadState, AReadReachesTheIdentitysOtherTabsAndTheRoomButNotTheReaderItself) {
  auto tab1 = connect_person(server->port(), 'a', "/ws?name=ann");
  auto tab2 = connect_person(server->port(), 'a', "/ws?name=ann");
  auto bob = connect_person(server->port(), 'b', "/ws?name=bob");
  ASSERT_EQ(tab1.id, tab2.id) << "one token, one identity";
  EXPECT_EQ(u64(tab1.welcome["read"]), 0u) << "nothing read yet";
  post(*bob.ws, "bob", 3);
  ASSERT_TRUE(await(*tab1.ws, "room_activity", "lobby", unread(3))) << "both tabs show 3 unread";
  ASSERT_TRUE(await(*tab2.ws, "room_activity", "lobby", unread(3)));

  tab1.ws->send(read_frame("lobby", 3));
  auto moved = tab2.ws->next_of("read");
  ASSERT_TRUE(moved);
  EXPECT_EQ(str((*moved)["room"]), "lobby");
  EXPECT_EQ(u64((*moved)["seq"]), 3u);
  EXPECT_TRUE(await(*tab2.ws, "room_activity", "lobby", unread(0))) << "the other tab's badge clears";
  EXPECT_TRUE(await(*tab1.ws, "room_activity", "lobby", unread(0))) << "the reader's badge clears";
  auto seen = await(*bob.ws, "seen", "lobby", [](const json::object& o) { return !o.contains("full"); });
  ASSERT_TRUE(seen) << "the room learns who has read how far";
  const auto& r = (*seen)["readers"].as_array().at(0).as_object();
  EXPECT_EQ(str(r.at("identity")), tab1.id);
  EXPECT_EQ(u64(r.at("seq")), 3u);
  for (const auto& f : until_pong(*tab1.ws))
    EXPECT_NE(str(f.at("type")), "read") << "the reader itself is not told its own read";

  // A fourth connection of the identity starts from the stored position; the third identity's
  // badge is its own.
  auto tab3 = connect_person(server->port(), 'a', "/ws?name=ann");
  EXPECT_EQ(u64(tab3.welcome["read"]), 3u);
  EXPECT_TRUE(await(*tab3.ws, "room_activity", "lobby", unread(0)));
  auto full = tab3.ws->next_of("seen");
  ASSERT_TRUE(full);
  EXPECT_TRUE(full->contains("full"));
  EXPECT_EQ((*full)["readers"].as_array().size(), 1u);
  auto bob2 = connect_person(server->port(), 'b', "/ws");
  EXPECT_TRUE(await(*bob2.ws, "room_activity", "lobby", unread(3))) << "bob read nothing";
}

TEST_F(ReadState, AReadBeyondTheLastMessageIsClampedAndALowerOneIsIgnored) {
  auto tab1 = connect_person(server->port(), 'a', "/ws?name=ann");
  auto tab2 = connect_person(server->port(), 'a', "/ws?name=ann");
  post(*tab1.ws, "ann", 2);
  tab1.ws->send(read_frame("lobby", 1000));
  auto moved = tab2.ws->next_of("read");
  ASSERT_TRUE(moved);
  EXPECT_EQ(u64((*moved)["seq"]), 2u) << "clamped to the room's last seq";
  tab1.ws->send(read_frame("lobby", 1));  // Lower: ignored.
  post(*tab1.ws, "ann", 1);
  tab1.ws->send(read_frame("lobby", 3));
  moved = tab2.ws->next_of("read");
  ASSERT_TRUE(moved);
  EXPECT_EQ(u64((*moved)["seq"]), 3u) << "never moved back to 1";
  tab2.ws->send(R"({"type":"subscribe","room":"lobby","since":0})");
  auto sub = tab2.ws->next_of("subscribed");
  ASSERT_TRUE(sub);
  EXPECT_EQ(u64((*sub)["read"]), 3u);
}

TEST_F(ReadState, APositionSurvivesARestart) {
  {
    auto tab1 = connect_person(server->port(), 'a', "/ws?name=ann");
    auto tab2 = connect_person(server->port(), 'a', "/ws?name=ann");
    post(*tab1.ws, "ann", 4);
    tab1.ws->send(read_frame("lobby", 3));
    ASSERT_TRUE(await(*tab2.ws, "read", "lobby", seq(3)));
  }
  server->stop();
  server = std::make_unique<server_process>(
      std::vector<std::string>{"--data", data.path().string(), "--no-rate-limit"});
  auto again = connect_person(server->port(), 'a', "/ws");
  EXPECT_EQ(u64(again.welcome["read"]), 3u);
  EXPECT_TRUE(await(*again.ws, "room_activity", "lobby", unread(1)));
}

TEST_F(ReadState, AFloodOfReadsIsCoalescedAndTheLastOneWins) {
  auto tab1 = connect_person(server->port(), 'a', "/ws?name=ann");
  auto tab2 = connect_person(server->port(), 'a', "/ws?name=ann");
  post(*tab1.ws, "ann", 5);
  for (int i = 1; i <= 3000; ++i) tab1.ws->send(read_frame("lobby", i));
  ASSERT_TRUE(await(*tab2.ws, "read", "lobby", seq(5))) << "the last (clamped) position arrives";
  EXPECT_TRUE(await(*tab1.ws, "room_activity", "lobby", unread(0)));
  std::size_t reads = 0;
  for (const auto& f : until_pong(*tab2.ws)) reads += str(f.at("type")) == "read";
  EXPECT_EQ(reads, 0u) << "nothing after the last position";
  for (const auto& f : until_pong(*tab1.ws))
    EXPECT_NE(str(f.at("type")), "error") << "every read was taken: " << json::serialize(f);
}

TEST_F(ReadState, ReadsNeedAnIdentityAndMembership) {
  auto anon = connect_person(server->port(), 0, "/ws");
  anon.ws->send(read_frame("lobby", 1));
  auto e = anon.ws->next_of("error");
  ASSERT_TRUE(e);
  EXPECT_EQ(str((*e)["code"]), "not_identified");

  auto ann = connect_person(server->port(), 'a', "/ws?name=ann");
  auto bob = connect_person(server->port(), 'b', "/ws?name=bob");
  ann.ws->send(R"({"type":"create_room","room":"plans","private":true})");
  ASSERT_TRUE(ann.ws->next_of("room"));
  bob.ws->send(read_frame("plans", 1));
  e = bob.ws->next_of("error");
  ASSERT_TRUE(e);
  EXPECT_EQ(str((*e)["code"]), "not_member");
  EXPECT_EQ(str((*e)["room"]), "plans");
  bob.ws->send(R"({"type":"read","seq":-1})");
  e = bob.ws->next_of("error");
  ASSERT_TRUE(e);
  EXPECT_EQ(str((*e)["code"]), "missing_field");
}

TEST_F(ReadState, MentionsOfTheIdentitysNameAreCountedAsWholeWords) {
  auto ann = connect_person(server->port(), 'a', "/ws?name=Ann");
  auto bob = connect_person(server->port(), 'b', "/ws?name=bob");
  post(*bob.ws, "bob", 1, "lobby", "lunch, @ann?");
  post(*bob.ws, "bob", 1, "lobby", "@annabel is not ann, nor is mail@ann");
  post(*bob.ws, "bob", 1, "lobby", "(@ANN) again");
  auto a = await(*ann.ws, "room_activity", "lobby", unread(3));
  ASSERT_TRUE(a);
  EXPECT_EQ(u64((*a)["mentions"]), 2u);
}

TEST_F(ReadState, EveryFollowedRoomHasItsActivityAfterWelcome) {
  {
    auto ann = connect_person(server->port(), 'a', "/ws?name=ann");
    ann.ws->send(R"({"type":"subscribe","room":"kitchen"})");
    ASSERT_TRUE(ann.ws->next_of("subscribed"));
  }
  auto bob = connect_person(server->port(), 'b', "/ws?room=kitchen&name=bob");
  post(*bob.ws, "bob", 2, "kitchen", "hi @ann");
  auto ann = connect_person(server->port(), 'a', "/ws");
  auto k = await(*ann.ws, "room_activity", "kitchen", unread(2));
  ASSERT_TRUE(k) << "a followed room the connection did not join";
  EXPECT_EQ(u64((*k)["mentions"]), 2u);
  EXPECT_TRUE(await(*ann.ws, "room_activity", "lobby", unread(0)));
  post(*bob.ws, "bob", 1, "kitchen");
  EXPECT_TRUE(await(*ann.ws, "room_activity", "kitchen", unread(3))) << "pushed when it changes";
}

TEST(ReadStateOnRedis, TwoNodesShareReadPositions) {
  if (!redis_server::available()) GTEST_SKIP() << "redis-server is not installed";
  redis_server redis;
  temp_dir dir_a, dir_b;
  server_process a({"--data", dir_a.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  server_process b({"--data", dir_b.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  auto on_a = connect_person(a.port(), 'a', "/ws?name=ann");
  auto on_b = connect_person(b.port(), 'a', "/ws?name=ann");
  auto bob = connect_person(a.port(), 'b', "/ws?name=bob");
  post(*bob.ws, "bob", 2);
  ASSERT_TRUE(await(*on_b.ws, "room_activity", "lobby", unread(2)));
  on_a.ws->send(read_frame("lobby", 2));
  EXPECT_TRUE(await(*on_b.ws, "read", "lobby", seq(2))) << "the other node's tab moves";
  EXPECT_TRUE(await(*on_b.ws, "room_activity", "lobby", unread(0)));
  auto later = connect_person(b.port(), 'a', "/ws");
  EXPECT_EQ(u64(later.welcome["read"]), 2u);
}

}  // namespace
}  // namespace message::test
