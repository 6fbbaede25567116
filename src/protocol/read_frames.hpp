#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace message::protocol {

// The frames of read state and room activity (docs/protocol.md, "Read state", "Room
// activity"). Pure functions; safe from any thread. Each returns one NDJSON line.

/// To the identity's other connections: its read position in `room` rose to `seq`.
std::string encode_read(std::string_view room, std::uint64_t seq);
/// Who has read `room` up to where; `full`: the whole list (after a join), else what changed.
std::string encode_seen(std::string_view room, std::span<const std::pair<std::string, std::uint64_t>> readers,
                        bool full);
/// A followed room's last seq, unread messages and mentions of the identity among them.
std::string encode_room_activity(std::string_view room, std::uint64_t seq, std::uint64_t unread,
                                 std::uint64_t mentions);

}  // namespace message::protocol
