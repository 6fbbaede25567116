#pragma once

#include <filesystem>

namespace message::client {

/// The client's own directory: $XDG_CONFIG_HOME/message, else ~/.config/message. Created
/// (mode 0700) when `create`; throws std::runtime_error saying why it cannot be.
std::filesystem::path config_dir(bool create);

}  // namespace message::client
