#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/chat_message.hpp"

namespace message::transport {

// The text of a room's export (docs/protocol.md, "Export"), written a piece at a time so that
// the whole room never sits in memory: the head, one piece per message, the tail. Pure
// functions; safe from any thread.

enum class export_format { json, txt, html };

/// "json", "txt" or "html"; nothing for anything else.
std::optional<export_format> parse_export_format(std::string_view name);
std::string_view export_content_type(export_format f);

std::string export_head(export_format f, std::string_view room, std::int64_t now_ms);
/// One message (folded: its latest text, or a tombstone); `first`: the first of the export.
std::string export_item(export_format f, const core::chat_message& m, bool first);
std::string export_tail(export_format f);

}  // namespace message::transport
