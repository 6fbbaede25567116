#include "core/reply_quote.hpp"

#include <gtest/gtest.h>

namespace message::core {
namespace {

chat_message target(std::string text, std::string device = "AbCdEfGhIjKlMnOp") {
  chat_message m;
  m.room = "lobby";
  m.seq = 12;
  m.username = "kim";
  m.device = std::move(device);
  m.text = std::move(text);
  return m;
}

TEST(ReplyQuote, QuotesAuthorAndTheStartOfTheTextInWholeCodePoints) {
  const auto q = quote_of(target("한국어 text"), 2);
  EXPECT_EQ(q.seq, 12U);
  EXPECT_EQ(q.username, "kim");
  EXPECT_EQ(q.identity, "AbCdEfGhIjKlMnOp");
  EXPECT_EQ(q.text, "한국") << "two code points, never half of one";
  EXPECT_FALSE(q.deleted);
  EXPECT_EQ(quote_of(target("short"), 100).text, "short");
  EXPECT_EQ(quote_of(target("👍🏽x"), 2).text, "👍🏽");
}

TEST(ReplyQuote, AnAnonymousAuthorHasNoIdentityAndADeletedMessageNoText) {
  EXPECT_EQ(quote_of(target("hi", "abc123"), 100).identity, "");
  auto gone = target("the old text");
  gone.deleted = true;
  const auto q = quote_of(gone, 100);
  EXPECT_TRUE(q.deleted);
  EXPECT_EQ(q.text, "");
}

}  // namespace
}  // namespace message::core
