#include "transport/queued_message.hpp"

namespace message::transport {

std::optional<queued_message> queued_message_of(std::string_view line) {
  constexpr std::string_view head = R"({"type":"message","room":")";
  constexpr std::string_view seq_key = R"(","seq":)";
  if (line.substr(0, head.size()) != head) return std::nullopt;
  line.remove_prefix(head.size());
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
