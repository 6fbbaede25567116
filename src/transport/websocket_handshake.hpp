#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "transport/http_routes.hpp"

namespace message::transport {

/// Why an upgrade request that names WebSocket cannot be accepted (RFC 6455 section 4.2.1),
/// as the HTTP answer to give: 400, or 426 with the version we speak. nullopt when it can.
/// Checks what websocket::is_upgrade does not: the key and the version.
std::optional<response> refuse_upgrade(const request& req);

/// The 101 Switching Protocols answer to an accepted upgrade request, as bytes to write.
/// Names `subprotocol` when the request offered it (a browser fails the connection otherwise).
std::string switching_protocols(const request& req, bool name_subprotocol);

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + RFC 6455's GUID)).
std::string websocket_accept_key(std::string_view key);

}  // namespace message::transport
