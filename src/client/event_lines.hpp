#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <unordered_map>

#include "protocol/client_codec.hpp"

namespace message::client {

/// The one readable line `tail` and `chat` print for each event of docs/protocol.md that is not
/// a message: `HH:MM -- kim joined`, `HH:MM -- kim left`, `HH:MM -- kim is now kimberly`, an
/// invitation to a private room or a direct conversation, the connection's own name, and a gap.
/// Events that say nothing lasting print nothing: `typing` (stale by the time a log is read),
/// `presence` (a snapshot on every connect: the joins and leaves after it tell the changes),
/// and the connection's bookkeeping (welcome, ack, history, subscribed, rooms, pong, error).
/// A change to a message is one line naming its seq: `kim edited #12: new text`, `kim deleted
/// #12`, `kim reacted 👍 to #12`, `kim took back 👍 from #12`.
/// A `rename` carries only the new name: the old one is the name last seen for that person's
/// device tag (messages, presence, joins), or the one before it when the server already showed
/// the new name (a renaming connection leaves presence under the old name and joins under the new
/// one before the `rename`); `someone (TAG)` when none was seen. Not thread-safe.
class event_lines {
 public:
  explicit event_lines(bool colour) : colour_(colour) {}

  /// Remembers the names people show under, for a later rename.
  void saw(const protocol::server_event& e);

  /// The line for `e` with `now` as its time (events carry none), or nullopt when `e` prints
  /// nothing. Call saw(e) after it, so that a rename still finds the old name.
  std::optional<std::string> line(const protocol::server_event& e, std::time_t now) const;

  /// `--json`: true for the events line() prints, whose wire object is printed instead.
  static bool printed(const protocol::server_event& e);

 private:
  struct names_seen {
    std::string current;
    std::string previous;
  };
  std::string who(const std::string& identity_or_tag) const;
  std::string old_name(const protocol::rename_event& r) const;
  std::string change_line(const core::chat_message& c) const;

  bool colour_;
  std::unordered_map<std::string, names_seen> names_;  // By device tag.
};

/// "HH:MM" of `t` in local time.
std::string clock_time(std::time_t t);

}  // namespace message::client
