// Membership, private rooms and direct messages on the wire (docs/protocol.md, "Membership,
// private rooms, direct messages"), against the real binary and two nodes on a real Redis.
#include <gtest/gtest.h>

#include <set>

#include "harness.hpp"
#include "redis_server.hpp"

namespace message::test {
namespace {

/// One person: a connection with its own token and name; `id` is its public identity id.
struct person {
  std::unique_ptr<ws_client> ws;
  std::string id;
};

person join(unsigned short port, char t, const std::string& target) {
  person p;
  p.ws = std::make_unique<ws_client>(port, target, "", t ? "message.v1, id." + identity_token(t) : "");
  auto w = p.ws->next_of("welcome");
  EXPECT_TRUE(w) << "welcome first";
  if (w && w->contains("identity")) p.id = str((*w)["identity"]);
  return p;
}

std::string code_of(ws_client& c) {
  auto e = c.next_of("error");
  return e ? str((*e)["code"]) : std::string("(no error)");
}

/// The rooms a `rooms` answer lists, with " followed" / " private" marks.
std::set<std::string> rooms_seen(ws_client& c) {
  c.send(R"({"type":"rooms"})");
  auto r = c.next_of("rooms");
  std::set<std::string> out;
  if (!r) return {"(no answer)"};
  for (const auto& v : (*r)["rooms"].as_array()) {
    const auto& o = v.as_object();
    std::string entry = str(o.at("room"));
    if (o.contains("followed")) entry += " followed";
    if (o.contains("private")) entry += " private";
    out.insert(entry);
  }
  return out;
}

class PrivateRooms : public ::testing::Test {
 protected:
  temp_dir data;
  server_process server{{"--data", data.path().string(), "--no-rate-limit"}};
};

TEST_F(PrivateRooms, APrivateRoomIsReadOnlyByItsMembersAndHiddenFromEveryoneElse) {
  auto ann = join(server.port(), 'a', "/ws?name=ann");
  auto bob = join(server.port(), 'b', "/ws?name=bob");
  auto anon = join(server.port(), 0, "/ws");
  ann.ws->send(R"({"type":"create_room","room":"plans","private":true})");
  auto made = ann.ws->next_of("room");
  ASSERT_TRUE(made);
  const std::string secret = str((*made)["secret"]);
  EXPECT_EQ(secret.size(), 22u);
  ann.ws->send(R"({"type":"subscribe","room":"plans"})");
  ASSERT_TRUE(ann.ws->next_of("subscribed"));
  ann.ws->send_message("p1", "ann", "the surprise party is on friday", "plans");
  ASSERT_TRUE(ann.ws->next_of("ack"));

  // A non-member cannot subscribe, read, post, or connect to it; every refusal is not_member.
  bob.ws->send(R"({"type":"subscribe","room":"plans","since":0})");
  EXPECT_EQ(code_of(*bob.ws), "not_member");
  bob.ws->send(R"({"type":"history","room":"plans"})");
  EXPECT_EQ(code_of(*bob.ws), "not_member");
  bob.ws->send_message("b1", "bob", "let me in", "plans");
  auto refused = bob.ws->next_of("error");
  ASSERT_TRUE(refused);
  EXPECT_EQ(str((*refused)["code"]), "not_member");
  EXPECT_EQ(str((*refused)["id"]), "b1") << "the send is named: the page keeps its text";
  bob.ws->send(R"({"type":"subscribe","room":"plans","secret":"wrong-secret"})");
  EXPECT_EQ(code_of(*bob.ws), "not_member");
  {
    ws_client direct(server.port(), "/ws?room=plans", "", "message.v1, id." + identity_token('b'));
    EXPECT_EQ(code_of(direct), "not_member");
    EXPECT_EQ(direct.wait_closed(), 1008);
  }
  anon.ws->send(R"({"type":"subscribe","room":"plans"})");
  EXPECT_EQ(code_of(*anon.ws), "not_member");
  anon.ws->send(R"({"type":"create_room","room":"mine","private":true})");
  EXPECT_EQ(code_of(*anon.ws), "not_identified");
  EXPECT_EQ(rooms_seen(*bob.ws).count("plans"), 0u) << "not even its name";
  EXPECT_EQ(rooms_seen(*anon.ws).count("plans"), 0u);
  EXPECT_EQ(rooms_seen(*ann.ws).count("plans followed private"), 1u);
  ann.ws->send(R"({"type":"history","room":"plans"})");
  auto h = ann.ws->next_of("history");
  ASSERT_TRUE(h);
  EXPECT_EQ((*h)["messages"].as_array().size(), 1u) << "bob's refused send was not posted";

  // The invite link's secret makes bob a member: he reads what was written.
  bob.ws->send(R"({"type":"subscribe","room":"plans","since":0,"secret":")" + secret + R"("})");
  auto replayed = bob.ws->next_of("message");
  ASSERT_TRUE(replayed);
  EXPECT_EQ(str((*replayed)["message"]), "the surprise party is on friday");
  ASSERT_TRUE(bob.ws->next_of("subscribed"));
}

TEST_F(PrivateRooms, InvitesDirectMessagesAndTheirRefusals) {
  auto ann = join(server.port(), 'a', "/ws?name=ann");
  auto bob = join(server.port(), 'b', "/ws?name=bob");
  auto cat = join(server.port(), 'c', "/ws?name=cat");
  ann.ws->send(R"({"type":"direct","identity":")" + bob.id + R"("})");
  auto dm = ann.ws->next_of("room");
  ASSERT_TRUE(dm);
  const std::string room = str((*dm)["room"]);
  EXPECT_EQ(str((*dm)["with"]), bob.id);
  EXPECT_FALSE(dm->contains("secret")) << "nobody joins a direct conversation by link";
  ann.ws->send(R"({"type":"subscribe","room":")" + room + R"("})");
  ASSERT_TRUE(ann.ws->next_of("subscribed"));
  ann.ws->send_message("d1", "ann", "just between us", room);
  ASSERT_TRUE(ann.ws->next_of("ack"));

  auto told = bob.ws->next_of("room");
  ASSERT_TRUE(told) << "bob is told, without asking";
  EXPECT_EQ(str((*told)["by"]), ann.id);
  EXPECT_EQ(str((*told)["room"]), room);
  EXPECT_EQ(rooms_seen(*bob.ws).count(room + " followed private"), 1u) << "in bob's rooms at once";
  bob.ws->send(R"({"type":"direct","identity":")" + ann.id + R"("})");
  auto same = bob.ws->next_of("room");
  ASSERT_TRUE(same);
  EXPECT_EQ(str((*same)["room"]), room) << "one room for the two, whoever opens it";
  bob.ws->send(R"({"type":"subscribe","room":")" + room + R"(","since":0})");
  auto got = bob.ws->next_of("message");
  ASSERT_TRUE(got);
  EXPECT_EQ(str((*got)["message"]), "just between us");

  cat.ws->send(R"({"type":"subscribe","room":")" + room + R"(","since":0})");
  EXPECT_EQ(code_of(*cat.ws), "not_member");
  EXPECT_EQ(rooms_seen(*cat.ws).count(room), 0u);
  cat.ws->send(R"({"type":"invite","room":")" + room + R"(","identity":")" + cat.id + R"("})");
  EXPECT_EQ(code_of(*cat.ws), "not_member") << "only members invite";

  // Bad input.
  ann.ws->send(R"({"type":"direct","identity":"AAAAAAAAAAAAAAAA"})");
  EXPECT_EQ(code_of(*ann.ws), "unknown_identity");
  ann.ws->send(R"({"type":"direct","identity":"kim"})");
  EXPECT_EQ(code_of(*ann.ws), "bad_identity");
  ann.ws->send(R"({"type":"direct","identity":")" + ann.id + R"("})");
  EXPECT_EQ(code_of(*ann.ws), "bad_identity");

  // An invite by identity: cat becomes a member of a private room.
  ann.ws->send(R"({"type":"create_room","room":"book-club","private":true})");
  ASSERT_TRUE(ann.ws->next_of("room"));
  ann.ws->send(R"({"type":"invite","room":"book-club","identity":")" + cat.id + R"("})");
  ASSERT_TRUE(ann.ws->next_of("room"));
  cat.ws->send(R"({"type":"subscribe","room":"book-club"})");
  ASSERT_TRUE(cat.ws->next_of("subscribed"));
  ann.ws->send_message("lobby-1", "ann", "hello lobby");
  ASSERT_TRUE(ann.ws->next_of("ack"));
  ann.ws->send(R"({"type":"create_room","room":"lobby","private":true})");
  EXPECT_EQ(code_of(*ann.ws), "room_exists") << "a room with messages stays public";
}

TEST_F(PrivateRooms, TheServerRemembersWhichRoomsAnIdentityFollows) {
  {
    auto ann = join(server.port(), 'a', "/ws?name=ann");
    ann.ws->send(R"({"type":"subscribe","room":"kitchen"})");
    ASSERT_TRUE(ann.ws->next_of("subscribed"));
  }
  auto again = join(server.port(), 'a', "/ws?room=garden");  // Another device, later.
  auto seen = rooms_seen(*again.ws);
  EXPECT_EQ(seen.count("kitchen followed"), 1u);
  EXPECT_EQ(seen.count("lobby followed"), 1u);
  EXPECT_EQ(seen.count("garden followed"), 1u);
  again.ws->send(R"({"type":"unfollow","room":"kitchen"})");
  EXPECT_EQ(rooms_seen(*again.ws).count("kitchen followed"), 0u);
}

TEST_F(PrivateRooms, HistoryJumpsAroundAndAfterASeq) {
  auto ann = join(server.port(), 'a', "/ws?name=ann");
  for (int i = 1; i <= 20; ++i) ann.ws->send_message("m" + std::to_string(i), "ann", std::to_string(i));
  ASSERT_EQ(ann.ws->collect("ack", 20).size(), 20u);
  auto seqs = [&](const std::string& request, bool& more, bool& more_after) {
    ann.ws->send(request);
    auto h = ann.ws->next_of("history");
    std::vector<std::uint64_t> out;
    if (!h) return out;
    for (const auto& m : (*h)["messages"].as_array()) out.push_back(u64(m.at("seq")));
    more = (*h)["more"].as_bool();
    more_after = h->contains("more_after") && (*h)["more_after"].as_bool();
    return out;
  };
  bool more = false, more_after = false;
  EXPECT_EQ(seqs(R"({"type":"history","around":10,"limit":5})", more, more_after),
            (std::vector<std::uint64_t>{8, 9, 10, 11, 12}));
  EXPECT_TRUE(more);
  EXPECT_TRUE(more_after);
  EXPECT_EQ(seqs(R"({"type":"history","after":17,"limit":5})", more, more_after),
            (std::vector<std::uint64_t>{18, 19, 20}));
  EXPECT_TRUE(more);
  EXPECT_FALSE(more_after) << "nothing newer than 20";
  EXPECT_EQ(seqs(R"({"type":"history","around":2,"limit":6})", more, more_after),
            (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_FALSE(more);
  ann.ws->send(R"({"type":"history","around":3,"before":9})");
  EXPECT_EQ(code_of(*ann.ws), "bad_before");

  // welcome and subscribed announce the first seq still stored.
  {
    ws_client c(server.port(), "/ws", "", "message.v1, id." + identity_token('z'));
    auto w = c.next_of("welcome");
    ASSERT_TRUE(w);
    EXPECT_EQ(u64((*w)["oldest_seq"]), 1u);
    EXPECT_EQ(u64((*w)["seq"]), 20u);
    c.send(R"({"type":"subscribe","room":"empty-room","since":0})");
    auto sub = c.next_of("subscribed");
    ASSERT_TRUE(sub);
    EXPECT_EQ(u64((*sub)["oldest_seq"]), 1u) << "nothing stored: the next seq";
  }
}

TEST(PrivateRoomsOnRedis, EveryNodeKeepsAPrivateRoomToItsMembers) {
  if (!redis_server::available()) GTEST_SKIP() << "redis-server is not installed";
  redis_server redis;
  temp_dir dir_a, dir_b;
  server_process a({"--data", dir_a.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  server_process b({"--data", dir_b.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  auto ann = join(a.port(), 'a', "/ws?name=ann");
  auto bob = join(b.port(), 'b', "/ws?name=bob");
  auto cat = join(b.port(), 'c', "/ws?name=cat");
  ann.ws->send(R"({"type":"create_room","room":"plans","private":true})");
  ASSERT_TRUE(ann.ws->next_of("room"));
  ann.ws->send(R"({"type":"subscribe","room":"plans"})");
  ASSERT_TRUE(ann.ws->next_of("subscribed"));
  bob.ws->send(R"({"type":"subscribe","room":"plans"})");
  EXPECT_EQ(code_of(*bob.ws), "not_member") << "the other node knows the room is private";
  EXPECT_EQ(rooms_seen(*bob.ws).count("plans"), 0u);

  ann.ws->send(R"({"type":"invite","room":"plans","identity":")" + bob.id + R"("})");
  ASSERT_TRUE(ann.ws->next_of("room"));
  bob.ws->send(R"({"type":"subscribe","room":"plans"})");
  ASSERT_TRUE(bob.ws->next_of("subscribed"));
  ann.ws->send_message("p1", "ann", "across nodes, members only", "plans");
  auto got = bob.ws->next_of("message");
  ASSERT_TRUE(got);
  EXPECT_EQ(str((*got)["message"]), "across nodes, members only");
  cat.ws->send(R"({"type":"history","room":"plans"})");
  EXPECT_EQ(code_of(*cat.ws), "not_member");

  bob.ws->send(R"({"type":"direct","identity":")" + ann.id + R"("})");
  auto dm = bob.ws->next_of("room");
  ASSERT_TRUE(dm);
  auto told = ann.ws->next_of("room");
  ASSERT_TRUE(told) << "told on the other node";
  EXPECT_EQ(str((*told)["by"]), bob.id);
  EXPECT_EQ(rooms_seen(*ann.ws).count(str((*dm)["room"]) + " followed private"), 1u);
  EXPECT_EQ(rooms_seen(*cat.ws).count(str((*dm)["room"])), 0u);
}

}  // namespace
}  // namespace message::test
