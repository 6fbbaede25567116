// The scale-out issue, against the real binary and a real redis-server: several nodes on one
// Redis behave as one chat (one order, resume and idempotency anywhere, presence as a union
// that loses a killed node), and a Redis that dies and comes back loses nothing acknowledged.
#include <gtest/gtest.h>

#include <signal.h>

#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "harness.hpp"
#include "redis_server.hpp"

namespace message::test {
namespace {

class ScaleOut : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!redis_server::available()) GTEST_SKIP() << "redis-server is not installed";
    redis = std::make_unique<redis_server>();
  }
  /// A node on the test's Redis; heartbeat 0.3 s so a dead node leaves presence in ~1 s.
  server_process& node() {
    dirs.push_back(std::make_unique<temp_dir>());
    nodes.push_back(std::make_unique<server_process>(
        std::vector<std::string>{"--data", dirs.back()->path().string(), "--redis", redis->url(),
                                 "--redis-heartbeat", "0.3", "--no-rate-limit"}));
    return *nodes.back();
  }
  static std::unique_ptr<ws_client> connect(server_process& n, const std::string& target = "/ws") {
    auto c = std::make_unique<ws_client>(n.port(), target);
    EXPECT_TRUE(c->next_of("welcome")) << "welcome is the first frame";
    return c;
  }
  /// Waits (bounded) until /healthz of `n` answers `status`.
  static bool health_becomes(server_process& n, int status, std::chrono::milliseconds limit = 10000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (http_get(n.port(), "/healthz").first == status) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  std::unique_ptr<redis_server> redis;
  std::vector<std::unique_ptr<temp_dir>> dirs;
  std::vector<std::unique_ptr<server_process>> nodes;
};

/// n messages from each client, interleaved; every client of every node sees all of them, with
/// seqs 1..total and in the same order.
void expect_one_order(std::vector<std::unique_ptr<ws_client>>& clients, int per_client) {
  for (int i = 0; i < per_client; ++i) {
    for (std::size_t c = 0; c < clients.size(); ++c) {
      clients[c]->send_message("c" + std::to_string(c) + "-" + std::to_string(i), "u" + std::to_string(c),
                               "m");
    }
  }
  const auto total = static_cast<std::size_t>(per_client) * clients.size();
  std::vector<std::string> first_order;
  for (auto& c : clients) {
    auto got = c->collect("message", total, 20000ms);
    ASSERT_EQ(got.size(), total);
    std::vector<std::string> order;
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(u64(got[i]["seq"]), i + 1) << "gap-free, in seq order";
      order.push_back(str(got[i]["id"]));
    }
    EXPECT_EQ(std::set<std::string>(order.begin(), order.end()).size(), total) << "no duplicate";
    if (first_order.empty()) {
      first_order = order;
    } else {
      EXPECT_EQ(order, first_order) << "every client agrees on one order";
    }
  }
}

TEST_F(ScaleOut, TwoNodesDeliverAcrossInOneOrder) {
  auto& a = node();
  auto& b = node();
  std::vector<std::unique_ptr<ws_client>> clients;
  clients.push_back(connect(a));
  clients.push_back(connect(b));
  clients.push_back(connect(b));
  expect_one_order(clients, 50);
}

TEST_F(ScaleOut, ThreeNodesDeliverAcrossInOneOrder) {
  auto& a = node();
  auto& b = node();
  auto& c = node();
  std::vector<std::unique_ptr<ws_client>> clients;
  clients.push_back(connect(a));
  clients.push_back(connect(b));
  clients.push_back(connect(c));
  expect_one_order(clients, 40);
}

TEST_F(ScaleOut, ResumeOnAnotherNodeGetsExactlyWhatWasMissed) {
  auto& a = node();
  auto& b = node();
  auto sender = connect(a);
  for (int i = 1; i <= 10; ++i)
    sender->send_message("r-" + std::to_string(i), "kim", "m" + std::to_string(i));
  ASSERT_EQ(sender->collect("ack", 10).size(), 10u);
  auto resumed = connect(b, "/ws?since=4");
  auto got = resumed->collect("message", 6);
  ASSERT_EQ(got.size(), 6u);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(u64(got[i]["seq"]), i + 5);
  ASSERT_TRUE(resumed->next_of("subscribed"));
  sender->send_message("r-11", "kim", "live");
  auto live = resumed->next_of("message");
  ASSERT_TRUE(live);
  EXPECT_EQ(u64((*live)["seq"]), 11u);
  EXPECT_FALSE(resumed->next_of("message", 300ms)) << "nothing twice";
}

