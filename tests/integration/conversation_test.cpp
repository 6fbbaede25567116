// Conversation events on the wire (docs/protocol.md, "Conversation: edit, delete, reactions,
// replies, mentions"), against the real binary: every event type seen live by another client,
// folded in history and as events in a replay, every refusal with its code, idempotent ids, a
// kill -9 in a burst of edits, and two nodes on a real Redis.
#include <gtest/gtest.h>

#include <signal.h>

#include <functional>

#include "harness.hpp"
#include "redis_server.hpp"

namespace message::test {
namespace {

/// The next `type` frame that satisfies `want` (earlier ones of that type are skipped).
std::optional<json::object> await(ws_client& c, const std::string& type,
                                  const std::function<bool(const json::object&)>& want,
                                  std::chrono::milliseconds limit = 10000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    auto f = c.next_of(
        type, std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()));
    if (!f) return std::nullopt;
    if (want(*f)) return f;
  }
  return std::nullopt;
}

std::function<bool(const json::object&)> with_id(const std::string& id) {
  return [id](const json::object& o) { return o.contains("id") && str(o.at("id")) == id; };
}

/// Sends `frame` and returns the code of the error naming its id ("" when acked or silent).
std::string refusal(ws_client& c, const json::object& frame) {
  const std::string id = frame.contains("id") ? str(frame.at("id")) : "";
  c.send(frame);
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < end) {
    auto f = c.next(10s);
    if (!f) break;
    const auto type = str((*f)["type"]);
    if (type == "error" && (id.empty() || (f->contains("id") && str((*f)["id"]) == id)))
      return str((*f)["code"]);
    if (type == "ack" && f->contains("id") && str((*f)["id"]) == id) return "acked";
  }
  return "";
}

json::object send(const std::string& id, const std::string& name, const std::string& text) {
  return {{"type", "send"}, {"id", id}, {"username", name}, {"message", text}};
}
json::object edit(const std::string& id, std::uint64_t target, const std::string& text) {
  return {{"type", "edit"}, {"id", id}, {"target", target}, {"message", text}};
}
json::object remove(const std::string& id, std::uint64_t target) {
  return {{"type", "delete"}, {"id", id}, {"target", target}};
}
json::object react(const std::string& id, std::uint64_t target, const std::string& emoji, bool off = false) {
  json::object o{{"type", "react"}, {"id", id}, {"target", target}, {"emoji", emoji}};
  if (off) o["remove"] = true;
  return o;
}

/// The `history` answer for `room` (the newest `limit` messages).
json::object history(ws_client& c, const std::string& room = "lobby", std::size_t limit = 50) {
  c.send(json::object{{"type", "history"}, {"room", room}, {"limit", limit}});
  auto h = c.next_of("history", 10s);
  EXPECT_TRUE(h);
  return h ? *h : json::object{};
}

/// Every frame a new connection of `t` gets resuming `room` from `since`, up to `subscribed`.
std::vector<json::object> replay(unsigned short port, char t, std::uint64_t since,
                                 const std::string& room = "lobby") {
  auto p = connect_person(port, t, "/ws?room=" + room + "&since=" + std::to_string(since));
  std::vector<json::object> out;
  while (auto f = p.ws->next(10s)) {
    const auto type = str((*f)["type"]);
    if (type == "subscribed") return out;
    if (type == "message" || type == "edit" || type == "delete" || type == "react") out.push_back(*f);
  }
  ADD_FAILURE() << "no subscribed after the replay";
  return out;
}

class Conversation : public ::testing::Test {
 protected:
  temp_dir data;
  std::unique_ptr<server_process> server = std::make_unique<server_process>(
      std::vector<std::string>{"--data", data.path().string(), "--no-rate-limit"});
};

