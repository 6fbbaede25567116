// The app issue, against the real binary: two machines chat both ways, many clients agree on
// one order, every bad frame gets its documented answer, slow readers and shutdown behave.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <map>
#include <set>

#include "harness.hpp"

namespace message::test {
namespace {

class Chat : public ::testing::Test {
 protected:
  temp_dir data;
  std::unique_ptr<server_process> server;
  void SetUp() override { start(); }
  void start(std::vector<std::string> extra = {}) {
    // These tests play many fast clients from one address: the abuse limits (security_test)
    // would rate-limit them.
    std::vector<std::string> args{"--data", data.path().string(), "--no-rate-limit"};
    args.insert(args.end(), extra.begin(), extra.end());
    server = std::make_unique<server_process>(args);
  }
  std::unique_ptr<ws_client> connect(const std::string& target = "/ws") {
    auto c = std::make_unique<ws_client>(server->port(), target);
    EXPECT_TRUE(c->next_of("welcome")) << "welcome is the first frame";
    return c;
  }
  using client_list = std::vector<std::unique_ptr<ws_client>>;
  /// The clients at `senders` each send `rounds` messages, taking turns.
  static void send_rounds(const client_list& clients, const std::vector<std::size_t>& senders, int rounds) {
    for (int round = 0; round < rounds; ++round) {
      for (const std::size_t s : senders) {
        clients[s]->send_message("s" + std::to_string(s) + "-" + std::to_string(round),
                                 "sender" + std::to_string(s), "message " + std::to_string(round));
      }
    }
  }
  /// Every client receives `count` messages, seq 1..count, in the same order as the others.
  /// Returns that order: the id of seq 1 first.
  static std::vector<std::string> expect_one_order(const client_list& clients, std::size_t count) {
    std::vector<std::string> reference;
    for (std::size_t i = 0; i < clients.size(); ++i) {
      auto got = clients[i]->collect("message", count, 20s);
      if (got.size() != count) {
        ADD_FAILURE() << "client " << i << " received " << got.size() << " of " << count << " messages";
        continue;
      }
      std::vector<std::string> ids;
      for (std::size_t k = 0; k < got.size(); ++k) {
        EXPECT_EQ(u64(got[k]["seq"]), k + 1) << "client " << i;
        ids.push_back(str(got[k]["id"]));
      }
      if (reference.empty()) reference = ids;
      EXPECT_EQ(ids, reference) << "client " << i << " saw another order";
    }
    return reference;
  }
};

TEST_F(Chat, TwoMachinesTalkBothWays) {
  auto a = connect("/ws?name=kim&device=aaaaaaaa");
  auto b = connect("/ws?name=lee&device=bbbbbbbb");
  a->send_message("a-1", "kim", "hello from A");
  auto at_b = b->next_of("message");
  ASSERT_TRUE(at_b);
  EXPECT_EQ(str((*at_b)["message"]), "hello from A");
  EXPECT_EQ(str((*at_b)["username"]), "kim");
  EXPECT_EQ(str((*at_b)["device"]), "aaaaaa");
  EXPECT_EQ(u64((*at_b)["seq"]), 1u);
  auto ack = a->next_of("ack");
  ASSERT_TRUE(ack);
  EXPECT_EQ(str((*ack)["id"]), "a-1");
  EXPECT_EQ(u64((*ack)["seq"]), 1u);

  b->send_message("b-1", "lee", "and back from B");
  auto at_a = a->next_of("message", 5s);
  ASSERT_TRUE(at_a);
  EXPECT_EQ(str((*at_a)["message"]), "hello from A") << "the sender sees its own message too";
  at_a = a->next_of("message");
  ASSERT_TRUE(at_a);
  EXPECT_EQ(str((*at_a)["message"]), "and back from B");
  EXPECT_EQ(u64((*at_a)["seq"]), 2u);
}

TEST_F(Chat, EachSendGetsOneAckInTheFrameOfItsMessage) {
  auto a = connect("/ws?name=kim&device=aaaaaaaa");
  auto b = connect("/ws?name=lee&device=bbbbbbbb");
  ASSERT_TRUE(a->next_of("join")) << "lee's arrival reached kim: nothing else is on its way to a";
  for (int i = 1; i <= 3; ++i) {
    const auto id = "a-" + std::to_string(i);
    const auto frames_before = a->frames_received();
    a->send_message(id, "kim", "hello " + std::to_string(i));
    auto mine = a->next_of("message");
    auto ack = a->next_of("ack");
    ASSERT_TRUE(mine && ack);
    EXPECT_EQ(str((*ack)["id"]), id) << "one ack per send: no second ack of an earlier one";
    EXPECT_EQ(u64((*ack)["seq"]), u64((*mine)["seq"]));
    EXPECT_EQ(a->frames_received() - frames_before, 1u) << "the message and its ack share one frame";
    ASSERT_TRUE(b->next_of("message"));
  }
  // A resend of a stored id has no broadcast: its ack (duplicate) comes from the store.
  a->send_message("a-1", "kim", "hello 1");
  auto dup = a->next_of("ack");
  ASSERT_TRUE(dup);
  EXPECT_EQ(str((*dup)["id"]), "a-1");
  EXPECT_TRUE((*dup).at("duplicate").as_bool());
}

TEST_F(Chat, TheOriginalBareFormStillWorks) {
  auto a = connect();
  auto b = connect();
  a->send(R"({"username":"kim","message":"like 2018"})");
  auto m = b->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["message"]), "like 2018");
  EXPECT_FALSE(str((*m)["id"]).empty()) << "the server made an id";
}

