#include "core/room_activity.hpp"

#include <algorithm>

#include "core/read_state.hpp"

namespace message::core {

room_activity count_activity(store::message_store& s, const std::string& identity, const std::string& name,
                             const std::string& room, std::size_t scan) {
  room_activity out;
  out.room = room;
  out.seq = s.last_seq(room);
  const std::uint64_t read = s.directory().read_position(identity, room);
  out.unread = unread_count(out.seq, s.oldest_seq(room).value_or(out.seq + 1), read);
  if (out.unread == 0 || name.empty() || scan == 0) return out;
  // The newest `scan` unread messages: a long backlog costs one bounded read.
  const std::uint64_t from = std::max(read, out.seq > scan ? out.seq - scan : 0);
  for (const auto& m : s.read_after(room, from, scan)) {
    if (mentions(m.text, name)) ++out.mentions;
  }
  return out;
}

std::string current_name(store::message_store& s, const std::string& identity) {
  auto names = s.directory().names_of({identity});
  auto it = names.find(identity);
  return it == names.end() ? std::string() : it->second;
}

read_outcome apply_read(store::message_store& s, const std::string& identity, const std::string& room,
                        std::uint64_t requested) {
  auto& directory = s.directory();
  if (!directory.access(room, identity).allowed()) return {false, std::nullopt};
  const auto next = next_read_position(requested, s.last_seq(room), directory.read_position(identity, room));
  if (!next || !directory.raise_read(identity, room, *next)) return {};
  return {true, *next};
}

}  // namespace message::core
