#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace message::search {

// How words become index terms and a person's query becomes an FTS5 expression
// (docs/architecture.md, "Search"). Pure functions; safe from any thread.
//
// Two columns are indexed: `body`, the text as written, through FTS5's unicode61 tokenizer with
// remove_diacritics 2 (words; case and accents folded for Latin, Greek, Cyrillic), and `grams`,
// made here: every run of Korean, Chinese or Japanese characters as its overlapping bigrams in
// order, then the run's last character alone. A CJK term of two or more characters is then the
// phrase of its bigrams (consecutive positions: exactly a substring of a run), and one of a
// single character the prefix query of it (every position of a run starts a token).

/// True for Hangul, Han ideographs and kana: scripts written without spaces between words.
bool is_cjk(char32_t c) noexcept;

/// The `grams` column's text for a message's `text` (empty when it holds no CJK).
std::string cjk_grams(std::string_view text);

struct parsed_query {
  /// The FTS5 MATCH expression: every term quoted (never syntax), ANDed. Empty when no term
  /// holds a letter or digit: such a query matches nothing.
  std::string match;
  /// The CJK runs of the query, for marking them in snippets (the word column's highlight()
  /// does not see them).
  std::vector<std::string> cjk_terms;
};

/// Splits `query` on white space into terms and each term into CJK runs and the rest.
parsed_query parse_query(std::string_view query);

/// Decodes one code point of UTF-8 at `i` (advancing it); U+FFFD for a broken sequence.
char32_t next_code_point(std::string_view s, std::size_t& i) noexcept;

}  // namespace message::search
