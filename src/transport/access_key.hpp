#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "transport/net.hpp"

namespace message::transport {

/// The shared secret of --key (docs/security.md), kept only as its SHA-256 digest. Without a
/// key everyone may join. Immutable after construction; safe from any thread.
class access_key {
 public:
  access_key() = default;
  /// An empty secret means "no key".
  explicit access_key(std::string_view secret);

  bool required() const { return digest_.has_value(); }
  /// Compares in constant time (digests of equal length, CRYPTO_memcmp): the answer time says
  /// nothing about how much of a guess was right.
  bool matches(std::string_view presented) const;

 private:
  std::optional<std::array<unsigned char, 32>> digest_;
};

/// The subprotocol a browser offers to speak this server's protocol; the upgrade answer names it.
inline constexpr std::string_view subprotocol = "message.v1";
/// The prefix of the Sec-WebSocket-Protocol token that carries the key (base64url, no padding).
inline constexpr std::string_view key_token_prefix = "key.";

/// The key a request presents, or nothing: `Authorization: Bearer <key>` (HTTP and terminal
/// tools; after an `Identity <token>, ` entry or in a second Authorization header too), else a
/// `key.<base64url of the UTF-8 key>` token in `Sec-WebSocket-Protocol` (browsers cannot set headers on a
/// WebSocket). Pure.
template <class Fields>
std::optional<std::string> presented_key(const http::request_header<Fields>& req);

/// True when the Sec-WebSocket-Protocol header offers `subprotocol`.
template <class Fields>
bool offers_subprotocol(const http::request_header<Fields>& req);

// Non-template cores of the above, exposed for tests and the fuzzer.
std::optional<std::string> key_from_authorization(std::string_view value);
/// True when `value` begins with `scheme` (lower case, with its space), in any case, and has more.
bool starts_with_scheme(std::string_view value, std::string_view scheme);
std::optional<std::string> key_from_protocols(std::string_view value);
bool protocols_contain(std::string_view value, std::string_view wanted);
std::optional<std::string> base64url_decode(std::string_view in);

template <class Fields>
std::optional<std::string> presented_key(const http::request_header<Fields>& req) {
  for (auto [it, end] = req.equal_range(http::field::authorization); it != end; ++it) {
    if (auto k = key_from_authorization(it->value())) return k;
  }
  return key_from_protocols(req[http::field::sec_websocket_protocol]);
}

template <class Fields>
bool offers_subprotocol(const http::request_header<Fields>& req) {
  return protocols_contain(req[http::field::sec_websocket_protocol], subprotocol);
}

}  // namespace message::transport