TEST_F(Chat, FiftyClientsSeeFiveHundredMessagesInOneOrder) {
  client_list clients;
  for (int i = 0; i < 50; ++i) clients.push_back(connect());
  send_rounds(clients, {0, 10, 20, 30, 40}, 100);
  expect_one_order(clients, 500);
}

TEST_F(Chat, BadFramesGetAnErrorAndTheConnectionStaysOpen) {
  auto a = connect();
  auto b = connect();
  const std::string long_text(4001, 'x');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"this is not json", "bad_json"},
      {R"({"type":"teleport"})", "unknown_type"},
      {R"({"type":"send","id":"m","username":"kim"})", "missing_field"},
      {R"({"type":"send","id":"m","username":"","message":"x"})", "missing_field"},
      {R"({"type":"send","id":"m","username":"kim","message":")" + long_text + "\"}", "too_long"},
      {R"({"type":"send","id":"m","username":")" + std::string(33, 'u') + R"(","message":"x"})", "too_long"},
      {R"({"type":"send","id":"with space","username":"kim","message":"x"})", "bad_id"},
      {std::string(100, '[') + std::string(100, ']'), "bad_json"},
  };
  for (const auto& [frame, code] : cases) {
    a->send(frame);
    auto e = a->next_of("error");
    ASSERT_TRUE(e) << frame.substr(0, 60);
    EXPECT_EQ(str((*e)["code"]), code) << frame.substr(0, 60);
    EXPECT_FALSE(str((*e)["message"]).empty());
  }
  a->send(R"({"type":"send","id":"m-long","username":"kim","message":"x"})");
  auto e = a->next_of("ack");
  ASSERT_TRUE(e) << "still open after every refusal";
  auto m = b->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(u64((*m)["seq"]), 1u) << "no refused frame became a message";
}

TEST_F(Chat, ProtocolViolationsCloseWithTheDocumentedCodes) {
  auto bystander = connect();
  {
    auto c = connect();
    c->send(std::string(65 * 1024, 'x'));
    EXPECT_EQ(c->wait_closed(), 1009);
  }
  {
    auto c = connect();
    c->send_binary("\x01\x02\x03");
    EXPECT_EQ(c->wait_closed(), 1003);
  }
  {
    auto c = std::make_unique<ws_client>(server->port(), "/ws");
    c->send(std::string("{\"type\":\"ping\",\"x\":\"\xff\xfe\"}"));
    EXPECT_EQ(c->wait_closed(), 1007);
  }
  auto after = connect();
  after->send_message("still", "kim", "the server still serves");
  auto m = bystander->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["message"]), "the server still serves");
}

TEST_F(Chat, AnIdleServerSleepsAfterAConversation) {
  // While a conversation's messages come close together the I/O loop polls for the next one
  // instead of sleeping (limits::loop_spin); once it goes quiet the loop must sleep, or a
  // server with nobody talking would keep a core busy.
  auto a = connect();
  auto b = connect();
  for (int i = 0; i < 300; ++i) {
    a->send_message("quick-" + std::to_string(i), "kim", "ping " + std::to_string(i));
    ASSERT_TRUE(b->next_of("message")) << "message " << i;
  }
  const auto before = server->cpu_time();
  // A second of silence, both clients still connected (the first ping comes after 15 s).
  EXPECT_FALSE(b->next_of("message", 1000ms)) << "no message while nobody talks";
  const auto used = server->cpu_time() - before;
  EXPECT_LT(used, 300ms) << "the idle server kept its CPU busy for " << used.count() << " ms of 1000";
}

