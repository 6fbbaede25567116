// core::client's slow-reader catch-up (docs/architecture.md, "Slow readers"): when a
// connection's queue passes its bound, the room messages it has queued but not yet handed to
// the socket are dropped and read again from the store, so its memory falls back instead of
// staying at the bound. Runs on the client's loop, like the rest of client.

#include "core/client.hpp"

namespace message::core {

void client::drop_queued_messages() {
  if (!sink_) return;
  // Only rooms that read the store from `last` when the queue drains: a live room, or one
  // replaying that waits for the drain. A room joining, or replaying with a page read in
  // flight, keeps its lines (its read started from a position the drop would move back).
  auto dropped = sink_->drop_room_messages([this](std::string_view room) {
    const auto it = rooms_.find(std::string(room));
    if (it == rooms_.end()) return false;
    const auto& st = it->second;
    return st.state == phase::live || (st.state == phase::replaying && st.waiting_for_drain);
  });
  for (const auto& [room, first] : dropped) {
    auto it = rooms_.find(room);
    if (it == rooms_.end()) continue;
    auto& st = it->second;
    // The next page starts right after the last message the socket was given: no gap, no
    // duplicate. The acks queued behind dropped messages stay (an ack is never dropped).
    if (first > 0 && first <= st.last) st.last = first - 1;
    st.state = phase::replaying;
    st.waiting_for_drain = true;
  }
}

}  // namespace message::core
