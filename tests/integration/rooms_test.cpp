// Rooms and presence on the wire, against the real binary.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace message::test {
namespace {

class Rooms : public ::testing::Test {
 protected:
  temp_dir data;
  server_process server{{"--data", data.path().string(), "--idle-ping", "1"}};
  std::unique_ptr<ws_client> connect(const std::string& target) {
    auto c = std::make_unique<ws_client>(server.port(), target);
    EXPECT_TRUE(c->next_of("welcome"));
    return c;
  }
};

TEST_F(Rooms, RoomsAreKeptApartWithTheirOwnSeq) {
  auto kitchen = connect("/ws?room=kitchen");
  auto garden = connect("/ws?room=garden");
  kitchen->send_message("k1", "kim", "in the kitchen");
  garden->send_message("g1", "lee", "in the garden");
  garden->send_message("g2", "lee", "still the garden");
  auto k = kitchen->next_of("message");
  ASSERT_TRUE(k);
  EXPECT_EQ(str((*k)["room"]), "kitchen");
  EXPECT_EQ(u64((*k)["seq"]), 1u);
  auto g = garden->collect("message", 2);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(str(g[0]["room"]), "garden");
  EXPECT_EQ(u64(g[0]["seq"]), 1u) << "each room counts from 1";
  EXPECT_EQ(u64(g[1]["seq"]), 2u);
  auto ack = kitchen->next_of("ack");
  ASSERT_TRUE(ack);
  EXPECT_EQ(str((*ack)["room"]), "kitchen");
  kitchen->send(R"({"type":"ping"})");
  ASSERT_TRUE(kitchen->next_of("pong"));
  EXPECT_FALSE(kitchen->next_of("message", 200ms)) << "garden messages never reach the kitchen";
}

TEST_F(Rooms, BadRoomNamesAreRefused) {
  auto c = std::make_unique<ws_client>(server.port(), "/ws?room=no%20spaces");
  auto e = c->next_of("error");
  ASSERT_TRUE(e);
  EXPECT_EQ(str((*e)["code"]), "bad_room");
  EXPECT_EQ(c->wait_closed(), 1008);
  auto ok = connect("/ws");
  ok->send(R"({"type":"subscribe","room":")" + std::string(41, 'r') + "\"}");
  auto e2 = ok->next_of("error");
  ASSERT_TRUE(e2);
  EXPECT_EQ(str((*e2)["code"]), "bad_room");
}

TEST_F(Rooms, OneConnectionFollowsSeveralRooms) {
  auto c = connect("/ws?room=lobby");
  c->send(R"({"type":"subscribe","room":"kitchen"})");
  auto sub = c->next_of("subscribed");
  ASSERT_TRUE(sub);
  EXPECT_EQ(str((*sub)["room"]), "kitchen");
  auto other = connect("/ws?room=kitchen");
  other->send_message("k1", "lee", "to the kitchen");
  auto m = c->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["room"]), "kitchen");
  c->send(R"({"type":"unsubscribe","room":"kitchen"})");
  c->send(R"({"type":"rooms"})");
  auto rooms = c->next_of("rooms");
  ASSERT_TRUE(rooms);
  ASSERT_EQ((*rooms)["rooms"].as_array().size(), 1u);
  EXPECT_EQ(str((*rooms)["rooms"].as_array()[0].as_object().at("room")), "kitchen");
}

TEST_F(Rooms, PresenceListsPeopleOnceAndFollowsJoinsAndLeaves) {
  auto kim = connect("/ws?room=lobby&name=kim&device=kimdev01");
  auto first = kim->next_of("presence");
  ASSERT_TRUE(first);
  ASSERT_EQ((*first)["users"].as_array().size(), 1u);
  auto kim_tab2 = connect("/ws?room=lobby&name=kim&device=kimdev01");
  auto lee = connect("/ws?room=lobby&name=lee&device=leedev01");
  auto list = lee->next_of("presence");
  ASSERT_TRUE(list);
  EXPECT_EQ((*list)["users"].as_array().size(), 2u) << "kim once, however many tabs, plus lee";
  auto join = kim->next_of("join");
  ASSERT_TRUE(join);
  EXPECT_EQ(str((*join)["username"]), "lee");
  EXPECT_EQ(str((*join)["device"]), "leedev");
  kim_tab2->close();
  lee->close();
  auto leave = kim->next_of("leave");
  ASSERT_TRUE(leave);
  EXPECT_EQ(str((*leave)["username"]), "lee") << "closing one of kim's two tabs is not a leave";
  auto kim_other_machine = connect("/ws?room=lobby&name=kim&device=kimdev02");
  auto join2 = kim->next_of("join");
  ASSERT_TRUE(join2);
  EXPECT_EQ(str((*join2)["device"]), "kimdev") << "same name, another device: shown distinctly";
}

TEST_F(Rooms, PresenceIsPerRoom) {
  auto kim = connect("/ws?room=lobby&name=kim&device=aaaaaa");
  auto lee = connect("/ws?room=kitchen&name=lee&device=bbbbbb");
  auto list = lee->next_of("presence");
  ASSERT_TRUE(list);
  EXPECT_EQ((*list)["users"].as_array().size(), 1u) << "kim is in another room";
}

TEST_F(Rooms, TypingReachesOthersButNotTheTypist) {
  auto kim = connect("/ws?room=lobby&name=kim&device=aaaaaa");
  auto lee = connect("/ws?room=lobby&name=lee&device=bbbbbb");
  kim->send(R"({"type":"typing"})");
  auto t = lee->next_of("typing");
  ASSERT_TRUE(t);
  EXPECT_EQ(str((*t)["username"]), "kim");
  EXPECT_EQ(str((*t)["room"]), "lobby");
  kim->send(R"({"type":"ping"})");
  ASSERT_TRUE(kim->next_of("pong"));
  EXPECT_FALSE(kim->next_of("typing", 200ms));
}

TEST_F(Rooms, RenamingMovesPresence) {
  auto kim = connect("/ws?room=lobby&name=kim&device=aaaaaa");
  auto watcher = connect("/ws?room=lobby&name=lee&device=bbbbbb");
  kim->send(R"({"type":"identify","username":"kimberly"})");
  auto leave = watcher->next_of("leave");
  auto join = watcher->next_of("join");
  ASSERT_TRUE(leave && join);
  EXPECT_EQ(str((*leave)["username"]), "kim");
  EXPECT_EQ(str((*join)["username"]), "kimberly");
}

TEST_F(Rooms, AVanishedPageLeavesPresence) {
  auto watcher = connect("/ws?room=lobby&name=lee&device=bbbbbb");
  auto ghost = std::make_unique<ws_client>(server.port(), "/ws?room=lobby&name=ghost&device=cccccc");
  auto join = watcher->next_of("join");
  ASSERT_TRUE(join);
  // The ghost never reads or answers pings again; liveness (2 s here) drops it.
  auto leave = watcher->next_of("leave", 15s);
  ASSERT_TRUE(leave);
  EXPECT_EQ(str((*leave)["username"]), "ghost");
}

}  // namespace
}  // namespace message::test
