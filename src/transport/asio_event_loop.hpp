#pragma once

#include <functional>
#include <memory>

#include "core/event_loop.hpp"
#include "transport/net.hpp"

namespace message::transport {

/// One I/O thread's io_context, seen by the core as an event_loop. Every socket accepted for
/// this loop lives on this context, so its handlers never run concurrently (no strands).
/// Thread-safety: post() from any thread; run() on exactly one thread.
class asio_event_loop final : public core::event_loop {
 public:
  asio_event_loop() : context_(1), work_(net::make_work_guard(context_)) {}
  void post(std::function<void()> fn) override { net::post(context_, std::move(fn)); }
  void post_at(std::chrono::steady_clock::time_point when, std::function<void()> fn) override {
    // A timer per call: the core asks for one only while it paces fan-out, a few dozen a second.
    auto timer = std::make_shared<net::steady_timer>(context_, when);
    timer->async_wait([timer, fn = std::move(fn)](boost::system::error_code ec) {
      if (!ec) fn();
    });
  }
  net::io_context& context() { return context_; }
  void run() { context_.run(); }
  void stop() { context_.stop(); }

 private:
  net::io_context context_;
  net::executor_work_guard<net::io_context::executor_type> work_;
};

}  // namespace message::transport
