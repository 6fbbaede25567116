#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace message::core {

/// What the store thread counts for /metrics: messages stored, duplicates and failed sends,
/// and how long commits take. Written where commits run (the worker, or a loop committing in
/// place, one at a time), read by a scrape on any thread: relaxed atomics, so the commit path
/// pays one uncontended add per field and no lock.
struct store_counters {
  /// Upper bounds of the commit-duration buckets, in microseconds: a lone message in the
  /// journal takes a few, a move of thousands into SQLite tens of milliseconds, a stalled disk
  /// seconds.
  static constexpr std::array<std::uint64_t, 10> bucket_us{10,   30,    100,   300,    1000,
                                                           3000, 10000, 30000, 100000, 1000000};

  std::atomic<std::uint64_t> stored{0};      ///< Messages newly stored (seqs given).
  std::atomic<std::uint64_t> duplicates{0};  ///< Sends whose id was already stored (answered, not stored).
  std::atomic<std::uint64_t> failed{0};      ///< Sends refused because the store failed (store_failed).
  std::atomic<std::uint64_t> commits{0};
  std::atomic<std::uint64_t> commit_us_sum{0};
  /// Commits per bucket (not cumulative); the last counts those above every bound.
  std::array<std::atomic<std::uint64_t>, bucket_us.size() + 1> commit_buckets{};

  void observe_commit(std::chrono::steady_clock::duration took) {
    const auto us =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
    std::size_t b = 0;
    while (b < bucket_us.size() && us > bucket_us[b]) ++b;
    commit_buckets[b].fetch_add(1, std::memory_order_relaxed);
    commit_us_sum.fetch_add(us, std::memory_order_relaxed);
    commits.fetch_add(1, std::memory_order_relaxed);
  }
};

}  // namespace message::core
