#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/chat_message.hpp"
#include "common/limits.hpp"
#include "protocol/commands.hpp"

namespace message::protocol {

// The JSON codec of docs/protocol.md: pure functions, no I/O, safe to call from any thread.
// decode() is what the fuzzer in fuzz/ drives.

/// Decodes one client frame. Never throws; every refusal is a decode_error with its code.
std::variant<command, decode_error> decode(std::string_view frame, const core::limits& limits);

// Each encoder returns one JSON object without a trailing newline (a line of NDJSON).

/// One row of a room's stream, by its kind: a `message` frame (with its conversation fields
/// when they apply), or an `edit`, `delete` or `react` frame (docs/protocol.md, "Conversation").
std::string encode_message(const core::chat_message& m);
/// The answer to `reactions`: everyone who reacts to message `target`, per emoji.
std::string encode_reactions(std::string_view room, std::uint64_t target,
                             std::span<const core::reaction_summary> reactions);
/// `identity` and `username`: the connection's public identity id and the name it owns (empty:
/// anonymous, or no name).
std::string encode_welcome(std::string_view room, std::uint64_t seq, const core::limits& limits,
                           std::string_view identity = {}, std::string_view username = {},
                           std::uint64_t oldest_seq = 0, std::string_view epoch = {},
                           std::optional<std::uint64_t> read = std::nullopt);
std::string encode_ack(std::string_view room, std::string_view id, std::uint64_t seq, bool duplicate);
std::string encode_error(std::string_view code, std::string_view message, std::string_view id = {},
                         std::string_view room = {});
/// `more_after`: for `after` and `around` requests, whether newer messages exist.
std::string encode_history(std::string_view room, std::span<const core::chat_message> messages, bool more,
                           std::optional<bool> more_after = std::nullopt);
/// `oldest_seq`: the room's first seq still stored (docs/protocol.md); 0 leaves it out. `read`:
/// the identity's read position in the room (identified connections).
std::string encode_subscribed(std::string_view room, std::uint64_t seq, std::uint64_t oldest_seq = 0,
                              std::string_view epoch = {}, std::optional<std::uint64_t> read = std::nullopt);
/// The client resumed `room` with an epoch that is not the room's (`epoch` now, last seq `seq`):
/// no replay follows (docs/protocol.md, "Room epoch").
std::string encode_reset(std::string_view room, std::string_view epoch, std::uint64_t seq);
/// Messages `from`..`to` of `room` cannot be delivered (retention removed them, a damaged
/// journal lost them, or the client's `since` is beyond what this server holds).
std::string encode_gap(std::string_view room, std::uint64_t from, std::uint64_t to);

struct presence_entry {
  std::string username;
  std::string device;
};
std::string encode_presence(std::string_view room, std::span<const presence_entry> users);
/// kind is "join", "leave" or "typing". `device`: the person's identity id (then `identity` and
/// its 6-character tag are written) or an anonymous device tag.
std::string encode_person_event(std::string_view kind, std::string_view room, std::string_view username,
                                std::string_view device);

struct room_entry {
  std::string room;
  std::uint64_t seq = 0;
  bool followed = false;    ///< The connection's identity follows it.
  bool is_private = false;  ///< A private room (listed to its members only).
};
std::string encode_rooms(std::span<const room_entry> rooms);
std::string encode_pong();

/// The `name_taken` error: `username` is owned by another identity; `suggestion` is a free one.
std::string encode_name_taken(std::string_view username, std::string_view suggestion, std::string_view id);
/// To a connection whose identity claimed (or, with an empty username, released) its name.
std::string encode_name(std::string_view identity, std::string_view username);
/// A device link code for the caller's identity, valid until `expires_ms` (Unix ms).
std::string encode_link_code(std::string_view code, std::int64_t expires_ms);
/// To a device just linked: the identity it acts as now and that identity's name ("" none).
std::string encode_linked(std::string_view identity, std::string_view username);
/// A private room the caller made, was invited to or opened as a direct conversation
/// (`direct_with`: the other identity); `secret` only for rooms that take invite links.
/// `by`: pushed to an identity that did not ask (an invite, a conversation someone else opened).
std::string encode_room(std::string_view room, std::string_view secret, std::string_view direct_with,
                        std::string_view by = {});
/// To a room: `identity` is now called `username`.
std::string encode_rename(std::string_view room, std::string_view identity, std::string_view username);

}  // namespace message::protocol
