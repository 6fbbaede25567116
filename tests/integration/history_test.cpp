// The lossless issue, against the real binary and a real SQLite file: kill -9 loses nothing
// acknowledged, resume delivers exactly the tail, ids are idempotent, bad storage is refused.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "harness.hpp"

namespace message::test {
namespace {

class History : public ::testing::Test {
 protected:
  temp_dir data;
  std::unique_ptr<server_process> server;
  std::vector<std::string> extra_args;

  void start(std::vector<std::string> prefix = {}) {
    // These tests play many fast clients from one address: the abuse limits (security_test)
    // would rate-limit them.
    std::vector<std::string> args{"--data", data.path().string(), "--no-rate-limit"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    server = std::make_unique<server_process>(args, std::move(prefix));
  }
  std::unique_ptr<ws_client> connect(const std::string& target = "/ws") {
    auto c = std::make_unique<ws_client>(server->port(), target);
    EXPECT_TRUE(c->next_of("welcome"));
    return c;
  }
  /// Sends one message and waits for its ack or error.
  static json::object send_and_wait(ws_client& c, const std::string& id, const std::string& text = "hi") {
    c.send_message(id, "kim", text);
    for (;;) {
      auto o = c.next(10s);
      if (!o) return {};
      const auto type = str((*o)["type"]);
      if ((type == "ack" || type == "error") && str((*o)["id"]) == id) return *o;
    }
  }
  /// Every message in the room, read backwards through history pages.
  std::vector<json::object> all_messages(ws_client& c) {
    std::vector<json::object> out;
    std::optional<std::uint64_t> before;
    for (int page = 0; page < 10000; ++page) {
      json::object req{{"type", "history"}, {"limit", 200}};
      if (before) req["before"] = *before;
      c.send(req);
      auto h = c.next_of("history", 10s);
      if (!h) break;
      auto& msgs = (*h)["messages"].as_array();
      std::vector<json::object> chunk;
      for (auto& m : msgs) chunk.push_back(m.as_object());
      out.insert(out.begin(), chunk.begin(), chunk.end());
      if (!(*h)["more"].as_bool() || chunk.empty()) break;
      before = u64(chunk.front()["seq"]);
    }
    return out;
  }
};

TEST_F(History, KillNineLosesNothingAcknowledgedAndSeqCarriesOn) {
  start();
  constexpr int senders = 4;
  std::mutex mu;
  std::map<std::string, std::uint64_t> acked;         // id -> seq
  std::vector<std::uint64_t> seen_up_to(senders, 0);  // highest seq each client saw live
  std::vector<std::thread> threads;
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      try {
        ws_client c(server->port(), "/ws");
        for (int i = 0; i < 5000; ++i) {
          const std::string id = "c" + std::to_string(s) + "-" + std::to_string(i);
          c.send_message(id, "kim", "crash test " + id);
          bool got_ack = false;
          while (!got_ack) {
            auto o = c.next(5s);
            if (!o) return;  // The server died.
            const auto type = str((*o)["type"]);
            std::lock_guard lock(mu);
            if (type == "welcome") {
              seen_up_to[static_cast<std::size_t>(s)] = u64((*o)["seq"]);
            } else if (type == "message") {
              EXPECT_EQ(u64((*o)["seq"]), seen_up_to[static_cast<std::size_t>(s)] + 1) << "live order";
              seen_up_to[static_cast<std::size_t>(s)] = u64((*o)["seq"]);
            } else if (type == "ack" && str((*o)["id"]) == id) {
              acked[id] = u64((*o)["seq"]);
              got_ack = true;
            }
          }
        }
      } catch (const std::exception&) {
        // A send into a dead server: the crash happened.
      }
    });
  }
  // The crash comes at a random moment while everyone is sending.
  std::mt19937 rng(std::random_device{}());
  std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 400));
  ::kill(server->pid(), SIGKILL);
  for (auto& t : threads) t.join();
  server->stop(SIGKILL);
  ASSERT_GT(acked.size(), 0u) << "some messages were acknowledged before the crash";

  start();
  auto reader = connect();
  auto history = all_messages(*reader);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(u64(history[i]["seq"]), i + 1) << "no gap, no repeat";
    EXPECT_TRUE(ids.insert(str(history[i]["id"])).second) << "id twice: " << str(history[i]["id"]);
  }
  std::map<std::string, std::uint64_t> stored;
  for (auto& m : history) stored[str(m["id"])] = u64(m["seq"]);
  for (const auto& [id, seq] : acked) {
    ASSERT_TRUE(stored.count(id)) << "acknowledged but lost: " << id;
    EXPECT_EQ(stored[id], seq) << id;
  }
  const std::uint64_t last = history.size();

  // Clients that resume from what they saw get every later message exactly once.
  for (int s = 0; s < senders; ++s) {
    const auto since = seen_up_to[static_cast<std::size_t>(s)];
    auto c = std::make_unique<ws_client>(server->port(), "/ws?since=" + std::to_string(since));
    std::vector<std::uint64_t> got;
    for (;;) {
      auto o = c->next(10s);
      ASSERT_TRUE(o) << "resume ended early";
      if (str((*o)["type"]) == "message") got.push_back(u64((*o)["seq"]));
      if (str((*o)["type"]) == "subscribed") break;
    }
    ASSERT_EQ(got.size(), last - since);
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], since + 1 + i);
  }

  // After the restart seq carries on, and a resend of an acknowledged id is still a duplicate.
  auto ack = send_and_wait(*reader, "after-restart");
  EXPECT_EQ(u64(ack["seq"]), last + 1);
  const auto& [some_id, some_seq] = *acked.begin();
  auto dup = send_and_wait(*reader, some_id);
  EXPECT_EQ(u64(dup["seq"]), some_seq);
  EXPECT_TRUE(dup["duplicate"].as_bool());
}

