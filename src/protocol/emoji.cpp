#include "protocol/emoji.hpp"

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <memory>

namespace message::protocol {

namespace {

constexpr UChar32 keycap = 0x20E3;
constexpr UChar32 emoji_variation = 0xFE0F;

/// One character BreakIterator per thread: making one loads ICU's rules, far more than a check.
icu::BreakIterator* grapheme_iterator() {
  thread_local std::unique_ptr<icu::BreakIterator> it = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> made(
        icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status)) made.reset();
    return made;
  }();
  return it.get();
}

}  // namespace

bool is_one_emoji(std::string_view utf8, std::size_t max_bytes) {
  if (utf8.empty() || utf8.size() > max_bytes) return false;
  const auto text =
      icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())));
  auto* graphemes = grapheme_iterator();
  if (!graphemes) return false;  // No ICU data: refuse rather than guess.
  graphemes->setText(text);
  graphemes->first();
  if (graphemes->next() != text.length()) return false;  // Not exactly one cluster.

  bool pictographic = false;
  bool emoji_base = false;
  bool keycapped = false;
  bool variation = false;
  for (std::int32_t i = 0; i < text.length();) {
    const UChar32 c = text.char32At(i);
    i += U16_LENGTH(c);
    if (u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
        u_hasBinaryProperty(c, UCHAR_EMOJI_PRESENTATION) || u_hasBinaryProperty(c, UCHAR_REGIONAL_INDICATOR))
      pictographic = true;
    if (u_hasBinaryProperty(c, UCHAR_EMOJI)) emoji_base = true;
    if (c == keycap) keycapped = true;
    if (c == emoji_variation) variation = true;
  }
  // "1" and "#" are Emoji code points too, but text until a keycap or U+FE0F makes them emoji.
  return pictographic || (emoji_base && (keycapped || variation));
}

}  // namespace message::protocol
