#pragma once

#include <filesystem>
#include <string>

namespace message::client {

/// The device identity of this machine's user (docs/security.md): 128 random bits as 22
/// base64url characters in DIR/identity (mode 0600), made on first use and kept after. The
/// client presents it as the WebSocket subprotocol entry `id.<token>` beside `message.v1`; it
/// never goes in a URL or a log. Throws std::runtime_error when the file cannot be made or
/// read, or holds something else than a token.
std::string load_or_create_identity(const std::filesystem::path& dir);

/// The subprotocol entry that presents `token`.
inline std::string identity_subprotocol(const std::string& token) { return "id." + token; }

}  // namespace message::client
