#include "transport/address_table.hpp"

#include <algorithm>
#include <cstring>

namespace message::transport {

connection_slot& connection_slot::operator=(connection_slot&& o) noexcept {
  if (this != &o) {
    release();
    table_ = o.table_;
    key_ = o.key_;
    o.table_ = nullptr;
  }
  return *this;
}

void connection_slot::release() {
  if (table_) table_->release(key_);
  table_ = nullptr;
}

address_table::address_key address_table::key_of(const net::ip::address& a) {
  // IPv4 as IPv4-mapped IPv6, so one address has one key whichever socket family saw it.
  const auto v6 = a.is_v4() ? net::ip::make_address_v6(net::ip::v4_mapped, a.to_v4()) : a.to_v6();
  return v6.to_bytes();
}

std::size_t address_table::key_hash::operator()(const address_key& k) const noexcept {
  std::size_t h = 1469598103934665603ull;  // FNV-1a: spread, not secrecy.
  for (unsigned char c : k) h = (h ^ c) * 1099511628211ull;
  return h;
}

address_table::entry& address_table::find_or_add(shard& s, const address_key& key, clock::time_point now) {
  if (auto it = s.entries.find(key); it != s.entries.end()) {
    it->second.last_seen = now;
    return it->second;
  }
  const std::size_t cap = std::max<std::size_t>(16, limits_.max_tracked_addresses / shard_count);
  if (s.entries.size() >= cap) {
    // Forget addresses with no connection: first those with nothing held against them, then,
    // if that is not enough (a spray of guessing addresses), the blocked ones too.
    std::erase_if(s.entries, [now](const auto& kv) {
      const entry& e = kv.second;
      return e.connections == 0 && e.key_failures == 0 && e.blocked_until <= now;
    });
    if (s.entries.size() >= cap)
      std::erase_if(s.entries, [](const auto& kv) { return kv.second.connections == 0; });
  }
  return s.entries.try_emplace(key, limits_, now).first->second;
}

address_table::refusal address_table::admit(const net::ip::address& a, std::optional<connection_slot>& slot) {
  const auto key = key_of(a);
  // Reserve a place in the total first; give it back if refused.
  if (total_.fetch_add(1, std::memory_order_relaxed) >= limits_.max_connections) {
    total_.fetch_sub(1, std::memory_order_relaxed);
    return refusal::server_full;
  }
  auto& s = shard_of(key);
  {
    std::lock_guard lock(s.mutex);
    auto& e = find_or_add(s, key, clock::now());
    if (e.connections >= limits_.max_connections_per_address) {
      total_.fetch_sub(1, std::memory_order_relaxed);
      return refusal::address_full;
    }
    ++e.connections;
  }
  slot.emplace(this, key);
  return refusal::none;
}

void address_table::release(const address_key& key) {
  auto& s = shard_of(key);
  {
    std::lock_guard lock(s.mutex);
    if (auto it = s.entries.find(key); it != s.entries.end() && it->second.connections > 0) {
      --it->second.connections;
      it->second.last_seen = clock::now();
    }
  }
  total_.fetch_sub(1, std::memory_order_relaxed);
}

bool address_table::allow_frame(const address_key& key, std::size_t bytes, clock::time_point now) {
  if (!limits_.rate_limit) return true;
  auto& s = shard_of(key);
  std::lock_guard lock(s.mutex);
  auto& e = find_or_add(s, key, now);
  if (!e.messages.take(1, now)) return false;
  return e.bytes.take(static_cast<double>(bytes), now);
}

address_table::clock::duration address_table::key_wait(const address_key& key, clock::time_point now) {
  auto& s = shard_of(key);
  std::lock_guard lock(s.mutex);
  auto it = s.entries.find(key);
  if (it == s.entries.end() || it->second.blocked_until <= now) return clock::duration::zero();
  return it->second.blocked_until - now;
}

void address_table::key_failed(const address_key& key, clock::time_point now) {
  auto& s = shard_of(key);
  std::lock_guard lock(s.mutex);
  auto& e = find_or_add(s, key, now);
  // A long quiet time forgives old failures.
  if (e.key_failures > 0 && now - e.last_failure > limits_.key_backoff_max) e.key_failures = 0;
  ++e.key_failures;
  e.last_failure = now;
  // The last free guess starts the first wait: key_free_attempts wrong guesses in all, then
  // every further guess waits out a doubled time.
  if (e.key_failures < limits_.key_free_attempts) return;
  const std::uint32_t doublings = std::min<std::uint32_t>(e.key_failures - limits_.key_free_attempts, 20);
  const auto wait = std::min<clock::duration>(limits_.key_backoff * (std::int64_t{1} << doublings),
                                              limits_.key_backoff_max);
  e.blocked_until = now + wait;
}

void address_table::key_succeeded(const address_key& key) {
  auto& s = shard_of(key);
  std::lock_guard lock(s.mutex);
  if (auto it = s.entries.find(key); it != s.entries.end()) {
    it->second.key_failures = 0;
    it->second.blocked_until = {};
  }
}

std::size_t address_table::tracked() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mutex);
    n += s.entries.size();
  }
  return n;
}

}  // namespace message::transport
