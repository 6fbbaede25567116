// core::client's `search` (docs/protocol.md, "Search"): who may read which rooms is decided on
// the store thread with the same directory check as `history`; the index answers on its own
// thread, and the answer comes back to the client's loop holding a weak_ptr.

#include <utility>

#include "core/client.hpp"
#include "core/hub.hpp"
#include "protocol/codec.hpp"
#include "protocol/search_frames.hpp"

namespace message::core {

void client::handle(protocol::search_command&& cmd) {
  auto* index = hub_.search();
  if (!index) {
    send_error("search_off", "this server runs without search (--no-search)", cmd.id);
    return;
  }
  pipeline_.read([weak = weak_from_this(), loop = &pipeline_.loop(), index, cmd = std::move(cmd),
                  identity = params_.identity](store::sequencing_store& s) mutable {
    std::string refusal;
    try {
      auto& directory = s.directory();
      if (cmd.request.room) {
        if (!directory.access(*cmd.request.room, identity).allowed())
          refusal =
              protocol::encode_error("not_member", "this room is private: only its members can search it",
                                     cmd.id, *cmd.request.room);
      } else {
        cmd.request.hidden_rooms = directory.hidden_rooms(identity);
      }
    } catch (const std::exception&) {
      refusal = protocol::encode_error("store_failed", "search is unavailable right now: try again", cmd.id);
    }
    if (!refusal.empty()) {
      loop->post([weak, line = std::move(refusal)]() mutable {
        if (auto self = weak.lock()) self->send_line(std::move(line));
      });
      return;
    }
    index->search(std::move(cmd.request), [weak, loop, id = cmd.id](const search_answer& answer) {
      std::string line = answer.failed ? protocol::encode_error(
                                             "store_failed", "search is unavailable right now: try again", id)
                                       : protocol::encode_search(id, answer);
      loop->post([weak, line = std::move(line)]() mutable {
        if (auto self = weak.lock()) self->send_line(std::move(line));
      });
    });
  });
}

}  // namespace message::core
