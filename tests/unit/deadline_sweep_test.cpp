// The loop's deadline sweep: deadlines fire (late by at most a tick, never early), moved and
// removed ones do not, members may leave during a sweep, and the tick stops when nobody is left
// (io_context::run returns by itself). Real io_context, short real deadlines.
#include "transport/deadline_sweep.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <vector>

namespace message::transport {
namespace {

using namespace std::chrono_literals;
using clock = deadline_sweep::clock;

constexpr auto tick = 5ms;

struct probe final : deadline_sweep::member {
  explicit probe(deadline_sweep& s) : sweep(s) {}
  ~probe() override { sweep.remove(*this); }
  void on_deadline() override {
    fired_at.push_back(clock::now());
    if (then) then();
  }
  deadline_sweep& sweep;
  std::vector<clock::time_point> fired_at;
  std::function<void()> then;  // What the member does when its deadline fires.
};

/// Runs the loop until it has nothing left to do, at most 5 s (a tick that never stops
/// would fail the test here instead of hanging it).
bool runs_dry(net::io_context& io) {
  io.run_for(5s);
  return io.stopped();
}

TEST(DeadlineSweep, FiresEachDeadlineOnceAndNotEarlyThenStopsTicking) {
  net::io_context io;
  deadline_sweep sweep(io, tick);
  probe soon(sweep), later(sweep);
  const auto start = clock::now();
  sweep.set(soon, start + 20ms);
  sweep.set(later, start + 60ms);

  ASSERT_TRUE(runs_dry(io)) << "the tick must stop once no deadline is left to fire";
  ASSERT_EQ(soon.fired_at.size(), 1u);
  ASSERT_EQ(later.fired_at.size(), 1u);
  EXPECT_GE(soon.fired_at[0], start + 20ms);
  EXPECT_GE(later.fired_at[0], start + 60ms);
  EXPECT_LT(soon.fired_at[0], later.fired_at[0]);
  // Fired members stay members (with no deadline) until they leave.
  EXPECT_EQ(sweep.size(), 2u);
}

TEST(DeadlineSweep, AMovedDeadlineFiresAtItsNewTimeAndARemovedOneNever) {
  net::io_context io;
  deadline_sweep sweep(io, tick);
  probe moved(sweep), removed(sweep), keeper(sweep);
  const auto start = clock::now();
  sweep.set(moved, start + 10ms);
  sweep.set(removed, start + 10ms);
  sweep.set(keeper, start + 40ms);
  sweep.set(moved, start + 30ms);
  sweep.remove(removed);
  sweep.remove(removed);  // Twice is harmless.

  ASSERT_TRUE(runs_dry(io));
  ASSERT_EQ(moved.fired_at.size(), 1u);
  EXPECT_GE(moved.fired_at[0], start + 30ms);
  EXPECT_TRUE(removed.fired_at.empty());
  EXPECT_EQ(keeper.fired_at.size(), 1u);
}

TEST(DeadlineSweep, MembersMayLeaveAndRearmWhileTheSweepRuns) {
  net::io_context io;
  deadline_sweep sweep(io, tick);
  constexpr std::size_t count = 50;
  std::vector<std::unique_ptr<probe>> members;
  std::vector<bool> gone(count, false);
  for (std::size_t i = 0; i < count; ++i) members.push_back(std::make_unique<probe>(sweep));
  const auto leave = [&](std::size_t i) {
    gone[i] = true;
    sweep.remove(*members[i]);
  };
  const auto due = clock::now() + 10ms;
  for (std::size_t i = 0; i < count; ++i) {
    probe& p = *members[i];
    sweep.set(p, due);
    p.then = [&, i] {
      EXPECT_FALSE(gone[i]) << "member " << i << " fired after it left";
      if (i % 2 == 1) return leave(i);  // Odd members leave on their deadline.
      // Even ones first remove their neighbour, which the sweep may not have reached yet,
      // then re-arm once (like an idle ping), then leave.
      if (!gone[i + 1]) leave(i + 1);
      if (p.fired_at.size() == 1) return sweep.set(p, clock::now() + 10ms);
      leave(i);
    };
  }

  ASSERT_TRUE(runs_dry(io));
  EXPECT_EQ(sweep.size(), 0u);
  for (std::size_t i = 0; i < count; i += 2) EXPECT_EQ(members[i]->fired_at.size(), 2u) << "member " << i;
  for (std::size_t i = 1; i < count; i += 2) EXPECT_LE(members[i]->fired_at.size(), 1u) << "member " << i;
}

TEST(DeadlineSweep, TicksAgainForMembersThatArriveAfterItStopped) {
  net::io_context io;
  deadline_sweep sweep(io, tick);
  probe first(sweep), second(sweep);
  sweep.set(first, clock::now() + 5ms);
  first.then = [&] { sweep.remove(first); };
  ASSERT_TRUE(runs_dry(io));
  ASSERT_EQ(first.fired_at.size(), 1u);
  EXPECT_EQ(sweep.size(), 0u);

  io.restart();
  sweep.set(second, clock::now() + 5ms);
  second.then = [&] { sweep.remove(second); };
  ASSERT_TRUE(runs_dry(io));
  EXPECT_EQ(second.fired_at.size(), 1u);
}

TEST(DeadlineSweep, OutlivesTheLoopsPendingTick) {
  // The app's order: the io_context (with the tick pending) goes before the sweep.
  auto io = std::make_unique<net::io_context>();
  deadline_sweep sweep(*io, tick);
  probe member(sweep);
  sweep.set(member, clock::now() + 1h);
  io->poll();
  io.reset();  // Destroys the pending tick; the sweep must not touch it afterwards.
  sweep.remove(member);
  EXPECT_EQ(sweep.size(), 0u);
}

TEST(DeadlineSweep, TickIsAnEighthOfTheShortestDeadlineWithinBounds) {
  core::limits l;
  EXPECT_EQ(deadline_sweep::tick_for(l), std::chrono::milliseconds(250));  // slow_close_grace / 8
  l.idle_ping = std::chrono::seconds(1);
  l.slow_close_grace = std::chrono::milliseconds(2000);
  EXPECT_EQ(deadline_sweep::tick_for(l), std::chrono::milliseconds(125));
  l.slow_close_grace = std::chrono::milliseconds(1);
  EXPECT_EQ(deadline_sweep::tick_for(l), std::chrono::milliseconds(10));
  l = core::limits{};
  l.idle_ping = std::chrono::seconds(3600);
  l.handshake_timeout = std::chrono::seconds(3600);
  l.slow_close_grace = std::chrono::milliseconds(3600 * 1000);
  EXPECT_EQ(deadline_sweep::tick_for(l), std::chrono::seconds(1));
}

}  // namespace
}  // namespace message::transport
