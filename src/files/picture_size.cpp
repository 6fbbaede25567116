#include "files/picture_size.hpp"

#include <fstream>
#include <string>

namespace message::files {

namespace {
std::uint32_t byte(std::string_view s, std::size_t i) { return static_cast<unsigned char>(s[i]); }
std::uint32_t be16(std::string_view s, std::size_t i) { return byte(s, i) << 8 | byte(s, i + 1); }
std::uint32_t le16(std::string_view s, std::size_t i) { return byte(s, i) | byte(s, i + 1) << 8; }
std::uint32_t le24(std::string_view s, std::size_t i) { return le16(s, i) | byte(s, i + 2) << 16; }
std::uint32_t be32(std::string_view s, std::size_t i) { return be16(s, i) << 16 | be16(s, i + 2); }

picture_dimensions jpeg_size(std::string_view s) {
  // Walk the markers to the first start-of-frame (SOF0..SOF15 but DHT, JPG and DAC).
  std::size_t i = 2;
  while (i + 9 < s.size()) {
    if (byte(s, i) != 0xff) return {};
    const auto marker = byte(s, i + 1);
    if (marker == 0xff) {
      ++i;
      continue;
    }
    if (marker == 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker == 0x01) {
      i += 2;
      continue;
    }
    const auto length = be16(s, i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc)
      return {be16(s, i + 7), be16(s, i + 5)};
    if (length < 2) return {};
    i += 2 + length;
  }
  return {};
}
}  // namespace

picture_dimensions picture_size(std::string_view type, std::string_view s) {
  if (type == "image/png") {
    if (s.size() >= 24 && s.substr(12, 4) == "IHDR") return {be32(s, 16), be32(s, 20)};
  } else if (type == "image/gif") {
    if (s.size() >= 10) return {le16(s, 6), le16(s, 8)};
  } else if (type == "image/webp") {
    if (s.size() >= 30 && s.substr(0, 4) == "RIFF" && s.substr(8, 4) == "WEBP") {
      const auto chunk = s.substr(12, 4);
      if (chunk == "VP8X") return {le24(s, 24) + 1, le24(s, 27) + 1};
      if (chunk == "VP8 " && s.size() >= 30) return {le16(s, 26) & 0x3fff, le16(s, 28) & 0x3fff};
      if (chunk == "VP8L" && s.size() >= 25) {
        const std::uint32_t bits = byte(s, 21) | byte(s, 22) << 8 | byte(s, 23) << 16 | byte(s, 24) << 24;
        return {(bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1};
      }
    }
  } else if (type == "image/jpeg") {
    if (s.size() >= 4 && byte(s, 0) == 0xff && byte(s, 1) == 0xd8) return jpeg_size(s);
  }
  return {};
}

void add_picture_details(const std::filesystem::path& path, core::file_ref& file) {
  if (!file.type.starts_with("image/")) return;
  // A JPEG's frame header may follow big EXIF blocks; 256 KiB covers what cameras write.
  std::ifstream in(path, std::ios::binary);
  std::string head(256 * 1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  const auto d = picture_size(file.type, head);
  if (d.width == 0 || d.height == 0) return;
  file.width = d.width;
  file.height = d.height;
}

}  // namespace message::files
