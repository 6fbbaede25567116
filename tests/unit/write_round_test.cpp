// A loop's round of writes (core/write_round.hpp) on a manual loop, with sinks that batch their
// lines the way a WebSocket session does: no sockets, no threads but the store thread. What a
// reader relies on: every line handed to a connection in a task leaves in one write, right
// after that task; a lone message and its sender's ack leave in the very task that committed
// them; and a connection's round holds it no longer than the loop lives.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/client.hpp"
#include "core/hub.hpp"
#include "core/write_round.hpp"
#include "manual_loop.hpp"
#include "store/memory_message_store.hpp"

namespace message::core {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

/// A connection that queues lines, joins the round when its first line is due (once, until it
/// is written: as websocket_session does), and records every write it makes.
class batching_sink final : public client_sink, public std::enable_shared_from_this<batching_sink> {
 public:
  batching_sink(write_round& round, std::string name, std::vector<std::string>& order)
      : round_(round), name_(std::move(name)), order_(order) {}

  void deliver(shared_line line) override {
    queue_.push_back(*line);
    if (due_) return;
    due_ = true;
    round_.add(shared_from_this());
  }
  void write_round_due() override {
    due_ = false;
    writes.push_back(std::move(queue_));
    queue_.clear();
    order_.push_back(name_);
    if (on_write) on_write();
  }
  void close(close_code, std::string_view) override {}
  std::size_t queued_bytes() const override { return 0; }

  /// The `type`s of the lines of write `i`, in order (a line may hold several, '\n'-joined).
  std::vector<std::string> types_of_write(std::size_t i) const {
    std::vector<std::string> out;
    for (const auto& text : writes.at(i)) {
      std::size_t start = 0;
      while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        out.emplace_back(
            json::parse(std::string_view(text).substr(start, end - start)).at("type").as_string());
        start = end + 1;
      }
    }
    return out;
  }

  std::vector<std::vector<std::string>> writes;  // Each write's lines, in order.
  std::function<void()> on_write;                // Runs inside each write, after recording it.

 private:
  write_round& round_;
  std::string name_;
  std::vector<std::string>& order_;
  std::vector<std::string> queue_;
  bool due_ = false;
};

