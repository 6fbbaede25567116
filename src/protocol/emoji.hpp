#pragma once

#include <string_view>

namespace message::protocol {

/// True when `utf8` is exactly one emoji: one extended grapheme cluster (ICU's character
/// BreakIterator) that has emoji properties: a code point that is Extended_Pictographic or
/// Emoji_Presentation (this covers regional indicator flags), or a keycap sequence (an Emoji
/// base such as "1", then U+20E3) or an Emoji code point turned to emoji by U+FE0F. "a" and "1"
/// are not emoji; "👍🏽", "👨‍👩‍👧", "🇰🇷" and "1️⃣" are; "👍👍" is two.
/// `utf8` must be valid UTF-8 (frames are) and is refused above `max_bytes`.
/// Thread-safety: safe from any thread (each thread keeps its own BreakIterator).
bool is_one_emoji(std::string_view utf8, std::size_t max_bytes);

}  // namespace message::protocol
