#pragma once

#include <atomic>
#include <cstdint>

namespace message::core {

/// What one I/O loop counts for /metrics: traffic, the send queues, server closes by code and
/// resumes. Each field has exactly one writer, its loop's thread, which adds with a relaxed load
/// and store (no locked instruction, no shared cache line with another loop); a scrape on any
/// thread reads them with relaxed loads and sums the loops (app::server_metrics).
/// Thread-safety: add()/sub() only on the owning loop's thread; read() from any thread.
struct loop_counters {
  using counter = std::atomic<std::uint64_t>;

  static void add(counter& c, std::uint64_t n) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  static std::uint64_t read(const counter& c) { return c.load(std::memory_order_relaxed); }

  counter bytes_in{0};   ///< Bytes read from WebSocket sockets (frames as sent, with headers).
  counter bytes_out{0};  ///< Bytes written to WebSocket sockets.
  /// Send queues: bytes ever queued and bytes ever left (written or dropped); their difference
  /// is what waits now. Two monotonic counters, so each stays single-writer and unsigned.
  counter queued_in{0};
  counter queued_out{0};
  counter closes_too_slow{0};  ///< Cut by the server as too slow (4008: no progress for the liveness time).
  counter closes_flood{0};     ///< Closed by the server with 4029 (flooding).
  counter closes_policy{0};    ///< Closed by the server with 1008 (a refused query, a bad key).
  counter closes_other{0};     ///< Closed by the server with another code (1000, 1001, 1011).
  /// Resumes (a join with `since`): exact when every message after `since` can still be read,
  /// gap when retention removed some of them before the replay started.
  counter resumes_exact{0};
  counter resumes_gap{0};
  /// Rooms with at least one follower on this loop (a gauge: written on follow/unfollow).
  counter rooms{0};
};

}  // namespace message::core
