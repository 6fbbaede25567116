// The broker contract (core/broker.hpp), one typed suite for every implementation: the
// in-process memory_broker and redis::redis_broker on a real redis-server. Each "node" here is
// what the hub wires in production: a store_thread whose commits go to broker.committed(), a
// presence whose local changes go to broker.presence_changed(), and a target that records
// what the broker delivers. Cross-node tests run for brokers that serve several nodes.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/limits.hpp"
#include "core/broker.hpp"
#include "core/memory_broker.hpp"
#include "core/presence.hpp"
#include "core/store_thread.hpp"
#include "redis/redis_broker.hpp"
#include "redis_server.hpp"
#include "store/memory_message_store.hpp"
#include "store/redis_message_store.hpp"

namespace message::core {
namespace {

using namespace std::chrono_literals;

/// A broker_target that records every call. Thread-safety: every method, from any thread.
class recording_target final : public broker_target {
 public:
  struct event {
    std::string room;
    std::string line;
    const client* except = nullptr;
  };

  void deliver_messages(std::vector<chat_message>&& messages) override {
    std::lock_guard lock(mutex_);
    for (auto& m : messages) messages_.push_back(std::move(m));
    changed_.notify_all();
  }
  void deliver_event(const std::string& room, shared_line line, const client* except) override {
    std::lock_guard lock(mutex_);
    events_.push_back({room, *line, except});
    changed_.notify_all();
  }
  void resync() override {
    std::lock_guard lock(mutex_);
    ++resyncs_;
    changed_.notify_all();
  }
  class presence& people() override {
    return people_;
  }

  /// Waits (bounded) until `ready(messages, events, resyncs)` holds; false on timeout.
  template <class Predicate>
  bool wait_until(Predicate ready, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return ready(messages_, events_, resyncs_); });
  }
  bool wait_for_messages(std::size_t n) {
    return wait_until([n](auto& m, auto&, int) { return m.size() >= n; });
  }
  /// Waits for an event whose line holds `text`, among those recorded after the first `from`.
  bool wait_for_event_containing(const std::string& text, std::size_t from = 0) {
    return wait_until([&](auto&, auto& e, int) {
      return std::any_of(e.begin() + static_cast<std::ptrdiff_t>(std::min(from, e.size())), e.end(),
                         [&](const event& ev) { return ev.line.find(text) != std::string::npos; });
    });
  }
  std::vector<chat_message> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  std::vector<event> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<chat_message> messages_;
  std::vector<event> events_;
  int resyncs_ = 0;
  class presence people_;
};

/// One node wired as core::hub wires it, minus the clients.
struct node {
  node(std::unique_ptr<store::sequencing_store> store, std::unique_ptr<broker> b) : broker_(std::move(b)) {
    target.people().set_local_listener(
        [this](const std::string& room, const std::string& username, const std::string& device,
               bool present) { broker_->presence_changed(room, username, device, present); });
    broker_->start(target);
    worker = std::make_unique<store_thread>(
        std::move(store), limits_,
        [this](std::vector<chat_message>&& stored) { broker_->committed(std::move(stored)); });
  }
  ~node() { stop(); }
  void stop() {
    worker->stop();
    broker_->stop();
  }
  void send(const std::string& room, const std::string& id) {
    worker->append({room, id, "kim", "text of " + id, "dev123", 1000}, [](const append_outcome&) {});
  }
  broker& the_broker() { return *broker_; }

  limits limits_;
  recording_target target;
  std::unique_ptr<broker> broker_;
  std::unique_ptr<store_thread> worker;
};

struct memory_backend {
  static constexpr bool several_nodes = false;
  static constexpr bool links = false;  // Delivers as soon as start() returns.
  static bool available() { return true; }
  std::unique_ptr<node> make_node() {
    return std::make_unique<node>(std::make_unique<store::memory_message_store>(),
                                  std::make_unique<memory_broker>());
  }
};

/// A real redis-server per test (fresh data), started on a free port; skipped without one.
struct redis_backend {
  static constexpr bool several_nodes = true;
  static constexpr bool links = true;  // Delivers once subscribed, which it reports by resync().
  static bool available() { return test::redis_server::available(); }
  std::unique_ptr<node> make_node() {
    if (!server) server = std::make_unique<test::redis_server>();
    const auto where = redis::parse_redis_url(server->url());
    auto status = std::make_shared<redis::redis_status>();
    // No test waits for a heartbeat (a node's hello brings the others' lists at once), and a
    // short one let a loaded sanitizer run expire a live node's people (after three missed
    // beats) in the middle of the presence test.
    return std::make_unique<node>(
        std::make_unique<store::redis_message_store>(where, status),
        std::make_unique<redis::redis_broker>(where, status, redis::redis_broker::options{2s}));
  }
  std::unique_ptr<test::redis_server> server;
};

