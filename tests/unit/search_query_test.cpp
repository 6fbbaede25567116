// search/query_terms and search/snippet: how words become index terms, how a query becomes an
// FTS5 expression that is never syntax, and how a result's snippet is cut and marked.
#include <gtest/gtest.h>

#include "search/query_terms.hpp"
#include "search/snippet.hpp"

namespace message::search {
namespace {

TEST(SearchQuery, EveryTermIsQuotedAndTheQuotesInItDoubled) {
  EXPECT_EQ(parse_query("hello").match, "\"hello\"*");
  EXPECT_EQ(parse_query("say \"hi\"").match, "\"say\"* AND \"\"\"hi\"\"\"*");
  EXPECT_EQ(parse_query("NEAR OR").match, "\"NEAR\"* AND \"OR\"*");
  EXPECT_EQ(parse_query("* - (").match, "") << "punctuation alone is no term";
}

TEST(SearchQuery, CjkRunsAreSplitFromTheirTermAndOneCharacterIsAPrefix) {
  const auto q = parse_query("회의 本 hello日本語");
  EXPECT_EQ(q.match, "\"회의\" AND \"本\"* AND \"hello\"* AND \"日本語\"");
  EXPECT_EQ(q.cjk_terms, (std::vector<std::string>{"회의", "本", "日本語"}));
}

TEST(SearchSnippet, AlternatesPlainAndMatchedTextAndMarksCjkTerms) {
  const std::string text =
      std::string("see the ") + std::string(mark_open) + "meeting" + std::string(mark_close) + " at 회의실";
  EXPECT_EQ(make_snippet(text, {"회의"}, 160),
            (std::vector<std::string>{"see the ", "meeting", " at ", "회의", "실"}));
}

TEST(SearchSnippet, CjkIsMarkedByTheQueryTermsNotByTheBigramsFtsMarked) {
  const std::string text = std::string(mark_open) + "회" + std::string(mark_close) + "의실";
  EXPECT_EQ(make_snippet(text, {"회의"}, 160), (std::vector<std::string>{"", "회의", "실"}));
}

TEST(SearchSnippet, CutsALongTextAroundTheFirstMatchWithoutSplittingACharacter) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "가";
  text += std::string(mark_open) + "word" + std::string(mark_close);
  for (int i = 0; i < 100; ++i) text += "나";
  const auto parts = make_snippet(text, {}, 40);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1], "word");
  EXPECT_EQ(parts[0].rfind("…", 0), 0u);
  EXPECT_NE(parts[2].find("…"), std::string::npos);
}

}  // namespace
}  // namespace message::search
