#include "app/invite_link.hpp"

#include <fmt/format.h>

namespace message::app {

std::string percent_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    const bool unreserved = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
                            b == '-' || b == '.' || b == '_' || b == '~';
    if (unreserved)
      out += c;
    else
      out += fmt::format("%{:02X}", b);
  }
  return out;
}

std::string invite_url(std::string_view scheme, std::string_view host_and_port, std::string_view key) {
  std::string url = fmt::format("{}://{}/", scheme, host_and_port);
  if (!key.empty()) url += "#k=" + percent_escape(key);
  return url;
}

std::string host_port(std::string_view host, std::uint16_t port) { return fmt::format("{}:{}", host, port); }

}  // namespace message::app
