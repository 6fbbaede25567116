#pragma once

#include <algorithm>
#include <chrono>

namespace message::core {

/// A token bucket: `rate` tokens a second flow in, at most `burst` are kept. take(n) spends n
/// tokens if there are that many. Pure; not thread-safe (the owner serialises calls).
class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  token_bucket(double rate, double burst, clock::time_point now)
      : rate_(rate), burst_(burst), tokens_(burst), last_(now) {}

  /// Spends n tokens if available. A cost above the burst is charged as the whole burst, so a
  /// single large item passes when the bucket is full instead of never.
  bool take(double n, clock::time_point now) {
    refill(now);
    n = std::min(n, burst_);
    if (tokens_ < n) return false;
    tokens_ -= n;
    return true;
  }

  /// True when take(n) would succeed now; spends nothing.
  bool has(double n, clock::time_point now) {
    refill(now);
    return tokens_ >= std::min(n, burst_);
  }

  /// True when the bucket has refilled completely (nothing to remember about its owner).
  bool full(clock::time_point now) {
    refill(now);
    return tokens_ >= burst_;
  }

 private:
  void refill(clock::time_point now) {
    if (now <= last_) return;
    const double seconds = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + seconds * rate_);
    last_ = now;
  }

  double rate_;
  double burst_;
  double tokens_;
  clock::time_point last_;
};

}  // namespace message::core
