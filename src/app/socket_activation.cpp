#include "app/socket_activation.hpp"

#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace message::app {

std::optional<int> inherited_listener() {
  const int count = ::sd_listen_fds(1);
  if (count < 0) throw std::runtime_error(std::string("socket activation: ") + std::strerror(-count));
  if (count == 0) return std::nullopt;
  if (count > 1) {
    throw std::runtime_error("socket activation: systemd passed " + std::to_string(count) +
                             " sockets; message serves on one (one ListenStream= in message.socket)");
  }
  const int fd = SD_LISTEN_FDS_START;
  if (::sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0)
    throw std::runtime_error("socket activation: the socket systemd passed is not a listening stream socket");
  return fd;
}

}  // namespace message::app
