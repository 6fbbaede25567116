#include "transport/access_key.hpp"
#include "transport/header_text.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdexcept>

namespace message::transport {

namespace {

std::array<unsigned char, 32> sha256(std::string_view s) {
  std::array<unsigned char, 32> out{};
  unsigned int n = 0;
  if (EVP_Digest(s.data(), s.size(), out.data(), &n, EVP_sha256(), nullptr) != 1 || n != out.size())
    throw std::runtime_error("SHA-256 is not available from OpenSSL");
  return out;
}

/// Calls fn(token) for each comma-separated token of a header value; stops when fn says so.
template <class Fn>
void for_each_token(std::string_view value, Fn&& fn) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    const auto token = trim_header_space(value.substr(0, comma));
    if (!token.empty() && fn(token)) return;
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-' || c == '+') return 62;
  if (c == '_' || c == '/') return 63;
  return -1;
}

}  // namespace

bool starts_with_scheme(std::string_view value, std::string_view scheme) {
  if (value.size() <= scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    const char c = value[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != scheme[i]) return false;
  }
  return true;
}

access_key::access_key(std::string_view secret) {
  if (!secret.empty()) digest_ = sha256(secret);
}

bool access_key::matches(std::string_view presented) const {
  if (!digest_) return true;
  const auto got = sha256(presented);
  return CRYPTO_memcmp(got.data(), digest_->data(), got.size()) == 0;
}

std::optional<std::string> base64url_decode(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  unsigned int acc = 0;
  int bits = 0;
  for (const char c : in) {
    const int v = base64_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xffu));
    }
  }
  return out;
}

std::optional<std::string> key_from_authorization(std::string_view value) {
  value = trim_header_space(value);
  // `Identity <token>, Bearer <key>`: what fetch sends for two Authorization headers (the
  // identity first, so that a key containing ", " is never split).
  if (starts_with_scheme(value, "identity ")) {
    const auto comma = value.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    value = trim_header_space(value.substr(comma + 1));
  }
  constexpr std::string_view scheme = "bearer ";
  if (!starts_with_scheme(value, scheme)) return std::nullopt;
  return std::string(trim_header_space(value.substr(scheme.size())));
}

std::optional<std::string> key_from_protocols(std::string_view value) {
  std::optional<std::string> key;
  for_each_token(value, [&](std::string_view token) {
    if (token.substr(0, key_token_prefix.size()) != key_token_prefix) return false;
    key = base64url_decode(token.substr(key_token_prefix.size()));
    return true;
  });
  return key;
}

bool protocols_contain(std::string_view value, std::string_view wanted) {
  bool found = false;
  for_each_token(value, [&](std::string_view token) { return found = token == wanted; });
  return found;
}

}  // namespace message::transport
