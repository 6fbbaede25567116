#pragma once

#include <array>
#include <filesystem>

namespace message::app {

/// The secret under which the /auth session cookie is signed (transport/session_cookie):
/// 32 random bytes kept in DIR/session.secret (mode 0600, 64 hex digits), made on first start.
/// Kept in the data directory rather than per process so that a restart (an upgrade, a reboot)
/// does not send every open page back to /auth; a changed --key still ends every cookie, as
/// the key's digest is inside each cookie's MAC. Throws std::runtime_error saying what is wrong
/// (unreadable, malformed, cannot be written). Call from one thread at start-up.
std::array<unsigned char, 32> load_or_create_session_secret(const std::filesystem::path& dir);

/// 32 fresh random bytes: the secret of this process only, when the file cannot be used.
std::array<unsigned char, 32> random_session_secret();

}  // namespace message::app
