// libFuzzer target: the request target of a WebSocket upgrade (protocol::parse_ws_query).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/ws_query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const message::core::limits limits{};
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  auto result = message::protocol::parse_ws_query(target, limits);
  if (auto* q = std::get_if<message::protocol::connect_request>(&result)) {
    // What parse accepted must be within the limits it was given.
    if (q->room.empty() || q->room.size() > limits.max_room_chars) __builtin_trap();
    if (q->device.size() > 64) __builtin_trap();
  }
  return 0;
}
