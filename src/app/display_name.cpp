#include "app/display_name.hpp"

#include <unistd.h>

#include <array>

namespace message::app {

std::string cut_utf8(std::string_view name, std::size_t bytes) {
  if (name.size() <= bytes) return std::string(name);
  std::size_t end = bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the character that was cut.
  while (end > 0 && (static_cast<unsigned char>(name[end]) & 0xC0U) == 0x80U) --end;
  return std::string(name.substr(0, end));
}

std::string host_name() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) return {};
  return host.data();
}

std::string display_name(std::string_view configured) {
  if (!configured.empty()) return cut_utf8(configured, max_service_name_bytes);
  const std::string host = host_name();
  return host.empty() ? "message" : cut_utf8("message on " + host, max_service_name_bytes);
}

}  // namespace message::app
