#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace message::client {

/// Where a server is: `http://`/`ws://` (plain) or `https://`/`wss://` (TLS), a host and a
/// port (80 or 443 when absent). A path is kept as the prefix of `/ws` (a server behind a
/// reverse proxy at /chat/). Plain data.
struct server_url {
  bool tls = false;
  std::string host;  ///< Without brackets for IPv6.
  std::uint16_t port = 0;
  std::string base_path;  ///< "" or "/prefix" without a trailing slash.

  /// "host:port" ([v6]:port), the key of known_servers.
  std::string authority() const;
};

/// Parses `--server`. nullopt with `error` set for a URL without a scheme, another scheme, a
/// bad port, a missing host, or a query or fragment.
std::optional<server_url> parse_server_url(std::string_view text, std::string& error);

}  // namespace message::client
