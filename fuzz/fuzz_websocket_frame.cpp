// libFuzzer target: the bytes a WebSocket peer sends (transport::ws::frame_reader), read the
// way a session reads them: frame after frame until one is incomplete or the peer failed.
#include <cstddef>
#include <cstdint>
#include <string>

#include "transport/websocket_frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t max_message = 4096;
  using kind = message::transport::ws::read_result::kind;
  std::string bytes(reinterpret_cast<const char*>(data), size);  // The reader unmasks in place.
  message::transport::ws::frame_reader reader(max_message);
  std::size_t at = 0;
  for (int frames = 0; frames < 10000; ++frames) {
    const auto r = reader.read(bytes.data() + at, bytes.size() - at);
    if (r.what == kind::incomplete || r.what == kind::failure) {
      if (r.consumed != 0) __builtin_trap();
      if (r.what == kind::failure && (r.code < 1000 || r.reason.empty())) __builtin_trap();
      break;
    }
    if (r.consumed == 0 || r.consumed > bytes.size() - at) __builtin_trap();
    if (r.what == kind::message && r.payload.size() > max_message) __builtin_trap();
    if (r.what == kind::control && r.payload.size() > 125) __builtin_trap();
    at += r.consumed;
  }
  return 0;
}
