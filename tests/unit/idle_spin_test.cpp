// The I/O loop's idle polling: the adaptive window (idle_spin) and the loop that applies it
// (asio_event_loop::run), which must still run what other threads post and stop when told.

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "transport/asio_event_loop.hpp"
#include "transport/idle_spin.hpp"

namespace message::transport {
namespace {

using namespace std::chrono_literals;

TEST(IdleSpin, SleepsAtOnceUntilEventsComeClose) {
  idle_spin spin(100us);
  EXPECT_EQ(spin.window(), 0ns);
  spin.after_sleep(5ms);  // A ping every few seconds: nothing to catch.
  EXPECT_EQ(spin.window(), 0ns);
  spin.after_sleep(30us);  // A round trip of a conversation: spinning would have caught it.
  EXPECT_EQ(spin.window(), 100us);
}

TEST(IdleSpin, LongSleepsHalveTheWindowDownToNone) {
  idle_spin spin(100us);
  spin.after_sleep(10us);
  ASSERT_EQ(spin.window(), 100us);
  spin.after_sleep(2ms);
  EXPECT_EQ(spin.window(), 50us);
  spin.after_sleep(2ms);
  EXPECT_EQ(spin.window(), 25us);
  spin.after_sleep(2ms);
  EXPECT_EQ(spin.window(), 0ns);  // Below the floor: sleeps at once again.
  spin.after_sleep(100us);        // Exactly max still counts as close.
  EXPECT_EQ(spin.window(), 100us);
}

TEST(IdleSpin, ZeroNeverSpins) {
  idle_spin spin(0us);
  spin.after_sleep(1us);
  EXPECT_EQ(spin.window(), 0ns);
}

TEST(AsioEventLoop, RunsWhatOtherThreadsPostWhileItPollsAndStopsWhenTold) {
  asio_event_loop loop(std::chrono::milliseconds(5));  // A long window: the loop mostly polls.
  std::thread runner([&] { loop.run(); });
  // Posts that come close together keep the loop polling; each must still run, in order.
  std::atomic<int> ran{0};
  for (int i = 0; i < 200; ++i) {
    std::promise<int> done;
    auto seen = done.get_future();
    loop.post([&ran, &done] { done.set_value(ran.fetch_add(1)); });
    ASSERT_EQ(seen.wait_for(5s), std::future_status::ready) << "post " << i << " did not run";
    EXPECT_EQ(seen.get(), i);
  }
  loop.stop();
  runner.join();  // Returns: stop() ends a polling loop too.
  EXPECT_EQ(ran.load(), 200);
}

}  // namespace
}  // namespace message::transport
