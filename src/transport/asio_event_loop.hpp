#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "core/event_loop.hpp"
#include "transport/idle_spin.hpp"
#include "transport/net.hpp"

namespace message::transport {

/// One I/O thread's io_context, seen by the core as an event_loop. Every socket accepted for
/// this loop lives on this context, so its handlers never run concurrently (no strands).
/// Thread-safety: post() from any thread; run() on exactly one thread.
class asio_event_loop final : public core::event_loop {
 public:
  /// `max_spin`: the longest the loop polls for events before it sleeps (idle_spin;
  /// limits::loop_spin); 0 sleeps at once.
  explicit asio_event_loop(std::chrono::nanoseconds max_spin = {})
      : context_(1), work_(net::make_work_guard(context_)), spin_(max_spin) {}
  void post(std::function<void()> fn) override { net::post(context_, std::move(fn)); }
  void post_at(std::chrono::steady_clock::time_point when, std::function<void()> fn) override {
    // A timer per call: the core asks for one only while it paces fan-out, a few dozen a second.
    auto timer = std::make_shared<net::steady_timer>(context_, when);
    timer->async_wait([timer, fn = std::move(fn)](boost::system::error_code ec) {
      if (!ec) fn();
    });
  }
  bool runs_here() const override { return executor_.running_in_this_thread(); }
  net::io_context& context() { return context_; }
  /// Runs handlers until stop(): after the last ready one it polls for new events for the
  /// idle_spin window, then sleeps in epoll_wait.
  void run();
  void stop() { context_.stop(); }

 private:
  net::io_context context_;
  net::io_context::executor_type executor_ = context_.get_executor();
  net::executor_work_guard<net::io_context::executor_type> work_;
  idle_spin spin_;  // Loop thread only.
};

}  // namespace message::transport
