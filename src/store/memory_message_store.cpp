#include "store/memory_message_store.hpp"
#include "store/room_epoch.hpp"

#include <algorithm>

namespace message::store {

std::vector<append_result> memory_message_store::append(const std::vector<core::new_message>& batch) {
  std::vector<append_result> results;
  results.reserve(batch.size());
  for (const auto& m : batch) {
    auto& log = rooms_[m.room];
    if (auto it = log.ids.find(m.id); it != log.ids.end()) {
      results.push_back({it->second.first, true});
      continue;
    }
    const auto seq = ++log.last_seq;
    log.ids.emplace(m.id, std::pair{seq, m.ts});
    log.messages.push_back({m.room, seq, m.id, m.username, m.text, m.device, m.ts});
    results.push_back({seq, false});
  }
  return results;
}

std::vector<core::chat_message> memory_message_store::read_after(const std::string& room, std::uint64_t after,
                                                                 std::size_t limit) {
  std::vector<core::chat_message> out;
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return out;
  const auto& msgs = it->second.messages;
  auto pos = std::upper_bound(msgs.begin(), msgs.end(), after,
                              [](std::uint64_t s, const core::chat_message& m) { return s < m.seq; });
  for (; pos != msgs.end() && out.size() < limit; ++pos) out.push_back(*pos);
  return out;
}

history_page memory_message_store::read_before(const std::string& room, std::optional<std::uint64_t> before,
                                               std::size_t limit) {
  history_page page;
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return page;
  const auto& msgs = it->second.messages;
  auto end = before ? std::lower_bound(msgs.begin(), msgs.end(), *before,
                                       [](const core::chat_message& m, std::uint64_t s) { return m.seq < s; })
                    : msgs.end();
  const auto available = static_cast<std::size_t>(end - msgs.begin());
  const auto n = std::min(limit, available);
  page.messages.assign(end - static_cast<std::ptrdiff_t>(n), end);
  page.more = available > n;
  return page;
}

std::optional<std::uint64_t> memory_message_store::oldest_seq(const std::string& room) {
  auto it = rooms_.find(room);
  if (it == rooms_.end() || it->second.messages.empty()) return std::nullopt;
  return it->second.messages.front().seq;
}

std::string memory_message_store::room_epoch(const std::string& room) {
  auto [it, made] = epochs_.try_emplace(room);
  if (made) it->second = make_room_epoch();
  return it->second;
}

std::uint64_t memory_message_store::last_seq(const std::string& room) {
  auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.last_seq;
}

std::vector<room_info> memory_message_store::rooms() {
  std::vector<room_info> out;
  for (const auto& [name, log] : rooms_) out.push_back({name, log.last_seq});
  return out;
}

std::size_t memory_message_store::prune(std::uint64_t keep_per_room, std::int64_t older_than_ms,
                                        std::int64_t id_cutoff_ms, std::size_t max_rows) {
  std::size_t removed = 0;
  for (auto& [name, log] : rooms_) {
    auto& msgs = log.messages;
    while (removed < max_rows && !msgs.empty() &&
           ((keep_per_room > 0 && msgs.size() > keep_per_room) ||
            (older_than_ms > 0 && msgs.front().ts < older_than_ms))) {
      msgs.pop_front();
      ++removed;
    }
    for (auto id = log.ids.begin(); id != log.ids.end() && removed < max_rows;) {
      if (id->second.second < id_cutoff_ms) {
        id = log.ids.erase(id);
        ++removed;
      } else {
        ++id;
      }
    }
  }
  return removed;
}

}  // namespace message::store
