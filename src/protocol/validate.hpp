#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace message::protocol {

/// Code points in a string already known to be valid UTF-8 (Beast and Boost.JSON check that).
std::size_t count_code_points(std::string_view utf8) noexcept;

/// 1..max_chars of A-Z a-z 0-9 - _ (room names and device ids).
bool is_valid_name(std::string_view s, std::size_t max_chars) noexcept;

/// 1..max_chars of printable ASCII without space (client message ids).
bool is_valid_id(std::string_view s, std::size_t max_chars) noexcept;

/// A non-negative decimal integer that fits in 63 bits; nullopt otherwise.
std::optional<std::uint64_t> parse_seq(std::string_view s) noexcept;

}  // namespace message::protocol

namespace message::protocol {

/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF):
/// what the server's WebSocket layer demands of a text frame (close 1007 otherwise).
bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace message::protocol
