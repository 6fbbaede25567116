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
  if (!std::filesystem::exists(path)) {
    // Written whole under a temporary name, then linked into place: two clients starting at
    // once never see a half-written file, and the first link wins (the other reads it).
    const auto tmp = dir / ("identity." + std::to_string(::getpid()) + ".tmp");
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + tmp.string() + ": " + std::strerror(errno));
    std::array<unsigned char, 16> bytes{};
    const bool random = RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) == 1;
    const std::string line = base64url(bytes.data(), bytes.size()) + "\n";
    const bool written = random &&
                         ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                         ::fsync(fd) == 0;
    ::close(fd);
    const bool linked = written && (::link(tmp.c_str(), path.c_str()) == 0 || errno == EEXIST);
    ::unlink(tmp.c_str());
    if (!linked) throw std::runtime_error("cannot write " + path.string());
  }
  std::ifstream in(path);
  std::string token;
  std::getline(in, token);
  if (!is_token(token))
    throw std::runtime_error(path.string() + " does not hold a device identity (22 base64url characters)");
  return token;
}

}  // namespace message::client
