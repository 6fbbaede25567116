#pragma once

#include <chrono>
#include <random>

namespace message::client {

/// Reconnect delays: a random part of `min` first (jitter: after a server restart every
/// client retries at once), then doubling up to `max`; reset() after a connection that
/// worked. Not thread-safe.
class backoff {
 public:
  backoff(std::chrono::milliseconds min, std::chrono::milliseconds max) : min_(min), max_(max) {}

  std::chrono::milliseconds next() {
    if (current_.count() == 0) {
      current_ = min_;
      std::uniform_int_distribution<long> d(min_.count() / 4, min_.count());
      return std::chrono::milliseconds(d(rng_));
    }
    current_ = std::min(current_ * 2, max_);
    return current_;
  }
  void reset() { current_ = std::chrono::milliseconds(0); }

 private:
  std::chrono::milliseconds min_, max_;
  std::chrono::milliseconds current_{0};
  std::mt19937 rng_{std::random_device{}()};
};

}  // namespace message::client
