#include "common/link_code.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace message::core {

std::string new_link_code(std::size_t chars) {
  // Bytes at or above the largest multiple of the alphabet's size are drawn again, so every
  // character is equally likely.
  constexpr unsigned limit = 256 - 256 % link_code_alphabet.size();
  std::string out;
  while (out.size() < chars) {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
      throw std::runtime_error("no random bytes from OpenSSL");
    for (const unsigned char b : bytes) {
      if (b >= limit || out.size() == chars) continue;
      out.push_back(link_code_alphabet[b % link_code_alphabet.size()]);
    }
  }
  return out;
}

std::string normalize_link_code(std::string_view typed, std::size_t chars) {
  std::string out;
  for (char c : typed) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (link_code_alphabet.find(c) == std::string_view::npos) return {};
    out.push_back(c);
  }
  return out.size() == chars ? out : std::string();
}

}  // namespace message::core
