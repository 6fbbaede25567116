#pragma once

#include <cstdint>
#include <string>

#include "common/chat_message.hpp"

namespace message::client {

/// "HH:MM name: text" in local time, the name in a colour of its own when `colour` (a
/// terminal). Control characters of the text (an escape sequence would drive the reader's
/// terminal) show as U+FFFD; its newlines stay, the lines after the first indented.
std::string format_message(const core::chat_message& m, bool colour);

/// The one line a `gap` frame prints: which messages of the room are no longer available.
std::string format_gap(std::uint64_t from, std::uint64_t to);
/// The one line a `reset` frame prints: the room's history was replaced on the server.
std::string format_reset(std::uint64_t seq);

/// The same name always gets the same one of six ANSI colours.
std::string coloured_name(const std::string& name, bool colour);

/// The first `max_chars` code points of `text`, with "…" when there were more.
std::string excerpt(const std::string& text, std::size_t max_chars);

/// `text` with control characters but '\n' and '\t' replaced, for a terminal.
std::string printable(const std::string& text);

}  // namespace message::client
