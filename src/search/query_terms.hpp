#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace message::search {

// How words become index terms and a person's query becomes an FTS5 expression
// (docs/architecture.md, "Search"). Pure functions; safe from any thread.
//
// One column is indexed, through search/cjk_tokenizer: words as FTS5's unicode61 makes them
// (remove_diacritics 2: case and accents folded for Latin, Greek, Cyrillic), and every run of
// Korean, Chinese or Japanese characters as its overlapping bigrams, then its last character.

/// True for Hangul, Han ideographs and kana: scripts written without spaces between words.
bool is_cjk(char32_t c) noexcept;

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
