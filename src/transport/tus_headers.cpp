#include "transport/tus_headers.hpp"

#include <array>

#include "protocol/validate.hpp"
#include "transport/header_text.hpp"

namespace message::transport {

namespace {
constexpr std::string_view base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) {
  const auto at = base64_alphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}
}  // namespace

std::optional<std::string> base64_decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    std::array<int, 4> v{};
    int pad = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = in[i + j];
      if (c == '=') {
        // Padding only at the very end, at most two.
        if (i + 4 != in.size() || j < 2) return std::nullopt;
        ++pad;
        v[j] = 0;
        continue;
      }
      if (pad > 0) return std::nullopt;
      v[j] = sextet(c);
      if (v[j] < 0) return std::nullopt;
    }
    const unsigned n = (static_cast<unsigned>(v[0]) << 18) | (static_cast<unsigned>(v[1]) << 12) |
                       (static_cast<unsigned>(v[2]) << 6) | static_cast<unsigned>(v[3]);
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xff));
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t left = bytes.size() - i;
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    if (left > 1) n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (left > 2) n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
    out.push_back(base64_alphabet[(n >> 18) & 63]);
    out.push_back(base64_alphabet[(n >> 12) & 63]);
    out.push_back(left > 1 ? base64_alphabet[(n >> 6) & 63] : '=');
    out.push_back(left > 2 ? base64_alphabet[n & 63] : '=');
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_upload_metadata(
    std::string_view value) {
  std::vector<std::pair<std::string, std::string>> out;
  value = trim_header_space(value);
  if (value.empty()) return out;
  while (true) {
    const auto comma = value.find(',');
    const auto item = trim_header_space(value.substr(0, comma));
    const auto space = item.find(' ');
    const auto key = item.substr(0, space);
    if (key.empty()) return std::nullopt;
    for (const char c : key)
      if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == ',')
        return std::nullopt;
    for (const auto& [k, v] : out)
      if (k == key) return std::nullopt;
    std::string decoded;
    if (space != std::string_view::npos) {
      auto v = base64_decode(trim_header_space(item.substr(space + 1)));
      if (!v) return std::nullopt;
      decoded = std::move(*v);
    }
    out.emplace_back(std::string(key), std::move(decoded));
    if (comma == std::string_view::npos) break;
    value = value.substr(comma + 1);
  }
  return out;
}

std::string encode_upload_metadata(const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::string out;
  for (const auto& [k, v] : metadata) {
    if (!out.empty()) out += ',';
    out += k;
    if (!v.empty()) out += ' ' + base64_encode(v);
  }
  return out;
}

std::optional<std::uint64_t> parse_decimal(std::string_view value) {
  value = trim_header_space(value);
  if (value.empty() || value.size() > 19) return std::nullopt;  // 19 digits always fit.
  std::uint64_t n = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

std::optional<upload_checksum> parse_upload_checksum(std::string_view value) {
  value = trim_header_space(value);
  const auto space = value.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  upload_checksum c;
  c.algorithm = std::string(value.substr(0, space));
  auto digest = base64_decode(trim_header_space(value.substr(space + 1)));
  if (!digest) return std::nullopt;
  const std::size_t want = c.algorithm == "sha1" ? 20 : c.algorithm == "sha256" ? 32 : 0;
  if (want == 0 || digest->size() != want) return std::nullopt;
  c.digest = std::move(*digest);
  return c;
}

bool is_valid_file_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || !protocol::is_valid_utf8(name)) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
    // C1 controls: U+0080..U+009F, in UTF-8 0xC2 0x80..0x9F.
    if (c == 0xc2 && i + 1 < name.size() && static_cast<unsigned char>(name[i + 1]) <= 0x9f) return false;
  }
  return true;
}

}  // namespace message::transport
