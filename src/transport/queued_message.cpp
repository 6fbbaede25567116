#include "transport/queued_message.hpp"

namespace message::transport {

std::optional<queued_message> queued_message_of(std::string_view line) {
  // Every row of a room's stream: a message or a change event (docs/protocol.md,
  // "Conversation"). A kept change batch behind a dropped one would arrive twice after the
  // re-read, so each kind must be recognised.
  constexpr std::string_view type_key = R"({"type":")";
  constexpr std::string_view room_key = R"(","room":")";
  constexpr std::string_view seq_key = R"(","seq":)";
  if (line.substr(0, type_key.size()) != type_key) return std::nullopt;
  line.remove_prefix(type_key.size());
  bool row = false;
  for (const std::string_view type : {"message", "edit", "delete", "react"}) {
    if (line.substr(0, type.size()) == type && line.substr(type.size(), room_key.size()) == room_key) {
      line.remove_prefix(type.size() + room_key.size());
      row = true;
      break;
    }
  }
  if (!row) return std::nullopt;
  const auto end = line.find('"');
  if (end == std::string_view::npos || end == 0) return std::nullopt;
  queued_message out{line.substr(0, end), 0};
  line.remove_prefix(end);
  if (line.substr(0, seq_key.size()) != seq_key) return std::nullopt;
  line.remove_prefix(seq_key.size());
  std::size_t digits = 0;
  for (; digits < line.size() && line[digits] >= '0' && line[digits] <= '9' && digits < 20; ++digits)
    out.seq = out.seq * 10 + static_cast<std::uint64_t>(line[digits] - '0');
  if (digits == 0 || out.seq == 0) return std::nullopt;
  return out;
}

}  // namespace message::transport
