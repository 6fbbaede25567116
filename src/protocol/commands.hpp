#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/search_values.hpp"

namespace message::protocol {

// What a client can ask, decoded and validated (docs/protocol.md, "Client → server").
// An absent room means the connection's room.

struct send_command {
  std::string id;  ///< Empty for the original's bare form: the server makes one.
  std::string username;
  std::string text;
  std::optional<std::string> room;
  std::uint64_t reply_to = 0;  ///< The seq of the message of the same room it answers (0: none).
  /// The identity ids it mentions, as the client sent them (absent: the @name text rule).
  std::optional<std::vector<std::string>> mentions;
};
struct history_command {
  std::optional<std::uint64_t> before;
  std::optional<std::uint64_t> after;   ///< The oldest messages with seq > after.
  std::optional<std::uint64_t> around;  ///< About half before, the message, half after.
  std::size_t limit = 0;                ///< Already capped to limits::history_limit.
  std::optional<std::string> room;
};
struct subscribe_command {
  std::string room;
  std::optional<std::uint64_t> since;
  std::string secret;  ///< A private room's invite link secret ("" none).
  std::string epoch;   ///< The room's epoch the client knew with `since` ("" none).
};
struct unsubscribe_command {
  std::string room;
};
struct identify_command {
  std::string username;
};
struct typing_command {
  std::optional<std::string> room;
  std::string username;  ///< May be empty: then the connection's name is used.
};
struct rooms_command {};
struct ping_command {};
/// Gives up the name the connection's identity owns.
struct release_command {};
/// The identity stops following `room` (and this connection unsubscribes).
struct unfollow_command {
  std::string room;
};
/// Makes a new private room whose only member is the caller.
struct create_room_command {
  std::string room;
};
/// Adds `identity` to the private room `room` (the caller must be a member).
struct invite_command {
  std::string room;
  std::string identity;
};
/// Opens the direct conversation with `identity`.
struct direct_command {
  std::string identity;
};

/// The identity has read `room` up to `seq` (docs/protocol.md, "Read state").
struct read_command {
  std::optional<std::string> room;
  std::uint64_t seq = 0;
};
/// Asks for a code that links another device to the caller's identity.
struct link_code_command {};
/// Links this device to the identity that made `code` (canonical form: core::normalize_link_code).
struct link_command {
  std::string code;
};

// Changes to a message (docs/protocol.md, "Conversation"): each names its target by seq in the
// room and carries its own id, like a send.

/// The author replaces the text of message `target`.
struct edit_command {
  std::string id;
  std::uint64_t target = 0;
  std::string text;
  std::optional<std::vector<std::string>> mentions;
  std::optional<std::string> room;
};
/// The author removes message `target`.
struct delete_command {
  std::string id;
  std::uint64_t target = 0;
  std::optional<std::string> room;
};
/// Adds (or, with `remove`, takes back) the identity's reaction `emoji` to message `target`.
struct react_command {
  std::string id;
  std::uint64_t target = 0;
  std::string emoji;  ///< Exactly one emoji grapheme (protocol::is_one_emoji).
  bool remove = false;
  std::optional<std::string> room;
};
/// Asks for everyone who reacted to message `target`.
struct reactions_command {
  std::uint64_t target = 0;
  std::optional<std::string> room;
};

/// Finds messages by their words (docs/protocol.md, "Search").
struct search_command {
  std::string id;  ///< Echoed in the answer ("" none).
  core::search_request request;
};

using command = std::variant<send_command, history_command, subscribe_command, unsubscribe_command,
                             identify_command, typing_command, rooms_command, ping_command, release_command,
                             unfollow_command, create_room_command, invite_command, direct_command,
                             read_command, link_code_command, link_command, edit_command, delete_command,
                             react_command, reactions_command, search_command>;

/// A frame the server refuses, with the documented code (docs/protocol.md, "Errors").
struct decode_error {
  std::string code;
  std::string message;
  std::string id;  ///< The frame's id when it could be read.
};

}  // namespace message::protocol
