#pragma once

#include <functional>

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
  net::io_context& context() { return context_; }
  void run() { context_.run(); }
  void stop() { context_.stop(); }

 private:
  net::io_context context_;
  net::executor_work_guard<net::io_context::executor_type> work_;
};

}  // namespace message::transport
