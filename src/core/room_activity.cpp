#include "core/room_activity.hpp"

#include <algorithm>

#include "core/read_state.hpp"

namespace message::core {

room_activity count_activity(store::sequencing_store& s, const std::string& identity, const std::string& name,
                             const std::string& room, std::size_t scan) {
  room_activity out;
  out.room = room;
  out.seq = s.last_seq(room);
  const std::uint64_t read = s.directory().read_position(identity, room);
  out.unread = unread_count(out.seq, s.oldest_seq(room).value_or(out.seq + 1), read);
  if (out.unread == 0 || scan == 0) return out;
  // The newest `scan` unread rows: a long backlog costs one bounded read. Change events
  // (edit, delete, reactions) are no unread messages: those among them are taken off; older
  // than the scan, a backlog counts by seq.
  const std::uint64_t from = std::max(read, out.seq > scan ? out.seq - scan : 0);
  for (const auto& m : s.read_after(room, from, scan)) {
    if (m.kind != event_kind::message) {
      if (out.unread) --out.unread;
      continue;
    }
    if (m.deleted) continue;
    // The ids the sender resolved, when it sent them; else the @name rule on the text.
    const bool named = !m.mentions.empty()
                           ? std::find(m.mentions.begin(), m.mentions.end(), identity) != m.mentions.end()
                           : mentions(m.text, name);
    if (named) ++out.mentions;
  }
  return out;
}

std::string current_name(store::sequencing_store& s, const std::string& identity) {
  auto names = s.directory().names_of({identity});
  auto it = names.find(identity);
  return it == names.end() ? std::string() : it->second;
}

read_outcome apply_read(store::sequencing_store& s, const std::string& identity, const std::string& room,
                        std::uint64_t requested) {
  auto& directory = s.directory();
  if (!directory.access(room, identity).allowed()) return {false, std::nullopt};
  const auto next = next_read_position(requested, s.last_seq(room), directory.read_position(identity, room));
  if (!next || !directory.raise_read(identity, room, *next)) return {};
  return {true, *next};
}

}  // namespace message::core
