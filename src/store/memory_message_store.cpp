#include "store/memory_message_store.hpp"
#include "store/room_epoch.hpp"

#include <algorithm>

namespace message::store {

core::chat_message* memory_message_store::room_log::row(std::uint64_t seq) {
  if (messages.empty() || seq < messages.front().seq || seq > messages.back().seq) return nullptr;
  return &messages[static_cast<std::size_t>(seq - messages.front().seq)];
}

std::string memory_message_store::fold(room_log& log, const core::new_message& m, std::uint64_t seq) {
  using core::event_kind;
  auto* target = log.row(m.target);
  const bool live = target && target->kind == event_kind::message && !target->deleted;
  switch (m.kind) {
    case event_kind::message:
      break;
    case event_kind::edit:
      if (target && target->kind == event_kind::message && target->deleted) return {};
      if (!live) break;
      target->text = m.text;
      target->mentions = m.mentions;
      target->edited = m.ts;
      log.edits[m.target].push_back(seq);
      break;
    case event_kind::remove:
      if (!live) break;
      target->text.clear();
      target->mentions.clear();
      target->file.reset();
      target->deleted = true;
      for (auto edit : log.edits[m.target])
        if (auto* e = log.row(edit)) {
          e->text.clear();
          e->mentions.clear();
        }
      log.edits.erase(m.target);
      log.reactions.erase(m.target);
      break;
    case event_kind::react: {
      if (!live) break;
      auto& rows = log.reactions[m.target];
      const bool has = std::any_of(rows.begin(), rows.end(), [&](const reaction_row& r) {
        return r.emoji == m.text && r.identity == m.device;
      });
      if (!has) rows.push_back({m.text, m.device, m.username});
      break;
    }
    case event_kind::unreact: {
      auto it = log.reactions.find(m.target);
      if (!live || it == log.reactions.end()) break;
      std::erase_if(it->second,
                    [&](const reaction_row& r) { return r.emoji == m.text && r.identity == m.device; });
      if (it->second.empty()) log.reactions.erase(it);
      break;
    }
  }
  return m.text;
}

std::vector<append_result> memory_message_store::commit_group(const std::vector<core::new_message>& batch) {
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
    auto text = fold(log, m, seq);
    core::chat_message row;
    row.room = m.room;
    row.seq = seq;
    row.id = m.id;
    row.username = m.username;
    row.text = std::move(text);
    row.device = m.device;
    row.ts = m.ts;
    row.kind = m.kind;
    row.target = m.target;
    row.reply_to = m.reply_to;
    row.file = m.file;
    // An edit of a deleted message is stored scrubbed, its mentions too.
    if (row.text == m.text) row.mentions = m.mentions;
    log.messages.push_back(std::move(row));
    results.push_back({seq, false});
  }
  return results;
}

core::chat_message memory_message_store::with_quote(room_log& log, const core::chat_message& m) {
  core::chat_message out = m;
  if (m.kind == core::event_kind::message && m.reply_to != 0)
    if (const auto* target = log.row(m.reply_to); target && target->kind == core::event_kind::message)
      out.reply = quote_of(*target);
  return out;
}

core::chat_message memory_message_store::folded(room_log& log, const core::chat_message& m,
                                                const std::string& viewer) {
  auto out = with_quote(log, m);
  if (auto it = log.reactions.find(m.seq); it != log.reactions.end())
    out.reactions = summarize_reactions(it->second, viewer);
  return out;
}

std::vector<core::chat_message> memory_message_store::read_after(const std::string& room, std::uint64_t after,
                                                                 std::size_t limit) {
  std::vector<core::chat_message> out;
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return out;
  auto& log = it->second;
  const auto& msgs = log.messages;
  auto pos = std::upper_bound(msgs.begin(), msgs.end(), after,
                              [](std::uint64_t s, const core::chat_message& m) { return s < m.seq; });
  for (; pos != msgs.end() && out.size() < limit; ++pos) out.push_back(with_quote(log, *pos));
  return out;
}

history_page memory_message_store::read_before(const std::string& room, std::optional<std::uint64_t> before,
                                               std::size_t limit, const std::string& viewer) {
  history_page page;
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return page;
  auto& log = it->second;
  const auto& msgs = log.messages;
  auto end = before ? std::lower_bound(msgs.begin(), msgs.end(), *before,
                                       [](const core::chat_message& m, std::uint64_t s) { return m.seq < s; })
                    : msgs.end();
  for (auto pos = end; pos != msgs.begin();) {
    --pos;
    if (pos->kind != core::event_kind::message) continue;
    if (page.messages.size() == limit) {
      page.more = true;
      break;
    }
    page.messages.push_back(folded(log, *pos, viewer));
  }
  std::reverse(page.messages.begin(), page.messages.end());
  return page;
}

std::vector<core::chat_message> memory_message_store::read_messages_after(const std::string& room,
                                                                          std::uint64_t after,
                                                                          std::size_t limit,
                                                                          const std::string& viewer) {
  std::vector<core::chat_message> out;
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return out;
  auto& log = it->second;
  const auto& msgs = log.messages;
  auto pos = std::upper_bound(msgs.begin(), msgs.end(), after,
                              [](std::uint64_t s, const core::chat_message& m) { return s < m.seq; });
  for (; pos != msgs.end() && out.size() < limit; ++pos)
    if (pos->kind == core::event_kind::message) out.push_back(folded(log, *pos, viewer));
  return out;
}

std::optional<core::chat_message> memory_message_store::find(const std::string& room, std::uint64_t seq) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return std::nullopt;
  const auto* row = it->second.row(seq);
  if (!row) return std::nullopt;
  return with_quote(it->second, *row);
}

std::vector<core::reaction_summary> memory_message_store::reactions(const std::string& room,
                                                                    std::uint64_t seq) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return {};
  auto r = it->second.reactions.find(seq);
  if (r == it->second.reactions.end()) return {};
  return group_reactions(r->second);
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
      log.reactions.erase(msgs.front().seq);
      log.edits.erase(msgs.front().seq);
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

// A scan of every row: this store is for tests and throwaway chats, whose logs are small.
std::vector<file_use> memory_message_store::file_uses(const std::string& sha256) {
  std::vector<file_use> out;
  for (const auto& [name, log] : rooms_) {
    const auto newest = std::find_if(log.messages.rbegin(), log.messages.rend(),
                                     [&](const auto& m) { return m.file && m.file->sha256 == sha256; });
    if (newest != log.messages.rend()) out.push_back({name, newest->seq, *newest->file});
  }
  return out;
}

void memory_message_store::mark_file_gone(const std::string& sha256) {
  for (auto& [name, log] : rooms_)
    for (auto& m : log.messages)
      if (m.file && m.file->sha256 == sha256) m.file->gone = true;
}

}  // namespace message::store
