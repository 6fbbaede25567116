// The outbox's rules with a hand-driven clock: pacing to the announced rate, the window,
// resends after rate_limited and store_failed in input order, everything again after a drop.
#include <gtest/gtest.h>

#include "client/outbox.hpp"

namespace message::client {
namespace {

using namespace std::chrono_literals;
using clock = outbox::clock;

protocol::server_limits rate(double per_sec, double burst) {
  protocol::server_limits l;
  l.msgs_per_sec = per_sec;
  l.msgs_burst = burst;
  return l;
}

std::vector<std::string> ids(const std::vector<outbox::item>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.id);
  return out;
}

outbox filled(client_limits limits, int n) {
  outbox box(limits);
  for (int i = 1; i <= n; ++i)
    box.push({"m" + std::to_string(i), "text", "ann", static_cast<std::uint64_t>(i), {}});
  return box;
}

TEST(Outbox, UnlimitedSendsUpToTheWindow) {
  client_limits l;
  l.send_window = 3;
  auto box = filled(l, 5);
  const auto t0 = clock::now();
  box.connected(rate(0, 0), t0);
  std::optional<clock::time_point> next;
  EXPECT_EQ(ids(box.take_ready(t0, next)), (std::vector<std::string>{"m1", "m2", "m3"}));
  EXPECT_FALSE(next) << "waiting for acks, not for time";
  EXPECT_TRUE(box.on_ack({"lobby", "m1", 1, false}));
  EXPECT_EQ(ids(box.take_ready(t0, next)), (std::vector<std::string>{"m4"}));
  EXPECT_FALSE(box.on_ack({"lobby", "unknown", 1, false}));
}

TEST(Outbox, PacedToTheAnnouncedRateAfterHalfTheBurst) {
  client_limits l;
  l.pace_share = 1;
  auto box = filled(l, 10);
  const auto t0 = clock::now();
  box.connected(rate(10, 4), t0);
  std::optional<clock::time_point> next;
  EXPECT_EQ(box.take_ready(t0, next).size(), 2u);
  ASSERT_TRUE(next);
  EXPECT_GE(*next - t0, 99ms);
  EXPECT_LE(*next - t0, 101ms);
  EXPECT_EQ(box.take_ready(t0 + 50ms, next).size(), 0u);
  EXPECT_EQ(box.take_ready(t0 + 100ms, next).size(), 1u);
  EXPECT_EQ(box.take_ready(t0 + 400ms, next).size(), 2u) << "the bucket holds at most the (halved) burst";
}

TEST(Outbox, RateLimitedIsResentInInputOrderAfterABackOff) {
  client_limits l;
  auto box = filled(l, 4);
  const auto t0 = clock::now();
  box.connected(rate(0, 0), t0);
  std::optional<clock::time_point> next;
  ASSERT_EQ(box.take_ready(t0, next).size(), 4u);
  EXPECT_FALSE(box.on_error({"rate_limited", "slow", "m3", ""}, t0));
  EXPECT_FALSE(box.on_error({"rate_limited", "slow", "m2", ""}, t0));
  EXPECT_EQ(box.take_ready(t0, next).size(), 0u);
  ASSERT_TRUE(next);
  // Refused by a server that announced no rate: now paced, one at a time, in input order.
  std::vector<std::string> resent;
  for (int round = 0; round < 4 && next && resent.size() < 2; ++round)
    for (const auto& id : ids(box.take_ready(*next, next))) resent.push_back(id);
  EXPECT_EQ(resent, (std::vector<std::string>{"m2", "m3"}));
  EXPECT_EQ(box.waiting(), 4u);
}

TEST(Outbox, AnotherRefusalIsFinalAndStoreFailedIsRetriedThenGivenUp) {
  client_limits l;
  l.store_retries = 2;
  auto box = filled(l, 2);
  auto t = clock::now();
  box.connected(rate(0, 0), t);
  std::optional<clock::time_point> next;
  box.take_ready(t, next);
  auto refused = box.on_error({"too_long", "too long", "m1", ""}, t);
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->accepted);
  EXPECT_EQ(refused->code, "too_long");
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(box.on_error({"store_failed", "disk", "m2", ""}, t));
    t += 10s;
    ASSERT_EQ(box.take_ready(t, next).size(), 1u);
  }
  auto given_up = box.on_error({"store_failed", "disk", "m2", ""}, t);
  ASSERT_TRUE(given_up);
  EXPECT_TRUE(box.empty());
}

TEST(Outbox, ADropSendsEverythingUnansweredAgainOnTheNextConnection) {
  client_limits l;
  auto box = filled(l, 3);
  auto t = clock::now();
  box.connected(rate(0, 0), t);
  std::optional<clock::time_point> next;
  box.take_ready(t, next);
  box.on_ack({"lobby", "m2", 5, false});
  box.disconnected();
  EXPECT_EQ(box.in_flight(), 0u);
  EXPECT_EQ(ids(box.pending()), (std::vector<std::string>{"m1", "m3"}));
  box.connected(rate(0, 0), t);
  EXPECT_EQ(ids(box.take_ready(t, next)), (std::vector<std::string>{"m1", "m3"}));
  auto dup = box.on_ack({"lobby", "m1", 4, true});
  ASSERT_TRUE(dup);
  EXPECT_TRUE(dup->accepted && dup->duplicate);
}

}  // namespace
}  // namespace message::client
