#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/chat_message.hpp"
#include "core/change_checks.hpp"
#include "core/client_sink.hpp"
#include "core/read_state.hpp"
#include "core/room_batch.hpp"
#include "core/sequencing_store.hpp"
#include "protocol/commands.hpp"
#include "protocol/ws_query.hpp"

namespace message::core {

class hub;
class room_pipeline;

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
  /// A text frame: decoded (protocol::decode), then handled as on_decoded().
  void on_text(std::string_view frame);
  /// A frame the transport decoded already (it decodes each frame once, for its rate limits).
  void on_decoded(std::variant<protocol::command, protocol::decode_error>&& decoded);
  /// The sink's queue emptied: continue replays (and catch-ups) that waited for room; resend
  /// presence if events were dropped meanwhile.
  void on_drain();
  /// The connection ended (any reason). Leaves presence and the registry. Idempotent.
  void on_closed();

  // Called by loop_registry.
  void deliver(const shared_batch& batch);
  /// An event of `room` (presence, typing, rename): dropped while the join is not through, so
  /// a private room's events never reach a connection that turns out not to be a member.
  void deliver_event(const std::string& room, const shared_line& line);
  void close(close_code code, std::string_view reason);
  /// The broker may have missed deliveries: re-read every live room from the store.
  void resync();

 private:
  enum class phase { joining, replaying, live };
  struct room_state {
    phase state = phase::joining;
    std::uint64_t last = 0;             ///< Highest seq delivered to this client.
    bool waiting_for_drain = false;     ///< A replay page is due when the queue drains.
    bool initial = false;               ///< The query's room: answers with `welcome`.
    bool announce = false;              ///< Send `subscribed` when caught up.
    bool present = false;               ///< Counted in presence under name_.
    std::uint64_t oldest = 0;           ///< The room's first seq still stored, when joined.
    std::string epoch;                  ///< The room's epoch, when joined.
    std::optional<std::uint64_t> read;  ///< The identity's read position, when joined (identified).
  };

  void handle(protocol::send_command&& cmd);
  void handle(protocol::history_command&& cmd);
  void handle(protocol::subscribe_command&& cmd);
  void handle(protocol::unsubscribe_command&& cmd);
  void handle(protocol::identify_command&& cmd);
  void handle(protocol::typing_command&& cmd);
  void handle(protocol::rooms_command&& cmd);
  void handle(protocol::ping_command&& cmd);
  void handle(protocol::release_command&& cmd);
  void handle(protocol::unfollow_command&& cmd);
  void handle(protocol::create_room_command&& cmd);
  void handle(protocol::invite_command&& cmd);
  void handle(protocol::direct_command&& cmd);
  void handle(protocol::read_command&& cmd);

  /// A slow reader past the queue bound (client_catch_up.cpp): the room messages still queued
  /// for rooms that can be read again from where they stop are dropped, and those rooms go
  /// back to the store from their first dropped seq.
  void drop_queued_messages();

  // Conversation changes and replies (docs/protocol.md, "Conversation"): client_changes.cpp.
  void handle(protocol::edit_command&& cmd);
  void handle(protocol::delete_command&& cmd);
  void handle(protocol::react_command&& cmd);
  void handle(protocol::reactions_command&& cmd);
  void handle(protocol::search_command&& cmd);  // In client_search.cpp.
  /// Checks a change (edit, remove, react, unreact) at the store: the identity may read the
  /// room, the target is a message that is not deleted (and, for `authored`, its own); keeps
  /// only known `mentions`. Then appends it like a send, or answers the refusal.
  void submit_change(new_message change, target_need need, bool with_mentions);
  /// The send at held_'s front has a reply_to or mentions: checks them at the store (wanting_
  /// holds the sends behind it, so they keep their order), then pump() goes on.
  void check_send();
  /// True when a send needs check_send() before its append: a plain send never does.
  static bool needs_check(const protocol::send_command& cmd) { return cmd.reply_to != 0 || cmd.mentions; }

  // Read state and room activity (docs/protocol.md): client_reads.cpp.
  /// Stores the reads whose room's interval is over; arms the timer for the rest. `closing`:
  /// stores every held read at once (the connection ends; a page that reads a room and then
  /// leaves it within the interval must not lose that read).
  void flush_reads(bool closing = false);
  /// A followed room changed (a message up to `seq`): its room_activity is due for a recount.
  void note_activity(const std::string& room, std::uint64_t seq);
  /// Recounts the rooms whose interval is over and sends their room_activity; arms the timer.
  void flush_activity();
  /// After welcome: one room_activity per followed room, and those rooms watched.
  void send_activity_snapshot();
  /// Deliveries of `room` reach this connection for its room_activity (an identity's followed room).
  void watch(const std::string& room);
  void unwatch(const std::string& room);
  void handle(protocol::link_code_command&& cmd);  // In client_linking.cpp.
  void handle(protocol::link_command&& cmd);
  /// Keeps a link frame that came before the identity was resolved; true when it did (or
  /// refused it), false when it is to be handled now.
  bool defer_until_identified(protocol::command&& cmd);
  /// Refuses a request that needs an identity on an anonymous connection; true when it did.
  bool refuse_anonymous();
  /// Runs `job` on the store's caller and sends the line it returns (an error line when the
  /// store fails: `what` says what was unavailable).
  /// `on_success` then runs on this loop (while the client lives) when the line is no error.
  void answer_from_store(std::function<std::string(store::sequencing_store&)> job, std::string what,
                         std::function<void(client&)> on_success = {});
  /// The pseudo-room of an identity's own events: "@" is in no room name, so none collides.
  static std::string inbox(const std::string& identity);
  /// Sends `line` to every connection of `identity`, on every node.
  void notify(const std::string& identity, std::string line, const client* except = nullptr);

