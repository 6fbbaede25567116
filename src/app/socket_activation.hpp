#pragma once

#include <optional>

namespace message::app {

/// The listening socket systemd handed over (socket activation: message.socket, or
/// systemd-socket-activate), if any. The LISTEN_* variables are cleared, so nothing the server
/// starts inherits them. Throws std::runtime_error when systemd passed more than one socket or
/// one that is no listening stream socket: serving on something else than the unit says would
/// hide a configuration mistake.
std::optional<int> inherited_listener();

}  // namespace message::app
