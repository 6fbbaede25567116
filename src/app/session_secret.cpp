#include "app/session_secret.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

namespace message::app {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::array<unsigned char, 32> random_session_secret() {
  std::array<unsigned char, 32> secret{};
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1)
    throw std::runtime_error("no randomness for the session secret");
  return secret;
}

std::array<unsigned char, 32> load_or_create_session_secret(const std::filesystem::path& dir) {
  const auto path = dir / "session.secret";
  if (!std::filesystem::exists(path)) {
    // Written whole under a temporary name, then linked into place: a crash never leaves a
    // half-written secret behind (the data directory's lock keeps other servers out).
    const auto secret = random_session_secret();
    std::string line;
    for (const unsigned char b : secret) {
      line.push_back(hex_digits[b >> 4]);
      line.push_back(hex_digits[b & 0xf]);
    }
    line.push_back('\n');
    const auto tmp = dir / ("session.secret." + std::to_string(::getpid()) + ".tmp");
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + tmp.string() + ": " + std::strerror(errno));
    const bool written =
        ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    const bool linked = written && (::link(tmp.c_str(), path.c_str()) == 0 || errno == EEXIST);
    ::unlink(tmp.c_str());
    if (!linked) throw std::runtime_error("cannot write " + path.string());
  }
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::array<unsigned char, 32> secret{};
  if (line.size() != secret.size() * 2)
    throw std::runtime_error(path.string() + " does not hold a session secret (64 hex digits)");
  for (std::size_t i = 0; i < secret.size(); ++i) {
    const int hi = hex_value(line[2 * i]);
    const int lo = hex_value(line[2 * i + 1]);
    if (hi < 0 || lo < 0)
      throw std::runtime_error(path.string() + " does not hold a session secret (64 hex digits)");
    secret[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return secret;
}

}  // namespace message::app
