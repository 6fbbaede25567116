#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace message::redis {

/// Where the shared Redis is: parsed once from --redis / --redis-password, then read-only.
struct redis_endpoint {
  std::string host;
  std::uint16_t port = 6379;
  unsigned db = 0;       ///< SELECTed on every connection.
  std::string password;  ///< AUTH on every connection when not empty.

  /// "host:port/db" for logs and /healthz; never the password.
  std::string describe() const;
};

/// Parses `redis://HOST[:PORT][/DB]` (a password in the URL, `redis://:PASS@HOST`, is taken
/// too; --redis-password wins). Throws std::invalid_argument saying what is wrong.
redis_endpoint parse_redis_url(std::string_view url);

}  // namespace message::redis
