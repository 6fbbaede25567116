#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace message::transport {

/// The name of the /auth session cookie (docs/protocol.md, "Resources by URL").
inline constexpr std::string_view session_cookie_name = "message_session";

/// Makes and checks the /auth session cookie, which URL routes (/invite.svg, /metrics) take in
/// place of the key because `<img>` and download links cannot send headers.
///
/// The value is `v1.<expiry>.<identity>.<mac>`: expiry in Unix seconds, the public identity id
/// ("" for none), and mac = base64url(HMAC-SHA256(secret, "v1", SHA-256(key), expiry,
/// identity)). Nothing in it is secret: the key is only inside the MAC, so a cookie made under
/// another key (the key changed) or altered in any byte is refused, and the secret (kept in the
/// data directory: app/session_secret) never leaves the server.
/// Immutable after construction; safe from any thread.
class session_cookies {
 public:
  using clock = std::chrono::system_clock;
  /// No secret: makes no cookie and accepts none.
  session_cookies() = default;
  /// `key` is --key ("" = none); only its digest is kept.
  session_cookies(const std::array<unsigned char, 32>& secret, std::string_view key,
                  std::chrono::seconds lifetime);

  bool enabled() const { return enabled_; }
  std::chrono::seconds lifetime() const { return lifetime_; }
  /// A cookie value for `identity` (a public identity id or "") valid until now + lifetime.
  std::string make(std::string_view identity, clock::time_point now) const;
  /// The identity ("" = none) of a value this server made under its current key and that has
  /// not expired; nothing for anything else. Compares the MAC in constant time.
  std::optional<std::string> verify(std::string_view value, clock::time_point now) const;
  /// The Set-Cookie header value: HttpOnly, SameSite=Strict, Path=/, Max-Age, and Secure when
  /// the request came over TLS.
  std::string set_cookie(std::string_view value, bool secure) const;

 private:
  std::string mac(std::string_view expiry, std::string_view identity) const;

  bool enabled_ = false;
  std::array<unsigned char, 32> secret_{};
  std::array<unsigned char, 32> key_digest_{};
  std::chrono::seconds lifetime_{0};
};

/// The value of cookie `name` in a Cookie header (`a=1; b=2`), or nothing. Pure.
std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name);

}  // namespace message::transport