TEST_F(ScaleOut, IdempotentResendOnAnotherNode) {
  auto& a = node();
  auto& b = node();
  auto on_a = connect(a);
  auto on_b = connect(b);
  on_a->send_message("same-id", "kim", "once");
  auto first = on_a->next_of("ack");
  ASSERT_TRUE(first);
  // The page resends once it is back (docs/protocol.md: a resend racing the original's
  // broadcast to this connection is acked with that broadcast, without `duplicate`).
  auto original = on_b->next_of("message");
  ASSERT_TRUE(original);
  EXPECT_EQ(str((*original)["id"]), "same-id");
  on_b->send_message("same-id", "kim", "once");
  auto again = on_b->next_of("ack");
  ASSERT_TRUE(again);
  EXPECT_EQ(u64((*again)["seq"]), u64((*first)["seq"]));
  EXPECT_TRUE((*again).contains("duplicate") && (*again)["duplicate"].as_bool());
  // A marker sent after the resend: every copy of "same-id" would arrive before it.
  on_a->send_message("marker", "kim", "after");
  ASSERT_TRUE(on_a->next_of("ack"));
  std::size_t copies = 0;
  while (auto m = on_b->next_of("message")) {
    if (str((*m)["id"]) == "marker") break;
    ++copies;
  }
  EXPECT_EQ(copies, 0u) << "broadcast once: the resend is not broadcast again";
  on_b->send(R"({"type":"history"})");
  auto h = on_b->next_of("history");
  ASSERT_TRUE(h);
  EXPECT_EQ((*h)["messages"].as_array().size(), 2u) << "stored once (plus the marker)";
}

TEST_F(ScaleOut, PresenceIsTheUnionAndAKilledNodeLeavesIt) {
  auto& a = node();
  auto& b = node();
  auto kim = connect(a, "/ws?name=kim&device=aaaaaaaa");
  ASSERT_TRUE(kim->next_of("presence"));
  auto lee = std::make_unique<ws_client>(b.port(), "/ws?name=lee&device=bbbbbbbb");
  ASSERT_TRUE(lee->next_of("welcome"));
  // lee's node may learn of kim a moment after lee joined: kim is there or comes as a join.
  auto p = lee->next_of("presence");
  ASSERT_TRUE(p);
  bool kim_seen = false;
  for (const auto& u : (*p)["users"].as_array()) kim_seen |= str(u.as_object().at("username")) == "kim";
  if (!kim_seen) {
    auto j = lee->next_of("join", 5000ms);
    ASSERT_TRUE(j);
    EXPECT_EQ(str((*j)["username"]), "kim");
  }
  auto joined = kim->next_of("join", 5000ms);
  ASSERT_TRUE(joined) << "a person on another node shows up";
  EXPECT_EQ(str((*joined)["username"]), "lee");

  // A third client on A sees both in its list.
  auto watcher = connect(a, "/ws?name=ann&device=cccccccc");
  auto list = watcher->next_of("presence");
  ASSERT_TRUE(list);
  std::set<std::string> names;
  for (const auto& u : (*list)["users"].as_array()) names.insert(str(u.as_object().at("username")));
  EXPECT_EQ(names, (std::set<std::string>{"ann", "kim", "lee"}));

  // Node B dies without a word: lee leaves within 3 heartbeats (+ a sweep).
  b.stop(SIGKILL);
  const auto t0 = std::chrono::steady_clock::now();
  auto left = kim->next_of("leave", 10000ms);
  ASSERT_TRUE(left) << "a killed node's people leave presence";
  EXPECT_EQ(str((*left)["username"]), "lee");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST_F(ScaleOut, RedisKilledAndRestartedLosesNothingAcknowledged) {
  auto& a = node();
  auto& b = node();
  auto on_a = connect(a);
  auto on_b = connect(b);
  ASSERT_TRUE(health_becomes(a, 200));

  std::set<std::string> acked;
  std::vector<std::string> pending;
  std::map<ws_client*, std::set<std::string>> seen;  // Message ids each client received.
  int next = 0;
  // Sends one message from each client and sorts the answers into acked / pending.
  auto round = [&](std::chrono::milliseconds wait) {
    for (auto* c : {on_a.get(), on_b.get()}) {
      const auto id = "k-" + std::to_string(next++);
      c->send_message(id, "kim", "m");
      pending.push_back(id);
    }
    for (auto* c : {on_a.get(), on_b.get()}) {
      for (;;) {
        auto f = c->next(wait);
        if (!f) break;
        const auto type = str((*f)["type"]);
        if (type == "message") seen[c].insert(str((*f)["id"]));
        if (type == "ack") {
          acked.insert(str((*f)["id"]));
          std::erase(pending, str((*f)["id"]));
          break;
        }
        if (type == "error") {
          EXPECT_EQ(str((*f)["code"]), "store_failed");
          break;
        }
      }
    }
  };
  for (int i = 0; i < 10; ++i) round(5000ms);
  EXPECT_EQ(acked.size(), 20u);

  redis->stop(SIGKILL);
  for (int i = 0; i < 5; ++i) round(5000ms);
  EXPECT_TRUE(health_becomes(a, 503)) << "/healthz says Redis is away";
  EXPECT_TRUE(health_becomes(b, 503));
  auto [code, body] = http_get(a.port(), "/healthz");
  EXPECT_NE(body.find("redis"), std::string::npos) << body;
  EXPECT_FALSE(on_a->closed()) << "clients stay connected";
  EXPECT_FALSE(on_b->closed());

  redis->start();  // The AOF brings back everything acknowledged.
  EXPECT_TRUE(health_becomes(a, 200, 15000ms));
  EXPECT_TRUE(health_becomes(b, 200, 15000ms));
  // Pending messages go through now, resent with their ids (as the page's outbox does).
  const auto retry = pending;
  pending.clear();
  for (std::size_t i = 0; i < retry.size(); ++i) {
    auto& c = i % 2 ? on_b : on_a;
    c->send_message(retry[i], "kim", "m");
    std::optional<json::object> ack;
    while (auto f = c->next(10000ms)) {
      if (str((*f)["type"]) == "message") seen[c.get()].insert(str((*f)["id"]));
      if (str((*f)["type"]) == "ack") {
        ack = f;
        break;
      }
    }
    ASSERT_TRUE(ack) << "a pending message goes through after Redis is back";
    acked.insert(str((*ack)["id"]));
  }
  for (int i = 0; i < 5; ++i) round(5000ms);
  EXPECT_TRUE(pending.empty());

  // A fresh client on either node reads every acknowledged message exactly once, seqs 1..n.
  for (auto* n : {&a, &b}) {
    auto reader = connect(*n, "/ws?since=0");
    auto all = reader->collect("message", acked.size() + 1, 5000ms);
    EXPECT_EQ(all.size(), acked.size());
    std::set<std::string> ids;
    for (std::size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(u64(all[i]["seq"]), i + 1);
      ids.insert(str(all[i]["id"]));
    }
    EXPECT_EQ(ids, acked);
  }
  // And the clients that stayed connected saw every message live or by resync.
  for (auto* c : {on_a.get(), on_b.get()}) {
    auto& ids = seen[c];
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (ids.size() < acked.size() && std::chrono::steady_clock::now() < deadline) {
      if (auto m = c->next_of("message", 500ms)) ids.insert(str((*m)["id"]));
    }
    EXPECT_EQ(ids, acked);
  }
}

TEST_F(ScaleOut, ANodeStartedWhileRedisIsDownRecoversByItself) {
  redis->stop(SIGTERM);
  auto& a = node();  // Starts anyway: Redis may come up after the nodes.
  EXPECT_TRUE(health_becomes(a, 503));
  redis->start();
  ASSERT_TRUE(health_becomes(a, 200, 15000ms));
  auto c = connect(a);
  c->send_message("late-1", "kim", "hello");
  auto ack = c->next_of("ack");
  ASSERT_TRUE(ack);
  EXPECT_EQ(u64((*ack)["seq"]), 1u);
  auto m = c->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["id"]), "late-1");
}

