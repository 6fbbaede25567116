#pragma once

#include <memory>
#include <vector>

#include "transport/asio_event_loop.hpp"
#include "transport/net.hpp"

namespace message::transport {

class websocket_session;

/// The WebSocket sessions of one loop with a write due at the end of the loop's turn. One
/// posted task writes them all, in the order they asked, instead of one post (and one handler
/// allocation) per session: a fan-out to 1,000 followers schedules one task, not 1,000. Inside
/// a turn task (asio_event_loop::post_turn: the task that commits a turn's sends in place and
/// hands them to the room), the round runs when that task ends instead: a lone message is then
/// committed, fanned out and written in one task, one pass of epoll_wait fewer.
///
/// The round is owned by its posted task, like any handler: if the loop is torn down first,
/// the sessions are released with its other handlers, while their io_context still exists.
///
/// Thread-safety: one per loop, used only on that loop's thread.
class pending_writes {
 public:
  explicit pending_writes(asio_event_loop& loop) : loop_(loop) {}
  pending_writes(const pending_writes&) = delete;
  pending_writes& operator=(const pending_writes&) = delete;

  /// `session` writes in the next round. A round that already started does not take it: a
  /// session asking again from its own write goes behind what the loop queued meanwhile.
  void add(std::shared_ptr<websocket_session> session);

 private:
  using round = std::vector<std::shared_ptr<websocket_session>>;
  asio_event_loop& loop_;
  std::weak_ptr<round> open_;  // The round not started yet; its task holds it.
};

}  // namespace message::transport
