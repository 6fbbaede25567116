#include "core/presence.hpp"

namespace message::core {

presence::change presence::join(const std::string& room, const std::string& username, const std::string& device) {
  std::lock_guard lock(mutex_);
  auto& people = rooms_[room];
  const bool first = ++people[{username, device}] == 1;
  return {first, list(people)};
}

presence::change presence::leave(const std::string& room, const std::string& username, const std::string& device) {
  std::lock_guard lock(mutex_);
  auto r = rooms_.find(room);
  if (r == rooms_.end()) return {};
  auto p = r->second.find({username, device});
  if (p == r->second.end()) return {};
  const bool last = --p->second == 0;
  if (last) r->second.erase(p);
  auto users = list(r->second);
  if (r->second.empty()) rooms_.erase(r);
  return {last, std::move(users)};
}

std::vector<protocol::presence_entry> presence::list(const std::string& room) {
  std::lock_guard lock(mutex_);
  auto r = rooms_.find(room);
  return r == rooms_.end() ? std::vector<protocol::presence_entry>{} : list(r->second);
}

std::vector<protocol::presence_entry> presence::list(const std::map<person, int>& people) const {
  std::vector<protocol::presence_entry> out;
  out.reserve(people.size());
  // Keyed by the full device id; shown by its first 6 characters (as message frames are).
  for (const auto& [who, count] : people) out.push_back({who.first, who.second.substr(0, 6)});
  return out;
}

}  // namespace message::core
