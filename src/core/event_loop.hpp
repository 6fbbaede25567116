#pragma once

#include <chrono>
#include <functional>

namespace message::core {

/// Where the core runs work on one I/O thread, without knowing it is Asio.
/// Thread-safety: post() is safe to call from any thread; the function runs on the loop's
/// thread, in the order posts were made from any one thread. post_at() only from the loop's
/// own thread.
class event_loop {
 public:
  virtual ~event_loop() = default;
  virtual void post(std::function<void()> fn) = 0;
  /// Runs `fn` on the loop at `when` (steady clock), or never if the loop stops first.
  virtual void post_at(std::chrono::steady_clock::time_point when, std::function<void()> fn) = 0;
  /// True when called on the loop's own thread, from one of its tasks.
  virtual bool runs_here() const = 0;
};

}  // namespace message::core
