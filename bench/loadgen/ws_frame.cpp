#include "ws_frame.hpp"

#include <cstring>

namespace loadgen::ws {

decode_result decode_header(std::string_view in, frame_header& out) noexcept {
  if (in.size() < 2) return decode_result::need_more;
  auto const b0 = static_cast<std::uint8_t>(in[0]);
  auto const b1 = static_cast<std::uint8_t>(in[1]);
  if ((b0 & 0x70u) != 0) return decode_result::bad_frame;  // RSV bits: no extension was negotiated
  out.fin = (b0 & 0x80u) != 0;
  out.op = static_cast<opcode>(b0 & 0x0Fu);
  out.masked = (b1 & 0x80u) != 0;
  std::uint64_t len = b1 & 0x7Fu;
  std::size_t pos = 2;
  if (len == 126) {
    if (in.size() < 4) return decode_result::need_more;
    len = (std::uint64_t{static_cast<std::uint8_t>(in[2])} << 8) | static_cast<std::uint8_t>(in[3]);
    pos = 4;
  } else if (len == 127) {
    if (in.size() < 10) return decode_result::need_more;
    len = 0;
    for (std::size_t i = 2; i < 10; ++i) len = (len << 8) | static_cast<std::uint8_t>(in[i]);
    pos = 10;
  }
  if (out.masked) {
    if (in.size() < pos + 4) return decode_result::need_more;
    std::memcpy(&out.mask, in.data() + pos, 4);
    pos += 4;
  }
  out.payload_size = len;
  out.header_size = pos;
  bool const control = (b0 & 0x08u) != 0;
  if (control && (len > 125 || !out.fin)) return decode_result::bad_frame;
  return decode_result::complete_header;
}

void append_masked_frame(std::string& out, opcode op, std::string_view payload, std::uint32_t mask) {
  std::size_t const n = payload.size();
  std::size_t const start = out.size();
  std::size_t const header = n < 126 ? 6 : (n <= 0xFFFF ? 8 : 14);
  out.resize(start + header + n);
  auto* p = reinterpret_cast<unsigned char*>(out.data() + start);
  *p++ = static_cast<unsigned char>(0x80u | static_cast<unsigned>(op));
  if (n < 126) {
    *p++ = static_cast<unsigned char>(0x80u | n);
  } else if (n <= 0xFFFF) {
    *p++ = 0x80u | 126u;
    *p++ = static_cast<unsigned char>(n >> 8);
    *p++ = static_cast<unsigned char>(n);
  } else {
    *p++ = 0x80u | 127u;
    for (int shift = 56; shift >= 0; shift -= 8)
      *p++ = static_cast<unsigned char>(static_cast<std::uint64_t>(n) >> shift);
  }
  unsigned char key[4];
  std::memcpy(key, &mask, 4);
  std::memcpy(p, key, 4);
  p += 4;
  auto const* src = reinterpret_cast<unsigned char const*>(payload.data());
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(src[i] ^ key[i & 3u]);
}

}  // namespace loadgen::ws
