#include "transport/pending_writes.hpp"

#include "transport/websocket_session.hpp"

namespace message::transport {

void pending_writes::add(std::shared_ptr<websocket_session> session) {
  auto open = open_.lock();
  if (!open) {
    open = std::make_shared<round>();
    open_ = open;
    loop_.at_turn_end([this, open] {
      open_.reset();  // Whoever asks from now on goes in the next round.
      for (auto& s : *open) s->do_write();
    });
  }
  open->push_back(std::move(session));
}

}  // namespace message::transport