TEST_F(Chat, TextIsRelayedExactlyAsSent) {
  auto a = connect();
  const std::string tricky = "<img src=x onerror=alert(1)> \"quotes\" \\ back\nnew line 한국어 🎉";
  json::object o{{"type", "send"}, {"id", "t"}, {"username", "<b>kim</b>"}, {"message", tricky}};
  a->send(o);
  auto m = a->next_of("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(str((*m)["message"]), tricky);
  EXPECT_EQ(str((*m)["username"]), "<b>kim</b>");
}

TEST_F(Chat, CrossSiteOriginsAreRefused) {
  const auto port = std::to_string(server->port());
  EXPECT_THROW(ws_client(server->port(), "/ws", "http://evil.example"), std::runtime_error);
  EXPECT_NO_THROW(ws_client(server->port(), "/ws", "http://127.0.0.1:" + port));
  EXPECT_NO_THROW(ws_client(server->port(), "/ws")) << "no Origin: a terminal tool";
  auto raw =
      raw_exchange(server->port(),
                   "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port +
                       "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://evil.example\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 403", 0), 0u) << raw;
}

TEST_F(Chat, HttpServesPageHealthAndNotFound) {
  auto [status, page] = http_get(server->port(), "/");
  EXPECT_EQ(status, 200);
  EXPECT_NE(page.find("Content-Security-Policy:"), std::string::npos);
  EXPECT_NE(page.find("X-Content-Type-Options: nosniff"), std::string::npos);
  EXPECT_EQ(http_get(server->port(), "/healthz").first, 200);
  EXPECT_EQ(http_get(server->port(), "/no-such-thing").first, 404);
}

TEST_F(Chat, AReaderThatNeverReadsIsClosedWhileOthersKeepReceiving) {
  server->stop();
  // A reader that takes nothing for twice the ping interval is closed.
  start({"--max-queue-bytes", "65536", "--idle-ping", "1"});
  auto slow = std::make_unique<ws_client>(server->port(), "/ws?name=slow");
  slow->shrink_receive_buffer(128 * 1024);  // Not below the loopback MSS: the window must be able to reopen.
  auto fast = connect();
  auto sender = connect();
  const std::string big(3000, 'b');
  constexpr int chunks = 300, per_chunk = 10;  // ~9 MB: far past the slow reader's buffers and queue.
  constexpr int total = chunks * per_chunk;
  int received = 0;
  for (int c = 0; c < chunks; ++c) {
    for (int i = 0; i < per_chunk; ++i)
      sender->send_message("big-" + std::to_string(c * per_chunk + i), "kim", big);
    // The fast reader (and the sender, who reads too) keep up as it goes.
    for (const auto& m : fast->collect("message", per_chunk, 20s)) {
      EXPECT_EQ(u64(m.at("seq")), static_cast<std::uint64_t>(++received));
    }
    ASSERT_EQ(sender->collect("ack", per_chunk, 20s).size(), static_cast<std::size_t>(per_chunk));
    ASSERT_EQ(sender->collect("message", per_chunk, 20s).size(), static_cast<std::size_t>(per_chunk));
  }
  EXPECT_EQ(received, total) << "the fast reader got everything, in order";
  // The slow reader reads nothing until the server has cut it: the fast one sees it leave.
  bool slow_left = false;
  for (int i = 0; i < 100 && !slow_left; ++i) {
    const auto leave = fast->next_of("leave", 10s);
    ASSERT_TRUE(leave) << "the reader that never reads was not cut";
    slow_left = str(leave->at("username")) == "slow";
  }
  ASSERT_TRUE(slow_left);
  const auto code = slow->wait_closed();
  EXPECT_TRUE(code == 4008 || code == 0) << "closed as too slow (0: cut inside a frame), got " << code;
  EXPECT_LT(slow->collect("message", total, 1s).size(), static_cast<std::size_t>(total));
  EXPECT_LT(server->rss_kib(), 200 * 1024) << "memory stayed bounded";
}

TEST_F(Chat, SigtermClosesClientsWith1001AndExitsZero) {
  auto a = connect();
  auto b = connect();
  const int status = server->stop(SIGTERM, 2000ms);
  ASSERT_NE(status, -1) << "exited within 2 s";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(a->wait_closed(), 1001);
  EXPECT_EQ(b->wait_closed(), 1001);
}

TEST_F(Chat, AVanishedPeerIsDroppedByLiveness) {
  server->stop();
  start({"--idle-ping", "1"});
  auto watcher = connect("/ws?name=watcher&device=wwwwww");
  // This client never reads again, so it never answers a ping: like a pulled cable.
  auto ghost = std::make_unique<ws_client>(server->port(), "/ws?name=ghost&device=gggggg");
  auto join = watcher->next_of("join");
  ASSERT_TRUE(join);
  EXPECT_EQ(str((*join)["username"]), "ghost");
  auto leave = watcher->next_of("leave", 10s);
  ASSERT_TRUE(leave) << "the silent peer was dropped";
  EXPECT_EQ(str((*leave)["username"]), "ghost");
  watcher->send(R"({"type":"ping"})");
  EXPECT_TRUE(watcher->next_of("pong")) << "a live client that answers pings stays";
}

