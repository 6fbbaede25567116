// libFuzzer target: a server frame as the terminal client reads it (protocol::for_each_line and
// decode_server_line): a hostile or broken server must not crash the client.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/client_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  message::protocol::for_each_line(frame, [](std::string_view line) {
    auto event = message::protocol::decode_server_line(line);
    if (auto* h = event ? std::get_if<message::protocol::history_event>(&*event) : nullptr) {
      // Every message of a history came out of the line it was read from.
      for (const auto& m : h->messages)
        if (m.message.text.size() > line.size() || m.wire.empty()) __builtin_trap();
    }
  });
  return 0;
}