TEST_F(Conversation, EditDeleteAndReactionsReachAnotherClientLiveInSeqOrder) {
  auto ann = connect_person(server->port(), 'a', "/ws?name=ann");
  auto bob = connect_person(server->port(), 'b', "/ws?name=bob");
  ASSERT_EQ(send_acked(*ann.ws, send("m1", "ann", "helo")), 1u);

  ASSERT_EQ(send_acked(*ann.ws, edit("e1", 1, "hello")), 2u) << "an edit takes the room's next seq";
  auto e = await(*bob.ws, "edit", with_id("e1"));
  ASSERT_TRUE(e) << "bob sees the edit live";
  EXPECT_EQ(u64((*e)["seq"]), 2u);
  EXPECT_EQ(u64((*e)["target"]), 1u);
  EXPECT_EQ(str((*e)["message"]), "hello");
  EXPECT_EQ(str((*e)["username"]), "ann");
  EXPECT_EQ(str((*e)["identity"]), ann.id);

  ASSERT_EQ(send_acked(*bob.ws, react("r1", 1, "👍🏽")), 3u);
  auto r = await(*ann.ws, "react", with_id("r1"));
  ASSERT_TRUE(r) << "ann sees bob's reaction live";
  EXPECT_EQ(str((*r)["emoji"]), "👍🏽");
  EXPECT_FALSE(r->contains("remove"));
  EXPECT_EQ(str((*r)["identity"]), bob.id);

  ASSERT_EQ(send_acked(*bob.ws, react("r2", 1, "👍🏽", true)), 4u);
  r = await(*ann.ws, "react", with_id("r2"));
  ASSERT_TRUE(r) << "and its taking back";
  EXPECT_TRUE((*r)["remove"].as_bool());

  ASSERT_EQ(send_acked(*ann.ws, remove("d1", 1)), 5u);
  auto d = await(*bob.ws, "delete", with_id("d1"));
  ASSERT_TRUE(d) << "bob sees the delete live";
  EXPECT_EQ(u64((*d)["target"]), 1u);
}

TEST_F(Conversation, HistoryFoldsMessagesAndAResumeReplaysTheEvents) {
  auto ann = connect_person(server->port(), 'a', "/ws?name=ann");
  auto bob = connect_person(server->port(), 'b', "/ws?name=bob");
  ASSERT_EQ(send_acked(*ann.ws, send("m1", "ann", "first")), 1u);
  ASSERT_EQ(send_acked(*bob.ws, send("m2", "bob", "second")), 2u);
  ASSERT_EQ(send_acked(*ann.ws, edit("e1", 1, "first, edited")), 3u);
  ASSERT_EQ(send_acked(*bob.ws, react("r1", 1, "🎉")), 4u);
  ASSERT_EQ(send_acked(*ann.ws, react("r2", 1, "🎉")), 5u);
  ASSERT_EQ(send_acked(*ann.ws, react("r3", 2, "❤️")), 6u);

  auto h = history(*bob.ws);
  const auto& messages = h["messages"].as_array();
  ASSERT_EQ(messages.size(), 2u) << "messages only, never events";
  const auto& first = messages[0].as_object();
  EXPECT_EQ(str(first.at("message")), "first, edited") << "folded to the latest text";
  EXPECT_TRUE(first.contains("edited"));
  const auto& party = first.at("reactions").as_array().at(0).as_object();
  EXPECT_EQ(str(party.at("emoji")), "🎉");
  EXPECT_EQ(u64(party.at("count")), 2u);
  EXPECT_EQ(party.at("users").as_array().size(), 2u);
  EXPECT_TRUE(party.contains("mine")) << "bob reacted: mine for him";
  const auto& heart = messages[1].as_object().at("reactions").as_array().at(0).as_object();
  EXPECT_FALSE(heart.contains("mine")) << "only ann reacted to bob's message";

  // A client that saw seq 1 resumes: the events arrive as they happened, in seq order.
  auto rows = replay(server->port(), 'c', 1);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(str(rows[0]["type"]), "message");
  EXPECT_EQ(str(rows[1]["type"]), "edit");
  EXPECT_EQ(str(rows[1]["message"]), "first, edited");
  EXPECT_EQ(str(rows[2]["type"]), "react");
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(u64(rows[i]["seq"]), i + 2);

  // The `reactions` request names everyone.
  bob.ws->send(json::object{{"type", "reactions"}, {"target", 1}});
  auto all = bob.ws->next_of("reactions");
  ASSERT_TRUE(all);
  EXPECT_EQ(u64((*all)["target"]), 1u);
  const auto& users = (*all)["reactions"].as_array().at(0).as_object().at("users").as_array();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(str(users[0].as_object().at("identity")), bob.id) << "oldest first";
  EXPECT_EQ(str(users[1].as_object().at("username")), "ann");
}

