#include "client/device_identity.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace message::client {

namespace {

constexpr std::size_t token_chars = 22;  // 128 bits in base64url, no padding.

std::string base64url(const unsigned char* data, std::size_t n) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < n; ++i) {
    acc = (acc << 8) | data[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += alphabet[(acc << (6 - bits)) & 63];
  return out;
}

bool is_token(const std::string& s) {
  if (s.size() != token_chars) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

}  // namespace

std::string load_or_create_identity(const std::filesystem::path& dir) {
  const auto path = dir / "identity";
  // O_EXCL: two clients starting at once must not each write their own token.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      ::close(fd);
      ::unlink(path.c_str());
      throw std::runtime_error("no random bytes for the device identity");
    }
    const std::string line = base64url(bytes.data(), bytes.size()) + "\n";
    const bool ok =
        ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      throw std::runtime_error("cannot write " + path.string());
    }
    return line.substr(0, token_chars);
  }
  if (errno != EEXIST)
    throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
  std::ifstream in(path);
  std::string token;
  std::getline(in, token);
  if (!is_token(token))
    throw std::runtime_error(path.string() + " does not hold a device identity (22 base64url characters)");
  return token;
}

}  // namespace message::client