TEST_F(History, ResumeDeliversExactlyTheTailWhileOthersKeepSending) {
  start();
  {
    auto w = connect();
    for (int i = 0; i < 300; ++i) w->send_message("pre-" + std::to_string(i), "kim", "m");
    ASSERT_EQ(w->collect("ack", 300, 20s).size(), 300u);
  }
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    ws_client w(server->port(), "/ws");
    for (int i = 0; i < 20000 && !stop; ++i) {
      w.send_message("live-" + std::to_string(i), "lee", "live");
      if (!w.next_of("ack", 5s)) return;
    }
  });
  for (std::uint64_t since : {0ULL, 1ULL, 49ULL, 150ULL, 299ULL, 300ULL, 100000ULL}) {
    auto c = std::make_unique<ws_client>(server->port(), "/ws?since=" + std::to_string(since));
    auto welcome = c->next_of("welcome");
    ASSERT_TRUE(welcome);
    std::vector<std::uint64_t> got;
    bool subscribed = false;
    // The replay, then 30 live messages: all consecutive, no gap, no duplicate.
    while (!subscribed || got.size() < 30) {
      auto o = c->next(10s);
      ASSERT_TRUE(o) << "since=" << since;
      const auto type = str((*o)["type"]);
      if (type == "subscribed") subscribed = true;
      if (type == "message") got.push_back(u64((*o)["seq"]));
      if (got.size() > 100000) break;
    }
    ASSERT_FALSE(got.empty());
    if (since <= u64((*welcome)["seq"])) {
      EXPECT_EQ(got.front(), since + 1) << "since=" << since;
    }
    for (std::size_t i = 1; i < got.size(); ++i) ASSERT_EQ(got[i], got[i - 1] + 1) << "since=" << since;
  }
  stop = true;
  writer.join();
}

TEST_F(History, ADuplicateIdGetsTheSameAckAndOneCopy) {
  start();
  auto a = connect();
  auto b = connect();
  auto first = send_and_wait(*a, "same-id", "once");
  auto second = send_and_wait(*a, "same-id", "once");
  EXPECT_EQ(str(first["type"]), "ack");
  EXPECT_EQ(u64(first["seq"]), u64(second["seq"]));
  EXPECT_TRUE(second["duplicate"].as_bool());
  auto other = connect();
  auto third = send_and_wait(*other, "same-id", "once");
  EXPECT_EQ(u64(third["seq"]), u64(first["seq"])) << "from another connection too";
  b->send_message("next", "lee", "next");
  auto m1 = b->next_of("message");
  auto m2 = b->next_of("message");
  ASSERT_TRUE(m1 && m2);
  EXPECT_EQ(str((*m1)["id"]), "same-id");
  EXPECT_EQ(str((*m2)["id"]), "next") << "the duplicate was not broadcast again";
}

TEST_F(History, HistoryPagesBackToTheVeryFirst) {
  start();
  auto a = connect();
  for (int i = 1; i <= 120; ++i) a->send_message("h" + std::to_string(i), "kim", "m" + std::to_string(i));
  ASSERT_EQ(a->collect("ack", 120, 20s).size(), 120u);
  a->send(R"({"type":"history","limit":50})");
  auto page = a->next_of("history");
  ASSERT_TRUE(page);
  auto& msgs = (*page)["messages"].as_array();
  ASSERT_EQ(msgs.size(), 50u);
  EXPECT_EQ(u64(msgs.front().as_object().at("seq")), 71u);
  EXPECT_EQ(u64(msgs.back().as_object().at("seq")), 120u);
  EXPECT_TRUE((*page)["more"].as_bool());
  a->send(R"({"type":"history","before":21,"limit":50})");
  page = a->next_of("history");
  ASSERT_TRUE(page);
  EXPECT_EQ((*page)["messages"].as_array().size(), 20u);
  EXPECT_FALSE((*page)["more"].as_bool()) << "the very first message was reached";
  a->send(R"({"type":"history","limit":100000})");
  page = a->next_of("history");
  ASSERT_TRUE(page);
  EXPECT_EQ((*page)["messages"].as_array().size(), 120u) << "capped at history_limit (200), not more";
}