TEST_F(Conversation, ADeletedMessagesTextIsInNoHistoryAndNoReplay) {
  auto ann = connect_person(server->port(), 'a', "/ws?name=ann");
  ASSERT_EQ(send_acked(*ann.ws, send("m1", "ann", "my secret plan")), 1u);
  ASSERT_EQ(send_acked(*ann.ws, edit("e1", 1, "my secret plan v2")), 2u);
  ASSERT_EQ(send_acked(*ann.ws, remove("d1", 1)), 3u);

  auto h = history(*ann.ws);
  ASSERT_EQ(h["messages"].as_array().size(), 1u);
  const auto& tomb = h["messages"].as_array()[0].as_object();
  EXPECT_TRUE(tomb.at("deleted").as_bool()) << "a tombstone keeps the seq";
  EXPECT_EQ(str(tomb.at("message")), "");
  EXPECT_EQ(json::serialize(h).find("secret"), std::string::npos);

  auto rows = replay(server->port(), 'b', 0);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows)
    EXPECT_EQ(json::serialize(row).find("secret"), std::string::npos) << json::serialize(row);
  EXPECT_EQ(str(rows[2]["type"]), "delete");
}

TEST_F(Conversation, EveryRefusalIsAnErrorWithItsCodeAndChangesNothing) {
  auto ann = connect_person(server->port(), 'a', "/ws?name=ann");
  auto bob = connect_person(server->port(), 'b', "/ws?name=bob");
  auto anon = connect_person(server->port(), 0);
  ASSERT_EQ(send_acked(*ann.ws, send("m1", "ann", "mine")), 1u);
  ASSERT_EQ(send_acked(*ann.ws, edit("e1", 1, "mine!")), 2u);
  ASSERT_EQ(send_acked(*ann.ws, send("m2", "ann", "to delete")), 3u);
  ASSERT_EQ(send_acked(*ann.ws, remove("d1", 3)), 4u);

  EXPECT_EQ(refusal(*anon.ws, react("x1", 1, "👍")), "not_identified");
  EXPECT_EQ(refusal(*ann.ws, edit("x2", 99, "no such")), "unknown_target");
  EXPECT_EQ(refusal(*ann.ws, edit("x3", 2, "an event's seq")), "unknown_target");
  EXPECT_EQ(refusal(*bob.ws, edit("x4", 1, "not mine")), "not_author");
  EXPECT_EQ(refusal(*bob.ws, remove("x5", 1)), "not_author");
  EXPECT_EQ(refusal(*ann.ws, edit("x6", 3, "gone")), "deleted");
  EXPECT_EQ(refusal(*bob.ws, react("x7", 3, "👍")), "deleted");
  EXPECT_EQ(refusal(*ann.ws, react("x8", 1, "a")), "bad_emoji");
  EXPECT_EQ(refusal(*ann.ws, react("x9", 1, "👍👍")), "bad_emoji");
  EXPECT_EQ(refusal(*ann.ws, edit("x10", 0, "zero")), "bad_target");
  EXPECT_EQ(refusal(*ann.ws, edit("x11", 1, std::string(4001, 'x'))), "too_long");
  auto reply = send("x12", "bob", "re");
  reply["reply_to"] = 99;
  EXPECT_EQ(refusal(*bob.ws, reply), "unknown_target");
  reply["id"] = "x13";
  reply["reply_to"] = 3;
  EXPECT_EQ(refusal(*bob.ws, reply), "deleted");
  bob.ws->send(json::object{{"type", "reactions"}, {"target", 99}});
  EXPECT_EQ(str((*bob.ws->next_of("error"))["code"]), "unknown_target");

  // A private room: a non-member reacts to nothing there.
  ann.ws->send(json::object{{"type", "create_room"}, {"room", "plans"}, {"private", true}});
  ASSERT_TRUE(ann.ws->next_of("room"));
  auto room =
      json::object{{"type", "send"}, {"id", "p1"}, {"username", "ann"}, {"message", "hi"}, {"room", "plans"}};
  ASSERT_EQ(send_acked(*ann.ws, room), 1u);
  auto foreign = react("x14", 1, "👍");
  foreign["room"] = "plans";
  EXPECT_EQ(refusal(*bob.ws, foreign), "not_member");

  // Nothing changed: the lobby's stream still ends at 4, and message 1 reads as before.
  auto h = history(*ann.ws);
  ASSERT_EQ(h["messages"].as_array().size(), 2u);
  EXPECT_EQ(str(h["messages"].as_array()[0].as_object().at("message")), "mine!");
  EXPECT_FALSE(h["messages"].as_array()[0].as_object().contains("reactions"));
  EXPECT_EQ(send_acked(*ann.ws, send("m3", "ann", "next")), 5u) << "no refused change took a seq";
}

