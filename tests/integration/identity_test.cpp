// Who is who on the wire (docs/protocol.md, "Who is who"): device identity tokens, the public
// identity id, and names people own, against the real binary (and, at the end, two nodes on a
// real Redis).
#include <gtest/gtest.h>

#include "harness.hpp"
#include "redis_server.hpp"

namespace message::test {
namespace {

std::string protocols(const std::string& t) { return "message.v1, id." + t; }

class Identity : public ::testing::Test {
 protected:
  temp_dir data;
  std::unique_ptr<server_process> server = start();
  std::unique_ptr<server_process> start() {
    return std::make_unique<server_process>(
        std::vector<std::string>{"--data", data.path().string(), "--no-rate-limit"});
  }
  /// Connects with the token `t` ("" for none); `welcome` is read into `hello`.
  std::unique_ptr<ws_client> connect(const std::string& t, const std::string& target = "/ws",
                                     json::object* hello = nullptr) {
    auto c = std::make_unique<ws_client>(server->port(), target, "", t.empty() ? "" : protocols(t));
    auto w = c->next_of("welcome");
    EXPECT_TRUE(w) << "welcome is the first frame";
    if (w && hello) *hello = *w;
    return c;
  }
};

TEST_F(Identity, ATokenIsAStableIdentityThatFramesCarryButNeverTheToken) {
  json::object hello, again, other;
  auto a = connect(identity_token('a'), "/ws", &hello);
  const std::string id = str(hello["identity"]);
  ASSERT_EQ(id.size(), 16u) << "the public id: 16 characters";
  EXPECT_EQ(id.find(std::string(21, 'a')), std::string::npos) << "the id is not the token";
  a->close();
  auto a2 = connect(identity_token('a'), "/ws", &again);
  EXPECT_EQ(str(again["identity"]), id) << "the same token is the same identity";
  auto b = connect(identity_token('b'), "/ws", &other);
  EXPECT_NE(str(other["identity"]), id);

  a2->send_message("m1", "kim", "hello");
  auto m = b->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["identity"]), id);
  EXPECT_EQ(str((*m)["device"]), id.substr(0, 6)) << "pages before identities still get a tag";
  b->send(R"({"type":"history"})");
  auto h = b->next_of("history");
  ASSERT_TRUE(h);
  const auto& stored = (*h)["messages"].as_array().at(0).as_object();
  EXPECT_EQ(str(stored.at("identity")), id) << "stored messages carry the identity id";
}

TEST_F(Identity, AMalformedTokenIsRefusedWithAClearError) {
  json::object hello;
  auto a = connect(identity_token('a'), "/ws", &hello);
  const std::string public_id = str(hello["identity"]);
  for (const std::string& bad :
       {std::string("short"), public_id, std::string(21, 'a') + "B", std::string(21, 'a') + "*",
        identity_token('a') + ", id." + identity_token('b')}) {
    ws_client c(server->port(), "/ws", "", protocols(bad));
    auto e = c.next_of("error");
    ASSERT_TRUE(e) << bad;
    EXPECT_EQ(str((*e)["code"]), "bad_token") << bad;
    EXPECT_EQ(c.wait_closed(), 1008) << bad;
  }
}

TEST_F(Identity, WithoutATokenTheOriginalBareFormStillPosts) {
  json::object hello;
  auto script = connect("", "/ws", &hello);
  EXPECT_FALSE(hello.contains("identity")) << "an anonymous connection";
  script->send(R"({"username":"bot","message":"from a script"})");
  auto m = script->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["username"]), "bot");
  EXPECT_FALSE(m->contains("identity"));
}

TEST_F(Identity, TheFirstIdentityOwnsANameAndOthersAreRefusedWithASuggestion) {
  json::object hello;
  auto kim = connect(identity_token('k'), "/ws?name=kim", &hello);
  EXPECT_EQ(str(hello["username"]), "kim");
  kim->send_message("k1", "kim", "I am kim");
  ASSERT_TRUE(kim->next_of("ack"));

  // Another identity with the same name at connect: welcome, then name_taken; not listed.
  auto other = connect(identity_token('o'), "/ws?name=KIM");
  auto e = other->next_of("error");
  ASSERT_TRUE(e);
  EXPECT_EQ(str((*e)["code"]), "name_taken");
  EXPECT_EQ(str((*e)["suggestion"]), "KIM-2");
  // ... and when it posts as kim: refused, its id named, nothing stored.
  other->send_message("o1", "Kim", "I am kim too");
  auto e2 = other->next_of("error");
  ASSERT_TRUE(e2);
  EXPECT_EQ(str((*e2)["code"]), "name_taken");
  EXPECT_EQ(str((*e2)["id"]), "o1");
  // An anonymous script cannot post as an owned name either.
  auto script = connect("");
  script->send(R"({"username":"kim","message":"me too"})");
  auto e3 = script->next_of("error");
  ASSERT_TRUE(e3);
  EXPECT_EQ(str((*e3)["code"]), "name_taken");
  // The refused identity picks the suggestion: it posts.
  other->send_message("o2", "KIM-2", "fine, KIM-2");
  auto ack = other->next_of("ack");
  ASSERT_TRUE(ack);
  EXPECT_EQ(str((*ack)["id"]), "o2");
  other->send(R"({"type":"history"})");
  auto h = other->next_of("history");
  ASSERT_TRUE(h);
  const auto& list = (*h)["messages"].as_array();
  ASSERT_EQ(list.size(), 2u) << "the refused sends were not stored";
  EXPECT_EQ(str(list.at(0).at("username")), "kim");
  EXPECT_EQ(str(list.at(1).at("username")), "KIM-2");
}

