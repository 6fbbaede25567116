#pragma once

#include <sqlite3.h>

namespace message::search {

/// The name the index's FTS5 table gives as its tokenizer (docs/architecture.md, "Search").
inline constexpr const char* cjk_tokenizer_name = "message_cjk";

/// Registers the `message_cjk` FTS5 tokenizer on `db`: FTS5's unicode61 (its arguments passed
/// on, e.g. `remove_diacritics 2`) for words, and every run of Korean, Chinese or Japanese
/// characters (search/query_terms is_cjk) as its overlapping bigrams in order, then the run's
/// last character alone. A query of two or more such characters is then the phrase of its
/// bigrams (consecutive positions: exactly a substring of a run); one of a single character is
/// a prefix query (every position of a run starts a token). In a query the tokenizer gives a
/// run's bigrams only, so that a phrase never asks for the last character's token.
///
/// Each token's offsets cover only the character it starts at: FTS5's highlight() needs
/// offsets that do not overlap, and search/snippet marks CJK matches by substring itself.
///
/// Every connection that reads or writes the index's FTS5 table registers it first; one
/// without it (the `sqlite3` shell) can still read the `docs` table, not `docs_fts`.
/// Throws std::runtime_error when FTS5 is not available. Thread-safety: as the connection.
void register_cjk_tokenizer(sqlite3* db);

}  // namespace message::search
