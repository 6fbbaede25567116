#include "common/identity.hpp"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>

namespace message::core {

namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int sextet(char c) noexcept {
  const auto at = alphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

/// base64url of `n` bytes, `n` a multiple of 3 (no padding needed).
std::string base64url(const unsigned char* bytes, std::size_t n) {
  std::string out;
  out.reserve(n / 3 * 4);
  for (std::size_t i = 0; i + 2 < n; i += 3) {
    const unsigned v = (unsigned{bytes[i]} << 16) | (unsigned{bytes[i + 1]} << 8) | bytes[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out += alphabet[(v >> shift) & 0x3F];
  }
  return out;
}

/// The first 12 bytes of the SHA-256 of `bytes`, as 16 characters of base64url.
std::string digest_id(const unsigned char* bytes, std::size_t n) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(bytes, n, digest.data());
  return base64url(digest.data(), 12);
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
  return digest_id(bytes.data(), bytes.size());
}

std::string direct_room(std::string_view a, std::string_view b) {
  const std::string pair =
      a < b ? std::string(a) + ':' + std::string(b) : std::string(b) + ':' + std::string(a);
  return "dm-" + digest_id(reinterpret_cast<const unsigned char*>(pair.data()), pair.size());
}

std::string new_room_secret() {
  std::array<unsigned char, 18> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("no random bytes from OpenSSL");
  std::string out = base64url(bytes.data(), bytes.size());
  out.resize(token_chars);  // 132 of its 144 bits: the length of a token.
  return out;
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
