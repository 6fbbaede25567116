// The fan-out pacer: it engages only when writing every message at once would saturate the
// loop with small rounds (a big room at a steady rate), never for small rooms, light load, a
// slow start or an already batched stream; engaged, it spaces rounds by round / busy share, capped by the
// longest hold, and lets go with some hysteresis. Synthetic times: no sleeping.
#include "core/fanout_pacer.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace message::core {
namespace {

using namespace std::chrono_literals;
using clock = fanout_pacer::clock;

/// Feeds `seconds` of traffic: `rate` messages a second, each written at once in a round that
/// costs `round` of processor time. Returns the time after the last one.
clock::time_point feed(fanout_pacer& pacer, clock::time_point t, double rate, clock::duration round,
                       double seconds = 2.0) {
  const auto gap = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / rate));
  const auto count = static_cast<int>(rate * seconds);
  for (int i = 0; i < count; ++i, t += gap) {
    pacer.round_started(t, 1);
    pacer.round_finished(round);
  }
  return t;
}

class FanoutPacer : public ::testing::Test {
 protected:
  limits config;  // The shipped defaults unless a test changes one.
  clock::time_point t0 = clock::time_point() + 1h;

  /// Not paced: a message arriving at `t` is written at `t`.
  static void expect_at_once(const fanout_pacer& pacer, clock::time_point t) {
    EXPECT_FALSE(pacer.engaged());
    EXPECT_EQ(pacer.next_round(t), t);
  }
};

TEST_F(FanoutPacer, ABigRoomThatWouldSaturateTheLoopIsPaced) {
  fanout_pacer pacer(config);
  // 1,000 members at 300 messages/s, a round of writes taking 7 ms: load 2.1.
  const auto t = feed(pacer, t0, 300, 7ms);
  ASSERT_TRUE(pacer.engaged());
  EXPECT_NEAR(pacer.message_rate(), 300, 15);
  EXPECT_NEAR(pacer.round_seconds(), 0.007, 0.0005);
  // The next round waits until round / busy share (7 / 0.15 = 46.7 ms) after the last start.
  const auto last_start =
      t - std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / 300));
  const auto due = pacer.next_round(t);
  EXPECT_GT(due, t);
  const double spacing_ms = std::chrono::duration<double, std::milli>(due - last_start).count();
  EXPECT_NEAR(spacing_ms, 46.7, 1.0);
}

TEST_F(FanoutPacer, DearerRoundsOfASlowerHourKeepTheShare) {
  fanout_pacer pacer(config);
  // C300 when the machine is slower: 10 ms rounds. Spaced 66.7 ms apart, writing still takes
  // 0.15 of the loop; a 50 ms cap would have let it take a fifth (bench/FINDINGS.md).
  const auto t = feed(pacer, t0, 300, 10ms);
  ASSERT_TRUE(pacer.engaged());
  pacer.round_started(t, 1);
  const double spacing_ms = std::chrono::duration<double, std::milli>(pacer.next_round(t + 1ms) - t).count();
  EXPECT_NEAR(spacing_ms, 66.7, 1.0);
}

TEST_F(FanoutPacer, TheHoldNeverPassesItsLimit) {
  fanout_pacer pacer(config);
  // Rounds of 20 ms would mean 133 ms between rounds: capped at the 75 ms limit.
  const auto t = feed(pacer, t0, 100, 20ms);
  ASSERT_TRUE(pacer.engaged());
  pacer.round_started(t, 1);
  EXPECT_EQ(pacer.next_round(t + 1ms), t + config.pace_max_hold);
  EXPECT_EQ(pacer.next_round(t + 80ms), t + 80ms) << "a round already due starts at once";
}

TEST_F(FanoutPacer, ALoopWithRoomToSpareWritesAtOnce) {
  fanout_pacer pacer(config);
  // S4: 1,000 members at 50 messages/s, 7 ms rounds: load 0.35.
  const auto t = feed(pacer, t0, 50, 7ms);
  expect_at_once(pacer, t);
}

TEST_F(FanoutPacer, SlowFirstRoundsAfterAStartDoNotEngageIt) {
  fanout_pacer pacer(config);
  // S4 again, but its first 100 ms of rounds cost 40 ms each (load 2: cold caches).
  auto t = feed(pacer, t0, 50, 40ms, 0.12);
  t = feed(pacer, t, 50, 7ms, 1.0);
  expect_at_once(pacer, t);
}

TEST_F(FanoutPacer, SmallRoomsNeverWaitHoweverFast) {
  fanout_pacer pacer(config);
  // Two people, or a few dozen: rounds of 0.3 ms, even at 5,000 messages/s (load 1.5).
  const auto t = feed(pacer, t0, 5000, 300us);
  expect_at_once(pacer, t);
}

TEST_F(FanoutPacer, AnAlreadyBatchedStreamIsNotSlowed) {
  fanout_pacer pacer(config);
  // S3: a closed loop whose rounds carry tens of messages (3,000/s, 8 ms rounds: load 24).
  const auto t = feed(pacer, t0, 3000, 8ms);
  expect_at_once(pacer, t);
}

TEST_F(FanoutPacer, LetsGoWhenTheLoadFallsWellBelowTheEngagePoint) {
  fanout_pacer pacer(config);
  auto t = feed(pacer, t0, 300, 7ms);
  ASSERT_TRUE(pacer.engaged());
  // Load 0.91: just under the engage point, within the hysteresis: still paced.
  t = feed(pacer, t, 130, 7ms);
  EXPECT_TRUE(pacer.engaged());
  // Load 0.35: the loop has room again.
  t = feed(pacer, t, 50, 7ms);
  expect_at_once(pacer, t);
}

TEST_F(FanoutPacer, ZeroHoldOrZeroShareTurnsPacingOff) {
  config.pace_max_hold = 0ms;
  fanout_pacer no_hold(config);
  feed(no_hold, t0, 300, 7ms);
  EXPECT_FALSE(no_hold.engaged());

  config.pace_max_hold = 50ms;
  config.pace_busy_share = 0;
  fanout_pacer no_share(config);
  feed(no_share, t0, 300, 7ms);
  EXPECT_FALSE(no_share.engaged());
}

TEST_F(FanoutPacer, EngageLoadZeroPacesEveryRoom) {
  config.pace_engage_load = 0;
  fanout_pacer pacer(config);
  EXPECT_FALSE(pacer.engaged()) << "nothing measured yet";
  const auto t = feed(pacer, t0, 10, 300us, 0.5);
  EXPECT_TRUE(pacer.engaged()) << "small and slow, but paced: the operator asked for it";
  pacer.round_started(t, 1);
  EXPECT_GT(pacer.next_round(t), t);
}

}  // namespace
}  // namespace message::core