  /// After start(): the identity's name is known (and the query's name claimed or refused).
  void on_resolved(std::string owned, const std::string& refused, const std::string& suggestion,
                   const std::string& previous);
  /// Sends (and identify requests) wait here, in order, while a name is being claimed.
  void pump();
  void want(const std::string& name);
  void on_wanted(const std::string& name, bool failed, bool granted, const std::string& previous,
                 const std::string& suggestion);
  /// The connection now posts as `name` (and, when `listed`, shows in presence as it); tells the
  /// renamed identity's rooms.
  void adopt(const std::string& name, const std::string& previous, bool listed);
  void append_send(protocol::send_command&& cmd);
  /// Appends a row (a message or a change) and acks it to this connection as for a send: in
  /// the broadcast's frame, or from the store's outcome (duplicates, rooms not followed).
  void append_row(new_message&& m);
  /// `epoch`: the room's epoch the client knew with `since` ("" none): another one gets `reset`.
  void join(const std::string& room, std::optional<std::uint64_t> since, bool initial,
            const std::string& secret = {}, const std::string& epoch = {});
  /// The identity may not read `room` (private): refuse, and close when it was the query's.
  void on_denied(const std::string& room, bool initial);
  /// Asks the store whether this connection may post to `room` (a send to a room it does not follow).
  void check_room(const std::string& room);
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
  /// True when this connection may post to `room` (access_).
  bool allowed(const std::string& room) const;
  /// This connection's person in presence (see presence).
  std::string presence_key() const;
  std::string make_id();
  /// Notes, for this connection's pending sends, the seq under which messages of `batch` from
  /// index `from` on reached it: their acks (append_row's answer) then name that seq.
  void note_own(const room_batch& batch, std::size_t from);
  /// The key of sending_: ids are unique within a room, not across rooms.
  static std::string sending_key(std::string_view room, std::string_view id);

  /// A send of this connection between append and its answer. The answer sends the ack (the
  /// only route); the broadcast only notes the seq it carried the id under.
  struct sending {
    int in_flight = 0;                  ///< Appends of this (room, id) not yet answered by the store.
    std::optional<std::uint64_t> seen;  ///< The broadcast carried this id to us under this seq.
    bool acked = false;                 ///< An answer acked `seen` already.
  };

  hub& hub_;
  room_pipeline& pipeline_;  // This connection's loop's.
  client_sink* sink_;        // Null once closed.
  protocol::connect_request params_;
  /// The sender as stored and shown: the public identity id, or for an anonymous connection
  /// the first 6 characters of its device id.
  std::string who_;
  /// The id this device's own token derives; params_.identity is the identity it acts as
  /// (another one once the device is linked, resolved in start()).
  std::string device_;
  bool identity_known_ = false;  // params_.identity is resolved (start()'s store read answered).
  /// link / link_code frames that came before identity_known_: handled once it is.
  std::vector<protocol::command> before_identity_;
  /// The name this connection posts under without asking the store: owned by its identity, or
  /// (anonymous) owned by nobody when it was checked. Empty: ask first.
  std::string owned_;
  /// A send, or an identify (no send), waiting for its name.
  struct held {
    std::string username;
    std::optional<protocol::send_command> send;
    bool checked = false;  ///< Its reply_to and mentions passed check_send().
  };
  std::deque<held> held_;
  bool wanting_ = false;  // A name claim or room check is at the store.
  /// Rooms whose access is known: true for public rooms and private ones the identity is a
  /// member of (from a join or a check), false for refused ones. A send needs true.
  std::unordered_map<std::string, bool> access_;
  std::string name_error_;  // name_taken for the query's name, sent right after welcome.
  std::unordered_map<std::string, room_state> rooms_;
  std::unordered_map<std::string, sending> sending_;  // Key: sending_key(room, id).
  std::chrono::steady_clock::time_point last_typing_{};
  std::uint64_t id_counter_ = 0;
  std::string id_prefix_;  // "srv-<random>-", drawn at the first server-made id.
  bool closed_ = false;
  bool events_dropped_ = false;  // A typing/join/leave was dropped: presence is resent on drain.
  read_coalescer reads_;         // `read`s held until their room's interval is over.
  read_coalescer activity_;      // Watched rooms whose room_activity awaits a recount.
  bool reads_timer_ = false;     // A flush_reads is armed on the loop.
  bool activity_timer_ = false;  // A flush_activity is armed on the loop.
  /// Followed rooms in the loop registry for their room_activity. A room also joined
  /// (rooms_) is followed once in the registry; leave() keeps it there while it is watched.
  std::unordered_set<std::string> watched_;
};

}  // namespace message::core
