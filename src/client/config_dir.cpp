#include "client/config_dir.hpp"

#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace message::client {

std::filesystem::path config_dir(bool create) {
  std::filesystem::path base;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = std::filesystem::path(home) / ".config";
  } else {
    throw std::runtime_error("neither HOME nor XDG_CONFIG_HOME is set: no place for ~/.config/message");
  }
  auto dir = base / "message";
  if (create) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  return dir;
}

}  // namespace message::client
