#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "core/loop_counters.hpp"
#include "core/store_counters.hpp"
#include "redis/redis_status.hpp"

namespace message::app {

/// /metrics in the Prometheus text format (prometheus-cpp's core library, served by our own
/// HTTP route: transport::http_context::metrics). Nothing here is on the message path: the
/// counts live in relaxed atomics where they happen (core::store_counters, the session count)
/// and are copied into prometheus-cpp's objects at scrape time.
/// Thread-safety: render() is safe from any thread (scrapes are serialised by a mutex).
class server_metrics {
 public:
  /// `deliveries` sums the loops' delivery counts (core::loop_registry::deliveries; called
  /// under the scrape's mutex). `journal` empty: no journal (memory or Redis store). `redis`
  /// null: no Redis. `loops`: every I/O loop's counters (they outlive this object), summed at
  /// scrape time.
  server_metrics(const core::store_counters& store, const std::atomic<std::size_t>& connections,
                 std::function<std::uint64_t()> deliveries, std::filesystem::path journal,
                 std::shared_ptr<redis::redis_status> redis, std::vector<const core::loop_counters*> loops);
  std::string render();

 private:
  /// Adds to `counter` what `now` gained since the last scrape (`seen`).
  static void advance(prometheus::Counter& counter, std::uint64_t now, std::uint64_t& seen);

  const core::store_counters& store_;
  const std::atomic<std::size_t>& connections_;
  std::function<std::uint64_t()> deliveries_;
  std::filesystem::path journal_;
  std::shared_ptr<redis::redis_status> redis_;
  std::vector<const core::loop_counters*> loops_;
  std::mutex mutex_;
  prometheus::Registry registry_;
  prometheus::Gauge& connections_gauge_;
  prometheus::Counter& stored_;
  prometheus::Counter& delivered_;
  prometheus::Family<prometheus::Counter>& refused_;
  prometheus::Counter& refused_duplicate_;
  prometheus::Counter& refused_store_failed_;
  prometheus::Histogram& commit_seconds_;
  prometheus::Gauge& rooms_;
  prometheus::Gauge& queue_bytes_;
  prometheus::Counter& bytes_in_;
  prometheus::Counter& bytes_out_;
  prometheus::Family<prometheus::Counter>& closes_;
  prometheus::Counter& closes_too_slow_;
  prometheus::Counter& closes_flood_;
  prometheus::Counter& closes_policy_;
  prometheus::Counter& closes_other_;
  prometheus::Family<prometheus::Counter>& resumes_;
  prometheus::Counter& resumes_exact_;
  prometheus::Counter& resumes_gap_;
  prometheus::Gauge* journal_bytes_ = nullptr;
  prometheus::Gauge* redis_up_ = nullptr;
  std::array<prometheus::Gauge*, 3> redis_link_up_{};  // store, subscriber, publisher
  prometheus::Histogram* redis_lag_seconds_ = nullptr;
  redis::redis_status::lag_counts seen_lag_{};  // Guarded by mutex_.
  // What was already added to the counters above (guarded by mutex_).
  std::uint64_t seen_stored_ = 0, seen_delivered_ = 0, seen_duplicates_ = 0, seen_failed_ = 0,
                seen_commit_us_ = 0, seen_bytes_in_ = 0, seen_bytes_out_ = 0, seen_too_slow_ = 0,
                seen_flood_ = 0, seen_policy_ = 0, seen_other_ = 0, seen_exact_ = 0, seen_gap_ = 0;
  std::array<std::uint64_t, core::store_counters::bucket_us.size() + 1> seen_buckets_{};
};

}  // namespace message::app
