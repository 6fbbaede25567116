#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/limits.hpp"
#include "protocol/commands.hpp"

namespace message::protocol {

/// What a connection asks for in the query of its /ws URL (docs/protocol.md).
struct connect_request {
  std::string room = "lobby";
  std::string name;    ///< For presence; empty: not listed.
  std::string device;  ///< Stable id of the browser/machine; empty: unknown.
  /// The public identity id of the token the upgrade presented (transport/identity_token);
  /// empty: an anonymous connection. Not from the query: set by the transport.
  std::string identity;
  std::optional<std::uint64_t> since;
  std::string secret;  ///< `join`: the invite link secret of a private `room` ("" none).
  std::string epoch;   ///< The room's epoch the client knew with `since` ("" none).
};

/// Parses `/ws?room=..&name=..&device=..&since=..` (the request target). Unknown parameters
/// are ignored. Pure; safe from any thread.
std::variant<connect_request, decode_error> parse_ws_query(std::string_view target,
                                                           const core::limits& limits);

}  // namespace message::protocol
