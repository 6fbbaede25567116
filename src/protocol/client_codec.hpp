#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/chat_message.hpp"
#include "protocol/codec.hpp"
#include "protocol/commands.hpp"

namespace message::protocol {

// The client's half of docs/protocol.md: encoders for what a client sends (the commands of
// commands.hpp, which decode() reads back) and a decoder for the lines a server frame holds
// (which the encoders of codec.hpp write). Pure functions, no I/O, safe from any thread.

/// The `limits` object of `welcome`. A field the server does not announce keeps its default:
/// 0 for the rate fields means "not limited", 0 for id_memory_seconds "not announced".
struct server_limits {
  std::size_t max_message_chars = 4000;
  std::size_t max_username_chars = 32;
  std::size_t max_frame_bytes = 64 * 1024;
  std::size_t history_limit = 200;
  std::size_t max_room_chars = 40;
  std::size_t max_id_chars = 64;
  double msgs_per_sec = 0;
  double msgs_burst = 0;
  std::uint64_t id_memory_seconds = 0;
};

struct welcome_event {
  std::string room;
  std::uint64_t seq = 0;
  server_limits limits;
  std::string epoch;  ///< The room's epoch ("" from a server before epochs).
};
struct message_event {
  core::chat_message message;
  /// The object as the server wrote it, fields this client does not know included: what
  /// `tail --json` prints.
  std::string wire;
};
struct ack_event {
  std::string room;
  std::string id;
  std::uint64_t seq = 0;
  bool duplicate = false;
};
struct error_event {
  std::string code;
  std::string message;
  std::string id;
  std::string room;
};
struct history_event {
  std::string room;
  std::vector<message_event> messages;  ///< Oldest first.
  bool more = false;
};
struct subscribed_event {
  std::string room;
  std::uint64_t seq = 0;
};
struct presence_event {
  std::string room;
  std::vector<presence_entry> users;
};
/// join, leave or typing.
struct person_event {
  std::string kind;
  std::string room;
  std::string username;
  std::string device;    ///< The 6-character tag (the first 6 of `identity` when there is one).
  std::string identity;  ///< The public identity id; empty for an anonymous person.
  std::string wire;      ///< The object as the server wrote it, for `tail --json`.
};
/// An identity of `room` took a new name (docs/protocol.md, "Names people own").
struct rename_event {
  std::string room;
  std::string identity;
  std::string username;
  std::string wire;
};
/// The name this connection's identity owns now ("" after a release).
struct name_event {
  std::string identity;
  std::string username;
  std::string wire;
};
/// A private room: the answer to create_room, invite or direct, or, with `by`, pushed to an
/// identity that was invited or written to.
struct room_event {
  std::string room;
  bool is_private = false;
  bool direct = false;
  std::string with;  ///< The other identity of a direct conversation.
  std::string by;    ///< Who invited; empty for an answer to this connection's own request.
  std::string wire;
};
struct rooms_event {
  std::vector<room_entry> rooms;
};
struct pong_event {};
/// Messages `from`..`to` of `room` cannot be delivered any more (docs/protocol.md, `gap`).
struct gap_event {
  std::string room;
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  std::string wire;  ///< The object as the server wrote it, for `tail --json`.
};
/// The client resumed with an epoch that is not the room's: its seqs name other messages, or
/// none; no replay follows, live messages after `seq` do (docs/protocol.md, "Room epoch").
struct reset_event {
  std::string room;
  std::string epoch;
  std::uint64_t seq = 0;
  std::string wire;  ///< The object as the server wrote it, for `tail --json`.
};
/// A change to a message of the room: `edit`, `delete` or `react` (docs/protocol.md,
/// "Conversation"). `change.kind` says which, `change.target` the message it changes, and
/// `change.text` is the new text (edit) or the emoji (react, unreact).
struct change_event {
  core::chat_message change;
  std::string wire;  ///< The object as the server wrote it, for `tail --json`.
};
/// A type this client does not know: the contract says to ignore it.
struct unknown_event {
  std::string type;
};

using server_event =
    std::variant<welcome_event, message_event, ack_event, error_event, history_event, subscribed_event,
                 presence_event, person_event, rooms_event, pong_event, gap_event, reset_event, rename_event,
                 name_event, room_event, change_event, unknown_event>;

/// Decodes one line of a server frame (frames are split on '\n' first). nullopt when the line
/// is not a JSON object with a string `type` or a known type misses a field it must have.
std::optional<server_event> decode_server_line(std::string_view line);

/// Splits a server frame into its NDJSON lines (empty lines skipped) and calls fn on each.
template <class Fn>
void for_each_line(std::string_view frame, Fn&& fn) {
  while (!frame.empty()) {
    const auto nl = frame.find('\n');
    const auto line = frame.substr(0, nl);
    if (!line.empty()) fn(line);
    if (nl == std::string_view::npos) break;
    frame.remove_prefix(nl + 1);
  }
}

std::string encode_send(const send_command& c);
std::string encode_history_request(const history_command& c);
std::string encode_subscribe(const subscribe_command& c);
std::string encode_identify(const identify_command& c);
std::string encode_rooms_request();
std::string encode_ping();

}  // namespace message::protocol
