#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace message::redis {

/// What this node knows about its Redis connections, for /healthz and the log: each
/// connection (store, subscriber, publisher) reports here when it breaks and when it is back.
/// Thread-safety: every method is safe from any thread.
class redis_status {
 public:
  enum class link { store, subscriber, publisher };

  /// Records that `which` is down because of `why` (logged once per change).
  void down(link which, const std::string& why);
  /// Records that `which` works again (logged once per change).
  void up(link which);
  /// Empty when every link is up; otherwise which are down and why.
  std::string problem() const;
  /// Whether `which` is up now.
  bool is_up(link which) const;

  /// Upper bounds of the Redis lag buckets, in milliseconds: on a LAN a commit comes back
  /// through Redis in a millisecond or two; tens mean a loaded Redis, seconds a stalled one.
  static constexpr std::array<std::uint64_t, 9> lag_bucket_ms{1, 2, 5, 10, 25, 50, 100, 500, 2000};
  /// Counts one published message that arrived through the subscriber `lag_ms` after it was
  /// accepted (its `ts`, from the accepting node's clock). Called by the subscriber's thread
  /// only; a scrape reads the counts from any thread.
  void observe_lag(std::int64_t lag_ms);
  struct lag_counts {
    std::array<std::uint64_t, lag_bucket_ms.size() + 1>
        buckets{};  ///< Not cumulative; the last is above every bound.
    std::uint64_t sum_ms = 0;
  };
  lag_counts lag() const;

 private:
  static const char* name(link which);
  mutable std::mutex mutex_;
  std::string why_[3];
  bool down_[3] = {false, false, false};
  std::array<std::atomic<std::uint64_t>, lag_bucket_ms.size() + 1> lag_buckets_{};
  std::atomic<std::uint64_t> lag_sum_ms_{0};
};

}  // namespace message::redis