TEST_F(Conversation, AResentChangeIsAckedAsADuplicate) {
  auto ann = connect_person(server->port(), 'a', "/ws?name=ann");
  ASSERT_EQ(send_acked(*ann.ws, send("m1", "ann", "hi")), 1u);
  ASSERT_EQ(send_acked(*ann.ws, edit("e1", 1, "hi!")), 2u);
  ann.ws->send(edit("e1", 1, "hi!"));
  auto again = await(*ann.ws, "ack", with_id("e1"));
  ASSERT_TRUE(again);
  EXPECT_EQ(u64((*again)["seq"]), 2u);
  EXPECT_TRUE((*again)["duplicate"].as_bool());
  ASSERT_EQ(send_acked(*ann.ws, react("r1", 1, "🎉")), 3u);
  ann.ws->send(react("r1", 1, "🎉"));
  again = await(*ann.ws, "ack", with_id("r1"));
  ASSERT_TRUE(again);
  EXPECT_TRUE((*again)["duplicate"].as_bool());
  EXPECT_EQ(send_acked(*ann.ws, send("m2", "ann", "next")), 4u) << "a duplicate takes no seq";
}

TEST_F(Conversation, AReplyQuotesItsTargetLiveAndInHistory) {
  auto ann = connect_person(server->port(), 'a', "/ws?name=ann");
  auto bob = connect_person(server->port(), 'b', "/ws?name=bob");
  ASSERT_EQ(send_acked(*ann.ws, send("m1", "ann", "lunch at noon?")), 1u);
  auto reply = send("m2", "bob", "yes");
  reply["reply_to"] = 1;
  ASSERT_EQ(send_acked(*bob.ws, reply), 2u);
  auto live = await(*ann.ws, "message", with_id("m2"));
  ASSERT_TRUE(live);
  EXPECT_EQ(u64((*live)["reply_to"]), 1u);
  EXPECT_EQ(u64((*live)["reply"].as_object().at("seq")), 1u);
  EXPECT_EQ(str((*live)["reply"].as_object().at("username")), "ann");
  EXPECT_EQ(str((*live)["reply"].as_object().at("message")), "lunch at noon?");

  ASSERT_EQ(send_acked(*ann.ws, remove("d1", 1)), 3u);
  auto h = history(*bob.ws);
  const auto& quoted = h["messages"].as_array().at(1).as_object().at("reply").as_object();
  EXPECT_TRUE(quoted.at("deleted").as_bool()) << "a reply to a deleted message says so";
  EXPECT_EQ(str(quoted.at("message")), "");
}

