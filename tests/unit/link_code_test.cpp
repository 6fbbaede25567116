// Device link codes (common/link_code.hpp): length, alphabet, spread, and how typed codes read.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/link_code.hpp"

namespace message::core {
namespace {

TEST(LinkCode, IsEightCharactersOfTheUnambiguousAlphabet) {
  for (int i = 0; i < 200; ++i) {
    const auto code = new_link_code(8);
    ASSERT_EQ(code.size(), 8u);
    for (const char c : code) EXPECT_NE(link_code_alphabet.find(c), std::string_view::npos) << code;
  }
  for (const char c : std::string_view("01ILOUVilo"))
    EXPECT_EQ(link_code_alphabet.find(c), std::string_view::npos);
}

TEST(LinkCode, EveryCharacterOfTheAlphabetTurnsUpAndCodesDoNotRepeat) {
  std::set<std::string> codes;
  std::map<char, int> seen;
  for (int i = 0; i < 2000; ++i) {
    auto code = new_link_code(8);
    for (const char c : code) ++seen[c];
    codes.insert(std::move(code));
  }
  EXPECT_EQ(codes.size(), 2000u);
  EXPECT_EQ(seen.size(), link_code_alphabet.size());
}

TEST(LinkCode, ATypedCodeIsReadIgnoringCaseSpacesAndDashes) {
  EXPECT_EQ(normalize_link_code("abcd-2345", 8), "ABCD2345");
  EXPECT_EQ(normalize_link_code(" ABCD 2345 ", 8), "ABCD2345");
  EXPECT_EQ(normalize_link_code("ABCD234", 8), "") << "too short";
  EXPECT_EQ(normalize_link_code("ABCD23450", 8), "") << "0 is not of the alphabet";
  EXPECT_EQ(normalize_link_code("", 8), "");
}

}  // namespace
}  // namespace message::core
