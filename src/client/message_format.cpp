#include "client/message_format.hpp"

#include <ctime>

namespace message::client {

std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // C1 controls (U+0080..U+009F) are two bytes in UTF-8: C2 80..C2 9F.
    const bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0 &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80;
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F || c1) {
      out += "\xEF\xBF\xBD";
      if (c1) ++i;
      continue;
    }
    out += static_cast<char>(c);
  }
  return out;
}

std::string excerpt(const std::string& text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    // A code point starts at every byte that is not a UTF-8 continuation byte (10xxxxxx).
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == max_chars)
      return text.substr(0, i) + "\xE2\x80\xA6";
  }
  return text;
}

std::string coloured_name(const std::string& name, bool colour) {
  auto safe = printable(name);
  if (!colour) return safe;
  std::uint32_t h = 2166136261u;
  for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  static constexpr const char* palette[] = {"31", "32", "33", "34", "35", "36"};
  return std::string("\033[1;") + palette[h % 6] + "m" + safe + "\033[0m";
}

std::string format_message(const core::chat_message& m, bool colour) {
  const auto t = static_cast<std::time_t>(m.ts / 1000);
  std::tm local{};
  localtime_r(&t, &local);
  char stamp[8];
  std::strftime(stamp, sizeof stamp, "%H:%M", &local);
  std::string text = printable(m.text);
  for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', nl + 1))
    text.insert(nl + 1, "      ");
  return std::string(stamp) + " " + coloured_name(m.username, colour) + ": " + text;
}

std::string format_gap(std::uint64_t from, std::uint64_t to) {
  if (from == to) return "-- message " + std::to_string(from) + " is no longer available";
  return "-- messages " + std::to_string(from) + " to " + std::to_string(to) + " are no longer available";
}

std::string format_reset(std::uint64_t seq) {
  return "-- the room's history was replaced on the server (a restored backup or lost data); it now ends at "
         "message " +
         std::to_string(seq);
}

}  // namespace message::client
