#pragma once

#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/chat_message.hpp"
#include "core/limits.hpp"
#include "protocol/commands.hpp"

namespace message::protocol {

// The JSON codec of docs/protocol.md: pure functions, no I/O, safe to call from any thread.
// decode() is what the fuzzer in fuzz/ drives.

/// Decodes one client frame. Never throws; every refusal is a decode_error with its code.
std::variant<command, decode_error> decode(std::string_view frame, const core::limits& limits);

// Each encoder returns one JSON object without a trailing newline (a line of NDJSON).

std::string encode_message(const core::chat_message& m);
std::string encode_welcome(std::string_view room, std::uint64_t seq, const core::limits& limits);
std::string encode_ack(std::string_view room, std::string_view id, std::uint64_t seq, bool duplicate);
std::string encode_error(std::string_view code, std::string_view message, std::string_view id = {},
                         std::string_view room = {});
std::string encode_history(std::string_view room, std::span<const core::chat_message> messages, bool more);
std::string encode_subscribed(std::string_view room, std::uint64_t seq);
/// Messages `from`..`to` of `room` cannot be delivered (retention removed them, a damaged
/// journal lost them, or the client's `since` is beyond what this server holds).
std::string encode_gap(std::string_view room, std::uint64_t from, std::uint64_t to);

struct presence_entry {
  std::string username;
  std::string device;
};
std::string encode_presence(std::string_view room, std::span<const presence_entry> users);
/// kind is "join", "leave" or "typing".
std::string encode_person_event(std::string_view kind, std::string_view room, std::string_view username,
                                std::string_view device);

struct room_entry {
  std::string room;
  std::uint64_t seq = 0;
};
std::string encode_rooms(std::span<const room_entry> rooms);
std::string encode_pong();

}  // namespace message::protocol