shared_line line(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

class WriteRound : public ::testing::Test {
 protected:
  std::shared_ptr<batching_sink> sink(std::string name) {
    return std::make_shared<batching_sink>(round, std::move(name), order);
  }

  manual_loop loop;
  write_round round{loop};
  std::vector<std::string> order;  // Which sink wrote, in the order they wrote.
};

TEST_F(WriteRound, EverySinkWritesOnceARoundHoweverManyLinesItWasHanded) {
  auto a = sink("a");
  auto b = sink("b");
  loop.post([&] {
    for (int i = 0; i < 5; ++i) a->deliver(line("a" + std::to_string(i)));
    for (int i = 0; i < 3; ++i) b->deliver(line("b" + std::to_string(i)));
    a->deliver(line("a5"));
  });
  loop.run_ready();
  ASSERT_EQ(a->writes.size(), 1u);
  EXPECT_EQ(a->writes[0], (std::vector<std::string>{"a0", "a1", "a2", "a3", "a4", "a5"}));
  ASSERT_EQ(b->writes.size(), 1u);
  EXPECT_EQ(b->writes[0], (std::vector<std::string>{"b0", "b1", "b2"}));
}

TEST_F(WriteRound, OneTaskAfterTheTaskThatHandedLinesOutWritesEverySink) {
  std::vector<std::shared_ptr<batching_sink>> sinks;
  for (int i = 0; i < 100; ++i) sinks.push_back(sink("s" + std::to_string(i)));
  loop.post([&] {
    for (auto& s : sinks) s->deliver(line("hello"));
  });
  ASSERT_TRUE(loop.run_one());
  EXPECT_TRUE(order.empty()) << "written at the end of the loop's task, not while it hands lines out";
  EXPECT_EQ(loop.ready(), 1u) << "one task for the round, not one per sink";
  ASSERT_TRUE(loop.run_one());
  EXPECT_EQ(order.size(), 100u);
  EXPECT_EQ(loop.ready(), 0u);
}

TEST_F(WriteRound, SinksWriteInTheOrderTheyAsked) {
  auto a = sink("a");
  auto b = sink("b");
  auto c = sink("c");
  loop.post([&] {
    c->deliver(line("1"));
    a->deliver(line("2"));
    c->deliver(line("3"));
    b->deliver(line("4"));
  });
  loop.run_ready();
  EXPECT_EQ(order, (std::vector<std::string>{"c", "a", "b"}));
}

TEST_F(WriteRound, ASinkAskingFromItsOwnWriteGoesInTheNextRound) {
  auto a = sink("a");
  auto b = sink("b");
  a->on_write = [&] {
    if (a->writes.size() == 1) a->deliver(line("more"));  // Lines left behind by the write.
  };
  loop.post([&] {
    a->deliver(line("first"));
    b->deliver(line("other"));
  });
  ASSERT_TRUE(loop.run_one());  // Hands the lines out.
  ASSERT_TRUE(loop.run_one());  // The round.
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(a->writes.size(), 1u) << "not written twice in one round";
  EXPECT_EQ(loop.ready(), 1u) << "the next round is posted";
  ASSERT_TRUE(loop.run_one());
  ASSERT_EQ(a->writes.size(), 2u);
  EXPECT_EQ(a->writes[1], (std::vector<std::string>{"more"}));
  EXPECT_EQ(b->writes.size(), 1u);
}

TEST_F(WriteRound, ARoundOpenedInThePipelinesTurnIsWrittenWhenTheTurnEnds) {
  auto a = sink("a");
  auto b = sink("b");
  loop.post([&] {
    round.begin_turn();
    a->deliver(line("1"));
    b->deliver(line("2"));
    a->deliver(line("3"));
    EXPECT_TRUE(order.empty());
    round.end_turn();
    EXPECT_EQ(order, (std::vector<std::string>{"a", "b"})) << "in the turn's own task";
  });
  ASSERT_TRUE(loop.run_one());
  EXPECT_EQ(loop.ready(), 0u) << "nothing posted";
  EXPECT_EQ(a->writes.at(0), (std::vector<std::string>{"1", "3"}));
}

TEST_F(WriteRound, ASinkAskingFromAWriteAtATurnsEndGoesInAPostedRound) {
  auto a = sink("a");
  a->on_write = [&] {
    if (a->writes.size() == 1) a->deliver(line("more"));
  };
  loop.post([&] {
    round.begin_turn();
    a->deliver(line("first"));
    round.end_turn();
  });
  ASSERT_TRUE(loop.run_one());
  ASSERT_EQ(a->writes.size(), 1u);
  ASSERT_EQ(loop.ready(), 1u);
  ASSERT_TRUE(loop.run_one());
  EXPECT_EQ(a->writes.size(), 2u);
}

TEST(WriteRoundLifetime, ALoopTornDownBeforeItsRoundReleasesTheRoundsSinks) {
  std::vector<std::string> order;
  auto loop = std::make_unique<manual_loop>();
  write_round round(*loop);
  auto a = std::make_shared<batching_sink>(round, "a", order);
  std::weak_ptr<batching_sink> held = a;
  a->deliver(line("never written"));  // Outside any task: the round is posted.
  a.reset();
  EXPECT_FALSE(held.expired()) << "the round's task holds the sink";
  loop.reset();
  EXPECT_TRUE(held.expired());
  EXPECT_TRUE(order.empty());
}

/// The whole path on one loop: a hub with the memory store, a client whose connection is a
/// batching sink in the loop's own round.
class WriteRoundPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    config.rate_limit = false;
    hub_ = std::make_unique<hub>(config, std::make_unique<store::memory_message_store>(),
                                 std::vector<event_loop*>{&loop});
    conn = std::make_shared<batching_sink>(hub_->pipeline(0).writes(), "kim", order);
    protocol::connect_request params;
    params.name = "kim";
    me = std::make_shared<client>(*hub_, 0, *conn, params);
    loop.post([this] { me->start(); });
    ASSERT_TRUE(run_until([&] { return written("welcome"); }));
  }
  void TearDown() override {
    me->on_closed();
    loop.run_ready();
    me.reset();
    hub_->stop();
  }
  bool written(const std::string& type) {
    for (std::size_t i = 0; i < conn->writes.size(); ++i)
      for (const auto& t : conn->types_of_write(i))
        if (t == type) return true;
    return false;
  }
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (loop.run_ready() == 0) loop.wait_for_post(5ms);
    }
    return done();
  }
  void post_send(const std::string& id) {
    const auto frame =
        json::serialize(json::object{{"type", "send"}, {"id", id}, {"username", "kim"}, {"message", "hi"}});
    loop.post([this, frame] { me->on_text(frame); });
  }

  limits config;
  manual_loop loop;
  std::unique_ptr<hub> hub_;
  std::vector<std::string> order;
  std::shared_ptr<batching_sink> conn;
  std::shared_ptr<client> me;
};

TEST_F(WriteRoundPipeline, ALoneSendIsCommittedFannedOutAndWrittenInTheTaskThatHandsItOver) {
  // A new store thread first runs a retention pass: a send during it goes to that thread.
  // Offer one send per turn until one is committed in place (bounded).
  for (int offer = 1; offer <= 100; ++offer) {
    const auto id = "m" + std::to_string(offer);
    post_send(id);
    ASSERT_TRUE(loop.run_one());  // The client reads the frame: the pipeline's turn is posted.
    ASSERT_EQ(loop.ready(), 1u);
    const auto writes_before = conn->writes.size();
    ASSERT_TRUE(loop.run_one());  // The turn.
    if (conn->writes.size() == writes_before + 1) {
      EXPECT_EQ(conn->types_of_write(writes_before), (std::vector<std::string>{"message", "ack"}))
          << "the message and its sender's ack in one write";
      EXPECT_EQ(loop.ready(), 0u) << "committed, fanned out and written in one task";
      return;
    }
    ASSERT_TRUE(run_until([&] { return conn->writes.size() > writes_before; }));
  }
  FAIL() << "no lone send was committed in place";
}

}  // namespace
}  // namespace message::core
