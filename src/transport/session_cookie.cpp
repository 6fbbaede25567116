#include "transport/session_cookie.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <stdexcept>

#include "common/identity.hpp"
#include "transport/header_text.hpp"

namespace message::transport {

namespace {

constexpr std::string_view version = "v1";

std::string base64url(const unsigned char* data, std::size_t n) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned int acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < n; ++i) {
    acc = (acc << 8) | data[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

}  // namespace

session_cookies::session_cookies(const std::array<unsigned char, 32>& secret, std::string_view key,
                                 std::chrono::seconds lifetime)
    : enabled_(true), secret_(secret), lifetime_(lifetime) {
  // The key's digest, not the key: what the MAC binds the cookie to. An empty key (none) has
  // a digest too, so a cookie of a server without a key is refused once a key is set.
  unsigned int n = 0;
  if (EVP_Digest(key.data(), key.size(), key_digest_.data(), &n, EVP_sha256(), nullptr) != 1 ||
      n != key_digest_.size())
    throw std::runtime_error("SHA-256 is not available from OpenSSL");
}

std::string session_cookies::mac(std::string_view expiry, std::string_view identity) const {
  // Fields joined by '\n', which none of them contains: no two inputs share a message.
  std::string message(version);
  message.push_back('\n');
  message.append(reinterpret_cast<const char*>(key_digest_.data()), key_digest_.size());
  message.push_back('\n');
  message.append(expiry).push_back('\n');
  message.append(identity);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &n))
    throw std::runtime_error("HMAC-SHA256 is not available from OpenSSL");
  return base64url(out, n);
}

std::string session_cookies::make(std::string_view identity, clock::time_point now) const {
  const auto expiry = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>((now + lifetime_).time_since_epoch()).count());
  std::string value(version);
  value.append(".").append(expiry).append(".").append(identity).append(".");
  value += mac(expiry, identity);
  return value;
}

std::optional<std::string> session_cookies::verify(std::string_view value, clock::time_point now) const {
  if (!enabled_) return std::nullopt;
  // v1.<expiry>.<identity>.<mac>: identity ids and the MAC are base64url, which has no '.'.
  const auto first = value.find('.');
  const auto second = first == std::string_view::npos ? first : value.find('.', first + 1);
  const auto third = second == std::string_view::npos ? second : value.find('.', second + 1);
  if (third == std::string_view::npos || value.substr(0, first) != version) return std::nullopt;
  const auto expiry = value.substr(first + 1, second - first - 1);
  const auto identity = value.substr(second + 1, third - second - 1);
  const auto presented = value.substr(third + 1);
  long long until = 0;
  const auto [end, ec] = std::from_chars(expiry.data(), expiry.data() + expiry.size(), until);
  if (ec != std::errc() || end != expiry.data() + expiry.size() || expiry.empty()) return std::nullopt;
  if (!identity.empty() && !core::is_identity_id(identity)) return std::nullopt;
  const std::string expected = mac(expiry, identity);
  if (presented.size() != expected.size() ||
      CRYPTO_memcmp(presented.data(), expected.data(), expected.size()) != 0)
    return std::nullopt;
  if (std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() >= until)
    return std::nullopt;
  return std::string(identity);
}

std::string session_cookies::set_cookie(std::string_view value, bool secure) const {
  std::string out(session_cookie_name);
  out.append("=").append(value);
  out += "; Path=/; Max-Age=" + std::to_string(lifetime_.count()) + "; HttpOnly; SameSite=Strict";
  if (secure) out += "; Secure";
  return out;
}

std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    const auto pair = trim_header_space(header.substr(0, semi));
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && trim_header_space(pair.substr(0, eq)) == name)
      return trim_header_space(pair.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

}  // namespace message::transport
