#include "redis/redis_endpoint.hpp"

#include <boost/url/parse.hpp>

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace message::redis {

std::string redis_endpoint::describe() const {
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{}{}{}:{}/{}", v6 ? "[" : "", host, v6 ? "]" : "", port, db);
}

redis_endpoint parse_redis_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument("--redis: not a URL (expected redis://HOST:PORT[/DB])");
  const auto& u = *parsed;
  if (u.scheme() != "redis")
    throw std::invalid_argument("--redis: the scheme must be redis:// (no TLS in hiredis 0.14)");
  redis_endpoint e;
  e.host = u.host_address();
  if (e.host.empty()) throw std::invalid_argument("--redis: the URL names no host");
  if (u.has_port()) {
    if (u.port_number() == 0) throw std::invalid_argument("--redis: bad port");
    e.port = u.port_number();
  }
  std::string path = u.path();
  if (!path.empty() && path != "/") {
    const char* first = path.data() + 1;
    const char* last = path.data() + path.size();
    auto [end, ec] = std::from_chars(first, last, e.db);
    if (ec != std::errc() || end != last)
      throw std::invalid_argument(
          "--redis: the path must be a database number, e.g. redis://localhost:6379/2");
  }
  if (u.has_password()) e.password = u.password();
  if (u.has_query() || u.has_fragment())
    throw std::invalid_argument("--redis: unexpected query or fragment in the URL");
  return e;
}

}  // namespace message::redis