TEST_F(History, AMalformedSinceGetsAnErrorNotACrash) {
  start();
  auto c = std::make_unique<ws_client>(server->port(), "/ws?since=banana");
  auto e = c->next_of("error");
  ASSERT_TRUE(e);
  EXPECT_EQ(str((*e)["code"]), "bad_since");
  EXPECT_EQ(c->wait_closed(), 1008);
  auto ok = connect();
  EXPECT_TRUE(server->running());
}

TEST_F(History, ACorruptDatabaseIsRefusedAndNeverReplaced) {
  const auto db = data.path() / "messages.db";
  { std::ofstream(db) << std::string(8192, 'Z'); }
  auto [code, out] = run_to_exit({"--host", "127.0.0.1", "--port", "0", "--data", data.path().string()});
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("not an SQLite database"), std::string::npos) << out;
  std::ifstream in(db);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, std::string(8192, 'Z'));
}

TEST_F(History, ADataDirectoryInUseIsRefused) {
  start();
  auto [code, out] = run_to_exit({"--host", "127.0.0.1", "--port", "0", "--data", data.path().string()});
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("in use"), std::string::npos) << out;
  EXPECT_TRUE(server->running());
}

TEST_F(History, AnUnopenableDatabaseIsAClearError) {
  std::filesystem::create_directories(data.path() / "messages.db");
  auto [code, out] = run_to_exit({"--host", "127.0.0.1", "--port", "0", "--data", data.path().string()});
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("messages.db"), std::string::npos) << out;
}

TEST_F(History, AFullDiskRejectsTheSendInsteadOfAcknowledgingIt) {
  // RLIMIT_FSIZE makes every write past 256 KiB fail as a full disk would.
  start({"prlimit", "--fsize=262144"});
  auto a = connect();
  const std::string text(3000, 'f');
  std::vector<std::string> acked;
  std::string failed_id;
  for (int i = 0; i < 2000 && failed_id.empty(); ++i) {
    const auto id = "f-" + std::to_string(i);
    auto r = send_and_wait(*a, id, text);
    ASSERT_FALSE(r.empty());
    if (str(r["type"]) == "ack")
      acked.push_back(id);
    else {
      EXPECT_EQ(str(r["code"]), "store_failed");
      failed_id = id;
    }
  }
  ASSERT_FALSE(failed_id.empty()) << "the write limit was reached";
  a->send(R"({"type":"ping"})");
  EXPECT_TRUE(a->next_of("pong")) << "the connection stays open";
  server->stop(SIGKILL);
  start();
  auto r = connect();
  auto history = all_messages(*r);
  ASSERT_EQ(history.size(), acked.size()) << "exactly the acknowledged messages are stored";
  for (std::size_t i = 0; i < acked.size(); ++i) EXPECT_EQ(str(history[i]["id"]), acked[i]);
  auto retry = send_and_wait(*r, failed_id, text);
  EXPECT_EQ(str(retry["type"]), "ack") << "the pending message goes through once there is room";
  EXPECT_FALSE(retry.contains("duplicate"));
}

TEST_F(History, RetentionKeepsTheNewestAndNeverReusesSeqs) {
  extra_args = {"--keep-messages", "5"};
  start();
  auto a = connect();
  for (int i = 1; i <= 10; ++i) a->send_message("r" + std::to_string(i), "kim", "m");
  ASSERT_EQ(a->collect("ack", 10, 10s).size(), 10u);
  a.reset();
  server->stop();
  start();  // Retention runs at start and then in the background.
  auto b = connect();
  auto left = all_messages(*b);
  ASSERT_EQ(left.size(), 5u);
  EXPECT_EQ(u64(left.front()["seq"]), 6u);
  auto ack = send_and_wait(*b, "r11");
  EXPECT_EQ(u64(ack["seq"]), 11u);
  // A resume from before what retention kept is told what it cannot have, then gets the rest.
  auto c = std::make_unique<ws_client>(server->port(), "/ws?since=2");
  auto gap = c->next_of("gap");
  ASSERT_TRUE(gap);
  EXPECT_EQ(u64((*gap)["from"]), 3u);
  EXPECT_EQ(u64((*gap)["to"]), 5u);
  EXPECT_EQ(c->collect("message", 6, 10s).size(), 6u);
}

}  // namespace
}  // namespace message::test
