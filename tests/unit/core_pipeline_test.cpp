// The chat core on its own (issue 23): a hub with the memory store, driven by manual event
// loops on the test's thread and recording sinks instead of sockets. What a user relies on:
// every follower gets every message once, in seq order, on every loop; the sender gets one ack
// per message, whichever route it takes (with the broadcast, or from the store's answer while
// the sender reads slowly); a resent id is a duplicate that reaches nobody twice; a resume
// replays exactly what was missed; a slow reader catches up from the store once it drains.
// The store worker is the only other thread: results come back through post(), awaited with a
// bounded wait, never a sleep.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "core/client.hpp"
#include "core/hub.hpp"
#include "core/now_or_post.hpp"
#include "core/room_pipeline.hpp"
#include "manual_loop.hpp"
#include "store/memory_message_store.hpp"

namespace message::core {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

/// A connection that records every line the core hands it; it can pretend to be a slow reader.
class recording_sink final : public client_sink {
 public:
  void deliver(shared_line line) override {
    ++deliveries;
    std::size_t start = 0;
    // A batch of several messages arrives as one joined text: one line each.
    while (start <= line->size()) {
      auto end = line->find('\n', start);
      if (end == std::string::npos) end = line->size();
      if (end > start)
        frames.push_back(json::parse(std::string_view(*line).substr(start, end - start)).as_object());
      start = end + 1;
    }
  }
  void close(close_code code, std::string_view) override { closed = static_cast<int>(code); }
  std::size_t queued_bytes() const override { return pretend_queued; }

  std::vector<json::object> of_type(std::string_view type) const {
    std::vector<json::object> out;
    for (const auto& f : frames)
      if (f.at("type").as_string() == type) out.push_back(f);
    return out;
  }
  std::vector<std::uint64_t> message_seqs() const {
    std::vector<std::uint64_t> out;
    for (const auto& f : of_type("message")) out.push_back(f.at("seq").to_number<std::uint64_t>());
    return out;
  }

  std::vector<json::object> frames;
  std::size_t deliveries = 0;  // Calls to deliver(): a paced round joins messages into one.
  std::size_t pretend_queued = 0;
  int closed = 0;
};

class CorePipeline : public ::testing::Test {
 protected:
  void start_hub(std::size_t loop_count) {
    config.rate_limit = false;
    for (std::size_t i = 0; i < loop_count; ++i) loops.push_back(std::make_unique<manual_loop>());
    std::vector<event_loop*> raw;
    for (auto& l : loops) raw.push_back(l.get());
    hub_ = std::make_unique<hub>(config, std::make_unique<store::memory_message_store>(), raw);
  }
  void TearDown() override {
    for (auto& c : clients) c->on_closed();
    run_until([] { return true; });
    clients.clear();
    if (hub_) hub_->stop();
  }

  /// Runs every loop until `done` holds or 5 s pass; true when it holds.
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      std::size_t ran = 0;
      for (auto& l : loops) ran += l->run_ready();
      if (ran == 0) {
        if (done()) return true;
        loops.front()->wait_for_post(5ms);  // The store worker's answer, or a due timer.
      }
    }
    return done();
  }

  /// A connected client on `loop`, welcomed. (Tests name its two parts rather than binding them
  /// with `auto [c, sink]`: clang 14 cannot capture structured bindings in lambdas.)
  std::pair<client*, recording_sink*> connect(const std::string& name, std::size_t loop = 0,
                                              std::optional<std::uint64_t> since = std::nullopt) {
    sinks.push_back(std::make_unique<recording_sink>());
    protocol::connect_request params;
    params.name = name;
    params.since = since;
    auto* sink = sinks.back().get();
    clients.push_back(std::make_shared<client>(*hub_, loop, *sink, params));
    auto* c = clients.back().get();
    loops[loop]->post([c] { c->start(); });
    EXPECT_TRUE(run_until([&] { return !sink->of_type("welcome").empty(); })) << name << " is welcomed";
    return {c, sink};
  }

  void send_from(client* c, std::size_t loop, const std::string& id, const std::string& text) {
    const auto frame = json::serialize(
        json::object{{"type", "send"}, {"id", id}, {"username", "someone"}, {"message", text}});
    loops[loop]->post([c, frame] { c->on_text(frame); });
  }

  static std::map<std::string, int> acks_by_id(const recording_sink& s) {
    std::map<std::string, int> out;
    for (const auto& a : s.of_type("ack")) ++out[std::string(a.at("id").as_string())];
    return out;
  }
  static bool ascending_from(const std::vector<std::uint64_t>& seqs, std::uint64_t first) {
    for (std::size_t i = 0; i < seqs.size(); ++i)
      if (seqs[i] != first + i) return false;
    return true;
  }

  limits config;
  std::vector<std::unique_ptr<manual_loop>> loops;
  std::unique_ptr<hub> hub_;
  std::vector<std::unique_ptr<recording_sink>> sinks;
  std::vector<std::shared_ptr<client>> clients;
};

