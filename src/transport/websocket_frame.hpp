#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/websocket/detail/utf8_checker.hpp>

namespace message::transport::ws {

/// RFC 6455 opcodes.
enum class opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

/// RFC 6455 close codes this layer decides on by itself.
namespace close_codes {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t unsupported_data = 1003;
inline constexpr std::uint16_t bad_payload = 1007;
inline constexpr std::uint16_t too_big = 1009;
}  // namespace close_codes

/// The largest header a server frame needs: 2 bytes, plus 8 for a 64-bit length.
inline constexpr std::size_t max_server_header = 10;

/// Writes the header of one unmasked, final server frame carrying `payload_size` bytes;
/// returns its length (2, 4 or 10).
std::size_t write_frame_header(std::uint8_t* out, opcode op, std::size_t payload_size);

/// A whole server frame: header and payload (control frames, tests).
std::string make_frame(opcode op, std::string_view payload);

/// A close frame's payload: the code, then the reason.
std::string close_payload(std::uint16_t code, std::string_view reason);

/// What frame_reader::read found at the front of the bytes it was given.
struct read_result {
  enum class kind : std::uint8_t {
    incomplete,  ///< Not one whole frame yet: keep the bytes, read more, call again.
    fragment,    ///< A non-final data frame was absorbed: call again with what follows.
    message,     ///< A whole text or binary message: `op` and `payload`.
    control,     ///< A ping, pong or close frame: `op` and `payload` (for a close, also `code`).
    failure,     ///< The peer broke the protocol: close with `code` and `reason`, read no more.
  };
  kind what = kind::incomplete;
  std::size_t consumed = 0;  ///< Bytes of the input this frame took (0 when incomplete).
  opcode op = opcode::text;
  /// For a message or a control frame: the unmasked payload. It points into the caller's
  /// bytes, or into the reader's own buffer for a fragmented message; valid until the next
  /// call.
  std::string_view payload;
  std::uint16_t code = 0;   ///< A close frame's code (0 when it had none), or a failure's code.
  std::string_view reason;  ///< A failure's reason, for the close frame.
};

/// Decodes the frames a browser sends a server (RFC 6455 section 5): checks masking, reserved
/// bits, opcodes, control-frame rules, fragmentation order, the message size bound (1009,
/// judged from the header, before the payload arrives) and, for text, UTF-8 (1007, judged
/// fragment by fragment). Unmasks payloads in place, so a whole unfragmented message costs no
/// copy; only a fragmented one is gathered into the reader's own buffer.
///
/// Thread-safety: none; one reader per connection, used on its loop.
class frame_reader {
 public:
  explicit frame_reader(std::size_t max_message_bytes) : max_message_(max_message_bytes) {}

  /// Reads at most one frame from the front of [data, data + size), which it may modify.
  read_result read(char* data, std::size_t size);

 private:
  read_result fail(std::uint16_t code, std::string_view reason);

  std::size_t max_message_;
  bool in_message_ = false;  // Between a non-final data frame and its final continuation.
  opcode message_op_ = opcode::text;
  std::string fragments_;  // The message so far; empty (no allocation) unless fragmented.
  boost::beast::websocket::detail::utf8_checker utf8_;  // Beast's validator, incremental.
};

}  // namespace message::transport::ws
