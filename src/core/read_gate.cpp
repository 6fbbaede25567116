#include "core/read_gate.hpp"

#include <algorithm>

namespace message::core {

bool read_gate::admit(const std::string& identity, const std::string& room, clock::time_point now) {
  std::string key;
  key.reserve(identity.size() + 1 + room.size());
  key.append(identity).push_back('\n');
  key.append(room);
  std::lock_guard lock(mutex_);
  auto [it, added] = last_.try_emplace(std::move(key), now);
  if (!added) {
    if (now - it->second < interval_) return false;
    it->second = now;
  }
  if (last_.size() >= next_sweep_) {
    std::erase_if(last_, [&](const auto& entry) { return now - entry.second >= interval_; });
    next_sweep_ = std::max(sweep_at, last_.size() * 2);
  }
  return true;
}

std::size_t read_gate::size() const {
  std::lock_guard lock(mutex_);
  return last_.size();
}

}  // namespace message::core
