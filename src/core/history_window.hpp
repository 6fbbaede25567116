#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/chat_message.hpp"
#include "core/sequencing_store.hpp"
#include "protocol/commands.hpp"

namespace message::core {

/// One `history` answer (docs/protocol.md): messages oldest first, whether older ones exist,
/// and, for `after` and `around`, whether newer ones do.
struct history_window {
  std::vector<chat_message> messages;
  bool more = false;
  std::optional<bool> more_after;
};

/// Reads the window a `history` command asks for: the newest `limit` before `before` (or the
/// latest), the oldest `limit` after `after`, or about half before and half after `around`
/// (the message `around` itself included). Messages only, folded to their current state, with
/// `mine` in reactions for `viewer` (an identity id, "" none). Runs on the store's one caller;
/// may throw store::store_error.
history_window read_history(store::sequencing_store& store, const std::string& room,
                            const protocol::history_command& cmd, const std::string& viewer = {});

}  // namespace message::core
