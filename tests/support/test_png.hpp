#pragma once

// Real PNG pictures drawn by the tests themselves (zlib), for the upload and download tests.

#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace message::test {

/// A PNG chunk: length, type, data, CRC-32 of type and data.
inline std::string png_chunk(const char* type, const std::string& data) {
  std::string out;
  const auto put32 = [&](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
  };
  put32(static_cast<std::uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  out += body;
  put32(static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
  return out;
}

/// A real `side` x `side` grey PNG.
inline std::string png(std::uint32_t side) {
  std::string ihdr;
  for (std::uint32_t v : {side, side})
    for (int shift = 24; shift >= 0; shift -= 8) ihdr.push_back(static_cast<char>((v >> shift) & 0xff));
  ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit grey
  std::string rows;
  for (std::uint32_t y = 0; y < side; ++y) {
    rows.push_back('\0');  // No filter.
    for (std::uint32_t x = 0; x < side; ++x) rows.push_back(static_cast<char>((x * 7 + y * 3) & 0xff));
  }
  std::string packed(compressBound(rows.size()), '\0');
  uLongf packed_size = packed.size();
  const int packed_ok = compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
                                  reinterpret_cast<const Bytef*>(rows.data()), rows.size(), 6);
  if (packed_ok != Z_OK) throw std::runtime_error("zlib could not pack the picture");
  packed.resize(packed_size);
  return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", ihdr) + png_chunk("IDAT", packed) +
         png_chunk("IEND", "");
}

}  // namespace message::test
