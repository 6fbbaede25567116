#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace message::transport {

/// The room and seq of a queued line that is a row of a room's stream (a message or a change
/// event): the first line of `line` when it begins as protocol::encode_message writes one
/// (`{"type":"message","room":"R","seq":N,...`, or `edit`, `delete`, `react` for the type;
/// room names never need escaping). A live batch's lines are joined by '\\n' and are all of
/// one room in seq order, so the first line names the batch. Nothing for any other line. Pure.
struct queued_message {
  std::string_view room;
  std::uint64_t seq = 0;
};
std::optional<queued_message> queued_message_of(std::string_view line);

}  // namespace message::transport