TEST_F(CorePipeline, EveryFollowerGetsEveryMessageOnceInOrderAndTheSenderOneAckEach) {
  start_hub(1);
  const auto kim_joined = connect("kim");
  client* kim = kim_joined.first;
  recording_sink* kim_sink = kim_joined.second;
  recording_sink* lee_sink = connect("lee").second;
  constexpr int total = 200;
  // In bursts, so that some turns hold many sends (a group commit) and some one.
  for (int i = 0; i < total; ++i) {
    send_from(kim, 0, "m" + std::to_string(i), "hello " + std::to_string(i));
    if (i % 17 == 0) run_until([] { return true; });
  }
  ASSERT_TRUE(run_until(
      [&] { return lee_sink->message_seqs().size() >= total && acks_by_id(*kim_sink).size() >= total; }));
  EXPECT_TRUE(ascending_from(lee_sink->message_seqs(), 1)) << "seq order, no gap, no duplicate";
  const auto acks = acks_by_id(*kim_sink);
  ASSERT_EQ(acks.size(), static_cast<std::size_t>(total));
  for (const auto& [id, n] : acks) EXPECT_EQ(n, 1) << id << " is acked exactly once";
  EXPECT_EQ(lee_sink->of_type("message").front().at("message").as_string(), "hello 0");
}

TEST_F(CorePipeline, FollowersOnEveryLoopSeeOneOrderWhoeverSends) {
  start_hub(2);
  const auto a_joined = connect("ann", 0);
  client* a = a_joined.first;
  recording_sink* a_sink = a_joined.second;
  const auto b_joined = connect("bob", 1);
  client* b = b_joined.first;
  recording_sink* b_sink = b_joined.second;
  const auto c_joined = connect("cat", 1);
  client* c = c_joined.first;
  recording_sink* c_sink = c_joined.second;
  (void)c;
  for (int i = 0; i < 60; ++i) {
    send_from(a, 0, "a" + std::to_string(i), "from loop 0");
    send_from(b, 1, "b" + std::to_string(i), "from loop 1");
    if (i % 7 == 0) run_until([] { return true; });
  }
  const auto order = [](const recording_sink& s) {
    std::vector<std::string> ids;
    for (const auto& m : s.of_type("message")) ids.emplace_back(m.at("id").as_string());
    return ids;
  };
  ASSERT_TRUE(run_until([&] {
    return a_sink->message_seqs().size() >= 120 && b_sink->message_seqs().size() >= 120 &&
           c_sink->message_seqs().size() >= 120;
  }));
  for (auto* s : {a_sink, b_sink, c_sink}) EXPECT_TRUE(ascending_from(s->message_seqs(), 1));
  // The senders follow the room too: everyone, on either loop, sees one order.
  EXPECT_EQ(order(*a_sink), order(*c_sink));
  EXPECT_EQ(order(*b_sink), order(*c_sink));
  EXPECT_EQ(acks_by_id(*a_sink).size(), 60u);
  EXPECT_EQ(acks_by_id(*b_sink).size(), 60u);
}

