#pragma once
// The WebSocket framing the load generator needs (RFC 6455), apart from I/O so
// it can be tested alone: decode server frames (unmasked) and encode client
// frames (masked). Pure functions, thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace loadgen::ws {

enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

/// One decoded frame header; the payload is `payload_size` bytes at
/// `header_size` past the frame's first byte.
struct frame_header {
  bool fin = false;
  opcode op = opcode::text;
  bool masked = false;
  std::uint32_t mask = 0;
  std::uint64_t payload_size = 0;
  std::size_t header_size = 0;
};

enum class decode_result { complete_header, need_more, bad_frame };

/// Decodes the header at the front of `in`. A server frame must not be
/// masked and must not use reserved bits (we negotiate no extension).
decode_result decode_header(std::string_view in, frame_header& out) noexcept;

/// Appends one masked client frame holding `payload` to `out`.
void append_masked_frame(std::string& out, opcode op, std::string_view payload, std::uint32_t mask);

}  // namespace loadgen::ws
