#include "transport/file_response.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace message::transport {

namespace {

bool is_hex_lower(std::string_view s) {
  for (const char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

/// RFC 5987 attr-char: what may stand unencoded in `filename*`.
bool is_attr_char(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  constexpr std::string_view others = "!#$&+-.^_`|~";
  return others.find(static_cast<char>(c)) != std::string_view::npos;
}

std::optional<std::uint64_t> number(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<file_target> parse_file_target(std::string_view path) {
  constexpr std::string_view prefix = "/files/";
  if (!path.starts_with(prefix)) return std::nullopt;
  path.remove_prefix(prefix.size());
  file_target out;
  if (path.size() == 64 + 6 && path.ends_with("/thumb")) {
    out.thumb = true;
    path.remove_suffix(6);
  }
  if (path.size() != 64 || !is_hex_lower(path)) return std::nullopt;
  out.sha256 = std::string(path);
  return out;
}

bool served_inline(std::string_view type) {
  constexpr std::array<std::string_view, 10> allowed = {
      "image/jpeg", "image/png",  "image/gif", "image/webp", "video/mp4",
      "video/webm", "audio/mpeg", "audio/ogg", "audio/wav",  "audio/webm"};
  for (const auto a : allowed)
    if (type == a) return true;
  return false;
}

std::string content_disposition(std::string_view name, bool inline_) {
  std::string ascii;
  std::string encoded;
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    ascii.push_back(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? ch : '_');
    if (is_attr_char(c)) {
      encoded.push_back(ch);
    } else {
      encoded += fmt::format("%{:02X}", c);
    }
  }
  if (ascii.empty()) ascii = "file";
  return fmt::format("{}; filename=\"{}\"; filename*=UTF-8''{}", inline_ ? "inline" : "attachment", ascii,
                     encoded.empty() ? "file" : encoded);
}

range_request parse_range(std::string_view value, std::uint64_t size) {
  range_request out;
  value = trim(value);
  constexpr std::string_view unit = "bytes=";
  if (!value.starts_with(unit)) return out;  // Another unit (or none): ignored.
  value.remove_prefix(unit.size());
  if (value.find(',') != std::string_view::npos) return out;  // Several: the whole file.
  value = trim(value);
  const auto dash = value.find('-');
  if (dash == std::string_view::npos) return out;
  const auto from = value.substr(0, dash);
  const auto to = value.substr(dash + 1);
  if (from.empty()) {  // The last n bytes.
    const auto n = number(to);
    if (!n) return out;
    if (*n == 0 || size == 0) {
      out.result = range_request::kind::unsatisfiable;
      return out;
    }
    out.result = range_request::kind::partial;
    out.range = {size - std::min(*n, size), size - 1};
    return out;
  }
  const auto first = number(from);
  if (!first) return out;
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!to.empty()) {
    const auto l = number(to);
    if (!l || *l < *first) return out;  // Malformed: ignored, as RFC 9110 says.
    last = std::min(*l, last);
  }
  if (*first >= size) {
    out.result = range_request::kind::unsatisfiable;
    return out;
  }
  out.result = range_request::kind::partial;
  out.range = {*first, last};
  return out;
}

}  // namespace message::transport
