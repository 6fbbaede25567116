// libFuzzer target: one client WebSocket frame through the JSON codec (protocol::decode).
// Whatever the bytes, decode must return a command or a decode_error, never crash or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const message::core::limits limits{};
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  auto result = message::protocol::decode(frame, limits);
  // An error always says which documented code it is.
  if (auto* e = std::get_if<message::protocol::decode_error>(&result); e && e->code.empty()) __builtin_trap();
  return 0;
}
