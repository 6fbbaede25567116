#pragma once

#include <string>
#include <vector>

#include "common/chat_message.hpp"
#include "core/client_sink.hpp"

namespace message::core {

class client;
class presence;

/// What a broker delivers into: this node's clients (the hub). Thread-safety: every method is
/// safe from any thread.
class broker_target {
 public:
  virtual ~broker_target() = default;
  /// Committed messages, in seq order per room (each room's seqs consecutive within a call),
  /// to every follower on every loop of this node.
  virtual void deliver_messages(std::vector<chat_message>&& messages) = 0;
  /// An event line to every follower of `room` on this node but `except` (may be null).
  virtual void deliver_event(const std::string& room, shared_line line, const client* except) = 0;
  /// Deliveries may have been missed (the broker lost its link): every client re-reads the
  /// rooms it follows from the store, from where it is.
  virtual void resync() = 0;
  virtual class presence& people() = 0;
};

/// How committed messages and events reach the clients of every node (centrifuge's broker).
///
/// Contract: every message that commit_group() committed reaches deliver_messages() of every node
/// at most once per link, in commit order; a broker that may have lost some (a reconnect)
/// calls resync(), and the seq filter in core::client turns that into exactly once, in order.
/// Events (typing, presence) are at most once, best effort.
///
/// Thread-safety: committed() is called on the thread that committed, one call at a time in
/// commit order: the store thread, or the I/O loop that committed a lone message in place
/// (core/store_thread.hpp). The rest may be called from any thread.
class broker {
 public:
  virtual ~broker() = default;
  /// Called once by the hub before any other call. `target` outlives the broker's stop().
  virtual void start(broker_target& target) = 0;
  /// The store committed `stored` (seq order). Must not block.
  virtual void committed(std::vector<chat_message>&& stored) = 0;
  /// A transient event (typing) for `room` on every node, except the connection `except`.
  virtual void publish_event(const std::string& room, shared_line line, const client* except) = 0;
  /// This node's presence of (room, username, device) began (first connection) or ended (last).
  virtual void presence_changed(const std::string& room, const std::string& username,
                                const std::string& device, bool present) = 0;
  /// Ends every delivery: after it returns the target is not called again. Idempotent.
  virtual void stop() = 0;
  /// Empty when healthy; otherwise why not (for /healthz).
  virtual std::string problem() const = 0;
};

}  // namespace message::core