TEST_F(CorePipeline, AResentIdIsAckedAsADuplicateAndReachesNobodyTwice) {
  start_hub(1);
  const auto kim_joined = connect("kim");
  client* kim = kim_joined.first;
  recording_sink* kim_sink = kim_joined.second;
  recording_sink* lee_sink = connect("lee").second;
  send_from(kim, 0, "once", "hello");
  ASSERT_TRUE(run_until([&] { return !kim_sink->of_type("ack").empty(); }));
  send_from(kim, 0, "once", "hello");  // The page did not see the ack and sends again.
  send_from(kim, 0, "next", "after");
  ASSERT_TRUE(run_until([&] { return kim_sink->of_type("ack").size() >= 3; }));
  // Acks name their id: the duplicate's answer may come after the next message's ack.
  std::vector<json::object> once, next;
  for (const auto& ack : kim_sink->of_type("ack"))
    (ack.at("id").as_string() == "once" ? once : next).push_back(ack);
  ASSERT_EQ(once.size(), 2u);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_FALSE(once[0].contains("duplicate"));
  EXPECT_TRUE(once[1].at("duplicate").as_bool());
  EXPECT_EQ(once[1].at("seq").to_number<int>(), 1) << "the earlier seq";
  EXPECT_EQ(next[0].at("seq").to_number<int>(), 2) << "a duplicate takes no seq";
  ASSERT_TRUE(run_until([&] { return lee_sink->message_seqs().size() >= 2; }));
  EXPECT_EQ(lee_sink->message_seqs(), (std::vector<std::uint64_t>{1, 2}));
}

TEST_F(CorePipeline, AResumeReplaysExactlyWhatWasMissedThenGoesLive) {
  start_hub(1);
  const auto kim_joined = connect("kim");
  client* kim = kim_joined.first;
  recording_sink* kim_sink = kim_joined.second;
  for (int i = 0; i < 30; ++i) send_from(kim, 0, "m" + std::to_string(i), "before");
  ASSERT_TRUE(run_until([&] { return kim_sink->of_type("ack").size() >= 30; }));
  recording_sink* back_sink = connect("lee", 0, 10).second;  // Saw up to 10 before it went away.
  for (int i = 30; i < 35; ++i) send_from(kim, 0, "m" + std::to_string(i), "after");
  ASSERT_TRUE(run_until([&] { return back_sink->message_seqs().size() >= 25; }));
  EXPECT_TRUE(ascending_from(back_sink->message_seqs(), 11)) << "11..35: the gap, then live";
  EXPECT_EQ(back_sink->message_seqs().size(), 25u);
}

TEST_F(CorePipeline, ASlowReaderCatchesUpFromTheStoreInOrderAndItsAcksComeOnce) {
  start_hub(1);
  const auto kim_joined = connect("kim");
  client* kim = kim_joined.first;
  recording_sink* kim_sink = kim_joined.second;
  const auto lee_joined = connect("lee");
  client* lee = lee_joined.first;
  recording_sink* lee_sink = lee_joined.second;
  // Both read slowly: the core stops handing them room messages, the sender's acks then come
  // from the store's answer instead of riding with the broadcast.
  kim_sink->pretend_queued = config.max_queue_bytes;
  lee_sink->pretend_queued = config.max_queue_bytes;
  for (int i = 0; i < 50; ++i) send_from(kim, 0, "m" + std::to_string(i), "while slow");
  ASSERT_TRUE(run_until([&] { return acks_by_id(*kim_sink).size() >= 50; }));
  EXPECT_LT(lee_sink->message_seqs().size(), 50u) << "nothing piles up past the bound";
  lee_sink->pretend_queued = 0;
  kim_sink->pretend_queued = 0;
  loops[0]->post([lee = lee, kim = kim] {
    lee->on_drain();
    kim->on_drain();
  });
  ASSERT_TRUE(run_until([&] { return lee_sink->message_seqs().size() >= 50; }));
  EXPECT_TRUE(ascending_from(lee_sink->message_seqs(), 1))
      << "caught up from the store, no gap, no duplicate";
  for (const auto& [id, n] : acks_by_id(*kim_sink)) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(lee_sink->closed, 0) << "a slow reader is caught up, not dropped";
}

