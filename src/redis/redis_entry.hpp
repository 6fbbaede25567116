#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/chat_message.hpp"

namespace message::redis {

// How a message is kept in Redis (and published): "<seq> <json>", where the JSON holds every
// field but seq. The Lua append script only prepends the seq it assigned, so it needs no JSON
// library and the C++ side owns the format. Pure functions; safe from any thread.

/// The JSON part for `m` (room, id, username, message, device, ts; kind and target for a change,
/// reply_to and mentions when set). The append script adds `edited`/`deleted` when it folds a
/// change into a message's entry.
std::string encode_entry_body(const core::new_message& m);
/// Parses one "<seq> <json>" entry; nullopt when it is not one (logged by the caller).
std::optional<core::chat_message> decode_entry(std::string_view entry);

}  // namespace message::redis
