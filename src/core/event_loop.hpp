#pragma once

#include <functional>

namespace message::core {

/// Where the core runs work on one I/O thread, without knowing it is Asio.
/// Thread-safety: post() is safe to call from any thread; the function runs on the loop's
/// thread, in the order posts were made from any one thread.
class event_loop {
 public:
  virtual ~event_loop() = default;
  virtual void post(std::function<void()> fn) = 0;
};

}  // namespace message::core