/// Every ack comes after the message it acknowledges, with only that step's other messages and
/// acks between them: both were queued in one step of the pipeline, so they leave in one write.
static void expect_each_ack_right_after_its_message(const recording_sink& s) {
  std::size_t acks = 0;
  for (std::size_t i = 0; i < s.frames.size(); ++i) {
    if (s.frames[i].at("type").as_string() != "ack") continue;
    ++acks;
    bool found = false;
    for (std::size_t j = i; j-- > 0 && !found;) {
      const auto& f = s.frames[j];
      ASSERT_TRUE(f.at("type").as_string() == "message" || f.at("type").as_string() == "ack")
          << "only its step's messages and acks between an ack and its message";
      found = f.at("type").as_string() == "message" && f.at("id") == s.frames[i].at("id");
      if (found) {
        EXPECT_EQ(f.at("seq"), s.frames[i].at("seq"));
      }
    }
    EXPECT_TRUE(found) << "the ack of " << s.frames[i].at("id") << " comes after its message";
  }
  EXPECT_GT(acks, 0u);
}

TEST_F(CorePipeline, TheAckFollowsItsMessageWhetherCommittedInPlaceOrByTheStoreThread) {
  start_hub(1);
  const auto kim_joined = connect("kim");
  client* kim = kim_joined.first;
  recording_sink* kim_sink = kim_joined.second;
  // One send per turn (committed in place once the store thread is idle), then turns of three
  // (a group: the store thread commits it and the loop gets the fan-out and answers in one task).
  for (int i = 0; i < 10; ++i) {
    send_from(kim, 0, "alone" + std::to_string(i), "alone");
    ASSERT_TRUE(run_until([&] { return acks_by_id(*kim_sink).size() == static_cast<std::size_t>(i + 1); }));
  }
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 3; ++j) send_from(kim, 0, "group" + std::to_string(i * 3 + j), "grouped");
    ASSERT_TRUE(
        run_until([&] { return acks_by_id(*kim_sink).size() == static_cast<std::size_t>(10 + 3 * i + 3); }));
  }
  expect_each_ack_right_after_its_message(*kim_sink);
  for (const auto& [id, n] : acks_by_id(*kim_sink)) EXPECT_EQ(n, 1) << id;
}

TEST_F(CorePipeline, AResendRacingItsEarlierCopyIsAckedWithThatCopyNotAsADuplicate) {
  start_hub(1);
  const auto ann_joined = connect("ann");
  const auto kim_joined = connect("kim");
  recording_sink* kim_sink = kim_joined.second;
  // Both in one turn: the earlier copy (ann's, the page's first try on another connection) and
  // the resend reach the store in one group; the copy's broadcast reaches kim while its resend
  // is pending (docs/protocol.md, `ack`).
  send_from(ann_joined.first, 0, "same", "once");
  send_from(kim_joined.first, 0, "same", "once");
  ASSERT_TRUE(run_until([&] { return !kim_sink->of_type("ack").empty(); }));
  run_until([] { return true; });
  const auto acks = kim_sink->of_type("ack");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].at("seq").to_number<int>(), 1);
  EXPECT_FALSE(acks[0].contains("duplicate")) << "the connection cannot tell the copy from its own";
  EXPECT_EQ(kim_sink->message_seqs(), (std::vector<std::uint64_t>{1})) << "delivered once";
}

TEST_F(CorePipeline, ASlowFollowerHoldsBackNeitherTheOthersNorTheSendersAcks) {
  start_hub(1);
  const auto kim_joined = connect("kim");
  client* kim = kim_joined.first;
  recording_sink* kim_sink = kim_joined.second;
  recording_sink* ann_sink = connect("ann").second;
  recording_sink* slow_sink = connect("lee").second;
  slow_sink->pretend_queued = config.max_queue_bytes;
  for (int i = 0; i < 40; ++i) send_from(kim, 0, "m" + std::to_string(i), "to all");
  ASSERT_TRUE(
      run_until([&] { return ann_sink->message_seqs().size() >= 40 && acks_by_id(*kim_sink).size() >= 40; }));
  EXPECT_TRUE(ascending_from(ann_sink->message_seqs(), 1));
  EXPECT_TRUE(slow_sink->message_seqs().empty()) << "nothing queued past the bound";
  for (const auto& [id, n] : acks_by_id(*kim_sink)) EXPECT_EQ(n, 1) << id;
}