TEST_F(ScaleOut, AClientJoiningWhileRedisIsDownIsToldAndClosed) {
  auto& a = node();
  // Subscribed first: the node's first subscription resyncs its clients (a store read), and a
  // resync that fails closes them with 1011, which is right, but not what this test is about.
  ASSERT_TRUE(health_becomes(a, 200));
  auto before = connect(a);
  redis->stop(SIGKILL);
  before->send(R"({"type":"history"})");
  auto no_history = before->next_of("error");
  ASSERT_TRUE(no_history);
  EXPECT_EQ(str((*no_history)["code"]), "store_failed");
  EXPECT_FALSE(before->closed()) << "a failed history request keeps the connection";
  before->send(R"({"type":"rooms"})");
  auto no_rooms = before->next_of("error");
  ASSERT_TRUE(no_rooms) << "a room list that cannot be read is answered, not left waiting";
  EXPECT_EQ(str((*no_rooms)["code"]), "store_failed");
  EXPECT_FALSE(before->closed());
  ws_client c(a.port(), "/ws?since=0");
  auto err = c.next_of("error");
  ASSERT_TRUE(err) << "never a silent wait for a welcome that cannot come";
  EXPECT_EQ(str((*err)["code"]), "store_failed");
  EXPECT_EQ(c.wait_closed(), 1011);
  redis->start();
  ASSERT_TRUE(health_becomes(a, 200, 15000ms));
  auto again = connect(a, "/ws?since=0");
  ASSERT_TRUE(again->next_of("subscribed")) << "the reconnect resumes";
}

TEST(ScaleOutFlags, ABadRedisUrlIsRefusedWithExitCode2) {
  auto [code, out] = run_to_exit({"--redis", "http://localhost:6379"});
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("redis://"), std::string::npos) << out;
  std::tie(code, out) = run_to_exit({"--redis", "redis://localhost:6379/x"});
  EXPECT_EQ(code, 2) << out;
}

}  // namespace
}  // namespace message::test