template <class Backend>
class BrokerContract : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Backend::available()) GTEST_SKIP() << "not installed here";
  }
  /// A started node, linked (ready to deliver) when the call returns.
  std::unique_ptr<node> linked_node() {
    auto n = backend.make_node();
    if constexpr (Backend::links) {
      EXPECT_TRUE(n->target.wait_until([](auto&, auto&, int resyncs) { return resyncs >= 1; }))
          << "the broker never subscribed";
    }
    return n;
  }
  Backend backend;
};

using Brokers = ::testing::Types<memory_backend, redis_backend>;
TYPED_TEST_SUITE(BrokerContract, Brokers);

/// Each room's delivered seqs, in delivery order.
std::map<std::string, std::vector<std::uint64_t>> seqs_by_room(const std::vector<chat_message>& messages) {
  std::map<std::string, std::vector<std::uint64_t>> out;
  for (const auto& m : messages) out[m.room].push_back(m.seq);
  return out;
}

std::vector<std::uint64_t> one_to(std::uint64_t n) {
  std::vector<std::uint64_t> v(n);
  for (std::uint64_t i = 0; i < n; ++i) v[i] = i + 1;
  return v;
}

TYPED_TEST(BrokerContract, EveryCommitReachesTheTargetOnceInSeqOrder) {
  auto a = this->linked_node();
  for (int i = 0; i < 300; ++i) a->send("room" + std::to_string(i % 3), "m" + std::to_string(i));
  ASSERT_TRUE(a->target.wait_for_messages(300)) << a->target.messages().size() << " of 300 arrived";
  const auto delivered = a->target.messages();
  EXPECT_EQ(delivered.size(), 300u) << "nothing twice";
  for (const auto& [room, seqs] : seqs_by_room(delivered)) EXPECT_EQ(seqs, one_to(100)) << room;
  EXPECT_EQ(delivered.front().text, "text of m0") << "the stored message itself, not a summary";
}

TYPED_TEST(BrokerContract, AnEventReachesThisNodeWithItsExceptionKept) {
  auto a = this->linked_node();
  const auto* sender = reinterpret_cast<const client*>(&a);  // Only compared, never used.
  a->the_broker().publish_event("lobby", std::make_shared<const std::string>("typing-line"), sender);
  ASSERT_TRUE(a->target.wait_for_event_containing("typing-line"));
  const auto events = a->target.events();
  ASSERT_EQ(events.size(), 1u) << "this node hears its own event once, not again through the broker";
  EXPECT_EQ(events[0].room, "lobby");
  EXPECT_EQ(events[0].except, sender) << "the sender's own connection is skipped";
}

TYPED_TEST(BrokerContract, AHealthyBrokerReportsNoProblem) {
  auto a = this->linked_node();
  EXPECT_EQ(a->the_broker().problem(), "");
}

TYPED_TEST(BrokerContract, AfterStopTheTargetIsNotCalledAgain) {
  auto a = this->linked_node();
  a->send("r", "before");
  ASSERT_TRUE(a->target.wait_for_messages(1));
  a->the_broker().stop();
  a->the_broker().stop();  // Idempotent.
  std::unique_ptr<node> witness;
  if constexpr (TypeParam::several_nodes) witness = this->linked_node();
  // A commit after stop: the store still works, the stopped broker must stay silent.
  a->send("r", "after");
  bool committed = false;
  std::mutex m;
  std::condition_variable cv;
  a->worker->read([&](store::sequencing_store&) {  // Runs once "after" has committed.
    std::lock_guard lock(m);
    committed = true;
    cv.notify_all();
  });
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return committed; }));
  }
  if (witness) {
    // Redis published the commit; a running node hears it, so the stopped one would have too.
    witness->send("r", "last");
    ASSERT_TRUE(witness->target.wait_until([](auto& msgs, auto&, int) {
      return std::any_of(msgs.begin(), msgs.end(), [](const chat_message& x) { return x.id == "last"; });
    }));
  }
  EXPECT_EQ(a->target.messages().size(), 1u) << "only the message from before stop()";
}

