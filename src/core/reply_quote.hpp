#pragma once

#include <cstddef>

#include "common/chat_message.hpp"

namespace message::core {

/// The quote a reply carries of `target` as it is now (docs/protocol.md, "Conversation"): its
/// author, its text cut to `max_chars` code points (never inside a UTF-8 sequence), "" and
/// `deleted` once it is deleted. Thread-safety: a pure function.
reply_quote quote_of(const chat_message& target, std::size_t max_chars);

}  // namespace message::core
