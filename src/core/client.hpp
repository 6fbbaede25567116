#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/chat_message.hpp"
#include "core/client_sink.hpp"
#include "core/room_batch.hpp"
#include "protocol/commands.hpp"
#include "protocol/ws_query.hpp"

namespace message::core {

class hub;

/// One connection's chat state: the rooms it follows and where it is in each, its presence,
/// and the commands it sends. The transport feeds it text frames and drain notices; it answers
/// through its client_sink.
///
/// Resume without gaps or duplicates: a room is followed in the loop registry *before* the
/// store is read, and every delivery is filtered by seq; a live batch that skips a seq sends
/// the room back to reading from the store. So does a live batch that finds the sink's queue
/// past max_queue_bytes: a slow reader is caught up from the store instead of queued without
/// bound or dropped (docs/architecture.md, "Slow readers").
///
/// Thread-safety: lives on one loop; every method must be called on that loop's thread. Work
/// done elsewhere (store) comes back through event_loop::post holding a weak_ptr.
class client : public std::enable_shared_from_this<client> {
 public:
  client(hub& hub, std::size_t loop_index, client_sink& sink, protocol::connect_request params);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Registers with the loop and joins the room of the query; sends `welcome`.
  void start();
  void on_text(std::string_view frame);
  /// The sink's queue emptied: continue replays (and catch-ups) that waited for room; resend
  /// presence if events were dropped meanwhile.
  void on_drain();
  /// The connection ended (any reason). Leaves presence and the registry. Idempotent.
  void on_closed();

  // Called by loop_registry.
  void deliver(const shared_batch& batch);
  void deliver_event(const shared_line& line);
  void close(close_code code, std::string_view reason);
  /// The broker may have missed deliveries: re-read every live room from the store.
  void resync();

 private:
  enum class phase { joining, replaying, live };
  struct room_state {
    phase state = phase::joining;
    std::uint64_t last = 0;          ///< Highest seq delivered to this client.
    bool waiting_for_drain = false;  ///< A replay page is due when the queue drains.
    bool initial = false;            ///< The query's room: answers with `welcome`.
    bool announce = false;           ///< Send `subscribed` when caught up.
    bool present = false;            ///< Counted in presence under name_.
  };

  void handle(protocol::send_command&& cmd);
  void handle(protocol::history_command&& cmd);
  void handle(protocol::subscribe_command&& cmd);
  void handle(protocol::unsubscribe_command&& cmd);
  void handle(protocol::identify_command&& cmd);
  void handle(protocol::typing_command&& cmd);
  void handle(protocol::rooms_command&& cmd);
  void handle(protocol::ping_command&& cmd);

  void join(const std::string& room, std::optional<std::uint64_t> since, bool initial);
  void leave(const std::string& room);
  void on_joined(const std::string& room, std::uint64_t last_seq);
  void request_page(const std::string& room);
  void on_page(const std::string& room, std::vector<chat_message>&& page);
  /// A join or replay read failed: error frame, then close 1011 (the page resumes later).
  void on_store_failed(const std::string& room);
  void enter_presence(const std::string& room, room_state& state);
  void leave_presence(const std::string& room, room_state& state);
  void send_line(std::string line);
  void send_error(std::string_view code, std::string_view message, std::string_view id = {},
                  std::string_view room = {});
  const std::string& room_or_default(const std::optional<std::string>& room) const;
  std::string make_id();
  /// Sends the acks this client owes for messages of `batch` from index `from` on.
  void ack_own(const room_batch& batch, std::size_t from);
  /// The key of sending_: ids are unique within a room, not across rooms.
  static std::string sending_key(std::string_view room, std::string_view id);

  /// A send of this connection between append and its outcome. Its ack normally rides in the
  /// frame of the broadcast that carries the message itself (one write, not two); the
  /// store's outcome acks whatever the broadcast did not (duplicates, rooms not followed).
  struct sending {
    int in_flight = 0;   ///< Appends of this (room, id) not yet answered by the store.
    bool acked = false;  ///< The broadcast carried it and its ack went out.
  };

  hub& hub_;
  std::size_t loop_;
  client_sink* sink_;  // Null once closed.
  protocol::connect_request params_;
  std::string tag_;  // First 6 characters of the device id.
  std::unordered_map<std::string, room_state> rooms_;
  std::unordered_map<std::string, sending> sending_;  // Key: sending_key(room, id).
  std::chrono::steady_clock::time_point last_typing_{};
  std::uint64_t id_counter_ = 0;
  bool closed_ = false;
  bool events_dropped_ = false;  // A typing/join/leave was dropped: presence is resent on drain.
};

}  // namespace message::core
