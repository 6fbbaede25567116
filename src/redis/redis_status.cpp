#include "redis/redis_status.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace message::redis {

const char* redis_status::name(link which) {
  switch (which) {
    case link::store:
      return "store";
    case link::subscriber:
      return "subscriber";
    case link::publisher:
      return "publisher";
  }
  return "?";
}

void redis_status::down(link which, const std::string& why) {
  const auto i = static_cast<std::size_t>(which);
  std::lock_guard lock(mutex_);
  if (down_[i] && why_[i] == why) return;
  if (!down_[i]) spdlog::error("redis {} connection down: {}", name(which), why);
  down_[i] = true;
  why_[i] = why;
}

void redis_status::up(link which) {
  const auto i = static_cast<std::size_t>(which);
  std::lock_guard lock(mutex_);
  if (down_[i]) spdlog::info("redis {} connection is back", name(which));
  down_[i] = false;
  why_[i].clear();
  // The store connects only when there is something to store: a broker link that reached the
  // same Redis vouches for it, or /healthz would keep the node out of a balancer's rotation
  // and no send would ever come to reconnect the store.
  const auto store = static_cast<std::size_t>(link::store);
  if (which != link::store && down_[store]) {
    spdlog::info("redis is reachable again; the store reconnects with the next send");
    down_[store] = false;
    why_[store].clear();
  }
}

std::string redis_status::problem() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (std::size_t i = 0; i < 3; ++i) {
    if (!down_[i]) continue;
    if (!out.empty()) out += "; ";
    out += "redis ";
    out += name(static_cast<link>(i));
    out += " connection down: ";
    out += why_[i];
  }
  return out;
}

bool redis_status::is_up(link which) const {
  std::lock_guard lock(mutex_);
  return !down_[static_cast<std::size_t>(which)];
}

void redis_status::observe_lag(std::int64_t lag_ms) {
  // A clock that stepped back between two nodes shows as no lag rather than as a huge one.
  const auto ms = static_cast<std::uint64_t>(std::max<std::int64_t>(lag_ms, 0));
  std::size_t b = 0;
  while (b < lag_bucket_ms.size() && ms > lag_bucket_ms[b]) ++b;
  lag_buckets_[b].fetch_add(1, std::memory_order_relaxed);
  lag_sum_ms_.fetch_add(ms, std::memory_order_relaxed);
}

redis_status::lag_counts redis_status::lag() const {
  lag_counts out;
  for (std::size_t b = 0; b < out.buckets.size(); ++b)
    out.buckets[b] = lag_buckets_[b].load(std::memory_order_relaxed);
  out.sum_ms = lag_sum_ms_.load(std::memory_order_relaxed);
  return out;
}

}  // namespace message::redis
