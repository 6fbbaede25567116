#include "protocol/emoji.hpp"

#include <gtest/gtest.h>

namespace message::protocol {
namespace {

constexpr std::size_t max_bytes = 64;

TEST(Emoji, TakesOneEmojiGraphemeWhateverItsParts) {
  EXPECT_TRUE(is_one_emoji("👍", max_bytes));
  EXPECT_TRUE(is_one_emoji("❤️", max_bytes));              // U+2764 U+FE0F
  EXPECT_TRUE(is_one_emoji("👍🏽", max_bytes));            // a skin tone modifier
  EXPECT_TRUE(is_one_emoji("👨‍👩‍👧", max_bytes));  // a ZWJ family
  EXPECT_TRUE(is_one_emoji("🇰🇷", max_bytes));                  // a flag: two regional indicators
  EXPECT_TRUE(is_one_emoji("1️⃣", max_bytes));             // a keycap sequence
  EXPECT_TRUE(is_one_emoji("#⃣", max_bytes));                   // a keycap without U+FE0F
  EXPECT_TRUE(is_one_emoji("🎉", max_bytes));
}

TEST(Emoji, RefusesTextSeveralEmojiAndNothing) {
  EXPECT_FALSE(is_one_emoji("", max_bytes));
  EXPECT_FALSE(is_one_emoji("a", max_bytes));
  EXPECT_FALSE(is_one_emoji("1", max_bytes));  // An Emoji code point, but text until a keycap.
  EXPECT_FALSE(is_one_emoji("#", max_bytes));
  EXPECT_FALSE(is_one_emoji("é", max_bytes));
  EXPECT_FALSE(is_one_emoji("👍👍", max_bytes));
  EXPECT_FALSE(is_one_emoji("👍 ", max_bytes));
  EXPECT_FALSE(is_one_emoji("a👍", max_bytes));
  EXPECT_FALSE(is_one_emoji("🇰🇷🇰", max_bytes));  // A flag and half of another.
  EXPECT_FALSE(is_one_emoji("e⃣", max_bytes));    // A keycap on a letter is no emoji.
  EXPECT_FALSE(is_one_emoji("가", max_bytes));
}

TEST(Emoji, RefusesMoreBytesThanTheLimit) {
  EXPECT_TRUE(is_one_emoji("👨‍👩‍👧", 18));
  EXPECT_FALSE(is_one_emoji("👨‍👩‍👧", 17));
}

}  // namespace
}  // namespace message::protocol