TEST_F(Chat, PacedFanOutKeepsOneOrderEveryAckAndResumes) {
  // Pacing forced on (it engages by itself only when a loop is saturated by writes) for a room
  // big enough to be timed (64 followers): commits wait up to 30 ms for their round, and the
  // held ones are joined into one batch.
  server->stop();
  start({"--pacing-engage-load", "0", "--pacing-busy-share", "0.01", "--max-pacing-hold", "30",
         "--max-connections-per-address", "200"});
  client_list clients;
  for (int i = 0; i < 70; ++i) clients.push_back(connect("/ws?name=c" + std::to_string(i)));
  send_rounds(clients, {0, 5, 10, 15}, 50);
  // A client resuming from seq 0 while commits are held: the store's replay and the held
  // rounds meet without a gap or a duplicate.
  clients.push_back(std::make_unique<ws_client>(server->port(), "/ws?name=late&since=0"));
  ASSERT_TRUE(clients.back()->next_of("welcome"));
  send_rounds(clients, {1, 70}, 50);
  const auto order = expect_one_order(clients, 300);
  ASSERT_EQ(order.size(), 300u);
  std::map<std::string, std::uint64_t> seq_of;
  for (std::size_t k = 0; k < order.size(); ++k) seq_of[order[k]] = k + 1;

  // Every send got exactly one ack, with the seq its message has for everyone, and one
  // sender's messages keep the order it sent them in. The order of the acks themselves is
  // not part of the contract (docs/protocol.md): a client matches them by id.
  for (const std::size_t s : {0, 5, 10, 15, 1, 70}) {
    auto acks = clients[s]->collect("ack", 50, 10s);
    ASSERT_EQ(acks.size(), 50u) << "sender " << s;
    std::map<std::string, std::uint64_t> acked;
    for (auto& ack : acks) {
      EXPECT_FALSE(ack.contains("duplicate"));
      EXPECT_TRUE(acked.emplace(str(ack["id"]), u64(ack["seq"])).second) << "sender " << s << ": acked twice";
    }
    std::uint64_t previous = 0;
    for (int k = 0; k < 50; ++k) {
      const std::string id = "s" + std::to_string(s) + "-" + std::to_string(k);
      ASSERT_TRUE(acked.contains(id)) << id << " was not acked";
      EXPECT_EQ(acked[id], seq_of[id]) << id;
      EXPECT_GT(acked[id], previous) << id << " was stored before the message sent ahead of it";
      previous = acked[id];
    }
    EXPECT_FALSE(clients[s]->next_of("ack", 200ms)) << "sender " << s << ": one ack per send";
  }
}

TEST_F(Chat, TwoIoThreadsShareOneOrderLivenessAndAGracefulStop) {
  // Accepted sockets are dealt to the loops in turn, so consecutive clients sit on different
  // loops: the fan-out crosses loops, and each loop's deadline sweep pings its own sessions.
  server->stop();
  start({"--threads", "2", "--idle-ping", "1"});
  client_list clients;
  for (int i = 0; i < 10; ++i) clients.push_back(connect("/ws?name=c" + std::to_string(i)));
  send_rounds(clients, {0, 1, 2}, 30);
  expect_one_order(clients, 90);

  // These clients stop reading now, so liveness would drop them: let them go.
  clients.clear();

  // Two silent peers in a row: one on each loop. Both are dropped; the watcher, which reads
  // (and so answers pings), stays.
  auto watcher = connect("/ws?name=watcher&device=wwwwww");
  auto ghost1 = std::make_unique<ws_client>(server->port(), "/ws?name=ghost1&device=g1g1g1");
  auto ghost2 = std::make_unique<ws_client>(server->port(), "/ws?name=ghost2&device=g2g2g2");
  std::set<std::string> left;
  for (int i = 0; i < 20 && left.size() < 2; ++i) {
    auto leave = watcher->next_of("leave", 10s);
    ASSERT_TRUE(leave) << "a silent peer was not dropped";
    const std::string who = str((*leave)["username"]);
    if (who.rfind("ghost", 0) == 0) left.insert(who);  // Not the clients closed above.
  }
  EXPECT_EQ(left, (std::set<std::string>{"ghost1", "ghost2"}));

  // A graceful stop closes the sessions of both loops with 1001.
  auto a = connect();
  auto b = connect();
  const int status = server->stop(SIGTERM, 5000ms);
  ASSERT_NE(status, -1) << "exited within 5 s";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(watcher->wait_closed(), 1001);
  EXPECT_EQ(a->wait_closed(), 1001);
  EXPECT_EQ(b->wait_closed(), 1001);
}

}  // namespace
}  // namespace message::test
