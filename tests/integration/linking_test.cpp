// Device linking on the wire (docs/protocol.md, "Device linking"): a code made on the first
// device makes the second act as its identity, against the real binary (a restart, and two
// nodes on a real Redis).
#include <gtest/gtest.h>

#include <thread>

#include "client_process.hpp"
#include "harness.hpp"
#include "redis_server.hpp"

namespace message::test {
namespace {

struct device {
  std::unique_ptr<ws_client> ws;
  std::string identity;
  std::string username;
};

device connect(unsigned short port, char t, const std::string& target = "/ws") {
  device d;
  d.ws = std::make_unique<ws_client>(port, target, "", "message.v1, id." + identity_token(t));
  auto w = d.ws->next_of("welcome");
  EXPECT_TRUE(w) << "welcome first";
  if (w && w->contains("identity")) d.identity = str((*w)["identity"]);
  if (w && w->contains("username")) d.username = str((*w)["username"]);
  return d;
}

json::object link_code(ws_client& ws) {
  ws.send(R"({"type":"link_code"})");
  auto c = ws.next_of("link_code");
  EXPECT_TRUE(c) << "a link_code answer";
  return c ? *c : json::object{};
}

std::string error_of(ws_client& ws) {
  auto e = ws.next_of("error");
  return e ? str((*e)["code"]) : std::string("(no error)");
}

void link(ws_client& ws, const std::string& code) { ws.send(json::object{{"type", "link"}, {"code", code}}); }

/// Ann makes a private room with a message in it; returns its name.
std::string private_room_with_a_message(device& ann) {
  ann.ws->send(R"({"type":"create_room","room":"plans","private":true})");
  EXPECT_TRUE(ann.ws->next_of("room"));
  ann.ws->send(R"({"type":"subscribe","room":"plans"})");
  EXPECT_TRUE(ann.ws->next_of("subscribed"));
  ann.ws->send_message("p1", "ann", "the party is on friday", "plans");
  EXPECT_TRUE(ann.ws->next_of("ack"));
  return "plans";
}

/// The second device, linked: it owns ann's name and reads her private room.
void expect_acts_as(unsigned short port, char t, const device& first) {
  auto again = connect(port, t);
  EXPECT_EQ(again.identity, first.identity) << "the second token resolves to the first's identity";
  EXPECT_EQ(again.username, first.username);
  again.ws->send(R"({"type":"history","room":"plans"})");
  auto h = again.ws->next_of("history");
  ASSERT_TRUE(h) << "a member reads the private room";
  ASSERT_EQ((*h)["messages"].as_array().size(), 1u);
  EXPECT_EQ(str((*h)["messages"].as_array()[0].as_object().at("message")), "the party is on friday");
}

class Linking : public ::testing::Test {
 protected:
  temp_dir data;
  std::unique_ptr<server_process> server = start();
  std::unique_ptr<server_process> start(std::vector<std::string> more = {}) {
    std::vector<std::string> args{"--data", data.path().string(), "--no-rate-limit"};
    args.insert(args.end(), more.begin(), more.end());
    return std::make_unique<server_process>(args);
  }
};

TEST_F(Linking, ALinkedDeviceActsAsTheFirstDevicesIdentity) {
  auto ann = connect(server->port(), 'a', "/ws?name=ann");
  private_room_with_a_message(ann);
  auto code = link_code(*ann.ws);
  const auto c = str(code["code"]);
  EXPECT_EQ(c.size(), 8u);
  EXPECT_GT(code["expires"].to_number<std::int64_t>(), 0);

  auto phone = connect(server->port(), 'p');
  EXPECT_NE(phone.identity, ann.identity);
  link(*phone.ws, c);
  auto linked = phone.ws->next_of("linked");
  ASSERT_TRUE(linked);
  EXPECT_EQ(str((*linked)["identity"]), ann.identity);
  EXPECT_EQ(str((*linked)["username"]), "ann");
  EXPECT_EQ(phone.ws->wait_closed(), 1000) << "the connection closes; the next is the identity's";

  expect_acts_as(server->port(), 'p', ann);
  auto again = connect(server->port(), 'p', "/ws?name=ann");
  EXPECT_FALSE(again.ws->next_of("error", 300ms)) << "the name is its own: no name_taken";
}

TEST_F(Linking, AUsedUnknownOrMalformedCodeIsABadCode) {
  auto ann = connect(server->port(), 'a', "/ws?name=ann");
  const auto c = str(link_code(*ann.ws)["code"]);
  auto phone = connect(server->port(), 'p');
  link(*phone.ws, c);
  ASSERT_TRUE(phone.ws->next_of("linked"));

  auto thief = connect(server->port(), 't');
  link(*thief.ws, c);
  EXPECT_EQ(error_of(*thief.ws), "bad_code") << "a code links once";
  link(*thief.ws, c == "22222222" ? "33333333" : "22222222");
  EXPECT_EQ(error_of(*thief.ws), "bad_code") << "unknown";
  link(*thief.ws, "O0-1");
  EXPECT_EQ(error_of(*thief.ws), "bad_code") << "malformed";
  auto anon = std::make_unique<ws_client>(server->port(), "/ws");
  ASSERT_TRUE(anon->next_of("welcome"));
  anon->send(R"({"type":"link_code"})");
  EXPECT_EQ(error_of(*anon), "not_identified");
  auto still = connect(server->port(), 't');
  EXPECT_NE(still.identity, ann.identity) << "nothing was linked";
}

TEST_F(Linking, AnExpiredCodeIsABadCode) {
  server.reset();
  server = start({"--link-code-seconds", "1"});
  auto ann = connect(server->port(), 'a', "/ws?name=ann");
  auto code = link_code(*ann.ws);
  // Waits for the deadline the server announced: expiry is the behaviour under test.
  const auto expires = std::chrono::system_clock::time_point(
      std::chrono::milliseconds(code["expires"].to_number<std::int64_t>()));
  std::this_thread::sleep_until(expires + 50ms);
  auto phone = connect(server->port(), 'p');
  link(*phone.ws, str(code["code"]));
  EXPECT_EQ(error_of(*phone.ws), "bad_code");
}

TEST_F(Linking, GuessingCodesIsRateLimited) {
  auto guesser = connect(server->port(), 'g');
  std::string last;
  for (int i = 0; i < 40 && last != "rate_limited"; ++i) {
    link(*guesser.ws, "2222" + std::string(1, "23456789"[i % 8]) + std::string(1, "ABCDEFGH"[i / 8]) + "22");
    last = error_of(*guesser.ws);
  }
  EXPECT_EQ(last, "rate_limited");
  auto other = connect(server->port(), 'h');
  link(*other.ws, "ZZZZZZZZ");
  EXPECT_EQ(error_of(*other.ws), "rate_limited") << "a new token does not buy new guesses";
}

TEST_F(Linking, ALinkSurvivesARestart) {
  auto ann = connect(server->port(), 'a', "/ws?name=ann");
  private_room_with_a_message(ann);
  auto phone = connect(server->port(), 'p');
  link(*phone.ws, str(link_code(*ann.ws)["code"]));
  ASSERT_TRUE(phone.ws->next_of("linked"));
  ann.ws.reset();
  phone.ws.reset();
  ASSERT_EQ(server->stop(), 0);
  server = start();
  expect_acts_as(server->port(), 'p', ann);
}

TEST_F(Linking, TheTerminalClientLinksWithACodeAndThenPostsAsThatPerson) {
  auto ann = connect(server->port(), 'a', "/ws?name=ann");
  const auto c = str(link_code(*ann.ws)["code"]);
  const std::string url = "http://127.0.0.1:" + std::to_string(server->port());
  temp_dir home, other_home;
  auto linked = run_client({"link", "--server", url, c}, home.path());
  EXPECT_EQ(linked.code, 0) << linked.err;
  EXPECT_NE(linked.out.find("ann"), std::string::npos) << linked.out;
  auto again = run_client({"link", "--server", url, c}, other_home.path());
  EXPECT_EQ(again.code, 1) << "a used code is refused";
  EXPECT_NE(again.err.find("unknown, used or expired"), std::string::npos) << again.err;

  // The linked terminal owns ann's name: its send is ann's, not name_taken.
  auto sent = run_client({"send", "--server", url, "--name", "ann", "from the terminal"}, home.path());
  ASSERT_EQ(sent.code, 0) << sent.err;
  ann.ws->send(R"({"type":"history","room":"lobby"})");
  auto h = ann.ws->next_of("history");
  ASSERT_TRUE(h);
  ASSERT_EQ((*h)["messages"].as_array().size(), 1u);
  EXPECT_EQ(str((*h)["messages"].as_array()[0].as_object().at("identity")), ann.identity);
}

TEST(LinkingOnRedis, ACodeFromOneNodeLinksOnAnotherAndEveryNodeHonoursIt) {
  if (!redis_server::available()) GTEST_SKIP() << "redis-server is not installed";
  redis_server redis;
  temp_dir dir_a, dir_b;
  server_process a({"--data", dir_a.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  server_process b({"--data", dir_b.path().string(), "--redis", redis.url(), "--no-rate-limit"});
  auto ann = connect(a.port(), 'a', "/ws?name=ann");
  private_room_with_a_message(ann);
  const auto c = str(link_code(*ann.ws)["code"]);
  auto phone = connect(b.port(), 'p');
  link(*phone.ws, c);
  auto linked = phone.ws->next_of("linked");
  ASSERT_TRUE(linked);
  EXPECT_EQ(str((*linked)["identity"]), ann.identity);
  auto thief = connect(a.port(), 't');
  link(*thief.ws, c);
  EXPECT_EQ(error_of(*thief.ws), "bad_code") << "spent on node b: spent everywhere";
  expect_acts_as(a.port(), 'p', ann);
  expect_acts_as(b.port(), 'p', ann);
}

}  // namespace
}  // namespace message::test