TEST_F(Conversation, MentionsCountForTheIdentitiesNamedAndEventsAreNoUnreadMessages) {
  auto ann = connect_person(server->port(), 'a', "/ws?name=ann");
  auto bob = connect_person(server->port(), 'b', "/ws?name=bob");
  auto cat = connect_person(server->port(), 'c', "/ws?name=cat");
  auto m = send("m1", "bob", "see this");  // No @name in the text: the ids count.
  m["mentions"] = json::array{json::value(ann.id), json::value("QUFBQUFBQUFBQUFB")};
  ASSERT_EQ(send_acked(*bob.ws, m), 1u);
  auto got = await(*ann.ws, "message", with_id("m1"));
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->contains("mentions"));
  EXPECT_EQ((*got)["mentions"].as_array().size(), 1u) << "an identity nobody owns a name for is dropped";
  EXPECT_EQ(str((*got)["mentions"].as_array()[0]), ann.id);
  ASSERT_EQ(send_acked(*bob.ws, react("r1", 1, "👍")), 2u);
  ASSERT_EQ(send_acked(*bob.ws, react("r2", 1, "👍", true)), 3u);
  auto later = connect_person(server->port(), 'a');
  EXPECT_TRUE(await(*later.ws, "room_activity", [](const json::object& o) {
    return str(o.at("room")) == "lobby" && u64(o.at("seq")) == 3 && u64(o.at("unread")) == 1 &&
           u64(o.at("mentions")) == 1;
  })) << "one unread message that mentions ann; the reactions are no messages";
  auto cats = connect_person(server->port(), 'c');
  EXPECT_TRUE(await(*cats.ws, "room_activity", [](const json::object& o) {
    return str(o.at("room")) == "lobby" && u64(o.at("unread")) == 1 && u64(o.at("mentions")) == 0;
  })) << "cat is not mentioned";
}

TEST_F(Conversation, AKilledServerLosesNoAcknowledgedEdit) {
  std::uint64_t last_acked = 0;
  std::string last_text;
  {
    auto ann = connect_person(server->port(), 'a', "/ws?name=ann");
    ASSERT_EQ(send_acked(*ann.ws, send("m1", "ann", "v0")), 1u);
    // A burst: every edit sent at once, then the acks collected, then kill -9.
    constexpr int edits = 40;
    for (int i = 1; i <= edits; ++i) ann.ws->send(edit("e" + std::to_string(i), 1, "v" + std::to_string(i)));
    for (const auto& a : ann.ws->collect("ack", edits, 20000ms)) {
      if (u64(a.at("seq")) > last_acked) {
        last_acked = u64(a.at("seq"));
        last_text = "v" + str(a.at("id")).substr(1);
      }
    }
    ASSERT_GT(last_acked, 1u);
    server->stop(SIGKILL);
  }
  server = std::make_unique<server_process>(
      std::vector<std::string>{"--data", data.path().string(), "--no-rate-limit"});
  auto ann = connect_person(server->port(), 'a', "/ws?name=ann");
  EXPECT_GE(u64(ann.welcome["seq"]), last_acked) << "every acknowledged edit is stored";
  auto h = history(*ann.ws);
  ASSERT_EQ(h["messages"].as_array().size(), 1u);
  const std::string now = str(h["messages"].as_array()[0].as_object().at("message"));
  auto rows = replay(server->port(), 'b', 0);
  ASSERT_GE(rows.size(), last_acked);
  EXPECT_EQ(str(rows.back()["message"]), now) << "history and replay end in the same state";
  if (u64(ann.welcome["seq"]) == last_acked) {
    EXPECT_EQ(now, last_text);
  }
}

TEST(ConversationLimits, AFloodOfReactionsIsRateLimitedLikeMessagesNamingEachId) {
  temp_dir data;
  server_process server({"--data", data.path().string()});  // The default rate limits.
  auto ann = connect_person(server.port(), 'a', "/ws?name=ann");
  ASSERT_EQ(send_acked(*ann.ws, send("m1", "ann", "react to me")), 1u);
  // More than the burst at once (40 frames): the rest are refused, each naming its id.
  constexpr int burst = 60;
  for (int i = 0; i < burst; ++i)
    ann.ws->send(react("r" + std::to_string(i), 1, i % 2 ? "👍" : "🎉", i % 4 >= 2));
  int acks = 0, limited = 0;
  while (acks + limited < burst) {
    auto f = ann.ws->next(10s);
    ASSERT_TRUE(f) << acks << " acks and " << limited << " refusals of " << burst;
    const auto type = str((*f)["type"]);
    if (type == "ack") ++acks;
    if (type == "error") {
      EXPECT_EQ(str((*f)["code"]), "rate_limited");
      EXPECT_EQ(str((*f)["id"]).substr(0, 1), "r") << "the refused reaction is named";
      ++limited;
    }
  }
  EXPECT_GT(limited, 0);
  EXPECT_GT(acks, 0);
}

