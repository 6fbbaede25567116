#include "client_transport/server_url.hpp"

#include <boost/url/parse.hpp>

#include <charconv>

namespace message::client {

std::string server_url::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<server_url> parse_server_url(std::string_view text, std::string& error) {
  if (text.find("://") == std::string_view::npos) {
    error = "the server URL needs a scheme: http://HOST:PORT or https://HOST:PORT (got '" +
            std::string(text) + "')";
    return std::nullopt;
  }
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    error = "'" + std::string(text) + "' is not a URL";
    return std::nullopt;
  }
  const auto& u = *parsed;
  server_url out;
  const auto scheme = u.scheme();
  if (scheme == "https" || scheme == "wss") {
    out.tls = true;
  } else if (scheme != "http" && scheme != "ws") {
    error = "the server URL's scheme must be http, https, ws or wss (got '" + std::string(scheme) + "')";
    return std::nullopt;
  }
  out.host = u.host_address();
  if (out.host.empty()) {
    error = "the server URL has no host";
    return std::nullopt;
  }
  if (u.has_query() || u.has_fragment() || u.has_userinfo()) {
    error = "the server URL takes no user, query or fragment (give the key with --key-file or MESSAGE_KEY)";
    return std::nullopt;
  }
  out.port = out.tls ? 443 : 80;
  if (u.has_port()) {
    const auto p = u.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (ec != std::errc() || end != p.data() + p.size() || value == 0 || value > 65535) {
      error = "the server URL's port '" + std::string(p) + "' is not 1 to 65535";
      return std::nullopt;
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  std::string path(u.encoded_path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  // A URL copied from a page's address bar may end in /ws already.
  if (path.size() >= 3 && path.substr(path.size() - 3) == "/ws") path.resize(path.size() - 3);
  out.base_path = path;
  return out;
}

}  // namespace message::client
