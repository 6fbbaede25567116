#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/limits.hpp"
#include "core/token_bucket.hpp"
#include "transport/net.hpp"

namespace message::transport {

class address_table;

/// One admitted TCP connection, counted against its address and the server total until it
/// is destroyed. Moves from the listener to the HTTP session to the WebSocket session.
class connection_slot {
 public:
  using address_key = std::array<unsigned char, 16>;

  connection_slot() = default;
  connection_slot(address_table* table, const address_key& key) : table_(table), key_(key) {}
  connection_slot(connection_slot&& o) noexcept : table_(o.table_), key_(o.key_) { o.table_ = nullptr; }
  connection_slot& operator=(connection_slot&& o) noexcept;
  connection_slot(const connection_slot&) = delete;
  connection_slot& operator=(const connection_slot&) = delete;
  ~connection_slot() { release(); }

  address_table* table() const { return table_; }
  const address_key& key() const { return key_; }

 private:
  void release();
  address_table* table_ = nullptr;
  address_key key_{};
};

/// What the server remembers per client IP address (docs/security.md): open connections, the
/// address's message and byte buckets, and failed key attempts. Bounded: at most about
/// limits::max_tracked_addresses entries; addresses with no connection and nothing to hold
/// against them are forgotten first.
///
/// Thread-safety: every method may be called from any thread (sharded mutexes).
class address_table {
 public:
  using clock = std::chrono::steady_clock;
  using address_key = connection_slot::address_key;
  enum class refusal { none, address_full, server_full };

  explicit address_table(const core::limits& limits) : limits_(limits) {}
  address_table(const address_table&) = delete;
  address_table& operator=(const address_table&) = delete;

  static address_key key_of(const net::ip::address& a);

  /// Counts a new connection from `a`, or says why it is refused.
  refusal admit(const net::ip::address& a, std::optional<connection_slot>& slot);
  /// Charges one data frame of `bytes` to the address's buckets; false when over them.
  bool allow_frame(const address_key& key, std::size_t bytes, clock::time_point now);

  /// How long the address must still wait before its next key attempt (zero: go ahead).
  clock::duration key_wait(const address_key& key, clock::time_point now);
  void key_failed(const address_key& key, clock::time_point now);
  void key_succeeded(const address_key& key);

  std::size_t connections() const { return total_.load(std::memory_order_relaxed); }
  std::size_t tracked() const;

 private:
  friend class connection_slot;
  struct entry {
    entry(const core::limits& l, clock::time_point now)
        : messages(l.addr_msgs_per_sec, l.addr_msgs_burst, now),
          bytes(l.addr_bytes_per_sec, l.addr_bytes_burst, now),
          last_seen(now) {}
    std::size_t connections = 0;
    core::token_bucket messages;
    core::token_bucket bytes;
    std::uint32_t key_failures = 0;
    clock::time_point blocked_until{};
    clock::time_point last_failure{};
    clock::time_point last_seen;
  };
  struct key_hash {
    std::size_t operator()(const address_key& k) const noexcept;
  };
  struct shard {
    mutable std::mutex mutex;
    std::unordered_map<address_key, entry, key_hash> entries;
  };
  static constexpr std::size_t shard_count = 16;

  shard& shard_of(const address_key& key) { return shards_[key_hash{}(key) % shard_count]; }
  entry& find_or_add(shard& s, const address_key& key, clock::time_point now);
  void release(const address_key& key);

  const core::limits& limits_;
  std::array<shard, shard_count> shards_;
  std::atomic<std::size_t> total_{0};
};

}  // namespace message::transport