// --- several nodes: brokers that serve more than one node -----------------------------------

TYPED_TEST(BrokerContract, EveryNodeSeesEveryCommitInOneOrder) {
  if constexpr (!TypeParam::several_nodes) {
    GTEST_SKIP() << "this broker serves one node by design";
  } else {
    auto a = this->linked_node();
    auto b = this->linked_node();
    auto c = this->linked_node();
    for (int i = 0; i < 100; ++i) {
      a->send("r", "a" + std::to_string(i));
      b->send("r", "b" + std::to_string(i));
      c->send("r", "c" + std::to_string(i));
    }
    for (auto* n : {a.get(), b.get(), c.get()}) {
      ASSERT_TRUE(n->target.wait_for_messages(300)) << n->target.messages().size() << " of 300";
    }
    const auto order = a->target.messages();
    EXPECT_EQ(seqs_by_room(order)["r"], one_to(300)) << "gap-free, once each";
    for (auto* n : {b.get(), c.get()}) {
      const auto other = n->target.messages();
      ASSERT_EQ(other.size(), order.size());
      for (std::size_t i = 0; i < order.size(); ++i) {
        ASSERT_EQ(other[i].id, order[i].id) << "node order differs at " << i;
        ASSERT_EQ(other[i].seq, order[i].seq);
      }
    }
  }
}

TYPED_TEST(BrokerContract, AnEventReachesTheOtherNodesWithoutTheException) {
  if constexpr (!TypeParam::several_nodes) {
    GTEST_SKIP() << "this broker serves one node by design";
  } else {
    auto a = this->linked_node();
    auto b = this->linked_node();
    const auto* sender = reinterpret_cast<const client*>(&a);
    // The events subscription may come up just after the messages one: retry, bounded.
    bool arrived = false;
    for (int attempt = 0; attempt < 20 && !arrived; ++attempt) {
      a->the_broker().publish_event("lobby", std::make_shared<const std::string>("typing-line"), sender);
      arrived = b->target.wait_until([](auto&, auto& e, int) { return !e.empty(); }, 500ms);
    }
    ASSERT_TRUE(arrived);
    const auto heard = b->target.events()[0];
    EXPECT_EQ(heard.room, "lobby");
    EXPECT_EQ(heard.line, "typing-line");
    EXPECT_EQ(heard.except, nullptr) << "the sender is not on this node";
  }
}

TYPED_TEST(BrokerContract, PresenceIsTheUnionOverNodesAndAStoppedNodeLeavesIt) {
  if constexpr (!TypeParam::several_nodes) {
    GTEST_SKIP() << "this broker serves one node by design";
  } else {
    auto a = this->linked_node();
    auto b = this->linked_node();
    a->target.people().join("lobby", "kim", "dev123");
    // Whether b hears the announcement or a's answer to b's hello, "join" arrives.
    ASSERT_TRUE(b->target.wait_for_event_containing("\"join\""));
    auto listed = b->target.people().list("lobby");
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].username, "kim");
    const auto before_stop = b->target.events().size();
    a->stop();  // Says goodbye: b drops a's people at once, not after the heartbeats.
    ASSERT_TRUE(b->target.wait_for_event_containing("\"leave\"", before_stop));
    EXPECT_TRUE(b->target.people().list("lobby").empty());
  }
}

// --- a broker that links to something: losing the link ------------------------------------

TEST(RedisBrokerLink, AfterRedisComesBackTheBrokerResyncsAndDeliversAgain) {
  if (!test::redis_server::available()) GTEST_SKIP() << "redis-server is not installed";
  redis_backend backend;
  auto a = backend.make_node();
  ASSERT_TRUE(a->target.wait_until([](auto&, auto&, int r) { return r >= 1; }));
  a->send("r", "one");
  ASSERT_TRUE(a->target.wait_for_messages(1));
  backend.server->stop(SIGKILL);
  backend.server->start();
  // Commits published while it was away never reach it: it must say so (resync) once back.
  ASSERT_TRUE(a->target.wait_until([](auto&, auto&, int r) { return r >= 2; }, 20s))
      << "no resync after reconnect";
  a->send("r", "two");
  ASSERT_TRUE(a->target.wait_for_messages(2));
  EXPECT_EQ(a->target.messages()[1].id, "two");
  EXPECT_EQ(a->target.messages()[1].seq, 2u) << "the AOF kept seq 1";
  EXPECT_EQ(a->the_broker().problem(), "");
}

}  // namespace
}  // namespace message::core
