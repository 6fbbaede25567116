#include "transport/websocket_frame.hpp"

#include <cstring>

namespace message::transport::ws {

std::size_t write_frame_header(std::uint8_t* out, opcode op, std::size_t payload_size) {
  out[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(op));  // FIN: never fragmented.
  if (payload_size < 126) {
    out[1] = static_cast<std::uint8_t>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(payload_size >> 8);
    out[3] = static_cast<std::uint8_t>(payload_size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i)
    out[2 + i] = static_cast<std::uint8_t>(std::uint64_t(payload_size) >> (56 - 8 * i));
  return 10;
}

std::string make_frame(opcode op, std::string_view payload) {
  std::uint8_t header[max_server_header];
  const auto n = write_frame_header(header, op, payload.size());
  std::string frame(reinterpret_cast<const char*>(header), n);
  frame.append(payload);
  return frame;
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  // A control frame carries at most 125 bytes.
  payload.append(reason.substr(0, 123));
  return payload;
}

namespace {

bool is_data(opcode op) { return op == opcode::continuation || op == opcode::text || op == opcode::binary; }

bool is_known(std::uint8_t op) { return op <= 2 || (op >= 8 && op <= 10); }

/// RFC 6455 section 7.4: the codes a peer may send in a close frame.
bool is_sendable_close_code(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

/// XORs the payload with the 4-byte key, 8 bytes at a time where it can.
void unmask(char* data, std::size_t size, const std::uint8_t key[4]) {
  std::uint64_t key8;
  std::uint8_t k[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
  std::memcpy(&key8, k, 8);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t chunk;
    std::memcpy(&chunk, data + i, 8);
    chunk ^= key8;
    std::memcpy(data + i, &chunk, 8);
  }
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ key[i % 4]);
}

}  // namespace

read_result frame_reader::fail(std::uint16_t code, std::string_view reason) {
  read_result r;
  r.what = read_result::kind::failure;
  r.code = code;
  r.reason = reason;
  return r;
}

read_result frame_reader::read(char* data, std::size_t size) {
  // The last call returned a fragmented message from fragments_; it has been handled.
  if (!in_message_ && !fragments_.empty()) std::string().swap(fragments_);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
  if (size < 2) return {};
  const bool fin = (bytes[0] & 0x80) != 0;
  if ((bytes[0] & 0x70) != 0) return fail(close_codes::protocol_error, "reserved bits set");
  if (!is_known(bytes[0] & 0x0F)) return fail(close_codes::protocol_error, "unknown opcode");
  const auto op = static_cast<opcode>(bytes[0] & 0x0F);
  if ((bytes[1] & 0x80) == 0) return fail(close_codes::protocol_error, "a client frame must be masked");
  std::uint64_t length = bytes[1] & 0x7F;
  std::size_t header = 2;
  if (length == 126) {
    if (size < 4) return {};
    length = (std::uint64_t(bytes[2]) << 8) | bytes[3];
    if (length < 126) return fail(close_codes::protocol_error, "length not in its shortest form");
    header = 4;
  } else if (length == 127) {
    if (size < 10) return {};
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | bytes[2 + i];
    if (length <= 0xFFFF || (length >> 63) != 0)
      return fail(close_codes::protocol_error, "length not in its shortest form");
    header = 10;
  }
  if (is_data(op)) {
    if (op == opcode::continuation && !in_message_)
      return fail(close_codes::protocol_error, "a continuation with nothing to continue");
    if (op != opcode::continuation && in_message_)
      return fail(close_codes::protocol_error, "a new message inside a fragmented one");
    // Judged from the header: the payload of a message too big is never waited for.
    if (length > max_message_ || fragments_.size() + length > max_message_)
      return fail(close_codes::too_big, "message too big");
  } else {
    if (!fin) return fail(close_codes::protocol_error, "a fragmented control frame");
    if (length > 125) return fail(close_codes::protocol_error, "a control frame longer than 125 bytes");
  }
  if (size - header < 4 + length) return {};
  const std::uint8_t* key = bytes + header;
  char* payload = data + header + 4;
  const auto n = static_cast<std::size_t>(length);
  unmask(payload, n, key);

  read_result r;
  r.consumed = header + 4 + n;
  if (!is_data(op)) {
    r.what = read_result::kind::control;
    r.op = op;
    r.payload = {payload, n};
    if (op == opcode::close && n > 0) {
      if (n == 1) return fail(close_codes::protocol_error, "a close frame with a 1-byte payload");
      r.code = static_cast<std::uint16_t>((std::uint8_t(payload[0]) << 8) | std::uint8_t(payload[1]));
      if (!is_sendable_close_code(r.code)) return fail(close_codes::protocol_error, "an invalid close code");
      boost::beast::websocket::detail::utf8_checker reason_check;
      if (!reason_check.write(reinterpret_cast<const std::uint8_t*>(payload + 2), n - 2) ||
          !reason_check.finish())
        return fail(close_codes::bad_payload, "a close reason that is not UTF-8");
    }
    return r;
  }
  const opcode message_op = op == opcode::continuation ? message_op_ : op;
  if (op != opcode::continuation) utf8_.reset();
  if (message_op == opcode::text) {
    const bool valid =
        utf8_.write(reinterpret_cast<const std::uint8_t*>(payload), n) && (!fin || utf8_.finish());
    if (!valid) return fail(close_codes::bad_payload, "text that is not UTF-8");
  }
  if (!fin) {
    in_message_ = true;
    message_op_ = message_op;
    fragments_.append(payload, n);
    r.what = read_result::kind::fragment;
    return r;
  }
  r.what = read_result::kind::message;
  r.op = message_op;
  if (in_message_) {
    fragments_.append(payload, n);
    r.payload = fragments_;
    in_message_ = false;
  } else {
    r.payload = {payload, n};
  }
  return r;
}

}  // namespace message::transport::ws
