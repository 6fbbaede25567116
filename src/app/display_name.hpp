#pragma once

#include <string>
#include <string_view>

namespace message::app {

/// Longest DNS-SD service instance name, in bytes (RFC 6763, section 4.1.1).
inline constexpr std::size_t max_service_name_bytes = 63;

/// The name this server shows: on the LAN (the announced service) and as the page's title.
/// `configured` (--name) when set, else "message on HOST" with this machine's host name; cut to
/// max_service_name_bytes at a character boundary.
std::string display_name(std::string_view configured);

/// This machine's host name (gethostname); empty if it has none.
std::string host_name();

/// `name` cut to at most `bytes` bytes without splitting a UTF-8 character. Pure.
std::string cut_utf8(std::string_view name, std::size_t bytes);

}  // namespace message::app
