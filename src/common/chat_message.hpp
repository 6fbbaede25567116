#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/file_ref.hpp"

namespace message::core {

/// What a row of a room's seq stream is: a message, or a change to an earlier message of the
/// same room (docs/protocol.md, "Conversation"). Stored as its number; never renumber.
enum class event_kind : std::uint8_t { message = 0, edit = 1, remove = 2, react = 3, unreact = 4 };

/// One person in a folded reaction or a reply's quote.
struct person {
  std::string identity;
  std::string username;
};

/// One emoji's reactions to a message, folded (history answers).
struct reaction_summary {
  std::string emoji;
  std::uint32_t count = 0;
  std::vector<person> users;  ///< The first few who reacted (reaction_names), oldest first.
  bool mine = false;          ///< The identity that asked is among all of them.
};

/// The message a reply quotes, as it is now.
struct reply_quote {
  std::uint64_t seq = 0;
  std::string username;
  std::string identity;  ///< "" for an anonymous author.
  std::string text;      ///< Cut to reply_quote_chars code points; "" once deleted.
  bool deleted = false;
};

/// One accepted row of a room's stream (a message or a change event) as stored and as
/// broadcast. Plain data; copy freely.
struct chat_message {
  std::string room;
  std::uint64_t seq = 0;  ///< 1, 2, 3... per room, assigned by the store when committed.
  std::string id;         ///< The client's unique id (idempotency key within the room).
  std::string username;
  std::string text;
  std::string device;   ///< Short tag of the sender's device ("" when unknown).
  std::int64_t ts = 0;  ///< Milliseconds since the Unix epoch, set when accepted.

  // Every field from here on has an initializer (`{}` too), so that a message braced from its
  // first fields only (the code and tests from before these fields) builds without a
  // -Wmissing-field-initializers warning.
  event_kind kind = event_kind::message;
  std::uint64_t target = 0;             ///< A change: the seq of the message it changes.
  std::uint64_t reply_to = 0;           ///< A message: the seq of the message it answers (0: none).
  std::vector<std::string> mentions{};  ///< A message or edit: the identity ids it mentions.
  std::optional<file_ref> file{};       ///< A message sharing a file.

  // A message's folded state: set by reads of the store, never by the sender.
  std::int64_t edited = 0;             ///< ms of the latest edit (0: never edited); `text` is the latest.
  bool deleted = false;                ///< A tombstone: text and mentions are gone.
  std::optional<reply_quote> reply{};  ///< The quoted message, when reply_to is set.
  std::vector<reaction_summary> reactions{};  ///< history reads only.
};

/// A row on its way into the store: everything but seq and folded state. For a change, `text`
/// is the new text (edit) or the emoji (react, unreact), "" for a delete; `device` is the
/// author's identity id or anonymous device tag, as for a message.
struct new_message {
  std::string room;
  std::string id;
  std::string username;
  std::string text;
  std::string device;
  std::int64_t ts = 0;

  event_kind kind = event_kind::message;
  std::uint64_t target = 0;
  std::uint64_t reply_to = 0;
  std::vector<std::string> mentions{};
  std::optional<file_ref> file{};
};

}  // namespace message::core