TEST_F(CorePipeline, EngagedPacingJoinsCommitsIntoOneRoundWithoutLosingOrderOrAcks) {
  // Pacing "always" (engage load 0) with a long hold: the first timed round engages it, and
  // then commits wait for the next round, joined.
  config.pace_engage_load = 0;
  config.pace_min_round = std::chrono::microseconds(0);
  config.pace_busy_share = 1e-9;  // Rounds as far apart as the hold allows.
  config.pace_max_hold = std::chrono::milliseconds(40);
  start_hub(1);
  const auto kim_joined = connect("kim");
  client* kim = kim_joined.first;
  recording_sink* kim_sink = kim_joined.second;
  // Rounds to 64 followers or more are timed: the pacer measures them and engages.
  std::vector<recording_sink*> followers;
  for (int i = 0; i < 64; ++i) followers.push_back(connect("f" + std::to_string(i)).second);
  send_from(kim, 0, "first", "measured");
  ASSERT_TRUE(run_until([&] { return followers.back()->message_seqs().size() == 1; }));
  run_until([] { return true; });  // The round's measure (posted behind its writes).
  const auto before = followers.back()->deliveries;
  for (int i = 0; i < 20; ++i) {
    send_from(kim, 0, "m" + std::to_string(i), "paced");  // One send per turn: one commit each.
    loops[0]->run_ready();
  }
  ASSERT_TRUE(run_until(
      [&] { return followers.back()->message_seqs().size() == 21 && acks_by_id(*kim_sink).size() == 21; }));
  for (auto* f : followers) EXPECT_TRUE(ascending_from(f->message_seqs(), 1));
  EXPECT_LT(followers.back()->deliveries - before, 20u) << "held commits shared rounds";
  for (const auto& [id, n] : acks_by_id(*kim_sink)) EXPECT_EQ(n, 1) << id;
}

// The rule for "run now or post" (core/now_or_post.hpp), case by case.
TEST(NowOrPost, ALoneSendOnItsLoopWithAnIdleStoreThatNeverWaitsCommitsInPlace) {
  EXPECT_TRUE(runs_now(pipeline_step::commit_sends, {true, true, 1, true}));
}

TEST(NowOrPost, SeveralSendsGoToTheStoreThread) {
  EXPECT_FALSE(runs_now(pipeline_step::commit_sends, {true, true, 2, true}));
}

TEST(NowOrPost, ABusyStoreThreadTakesEvenALoneSend) {
  EXPECT_FALSE(runs_now(pipeline_step::commit_sends, {true, false, 1, true}));
}

TEST(NowOrPost, AStoreThatWaitsForADiskSyncIsNeverCommittedInPlace) {
  EXPECT_FALSE(runs_now(pipeline_step::commit_sends, {true, true, 1, false}));
}

TEST(NowOrPost, AFanOutRunsNowOnlyOnItsLoopWithNothingPostedAhead) {
  EXPECT_TRUE(runs_now(pipeline_step::fan_out, {true, true, 0, false}));
  EXPECT_FALSE(runs_now(pipeline_step::fan_out, {false, true, 0, false})) << "another thread";
  EXPECT_FALSE(runs_now(pipeline_step::fan_out, {true, false, 0, false})) << "would overtake";
}

TEST(NowOrPost, AnEventIsAlwaysPosted) {
  EXPECT_FALSE(runs_now(pipeline_step::event, {true, true, 0, true}));
}

