#include "client_transport/private_descriptor.hpp"

#include <fcntl.h>

#include <string>

namespace message::client {

int private_descriptor(int fd, bool write) {
  const auto path = "/proc/self/fd/" + std::to_string(fd);
  return ::open(path.c_str(), (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC | O_NOCTTY);
}

}  // namespace message::client
