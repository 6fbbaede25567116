#include "core/history_window.hpp"

namespace message::core {

history_window read_history(store::sequencing_store& store, const std::string& room,
                            const protocol::history_command& cmd, const std::string& viewer) {
  history_window out;
  const std::size_t limit = cmd.limit;
  if (cmd.after || cmd.around) {
    // Up to half the limit (with the message itself) at and before `around`; none for `after`.
    std::size_t newer = limit;
    std::uint64_t from = cmd.after.value_or(0);
    if (cmd.around) {
      auto older = store.read_before(room, *cmd.around + 1, limit - limit / 2, viewer);
      out.messages = std::move(older.messages);
      out.more = older.more;
      newer = limit - out.messages.size();
      from = *cmd.around;
    }
    // One more than asked tells whether newer messages exist.
    auto later = store.read_messages_after(room, from, newer + 1, viewer);
    out.more_after = later.size() > newer;
    if (later.size() > newer) later.resize(newer);
    if (cmd.after) out.more = !later.empty() ? later.front().seq > 1 : *cmd.after > 0;
    out.messages.insert(out.messages.end(), later.begin(), later.end());
    return out;
  }
  auto page = store.read_before(room, cmd.before, limit, viewer);
  out.messages = std::move(page.messages);
  out.more = page.more;
  return out;
}

}  // namespace message::core