/// One room_pipeline on a manual loop, with a real store thread (the memory store) whose
/// commits come back to it as the hub hands them: no fan-out (no followers), only the answers.
class RoomPipeline : public ::testing::Test {
 protected:
  struct answered {
    std::uint64_t seq = 0;
    std::thread::id thread;
  };
  RoomPipeline() {
    worker = std::make_unique<store_thread>(
        std::make_unique<store::memory_message_store>(), config,
        [this](std::vector<chat_message>&&, std::vector<store_thread::answer>&& report) {
          {
            std::lock_guard lock(mutex);
            commit_threads.push_back(std::this_thread::get_id());
          }
          pipeline->committed(nullptr, std::move(report));
        });
    pipeline = std::make_unique<room_pipeline>(loop, *worker, 0, config);
  }
  ~RoomPipeline() override { worker->stop(); }

  /// Sends `count` messages in one turn of the loop (one task), then runs what that turn posts.
  void send_in_one_turn(int count) {
    loop.post([this, count] {
      for (int i = 0; i < count; ++i) {
        new_message m;
        m.room = "lobby";
        m.id = "m" + std::to_string(next_id++);
        m.username = "kim";
        m.text = "hello";
        m.device = "dev123";
        m.ts = 1000;
        pipeline->send(std::move(m), [this](const append_outcome& o) {
          answers.push_back({o.result ? o.result->seq : 0, std::this_thread::get_id()});
        });
      }
    });
    loop.run_ready();
  }
  /// Runs the loop until `n` answers came (bounded).
  bool await_answers(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (answers.size() < n && std::chrono::steady_clock::now() < deadline) {
      loop.wait_for_post(5ms);
      loop.run_ready();
    }
    return answers.size() >= n;
  }
  std::thread::id last_commit_thread() {
    std::lock_guard lock(mutex);
    return commit_threads.back();
  }

  limits config;
  manual_loop loop;
  std::unique_ptr<store_thread> worker;
  std::unique_ptr<room_pipeline> pipeline;
  std::vector<answered> answers;  // The loop's thread only.
  int next_id = 0;
  std::mutex mutex;
  std::vector<std::thread::id> commit_threads;
};

TEST_F(RoomPipeline, ALoneSendOnAnIdleStoreThreadIsCommittedAndAnsweredInItsOwnTurn) {
  // A new store thread first runs a retention pass: a send during it goes to the thread. Offer
  // one per turn until the store thread is idle (bounded).
  for (int offer = 1; offer <= 100; ++offer) {
    send_in_one_turn(1);
    if (answers.size() == static_cast<std::size_t>(offer)) {
      EXPECT_EQ(answers.back().thread, std::this_thread::get_id());
      EXPECT_EQ(last_commit_thread(), std::this_thread::get_id()) << "committed on the loop";
      EXPECT_EQ(answers.back().seq, static_cast<std::uint64_t>(offer));
      return;
    }
    ASSERT_TRUE(await_answers(static_cast<std::size_t>(offer)));
  }
  FAIL() << "no lone send was committed in place";
}

TEST_F(RoomPipeline, SeveralSendsOfOneTurnGoToTheStoreThreadAsOneGroup) {
  send_in_one_turn(3);
  ASSERT_TRUE(await_answers(3));
  EXPECT_NE(last_commit_thread(), std::this_thread::get_id());
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(answers[i].seq, i + 1) << "in the turn's order";
    EXPECT_EQ(answers[i].thread, std::this_thread::get_id()) << "answered on the loop";
  }
  std::lock_guard lock(mutex);
  EXPECT_EQ(commit_threads.size(), 1u) << "one commit for the group";
}

TEST_F(RoomPipeline, ALoneSendWhileTheStoreThreadIsBusyGoesToItAndOvertakesNothing) {
  std::promise<void> started, release;
  auto release_f = release.get_future().share();
  loop.post([&] {
    pipeline->read([&started, release_f](store::sequencing_store&) {
      started.set_value();
      (void)release_f.wait_for(10s);
    });
  });
  loop.run_ready();
  ASSERT_EQ(started.get_future().wait_for(10s), std::future_status::ready);
  send_in_one_turn(1);
  EXPECT_TRUE(answers.empty()) << "committed in place while the store thread held the store";
  release.set_value();
  ASSERT_TRUE(await_answers(1));
  EXPECT_EQ(answers[0].seq, 1u);
  EXPECT_NE(last_commit_thread(), std::this_thread::get_id());
}

}  // namespace
}  // namespace message::core
