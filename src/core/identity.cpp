#include "core/identity.hpp"

#include <openssl/sha.h>

#include <array>

namespace message::core {

namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int sextet(char c) noexcept {
  const auto at = alphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

std::optional<std::string> identity_of_token(std::string_view token) {
  if (token.size() != token_chars) return std::nullopt;
  // 22 characters carry 132 bits: 16 bytes and 4 bits that must be zero (the canonical form,
  // so one token has one spelling).
  std::array<unsigned char, 16> bytes{};
  unsigned bits = 0;
  int held = 0;
  std::size_t n = 0;
  for (const char c : token) {
    const int v = sextet(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(v);
    held += 6;
    if (held >= 8) {
      held -= 8;
      bytes[n++] = static_cast<unsigned char>((bits >> held) & 0xFF);
    }
  }
  if ((bits & ((1U << held) - 1)) != 0) return std::nullopt;
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(bytes.data(), bytes.size(), digest.data());
  std::string id;
  id.reserve(identity_id_chars);
  for (std::size_t i = 0; i < 12; i += 3) {
    const unsigned v = (unsigned{digest[i]} << 16) | (unsigned{digest[i + 1]} << 8) | digest[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) id += alphabet[(v >> shift) & 0x3F];
  }
  return id;
}

bool is_identity_id(std::string_view s) noexcept {
  if (s.size() != identity_id_chars) return false;
  for (const char c : s) {
    if (sextet(c) < 0) return false;
  }
  return true;
}

std::string fold_name(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace message::core