TEST(ConversationOnRedis, AnEditAndAReactionOnNodeAReachNodeBLiveAndAfterResume) {
  if (!redis_server::available()) GTEST_SKIP() << "redis-server is not installed";
  redis_server redis;
  temp_dir dir_a, dir_b;
  server_process a({"--data", dir_a.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  server_process b({"--data", dir_b.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  auto ann = connect_person(a.port(), 'a', "/ws?name=ann");
  auto bob = connect_person(b.port(), 'b', "/ws?name=bob");
  ASSERT_EQ(send_acked(*ann.ws, send("m1", "ann", "helo")), 1u);
  ASSERT_TRUE(await(*bob.ws, "message", with_id("m1")));
  ASSERT_EQ(send_acked(*ann.ws, edit("e1", 1, "hello")), 2u);
  ASSERT_EQ(send_acked(*ann.ws, react("r1", 1, "🎉")), 3u);
  auto e = await(*bob.ws, "edit", with_id("e1"));
  ASSERT_TRUE(e) << "node B's client sees the edit made on node A";
  EXPECT_EQ(str((*e)["message"]), "hello");
  auto r = await(*bob.ws, "react", with_id("r1"));
  ASSERT_TRUE(r);
  EXPECT_EQ(str((*r)["emoji"]), "🎉");

  auto rows = replay(b.port(), 'c', 1);
  ASSERT_EQ(rows.size(), 2u) << "a resume on node B replays both events";
  EXPECT_EQ(str(rows[0]["type"]), "edit");
  EXPECT_EQ(str(rows[1]["type"]), "react");
  auto h = history(*bob.ws);
  const auto& m = h["messages"].as_array().at(0).as_object();
  EXPECT_EQ(str(m.at("message")), "hello");
  EXPECT_EQ(u64(m.at("reactions").as_array().at(0).as_object().at("count")), 1u);
}

TEST(ConversationOnRedis, AReplyOnNodeAQuotesItsTargetLiveOnBothNodes) {
  if (!redis_server::available()) GTEST_SKIP() << "redis-server is not installed";
  redis_server redis;
  temp_dir dir_a, dir_b;
  server_process a({"--data", dir_a.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  server_process b({"--data", dir_b.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  auto ann = connect_person(a.port(), 'a', "/ws?name=ann");
  auto bob = connect_person(b.port(), 'b', "/ws?name=bob");
  auto cat = connect_person(a.port(), 'c', "/ws?name=cat");
  ASSERT_EQ(send_acked(*bob.ws, send("m1", "bob", "lunch at noon?")), 1u);
  auto reply = send("m2", "ann", "yes");
  reply["reply_to"] = 1;
  ASSERT_EQ(send_acked(*ann.ws, reply), 2u);
  for (auto* ws : {cat.ws.get(), bob.ws.get()}) {  // One reader on each node.
    auto live = await(*ws, "message", with_id("m2"));
    ASSERT_TRUE(live);
    ASSERT_TRUE(live->contains("reply")) << "the live reply quotes its target on every node";
    EXPECT_EQ(u64((*live)["reply"].as_object().at("seq")), 1u);
    EXPECT_EQ(str((*live)["reply"].as_object().at("username")), "bob");
    EXPECT_EQ(str((*live)["reply"].as_object().at("message")), "lunch at noon?");
  }
  // The quote travels in the published entry only: the stored one is scrubbed by a delete of
  // its target like any other, and a resume quotes the target as it is now.
  ASSERT_EQ(send_acked(*bob.ws, remove("d1", 1)), 3u);
  auto rows = replay(b.port(), 'd', 1);
  ASSERT_GE(rows.size(), 1u);
  EXPECT_TRUE(rows[0]["reply"].as_object().at("deleted").as_bool());
  EXPECT_EQ(str(rows[0]["reply"].as_object().at("message")), "");
}

}  // namespace
}  // namespace message::test