TEST_F(Identity, RenamingKeepsAuthorshipAndReleasesTheOldName) {
  auto kim = connect(identity_token('k'), "/ws?name=kim");
  auto watcher = connect(identity_token('w'), "/ws?name=lee");
  kim->send_message("k1", "kim", "before the rename");
  ASSERT_TRUE(watcher->next_of("message"));
  kim->send(R"({"type":"identify","username":"kimberly"})");
  auto named = kim->next_of("name");
  ASSERT_TRUE(named);
  EXPECT_EQ(str((*named)["username"]), "kimberly");
  auto rename = watcher->next_of("rename");
  ASSERT_TRUE(rename) << "live pages are told to relabel";
  EXPECT_EQ(str((*rename)["username"]), "kimberly");
  EXPECT_EQ(str((*rename)["identity"]), str((*named)["identity"]));

  watcher->send(R"({"type":"history"})");
  auto h = watcher->next_of("history");
  ASSERT_TRUE(h);
  EXPECT_EQ(str((*h)["messages"].as_array().at(0).at("username")), "kimberly")
      << "old messages show the current name";
  auto resumed = connect(identity_token('x'), "/ws?since=0");
  auto replayed = resumed->next_of("message");
  ASSERT_TRUE(replayed);
  EXPECT_EQ(str((*replayed)["username"]), "kimberly") << "replay folds names too";

  // The old name is free again.
  watcher->send(R"({"type":"identify","username":"kim"})");
  auto now = watcher->next_of("name");
  ASSERT_TRUE(now);
  EXPECT_EQ(str((*now)["username"]), "kim");
}

TEST_F(Identity, AReleasedNameCanBeTakenAndNamesSurviveARestart) {
  auto kim = connect(identity_token('k'), "/ws?name=kim");
  auto lee = connect(identity_token('l'), "/ws?name=lee");
  kim->send(R"({"type":"release"})");
  auto released = kim->next_of("name");
  ASSERT_TRUE(released);
  EXPECT_EQ(str((*released)["username"]), "");
  lee->send(R"({"type":"identify","username":"kim"})");
  ASSERT_TRUE(lee->next_of("name"));
  kim.reset();
  lee.reset();

  ASSERT_EQ(server->stop(), 0);
  server = start();
  json::object hello;
  auto lee_again = connect(identity_token('l'), "/ws", &hello);
  EXPECT_EQ(str(hello["username"]), "kim") << "the identity's name comes back in welcome";
  auto kim_again = connect(identity_token('k'), "/ws?name=kim");
  auto e = kim_again->next_of("error");
  ASSERT_TRUE(e);
  EXPECT_EQ(str((*e)["code"]), "name_taken") << "ownership survives a restart";
  auto anon = connect("");
  anon->send(R"({"type":"release"})");
  auto e2 = anon->next_of("error");
  ASSERT_TRUE(e2);
  EXPECT_EQ(str((*e2)["code"]), "not_identified");
}

TEST(IdentityOnRedis, TwoNodesAgreeOnWhoOwnsANameAndTellEachOtherOfRenames) {
  if (!redis_server::available()) GTEST_SKIP() << "redis-server is not installed";
  redis_server redis;
  temp_dir dir_a, dir_b;
  server_process a({"--data", dir_a.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  server_process b({"--data", dir_b.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  auto on = [](server_process& n, const std::string& t, const std::string& target) {
    auto c = std::make_unique<ws_client>(n.port(), target, "", protocols(t));
    EXPECT_TRUE(c->next_of("welcome"));
    return c;
  };
  auto kim = on(a, identity_token('k'), "/ws?name=kim");
  auto other = on(b, identity_token('o'), "/ws?name=kim");
  auto e = other->next_of("error");
  ASSERT_TRUE(e);
  EXPECT_EQ(str((*e)["code"]), "name_taken") << "the name is owned on every node";

  auto watcher = on(b, identity_token('w'), "/ws?name=lee");
  kim->send_message("k1", "kim", "hello");
  ASSERT_TRUE(watcher->next_of("message"));
  kim->send(R"({"type":"identify","username":"kimberly"})");
  auto rename = watcher->next_of("rename");
  ASSERT_TRUE(rename) << "a rename on one node reaches the other";
  EXPECT_EQ(str((*rename)["username"]), "kimberly");
  watcher->send(R"({"type":"history"})");
  auto h = watcher->next_of("history");
  ASSERT_TRUE(h);
  EXPECT_EQ(str((*h)["messages"].as_array().at(0).at("username")), "kimberly");
  other->send(R"({"type":"identify","username":"kim"})");
  auto named = other->next_of("name");
  ASSERT_TRUE(named) << "the released name is free on the other node";
}

}  // namespace
}  // namespace message::test
