#include "core/presence.hpp"

#include <set>
#include <tuple>

namespace message::core {

namespace {
/// How a person's device shows in frames: an identity (keyed "@<id>", see presence.hpp) as its
/// id, which the codec writes as `identity` and its tag; an anonymous device id as its
/// 6-character tag, so it can never pass for an identity.
std::string shown_device(const std::string& device) {
  if (!device.empty() && device.front() == '@') return device.substr(1);
  return device.substr(0, 6);
}
}  // namespace

bool presence::present(const room_people& r, const person& who) const {
  return r.local.contains(who) || r.remote.contains(who);
}

presence::change presence::join(const std::string& room, const std::string& username,
                                const std::string& device) {
  std::lock_guard lock(mutex_);
  auto& r = rooms_[room];
  const person who{username, device};
  const bool was = present(r, who);
  const bool first_here = ++r.local[who] == 1;
  if (first_here && listener_) listener_(room, username, device, true);
  return {!was, list(r)};
}

presence::change presence::leave(const std::string& room, const std::string& username,
                                 const std::string& device) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return {};
  auto& r = it->second;
  const person who{username, device};
  auto p = r.local.find(who);
  if (p == r.local.end()) return {};
  const bool last_here = --p->second == 0;
  if (last_here) {
    r.local.erase(p);
    if (listener_) listener_(room, username, device, false);
  }
  const bool gone = last_here && !present(r, who);
  auto users = list(r);
  if (r.local.empty() && r.remote.empty()) rooms_.erase(it);
  return {gone, std::move(users)};
}

std::vector<protocol::presence_entry> presence::list(const std::string& room) {
  std::lock_guard lock(mutex_);
  auto r = rooms_.find(room);
  return r == rooms_.end() ? std::vector<protocol::presence_entry>{} : list(r->second);
}

std::vector<protocol::presence_entry> presence::list(const room_people& r) const {
  // Both maps are sorted by person: merge them into one sorted list without repeats.
  std::vector<protocol::presence_entry> out;
  out.reserve(r.local.size() + r.remote.size());
  auto l = r.local.begin();
  auto m = r.remote.begin();
  while (l != r.local.end() || m != r.remote.end()) {
    const person* next = nullptr;
    if (m == r.remote.end() || (l != r.local.end() && l->first <= m->first)) {
      next = &l->first;
      if (m != r.remote.end() && m->first == l->first) ++m;
      ++l;
    } else {
      next = &m->first;
      ++m;
    }
    // Keyed by the full device id; shown by its first 6 characters (as message frames are).
    out.push_back({next->first, shown_device(next->second)});
  }
  return out;
}

std::vector<presence::entry> presence::local_entries() {
  std::lock_guard lock(mutex_);
  std::vector<entry> out;
  for (const auto& [room, r] : rooms_) {
    for (const auto& [who, count] : r.local) out.push_back({room, who.first, who.second});
  }
  return out;
}

void presence::set_remote(const std::string& room, const person& who, const std::string& node, bool on,
                          clock::time_point expires, std::vector<remote_change>& changes) {
  auto& r = rooms_[room];
  const bool was = present(r, who);
  if (on) {
    r.remote[who][node] = expires;
  } else if (auto p = r.remote.find(who); p != r.remote.end()) {
    p->second.erase(node);
    if (p->second.empty()) r.remote.erase(p);
  }
  const bool is = present(r, who);
  if (was != is) changes.push_back({room, {who.first, shown_device(who.second)}, is});
  if (r.local.empty() && r.remote.empty()) rooms_.erase(room);
}

std::vector<presence::remote_change> presence::remote_update(const std::string& node, const entry& e,
                                                             bool is_present, clock::time_point expires) {
  std::lock_guard lock(mutex_);
  std::vector<remote_change> changes;
  set_remote(e.room, {e.username, e.device}, node, is_present, expires, changes);
  return changes;
}

std::vector<presence::remote_change> presence::remote_snapshot(const std::string& node,
                                                               const std::vector<entry>& people,
                                                               clock::time_point expires) {
  std::lock_guard lock(mutex_);
  std::vector<remote_change> changes;
  std::set<std::pair<std::string, person>> listed;
  for (const auto& e : people) {
    listed.insert({e.room, {e.username, e.device}});
    set_remote(e.room, {e.username, e.device}, node, true, expires, changes);
  }
  // Whatever the node no longer lists is gone from it.
  std::vector<std::pair<std::string, person>> stale;
  for (const auto& [room, r] : rooms_) {
    for (const auto& [who, nodes] : r.remote) {
      if (nodes.contains(node) && !listed.contains({room, who})) stale.emplace_back(room, who);
    }
  }
  for (const auto& [room, who] : stale) set_remote(room, who, node, false, {}, changes);
  return changes;
}

std::vector<presence::remote_change> presence::expire(clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::vector<remote_change> changes;
  std::vector<std::tuple<std::string, person, std::string>> dead;
  for (const auto& [room, r] : rooms_) {
    for (const auto& [who, nodes] : r.remote) {
      for (const auto& [node, expires] : nodes) {
        if (expires <= now) dead.emplace_back(room, who, node);
      }
    }
  }
  for (const auto& [room, who, node] : dead) set_remote(room, who, node, false, {}, changes);
  return changes;
}

}  // namespace message::core
